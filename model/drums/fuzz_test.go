package drums

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzReadMIDI: the reader never panics or hangs, and what it accepts is a valid pattern of whole
// bars with hits.
func FuzzReadMIDI(f *testing.F) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, steps := range []int{16, 64} {
		var b bytes.Buffer
		if err := WriteMIDI(&b, randomPattern(rng, steps), WriteOptions{BPM: 97}); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
		f.Add(b.Bytes()[:b.Len()/2]) // truncated
	}
	f.Add(midiBytes(1, 96,
		trackBody(name("Conductor"), tempo(0, 90), meter(0, 7, 3), tempo(500, 140), meter(700, 3, 2)),
		trackBody(hit(0, 0, 60, 90), hit(96, 0, 64, 90)),
		trackBody(hit(0, 3, 36, 100), hit(0, 3, 42, 80), hit(48, 3, 42, 80), hit(96, 3, 38, 100), hit(130, 3, 81, 10))))
	f.Add(midiBytes(0, 1, []byte{0, 0x99, 36, 90, 0x7f, 38, 80, 0, 0xff, 0x51, 3, 0, 0, 1, 0x81, 0, 42, 1, 0, 0xf0, 1, 0xf7}))
	f.Add(midiBytes(0, 0xe728, trackBody(hit(0, 9, 36, 90))))
	f.Add([]byte("MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ReadMIDI(bytes.NewReader(data))
		if err != nil {
			if im != nil {
				t.Fatalf("an import with error %v", err)
			}
			return
		}
		p := im.Pattern
		if len(p) == 0 || len(p) > maxSteps+255*StepsPerBar || p.Validate() != nil || p.Hits() != im.Hits || im.Hits == 0 {
			t.Fatalf("bad pattern: %d steps, %d hits (Hits %d), %v", len(p), p.Hits(), im.Hits, p.Validate())
		}
		if len(im.Bars) == 0 || im.Bars[0] != 0 || im.Bars[len(im.Bars)-1] >= len(p) {
			t.Fatalf("bars %v for %d steps", im.Bars, len(p))
		}
		for i := 1; i < len(im.Bars); i++ {
			if im.Bars[i] <= im.Bars[i-1] {
				t.Fatalf("bars %v are not increasing", im.Bars)
			}
		}
		if len(im.Notices) > maxNotices {
			t.Fatalf("%d notices", len(im.Notices))
		}
		Windows(p, WindowHop)
	})
}
