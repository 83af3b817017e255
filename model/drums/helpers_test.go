package drums

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// ev is a MIDI event at an absolute tick: its bytes as they stand in a track after the delta.
type ev struct {
	tick uint32
	raw  []byte
}

func hit(tick uint32, ch, key, vel uint8) ev { return ev{tick, []byte{0x90 | ch, key, vel}} }
func tempo(tick uint32, bpm float64) ev {
	us := uint32(6e7 / bpm)
	return ev{tick, []byte{0xff, 0x51, 3, byte(us >> 16), byte(us >> 8), byte(us)}}
}
func meter(tick uint32, num, exp uint8) ev { return ev{tick, []byte{0xff, 0x58, 4, num, exp, 24, 8}} }
func name(s string) ev                     { return ev{0, append([]byte{0xff, 0x03, byte(len(s))}, s...)} }

// trackBody encodes events, given in time order, as a track body ending with end-of-track.
func trackBody(evs ...ev) []byte {
	var b []byte
	var at uint32
	for _, e := range append(evs, ev{at, []byte{0xff, 0x2f, 0}}) {
		if e.tick < at {
			e.tick = at
		}
		b = appendVarlen(b, e.tick-at)
		b = append(b, e.raw...)
		at = e.tick
	}
	return b
}

func appendVarlen(b []byte, v uint32) []byte {
	var tmp [5]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[i:]...)
}

// midiBytes assembles an SMF from a header and track bodies.
func midiBytes(format, division uint16, bodies ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString("MThd")
	binary.Write(&b, binary.BigEndian, [5]uint16{0, 6, format, uint16(len(bodies)), division})
	for _, body := range bodies {
		b.WriteString("MTrk")
		binary.Write(&b, binary.BigEndian, uint32(len(body)))
		b.Write(body)
	}
	return b.Bytes()
}

func read(t testing.TB, data []byte) *Import {
	t.Helper()
	im, err := ReadMIDI(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadMIDI: %v", err)
	}
	return im
}
