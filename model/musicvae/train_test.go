package musicvae

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

var tiny = MelodyVAEConfig{EncoderSize: 5, DecoderSizes: []int{4, 3}, ZSize: 3}

// TestGradientsMatchFiniteDifferences checks the graph's gradients of the loss, for a sample of
// values of every parameter, against central differences (float64 is not available, so the
// tolerance is loose; a wrong gradient is off by far more).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	w, err := NewWeights(tiny, 3)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, d := range append(w.Dec, w.EncFw, w.EncBw) { // non-zero biases exercise the bias gradients
		for i := range d.Bias {
			d.Bias[i] = float32(rng.NormFloat64() * 0.3)
		}
	}
	c := DefaultTrainConfig()
	c.Batch = 3
	c.MaxBeta, c.BetaRate = 0.5, 0.5 // beta 0.25 at step 1: the KL term counts
	data := randomWindows(3, 4)
	tr, err := NewTrainer(w, c, data)
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		st, _, err := tr.forward(data, 1)
		if err != nil {
			t.Fatal(err)
		}
		return st.Loss
	}
	_, grads, err := tr.forward(data, 1)
	if err != nil {
		t.Fatal(err)
	}
	analytic := make([][]float32, len(grads))
	for i, g := range grads {
		analytic[i] = append([]float32(nil), g...)
	}
	const h = 1e-2
	worst := 0.0
	for i, p := range tr.graph.params {
		v := tr.values[i]
		for _, k := range []int{len(v) / 2} {
			old := v[k]
			v[k] = old + h
			up := loss()
			v[k] = old - h
			down := loss()
			v[k] = old
			num := (up - down) / (2 * h)
			ana := float64(analytic[i][k])
			errAbs := math.Abs(num - ana)
			if errAbs > 2e-2+0.05*math.Abs(num) {
				t.Errorf("%s[%d]: analytic %.5f, numeric %.5f", p.Name(), k, ana, num)
			}
			worst = max(worst, errAbs)
		}
	}
	t.Logf("worst absolute difference %.2g", worst)
}

// TestTrainingLearnsAndResumesExactly trains a tiny model, checks the loss falls, and checks that a
// run saved and resumed gives bit-identical weights to one that did not stop.
func TestTrainingLearnsAndResumesExactly(t *testing.T) {
	data := randomWindows(24, 5)
	c := DefaultTrainConfig()
	c.Batch = 8
	c.LearningRate = 1e-2
	newT := func() *Trainer {
		w, err := NewWeights(tiny, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(w, c, data)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a := newT()
	var first, last StepStats
	for i := range 12 {
		st, err := a.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = st
		}
		last = st
	}
	if !(last.CrossEntropy < first.CrossEntropy*0.92) {
		t.Errorf("cross-entropy went from %.2f to %.2f", first.CrossEntropy, last.CrossEntropy)
	}

	b := newT()
	for range 5 {
		if _, err := b.TrainStep(); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := b.SaveState(&buf, map[string]string{"training_data": "random"}); err != nil {
		t.Fatal(err)
	}
	r, err := ResumeTrainer(&buf, data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != 5 {
		t.Fatalf("resumed at step %d, want 5", r.Step)
	}
	for range 7 {
		if _, err := r.TrainStep(); err != nil {
			t.Fatal(err)
		}
	}
	wa, wr := a.Weights().Tensors(), r.Weights().Tensors()
	for name, ta := range wa {
		for i, v := range ta.Data {
			if wr[name].Data[i] != v {
				t.Fatalf("%s[%d]: %v without a stop, %v resumed", name, i, v, wr[name].Data[i])
			}
		}
	}
	if _, err := ResumeTrainer(bytes.NewReader(nil), data); err == nil {
		t.Error("empty state file accepted")
	}
}
