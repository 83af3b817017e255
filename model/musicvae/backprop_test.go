package musicvae

import (
	"math"
	"testing"
)

// TestBackpropMatchesGraph checks the hand-written training step against the Gorgonia graph:
// the same losses and accuracy, and every gradient value equal to float32 rounding.
func TestBackpropMatchesGraph(t *testing.T) {
	tr, err := tinyTrainer()
	if err != nil {
		t.Fatal(err)
	}
	compareBackprop(t, tr)
	if testing.Short() || raceEnabled {
		t.Log("more configurations are compared without -race and -short")
		return
	}
	for _, tc := range []struct {
		name     string
		cfg      MelodyVAEConfig
		freeBits float64
	}{
		{"free bits", MelodyVAEConfig{EncoderSize: 6, DecoderSizes: []int{5}, ZSize: 4}, 3},
		{"three layers", MelodyVAEConfig{EncoderSize: 3, DecoderSizes: []int{7, 6, 5}, ZSize: 2}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := randomWeights(t, tc.cfg, 7)
			c := DefaultTrainConfig()
			c.Batch, c.FreeBits = 4, tc.freeBits
			c.MaxBeta, c.BetaRate = 0.5, 0.5
			data := randomWindows(4, 3)
			tr, err := NewTrainer(w, c, data)
			if err != nil {
				t.Fatal(err)
			}
			compareBackprop(t, tr)
		})
	}
}

// compareBackprop checks one step of both passes of tr on its data.
func compareBackprop(t *testing.T, tr *Trainer) {
	t.Helper()
	data := tr.data
	gst, gg, err := tr.forward(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	graphGrads := make([][]float32, len(gg))
	for i := range gg {
		graphGrads[i] = append([]float32(nil), gg[i]...)
	}
	pst, plainGrads, err := tr.forwardPlain(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(gst.Loss-pst.Loss) > 1e-3 || math.Abs(gst.KL-pst.KL) > 1e-3 || gst.Accuracy != pst.Accuracy {
		t.Errorf("graph %+v, plain %+v", gst, pst)
	}
	for i, p := range tr.graph.params {
		scale := 0.0
		for _, v := range graphGrads[i] {
			scale = max(scale, math.Abs(float64(v)))
		}
		if d := maxDiff(graphGrads[i], plainGrads[i]); d > 1e-4*(1+scale) {
			t.Errorf("%s: gradients differ by %g (largest %g)", p.Name(), d, scale)
		}
	}
}
