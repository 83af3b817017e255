package sketchrnn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
)

func tinyTrainSet(n int, seed uint64) []sketch.Drawing {
	rng := rand.New(rand.NewPCG(seed, 1))
	ds := make([]sketch.Drawing, n)
	for i := range ds {
		ds[i] = randomDrawing(11+rng.IntN(2), rng) // 11-12 points: kept, and short
	}
	return ds
}

func newTinyTrainer(t *testing.T, train []sketch.Drawing, threads int) *Trainer {
	t.Helper()
	w, err := NewWeights(tinyConfig(), sketch.ScaleFactor(train), 7)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(w, train, 11)
	if err != nil {
		t.Fatal(err)
	}
	tr.Threads = threads
	return tr
}

func trainSteps(t *testing.T, tr *Trainer, n int) {
	t.Helper()
	for range n {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// A run stopped, saved and resumed ends with the weights of a run that never stopped: exactly
// with the same threads, or to float32 rounding with others (the gradients are summed in
// another order).
func TestResume(t *testing.T) {
	tests := []struct {
		name      string
		threads   int     // after resuming
		tolerance float64 // in learning rates: Adam's first steps move each value by about one, whatever the gradient's size
	}{
		{"same threads", 1, 0},
		{"two threads", 2, 1e-3},
	}
	train := tinyTrainSet(12, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTinyTrainer(t, train, 1)
			trainSteps(t, a, 4)
			b := newTinyTrainer(t, train, 1)
			trainSteps(t, b, 2)
			var buf bytes.Buffer
			if err := b.SaveState(&buf, map[string]string{MetaNotes: "test"}); err != nil {
				t.Fatal(err)
			}
			c, err := Resume(&buf, train)
			if err != nil {
				t.Fatal(err)
			}
			if c.Steps() != 2 {
				t.Fatalf("resumed at step %d, want 2", c.Steps())
			}
			c.Threads = tt.threads
			trainSteps(t, c, 2)
			pa, pc := a.W.params(), c.W.params()
			for i := range pa {
				for k := range pa[i].data {
					if d := math.Abs(float64(pa[i].data[k] - pc[i].data[k])); d > tt.tolerance*a.W.Config.LearningRate {
						t.Fatalf("%s[%d]: %v after an unbroken run, %v after resuming", pa[i].name, k, pa[i].data[k], pc[i].data[k])
					}
				}
			}
		})
	}
}

func zeroGrads(w *Weights) [][]float32 {
	var gs [][]float32
	for _, p := range w.params() {
		gs = append(gs, make([]float32, len(p.data)))
	}
	return gs
}

// stepTestModel is a small model with perturbed weights, sizes chosen to differ from one another.
func stepTestModel(t *testing.T) *Weights {
	t.Helper()
	cfg := DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.Mixtures, cfg.MaxSeqLen, cfg.BatchSize = 8, 16, 4, 3, 10, 3
	w, err := NewWeights(cfg, 20, 21)
	if err != nil {
		t.Fatal(err)
	}
	perturb(w, 21)
	return w
}

// The step graphs give the oracle's cost, r_loss, KL and gradients, on one thread or split
// between two, in training and evaluation mode, above and below the KL floor.
func TestGradientsMatchOracle(t *testing.T) {
	tests := []struct {
		name      string
		threads   int
		eval      bool
		tolerance float64 // the KL floor: low enough for the KL term to have a gradient, or not
		lengths   []int   // of the drawings; the longest is the padded length T
	}{
		{"train", 1, false, 0.01, []int{7, 4, 2}},
		{"train, two threads", 2, false, 0.01, []int{7, 4, 2}},
		{"eval", 1, true, 0.01, []int{7, 4, 2}},
		{"below the KL floor", 1, false, 100, []int{7, 4, 2}},
		{"below the KL floor, two threads", 2, false, 100, []int{7, 4, 2}},
		{"three chunks of steps", 2, false, 0.01, []int{2*chunkSteps + 3, chunkSteps, 3}},
		{"three chunks of steps, eval", 1, true, 0.01, []int{2*chunkSteps + 3, chunkSteps + 1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := stepTestModel(t)
			w.Config.KLTolerance = tt.tolerance
			rng := rand.New(rand.NewPCG(6, 6))
			T, B := tt.lengths[0], len(tt.lengths)
			var rows [][][5]float32
			for _, n := range tt.lengths {
				rows = append(rows, w.Normalize(randomDrawing(n, rng)))
			}
			eps := make([]float32, B*w.Config.ZSize)
			for i := range eps {
				eps[i] = float32(rng.NormFloat64())
			}
			const klWeight = 0.7
			want := zeroGrads(w)
			wc, wr, wkl := w.backprop(makeBatch(rows, T, eps), T, klWeight, tt.eval, want)

			var cost, r, kl float64
			var got [][]float32
			if tt.eval {
				e, err := newStepEngine(w, B, B)
				if err != nil {
					t.Fatal(err)
				}
				bt := makeBatch(rows, T, eps)
				if kl, err = e.forward(w, bt, T); err != nil {
					t.Fatal(err)
				}
				seed := 0.0
				if kl > tt.tolerance {
					seed = klWeight
				}
				if r, err = e.backward(w, bt, T, seed, true); err != nil {
					t.Fatal(err)
				}
				cost, got = r+klWeight*math.Max(kl, tt.tolerance), e.grads
			} else {
				tr := &Trainer{W: w, Threads: tt.threads, grads: zeroGrads(w)}
				var err error
				if cost, r, kl, err = tr.gradients(rows, eps, T, klWeight); err != nil {
					t.Fatal(err)
				}
				got = tr.grads
				// Run again: the gradients are the same, not accumulated from the first run.
				again := make([][]float32, len(got))
				for i := range got {
					again[i] = append([]float32(nil), got[i]...)
				}
				if _, _, _, err := tr.gradients(rows, eps, T, klWeight); err != nil {
					t.Fatal(err)
				}
				if !equalGrads(again, tr.grads) {
					t.Error("a second run gave other gradients")
				}
			}
			close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-5*math.Abs(b)+1e-6 }
			if !close(cost, wc) || !close(r, wr) || !close(kl, wkl) {
				t.Errorf("cost, r_loss, kl = %v %v %v; oracle %v %v %v", cost, r, kl, wc, wr, wkl)
			}
			var worst, largest float64
			for i, p := range w.params() {
				bad := 0
				for k, v := range want[i] {
					worst = math.Max(worst, math.Abs(float64(got[i][k]-v)))
					largest = math.Max(largest, math.Abs(float64(v)))
					if !close(float64(got[i][k]), float64(v)) {
						if bad++; bad <= 3 {
							t.Errorf("%s[%d]: gradient %v, oracle %v", p.name, k, got[i][k], v)
						}
					}
				}
			}
			t.Logf("gradients up to %.3g differ from the oracle's by up to %.3g", largest, worst)
		})
	}
}

