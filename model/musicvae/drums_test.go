package musicvae

import (
	"testing"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/vae"
)

// A drum model decodes patterns of 32 steps whose hits are the tokens' classes, refuses melody
// weights, and a short training run on a few grooves learns them.
func TestDrumModel(t *testing.T) {
	if _, err := NewDrumModel(randomWeights(t, tiny, 1)); err == nil {
		t.Error("NewDrumModel took a melody model")
	}
	groove := make(drums.Pattern, 32)
	for s := range groove {
		groove[s].Velocity[drums.ClosedHat] = 90
		if s%8 == 0 {
			groove[s].Velocity[drums.Kick] = 120
		}
		if s%8 == 4 {
			groove[s].Velocity[drums.Snare] = 110
		}
	}
	half := groove[:16] // a 1-bar pattern is padded with silence
	halfThenRest := append(append(drums.Pattern{}, half...), make(drums.Pattern, 16)...)

	tr := newTinyTrainerOf(t, Config{EncoderSize: 16, DecoderSizes: []int{64}, ZSize: 4}.Drums(), DrumTokens([]drums.Pattern{groove, groove, halfThenRest, halfThenRest}))
	tr.Config.MaxBeta, tr.Config.LearningRate = 0, 1e-2
	var first, last StepStats
	for i := range 250 {
		st, err := tr.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = st
		}
		last = st
	}
	if !(last.Accuracy > 0.9 && last.CrossEntropy < first.CrossEntropy/4) {
		t.Errorf("after 250 steps: accuracy %.3f, cross-entropy %.2f (from %.2f)", last.Accuracy, last.CrossEntropy, first.CrossEntropy)
	}
	m, err := NewDrumModel(tr.Weights())
	if err != nil {
		t.Fatal(err)
	}
	zs, err := m.Encode([]drums.Pattern{groove, half})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Decode(zs, vae.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != 32 || len(got[1]) != 32 {
		t.Fatalf("decoded %d patterns", len(got))
	}
	if err := got[0].Validate(); err != nil {
		t.Error(err)
	}
	same := 0
	for s := range groove {
		if got[0][s].Token() == groove[s].Token() {
			same++
		}
		for c := range drums.NumClasses {
			if v := got[0][s].Velocity[c]; v != 0 && v != drums.DefaultVelocity {
				t.Fatalf("step %d: decoded velocity %d", s, v)
			}
		}
	}
	if same < 30 {
		t.Errorf("the groove comes back with %d of 32 steps", same)
	}
}
