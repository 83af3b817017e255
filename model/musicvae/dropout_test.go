package musicvae

import (
	"math"
	"slices"
	"testing"
)

// Token dropout zeroes about the asked share of the decoder's inputs, the same ones for the same
// step, leaves the targets and the encoder's input alone, and changes the loss; without it the
// decoder's inputs are the previous steps' one-hots. The plain engine refuses it.
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
	tr.Engine = Gorgonia
	oneHot(tr.xs, data)
	dropped, total := 0, 0
	tr.decoderInputs(3)
	first := make([][]float32, len(tr.prevs))
	for i, p := range tr.prevs {
		d, x := p.Data().([]float32), tr.xs[i].Data().([]float32)
		first[i] = slices.Clone(d)
		for b := range c.Batch {
			row, want := d[b*Classes:(b+1)*Classes], x[b*Classes:(b+1)*Classes]
			switch {
			case slices.Equal(row, want):
			case slices.Max(row) == 0:
				dropped++
			default:
				t.Fatalf("step %d, window %d: the decoder's input is neither the previous one-hot nor zero", i+1, b)
			}
			total++
		}
	}
	if share := float64(dropped) / float64(total); math.Abs(share-0.25) > 0.03 {
		t.Errorf("%.3f of the decoder's inputs dropped, want about 0.25", share)
	}
	tr.decoderInputs(3)
	for i, p := range tr.prevs {
		if !slices.Equal(p.Data().([]float32), first[i]) {
			t.Fatalf("step %d: another draw of dropped tokens for the same training step", i+1)
		}
	}

	withDropout, _, err := tr.forward(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	tr.Config.TokenDropout = 0
	without, _, err := tr.forward(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range tr.prevs {
		if !slices.Equal(p.Data().([]float32), tr.xs[i].Data().([]float32)) {
			t.Fatalf("without dropout, the decoder's input at step %d is not the previous one-hot", i+1)
		}
	}
	if withDropout.CrossEntropy == without.CrossEntropy || withDropout.KL != without.KL {
		t.Errorf("cross-entropy %v with dropout, %v without; KL %v and %v (want the same KL)",
			withDropout.CrossEntropy, without.CrossEntropy, withDropout.KL, without.KL)
	}

	tr.Config.TokenDropout, tr.Engine = 0.25, Plain
	if _, err := tr.TrainStep(); err == nil {
		t.Error("the plain engine trained with token dropout")
	}
}
