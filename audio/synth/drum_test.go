package synth

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/model/drums"
)

// TestDrumsEndAndRepeat: every drum starts from silence, ends by itself within 4 s, sounds the
// same for the same seed, and its noise differs for another.
func TestDrumsEndAndRepeat(t *testing.T) {
	for c := range drums.Class(drums.NumClasses) {
		a := all(NewDrum(c, 100, sr, 7), 5*sr)
		if len(a) >= 4*sr {
			t.Errorf("%s lasts %.2f s, want under 4 s", c, float64(len(a))/sr)
		}
		if math.Abs(a[0][0]) > 0.01 || math.Abs(a[0][1]) > 0.01 {
			t.Errorf("%s: first frame %v, want silence rising", c, a[0])
		}
		b := all(NewDrum(c, 100, sr, 7), 5*sr)
		other := all(NewDrum(c, 100, sr, 8), 5*sr)
		same, differ := len(a) == len(b), false
		for i := range min(len(a), len(b), len(other)) {
			same = same && a[i] == b[i]
			differ = differ || a[i] != other[i]
		}
		if !same {
			t.Errorf("%s: two hits with seed 7 differ", c)
		}
		noisy := c != drums.LowTom && c != drums.MidTom && c != drums.HighTom
		if noisy && !differ {
			t.Errorf("%s: seeds 7 and 8 sound the same", c)
		}
	}
}

// BenchmarkDrum streams one hit of each drum from its start in 512-frame buffers, as the
// sequencer does; "voices" is how many such hits one core could keep sounding in real time.
func BenchmarkDrum(b *testing.B) {
	for c := range drums.Class(drums.NumClasses) {
		b.Run(c.String(), func(b *testing.B) {
			buf := make([]stream.Frame, 512)
			frames := 0
			for b.Loop() {
				v := NewDrum(c, 100, sr, 1)
				for range 40 { // about half a second: a hat's whole life, a crash's loud part
					n, _ := v.Stream(buf)
					frames += n
				}
			}
			b.ReportMetric(float64(frames)/sr/b.Elapsed().Seconds(), "voices")
		})
	}
}
