package sketchrnn

import (
	"bytes"
	"math"
	"math/rand/v2"
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

func newTinyTrainer(t *testing.T, train []sketch.Drawing, engine Engine) *Trainer {
	t.Helper()
	w, err := NewWeights(tinyConfig(), sketch.ScaleFactor(train), 7)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(w, train, 11)
	if err != nil {
		t.Fatal(err)
	}
	tr.Engine = engine
	return tr
}

// twoBucketTrainer trains on drawings of 11 and 12+bucketWidth points: two length buckets.
func twoBucketTrainer(t *testing.T, engine Engine) *Trainer {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	var train []sketch.Drawing
	for i := 0; i < 8; i++ {
		train = append(train, randomDrawing(11, rng), randomDrawing(12+bucketWidth, rng))
	}
	tr := newTinyTrainer(t, train, Plain)
	tr.W.Config.MaxSeqLen = 64
	tr, err := NewTrainer(tr.W, train, 11)
	if err != nil {
		t.Fatal(err)
	}
	tr.Engine = engine
	return tr
}

func trainSteps(t *testing.T, tr *Trainer, n int) {
	t.Helper()
	for range n {
		if _, err := tr.TrainStep(); err != nil {
			t.Fatal(err)
		}
	}
}

// A run stopped, saved and resumed ends with the weights of a run that never stopped: exactly,
// or to float32 rounding when it resumes with another engine.
func TestResume(t *testing.T) {
	tests := []struct {
		name      string
		engine    Engine  // after resuming
		after     int     // steps after resuming
		tolerance float64 // in learning rates: Adam's first steps move each value by about one, whatever the gradient's size
	}{
		{"same engine", Plain, 2, 0},
		{"to the step graphs", Gorgonia, 1, 1e-3},
	}
	train := tinyTrainSet(12, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTinyTrainer(t, train, Plain)
			trainSteps(t, a, 2+tt.after)
			b := newTinyTrainer(t, train, Plain)
			trainSteps(t, b, 2)
			var buf bytes.Buffer
			if err := b.SaveResume(&buf); err != nil {
				t.Fatal(err)
			}
			c, err := Resume(&buf, train)
			if err != nil {
				t.Fatal(err)
			}
			if c.Step != 2 {
				t.Fatalf("resumed at step %d, want 2", c.Step)
			}
			c.Engine = tt.engine
			trainSteps(t, c, tt.after)
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

// Both engines take the same steps (to float32 rounding), and the loss falls on a tiny set.
func TestTrainingEnginesAgreeAndLearn(t *testing.T) {
	train := tinyTrainSet(8, 5)
	plain := newTinyTrainer(t, train, Plain)
	graph := newTinyTrainer(t, train, GorgoniaUnrolled)
	var first, last StepResult
	for i := range 30 {
		r, err := plain.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			g, err := graph.TrainStep()
			if err != nil {
				t.Fatal(err)
			}
			// Adam amplifies float32 rounding in tiny gradients, so later steps agree less closely.
			if d := r.Cost - g.Cost; d > 1e-5*math.Pow(100, float64(i))*r.Cost || -d > 1e-5*math.Pow(100, float64(i))*r.Cost {
				t.Errorf("step %d: plain cost %v, gorgonia %v", i, r.Cost, g.Cost)
			}
		}
		if i == 0 {
			first = r
		}
		last = r
	}
	if !(last.RLoss < first.RLoss) {
		t.Errorf("r_loss went from %v to %v in 30 steps on 8 drawings", first.RLoss, last.RLoss)
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
}

// With BucketRun, consecutive steps share a bucket, and only MaxGraphs graphs stay built.
func TestBucketRunAndGraphCache(t *testing.T) {
	tr := twoBucketTrainer(t, GorgoniaUnrolled)
	if len(tr.buckets) != 2 {
		t.Fatalf("buckets%s, want two", tr.Buckets())
	}
	tr.BucketRun, tr.MaxGraphs = 3, 1
	var lengths []int
	for range 6 {
		r, err := tr.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		lengths = append(lengths, r.Points)
		if len(tr.graphs) > 1 {
			t.Fatalf("%d graphs cached, want at most 1", len(tr.graphs))
		}
	}
	if lengths[0] != lengths[1] || lengths[1] != lengths[2] || lengths[3] != lengths[4] || lengths[4] != lengths[5] {
		t.Errorf("padded lengths %v: want runs of 3", lengths)
	}
}
