package melody

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadMIDI: the importer never panics or hangs, and what it accepts is a valid melody.
func FuzzReadMIDI(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 3 {
		var b bytes.Buffer
		if err := WriteMIDI(&b, randomMelody(rng), WriteOptions{}); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()/2]) // truncated
	}
	f.Add(smfBytes(f, 0, 96, track(note(0, 60, 0, 24), note(1, 64, 0, 48), note(9, 36, 0, 12))))
	f.Add(rawSMF(0, 1, 0xE728, []byte{0, 0x90, 60, 90, 10, 60, 0, 0, 0xff, 0x2f, 0}))
	f.Add(rawSMF(1, 2, 480, []byte{0, 0x90, 60, 90, 0x83, 0x60, 0x80, 60, 0}, []byte{0, 0xff, 0x51, 3, 7, 0xa1, 0x20, 0, 0xf0, 2, 1, 0xf7}))
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f"))
	f.Add([]byte("RIFF....RMIDdata"))
	f.Add([]byte{})
	f.Add(smfBytes(f, 1, 480, track(note(0, 60, 37, 200), note(0, 62, 291, 400), note(0, 64, 517, 700), note(0, 65, 790, 900),
		note(0, 67, 1013, 1300), note(0, 69, 1270, 1500), note(0, 71, 1535, 1700), note(0, 72, 1777, 2100), note(0, 74, 2031, 2200)))) // played in, off the grid
	if m, err := os.ReadFile(filepath.Join("testdata", "golden.mid")); err == nil {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := ReadMIDI(bytes.NewReader(data))
		if err != nil {
			if segs != nil {
				t.Fatalf("segments with error %v", err)
			}
			return
		}
		if len(segs) == 0 {
			t.Fatal("no segments and no error")
		}
		for _, s := range segs {
			if len(s) == 0 || len(s)%StepsPerBar != 0 || s.Validate() != nil || !s.HasNote() {
				t.Fatalf("bad segment %v", s)
			}
		}
		Windows(segs, WindowSteps, WindowHop)
		if _, err := WindowAt(segs, BarCount(segs)-1); err != nil {
			t.Fatal(err)
		}
	})
}
