package musicvae

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

var tiny = MelodyVAEConfig{EncoderSize: 5, DecoderSizes: []int{4, 3}, ZSize: 3}

// tinyTrainer is one small trainer with its graph compiled, shared by the tests that compare
// the graph with finite differences and with the plain passes (compiling takes seconds).
var tinyTrainer = sync.OnceValues(func() (*Trainer, error) {
	w, err := NewWeights(tiny, 7)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, tn := range w.Tensors() { // non-zero biases exercise the bias gradients
		if len(tn.Shape) == 1 {
			for i := range tn.Data {
				tn.Data[i] = float32(rng.NormFloat64() * 0.5)
			}
		}
	}
	c := DefaultTrainConfig()
	c.Batch = 4
	c.MaxBeta, c.BetaRate = 0.5, 0.5 // beta 0.375 at step 2: the KL term counts
	return NewTrainer(w, c, randomWindows(4, 3))
})

// TestGradientsMatchFiniteDifferences checks the graph's gradients of the loss, for a value of
// every parameter, against central differences (float32 makes the tolerance loose; a wrong
// gradient is off by far more).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	tr, err := tinyTrainer()
	if err != nil {
		t.Fatal(err)
	}
	data := tr.data
	loss := func() float64 {
		st, _, err := tr.forward(data, 2)
		if err != nil {
			t.Fatal(err)
		}
		return st.Loss
	}
	_, grads, err := tr.forward(data, 2)
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
		k := len(v) / 2
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

	// Stop a second run at step 5, save it, go on to step 12, and resume the saved state to step 12.
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
	for range 7 {
		if _, err := b.TrainStep(); err != nil {
			t.Fatal(err)
		}
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
	wa, wr := b.Weights().Tensors(), r.Weights().Tensors()
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
