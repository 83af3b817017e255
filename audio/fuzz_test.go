package audio

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

// FuzzRender plays arbitrary melodies (any classes, any length up to 4 bars) at arbitrary
// tempos on every instrument: the render must end on time, stay finite and under the ceiling.
func FuzzRender(f *testing.F) {
	f.Add([]byte{2, 0, 0, 1, 40, 0, 89, 1}, uint8(0), uint8(0))
	f.Add([]byte{60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75}, uint8(255), uint8(2))
	f.Add([]byte{1, 1, 0, 0}, uint8(128), uint8(3))
	f.Fuzz(func(t *testing.T, events []byte, tempo, instrument uint8) {
		if len(events) == 0 || len(events) > 64 {
			return
		}
		m := make(melody.Melody, len(events))
		for i, e := range events {
			m[i] = int(e) % melody.NumClasses
		}
		bpm := MinBPM + float64(tempo)*(MaxBPM-MinBPM)/255
		names := synth.Names()
		x := render(t, m, RenderOptions{Instrument: names[int(instrument)%len(names)], BPM: bpm})
		want := float64(len(m)) * stepFrames(bpm, 44100)
		if got := float64(len(x)); got < want-1 || got > want+44100 {
			t.Fatalf("%d frames for %d steps at %.1f BPM, want %.0f plus at most a second", len(x), len(m), bpm, want)
		}
		for i, fr := range x {
			if math.IsNaN(fr[0]) || math.IsNaN(fr[1]) || math.Abs(fr[0]) > ceiling || math.Abs(fr[1]) > ceiling {
				t.Fatalf("frame %d = %v", i, fr)
			}
		}
	})
}
