package musicvae

import (
	"bytes"

	"github.com/latentpalette/palette/model/melody"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var tiny = Config{EncoderSize: 5, DecoderSizes: []int{4, 3}, ZSize: 3}

// newTinyTrainer is a small trainer with non-zero biases (which exercise the bias gradients)
// and a KL weight that counts (beta 0.375 at step 2).
func newTinyTrainer(t testing.TB) *Trainer { return newTinyTrainerOf(t, tiny, randomWindows(4, 3)) }

// newTinyTrainerOf is newTinyTrainer for config c on data.
func newTinyTrainerOf(t testing.TB, c Config, data []melody.Melody) *Trainer {
	w, err := NewWeights(c, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	ts := w.Tensors()
	for _, name := range slices.Sorted(maps.Keys(ts)) { // in a fixed order: the same weights every time
		tn := ts[name]
		if len(tn.Shape) == 1 {
			for i := range tn.Data {
				tn.Data[i] = float32(rng.NormFloat64() * 0.5)
			}
		}
	}
	tc := DefaultTrainConfig()
	tc.Batch = 4
	tc.MaxBeta, tc.BetaRate = 0.5, 0.5
	tc.FreeBits = 0.5
	tr, err := NewTrainer(w, tc, data)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestGradientsMatchFiniteDifferences checks the graph's gradients of the loss, for a value of
// every tensor, against central differences (float32 makes the tolerance loose; a wrong
// gradient is off by far more), on one thread and summed over two; for the melody model and
// for the drum model (whose encoder input rows reach the loss through the drum roll).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	t.Run("melody", func(t *testing.T) { checkGradients(t, func() *Trainer { return newTinyTrainer(t) }) })
	t.Run("drums", func(t *testing.T) {
		checkGradients(t, func() *Trainer { return newTinyTrainerOf(t, tiny.Drums(), randomTokens(4, drumTokens, 3)) })
	})
}

func checkGradients(t *testing.T, newTrainer func() *Trainer) {
	var first [][]float32
	for _, threads := range []int{1, 2} {
		tr := newTrainer()
		tr.Threads = threads
		data := tr.data
		loss := func() float64 {
			st, err := tr.forward(data, 2)
			if err != nil {
				t.Fatal(err)
			}
			return st.Loss
		}
		loss()
		analytic := make([][]float32, len(tr.grads))
		for i, g := range tr.grads {
			analytic[i] = append([]float32(nil), g...)
		}
		if first == nil {
			first = analytic
		} else {
			for i := range analytic {
				if d := maxDiff(analytic[i], first[i]); d > 1e-5 {
					t.Errorf("%s: gradients on %d threads differ from one by %g", tr.names[i], threads, d)
				}
			}
		}
		const h = 1e-2
		worst := 0.0
		for i, name := range tr.names {
			v := tr.values[i]
			for _, k := range []int{0, len(v) / 2, len(v) - 1} {
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
					t.Errorf("%d threads: %s[%d]: analytic %.5f, numeric %.5f", threads, name, k, ana, num)
				}
				worst = max(worst, errAbs)
			}
		}
		t.Logf("%d threads: worst absolute difference %.2g", threads, worst)
	}
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
	r, err := Resume(&buf, data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Steps() != 5 {
		t.Fatalf("resumed at step %d, want 5", r.Steps())
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
	if _, err := Resume(bytes.NewReader(nil), data); err == nil {
		t.Error("empty state file accepted")
	}
}
