package musicvae

import (
	"math"
	"slices"
	"testing"
)

// Token dropout hides about the asked share of the decoder's inputs, the same ones for the same
// step, and changes the cross-entropy but not the KL (the encoder's input is untouched).
func TestTokenDropout(t *testing.T) {
	w, err := NewWeights(tiny, 3)
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultTrainConfig()
	c.Batch, c.TokenDropout = 64, 0.25
	data := randomWindows(64, 5)
	tr, err := NewTrainer(w, c, data)
	if err != nil {
		t.Fatal(err)
	}
	drop := tr.dropped(3)
	n, total := 0, 0
	for _, row := range drop {
		for _, d := range row {
			n += btoi(d)
			total++
		}
	}
	if share := float64(n) / float64(total); math.Abs(share-0.25) > 0.03 {
		t.Errorf("%.3f of the decoder's inputs dropped, want about 0.25", share)
	}
	for i, row := range tr.dropped(3) {
		if !slices.Equal(row, drop[i]) {
			t.Fatalf("step %d: another draw of dropped tokens for the same training step", i+1)
		}
	}
	withDropout, err := tr.forward(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	// The graph's decoder inputs: -1 exactly where dropped.
	for i, p := range tr.parts[0].prevs {
		for b, v := range p.Value().Data().([]float32) {
			if want := float32(data[b][i]); (drop[i][b] && v != -1) || (!drop[i][b] && v != want) {
				t.Fatalf("step %d, window %d: decoder input %v (dropped %v)", i+1, b, v, drop[i][b])
			}
		}
	}
	tr.Config.TokenDropout = 0
	if tr.dropped(3) != nil {
		t.Error("dropout 0 dropped tokens")
	}
	without, err := tr.forward(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	if withDropout.CrossEntropy == without.CrossEntropy || withDropout.KL != without.KL {
		t.Errorf("cross-entropy %v with dropout, %v without; KL %v and %v (want the same KL)",
			withDropout.CrossEntropy, without.CrossEntropy, withDropout.KL, without.KL)
	}
}
