package audio

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

// tune is the known melody the sound tests measure: two bars over three octaves, with notes
// long enough to resolve their pitch, rests, a note-off and a note held to the loop point.
var tune = mustNotes([]melody.Note{
	{Pitch: 60, Start: 0, End: 4},
	{Pitch: 64, Start: 4, End: 8},
	{Pitch: 67, Start: 8, End: 10},
	{Pitch: 57, Start: 12, End: 16},
	{Pitch: 74, Start: 16, End: 18},
	{Pitch: 66, Start: 18, End: 20},
	{Pitch: 48, Start: 20, End: 24},
	{Pitch: 81, Start: 24, End: 26},
	{Pitch: 71, Start: 27, End: 32},
})

// wide reaches for the ends of the range: the lowest and highest notes a melody is likely to
// use, where tuning a delay line or keeping the fundamental on top is hardest.
var wide = mustNotes([]melody.Note{
	{Pitch: 28, Start: 0, End: 8},
	{Pitch: 36, Start: 8, End: 16},
	{Pitch: 96, Start: 16, End: 20},
	{Pitch: 100, Start: 20, End: 24},
	{Pitch: 105, Start: 24, End: 32},
})

func mustNotes(notes []melody.Note) melody.Melody {
	m, err := melody.FromNotes(notes, melody.WindowSteps)
	if err != nil {
		panic(err)
	}
	return m
}

// TestPitch measures every note of tune and wide on every instrument at 44.1 kHz, and of
// tune at 48 kHz: the strongest frequency of each note must be its pitch within 1%.
func TestPitch(t *testing.T) {
	const bpm = 120
	for _, name := range synth.Names() {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct {
				m  melody.Melody
				sr int
			}{{tune, 44100}, {wide, 44100}, {tune, 48000}} {
				sr := float64(c.sr)
				step := stepFrames(bpm, sr)
				x := mono(render(t, c.m, RenderOptions{Instrument: name, BPM: bpm, SampleRate: c.sr}))
				for _, n := range c.m.Notes() {
					from := int(float64(n.Start)*step + sr/50)
					to := int(float64(n.End)*step - sr/100)
					got := spectrumPeak(x[from:to], sr)
					want := synth.Frequency(n.Pitch)
					errPct := 100 * (got - want) / want
					t.Logf("%d Hz, pitch %d: want %.2f Hz, strongest %.2f Hz (%+.3f%%)", c.sr, n.Pitch, want, got, errPct)
					if math.Abs(errPct) > 1 {
						t.Errorf("%d Hz, pitch %d: strongest frequency %.2f Hz, want %.2f Hz within 1%%", c.sr, n.Pitch, got, want)
					}
				}
			}
		})
	}
}
