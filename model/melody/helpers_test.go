package melody

import (
	"bytes"
	"encoding/binary"
	"sort"
	"testing"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// ev is a MIDI event at an absolute tick, for building test files.
type ev struct {
	tick uint32
	msg  []byte
}

func on(tick uint32, ch, key uint8) ev  { return ev{tick, midi.NoteOn(ch, key, 90)} }
func off(tick uint32, ch, key uint8) ev { return ev{tick, midi.NoteOff(ch, key)} }

// note gives the on and off of a note in ticks.
func note(ch, key uint8, start, end uint32) []ev {
	return []ev{on(start, ch, key), off(end, ch, key)}
}

// track sorts events by tick (stable, so the order given within a tick is kept) into a closed track.
func track(evs ...[]ev) smf.Track {
	var all []ev
	for _, e := range evs {
		all = append(all, e...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].tick < all[j].tick })
	var tr smf.Track
	var at uint32
	for _, e := range all {
		tr.Add(e.tick-at, e.msg)
		at = e.tick
	}
	tr.Close(0)
	return tr
}

// smfBytes encodes tracks as an SMF of the given type and ticks per quarter.
func smfBytes(t testing.TB, format int, tpq uint16, tracks ...smf.Track) []byte {
	t.Helper()
	s := smf.New()
	if format == 1 {
		s = smf.NewSMF1()
	}
	s.TimeFormat = smf.MetricTicks(tpq)
	for _, tr := range tracks {
		if err := s.Add(tr); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawSMF assembles a file from a header and raw track bodies, for malformed inputs.
func rawSMF(format, ntracks, division uint16, bodies ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("MThd")
	binary.Write(&b, binary.BigEndian, [5]uint16{0, 6, format, ntracks, division})
	for _, body := range bodies {
		b.WriteString("MTrk")
		binary.Write(&b, binary.BigEndian, uint32(len(body)))
		b.Write(body)
	}
	return b.Bytes()
}

func readBytes(t testing.TB, b []byte) []Melody {
	t.Helper()
	segs, err := ReadMIDI(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ReadMIDI: %v", err)
	}
	return segs
}

func equalMelodies(a, b []Melody) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equal(a, b Melody) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// padBar pads m with rests to a whole number of bars.
func padBar(m Melody) Melody {
	out := append(Melody(nil), m...)
	for len(out)%StepsPerBar != 0 {
		out = append(out, NoEvent)
	}
	return out
}