func equalGrads(a, b [][]float32) bool {
	for i := range a {
		for k := range a[i] {
			if a[i][k] != b[i][k] {
				return false
			}
		}
	}
	return true
}

// The loss falls on a tiny set, and the steps use both length buckets.
func TestTrainingLearns(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var train []sketch.Drawing
	for range 8 {
		train = append(train, randomDrawing(11, rng), randomDrawing(12+bucketWidth, rng))
	}
	w, err := NewWeights(tinyConfig(), sketch.ScaleFactor(train), 7)
	if err != nil {
		t.Fatal(err)
	}
	w.Config.MaxSeqLen = 64
	tr, err := NewTrainer(w, train, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.buckets) != 2 {
		t.Fatalf("buckets%s, want two", tr.Buckets())
	}
	tr.SetValidation(train[:4])
	var first, last float64
	for i := range 30 {
		r, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		if r.Step != i+1 || tr.Steps() != i+1 {
			t.Fatalf("step %d reported as %d (Steps %d)", i+1, r.Step, tr.Steps())
		}
		if i == 0 {
			v, err := tr.Validate()
			if err != nil {
				t.Fatal(err)
			}
			first = v.Score
		}
	}
	v, err := tr.Validate()
	if err != nil {
		t.Fatal(err)
	}
	last = v.Score
	if !(last < first) {
		t.Errorf("validation score went from %v to %v in 30 steps", first, last)
	}
}

func TestSchedules(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		step   int
		lr, kl float64
	}{
		{0, 0.001, 0.01},
		{10000, (0.001-0.00001)*0.36786104643 + 0.00001, 0.5 - 0.49*0.60653065971},
	}
	for _, tt := range tests {
		if d := c.LearningRateAt(tt.step) - tt.lr; d > 1e-7 || d < -1e-7 {
			t.Errorf("step %d: learning rate %v, want %v", tt.step, c.LearningRateAt(tt.step), tt.lr)
		}
		if d := c.KLWeightAt(tt.step) - tt.kl; d > 1e-4 || d < -1e-4 {
			t.Errorf("step %d: KL weight %v, want %v", tt.step, c.KLWeightAt(tt.step), tt.kl)
		}
	}
	// A run resumed at step 30000 with a new rate decays from there.
	c.LearningRate, c.DecayFrom = 0.0003, 30000
	for step, want := range map[int]float64{29000: 0.0003, 30000: 0.0003, 40000: (0.0003-0.00001)*0.36786104643 + 0.00001} {
		if d := c.LearningRateAt(step) - want; d > 1e-7 || d < -1e-7 {
			t.Errorf("decay from 30000, step %d: learning rate %v, want %v", step, c.LearningRateAt(step), want)
		}
	}
}

// The committed training state (written by the step-graph engine this one replaces) resumes:
// same tensor names and Adam moments, and a step from it trains.
func TestResumeCommittedState(t *testing.T) {
	if testing.Short() {
		t.Skip("a training step at the shipped size")
	}
	f, err := os.Open(filepath.Join("..", "..", "training", "sketch-resume.safetensors"))
	if err != nil {
		t.Skipf("no committed training state: %v", err)
	}
	defer f.Close()
	tr, err := Resume(f, loadSheep(t, "train"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Steps() == 0 || tr.Adam.Step == 0 {
		t.Fatalf("resumed at step %d, Adam step %d", tr.Steps(), tr.Adam.Step)
	}
	step := tr.Steps()
	r, err := tr.Step()
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != step+1 || math.IsNaN(r.Loss) {
		t.Errorf("step %d, loss %v after resuming at %d", r.Step, r.Loss, step)
	}
}
