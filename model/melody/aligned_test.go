package melody

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// recording makes a played-in MIDI file: a track named name at 100 BPM (tpq 480) whose notes sit
// near (within 20 ms of) given times in seconds.
func recording(t *testing.T, name string, notes []struct{ at, dur float64 }, pitch uint8) []byte {
	t.Helper()
	tick := func(sec float64) int64 { return int64(math.Round(sec / 0.6 * 480)) }
	type ev struct {
		at  int64
		msg midi.Message
	}
	var evs []ev
	for i, n := range notes {
		jitter := 0.02 * math.Sin(float64(i)*1.7) // near, not on, the beat
		evs = append(evs, ev{tick(n.at + jitter), midi.NoteOn(0, pitch+uint8(i%3), 90)},
			ev{tick(n.at + jitter + n.dur), midi.NoteOff(0, pitch+uint8(i%3))})
	}
	var tr smf.Track
	tr.Add(0, smf.MetaTrackSequenceName(name))
	tr.Add(0, smf.MetaTempo(100))
	var last int64
	for _, e := range evs {
		tr.Add(uint32(e.at-last), e.msg)
		last = e.at
	}
	tr.Close(0)
	s := smf.New()
	s.TimeFormat = smf.MetricTicks(480)
	if err := s.Add(tr); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadAlignedMIDI puts a recording whose beat falls off the file's tick grid (the first beat
// at 0.37 s, a pickup beat before the first downbeat) on the grid of its beats file.
func TestReadAlignedMIDI(t *testing.T) {
	const beat, phase = 0.55, 0.37 // the performance's beat differs from the file's 0.6 s quarter
	var rows strings.Builder
	for k := range 40 {
		fmt.Fprintf(&rows, "%.3f %d.0 %d.0\n", phase+float64(k)*beat, 1-k%2, btoi((k-1)%4 == 0))
	}
	beats, err := ReadBeats(strings.NewReader(rows.String()))
	if err != nil {
		t.Fatal(err)
	}
	// Notes on beats 1, 2 and 3.5 of bar 0 (beat k=1 is the first downbeat) and on the 16th after
	// beat 1 of bar 1.
	at := func(b float64) float64 { return phase + (1+b)*beat }
	notes := []struct{ at, dur float64 }{{at(0), 0.4}, {at(1), 0.4}, {at(2.5), 0.2}, {at(4.25), 0.3}}
	mid := recording(t, "MELODY", notes, 64)
	segs, err := ReadAlignedMIDI(bytes.NewReader(mid), beats, "MELODY")
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 1 {
		t.Fatalf("%d segments", len(segs))
	}
	var onsets []int
	for _, n := range segs[0].Notes() {
		onsets = append(onsets, n.Start)
	}
	if want := []int{0, 4, 10, 17}; fmt.Sprint(onsets) != fmt.Sprint(want) {
		t.Errorf("onsets at steps %v, want %v", onsets, want)
	}
	if _, err := ReadAlignedMIDI(bytes.NewReader(mid), beats, "BRIDGE"); err == nil {
		t.Error("a missing track was read")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestReadBeatsErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", "at least 2"},
		{"short row", "0.5 1\n", "fields"},
		{"not a number", "x 1 1\n1 0 0\n", "not a time"},
		{"backwards", "1 1 1\n0.5 0 0\n", "does not come after"},
		{"infinite", "Inf 1 1\n", "not a time"},
	} {
		if _, err := ReadBeats(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}

func FuzzReadBeats(f *testing.F) {
	f.Add("0.37 1.0 1.0\n0.92 0.0 0.0\n1.47 1.0 0.0\n")
	f.Add("1e308 0 0\n")
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ReadBeats(strings.NewReader(in))
		if err != nil {
			return
		}
		for i := 1; i < len(b.Times); i++ {
			if !(b.Times[i] > b.Times[i-1]) {
				t.Fatalf("times not increasing: %v", b.Times)
			}
		}
		b.step(b.Times[0] - 1)
		b.step(b.Times[len(b.Times)-1] + 1)
	})
}
