package sketchrnn

import (
	"fmt"
	"os"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/sketch"
)

func loadSheep(tb testing.TB, split string) []sketch.Drawing {
	tb.Helper()
	ds, err := sketch.Load(shared.Data(tb, "sketch/aaron_sheep.npz") + ":" + split)
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// BenchmarkTrainStep times training steps on the sheep at the shipped size, one bucket after the
// other (SKETCH_BENCH_T picks a padded length).
func BenchmarkTrainStep(b *testing.B) {
	tr := newBenchTrainer(b, loadSheep(b, "train"))
	b.Log("buckets", tr.Buckets(), "params", tr.W.NumParams())
	if os.Getenv("SKETCH_BENCH_T") != "" {
		var T int
		fmt.Sscan(os.Getenv("SKETCH_BENCH_T"), &T)
		var keep []bucketRange
		for _, bk := range tr.buckets {
			if bk.maxLen == T {
				keep = append(keep, bk)
			}
		}
		tr.buckets = keep
		tr.train = tr.train[:keep[0].to]
	}
	b.ResetTimer()
	benchTrainSteps(b, tr)
}

// newBenchTrainer trains a model of the shipped size on train.
func newBenchTrainer(b *testing.B, train []sketch.Drawing) *Trainer {
	b.Helper()
	w, err := NewWeights(DefaultConfig(), sketch.ScaleFactor(train), 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := NewTrainer(w, train, 1)
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// benchTrainSteps takes b.N training steps, logging each.
func benchTrainSteps(b *testing.B, tr *Trainer) {
	b.Helper()
	for i := 0; i < b.N; i++ {
		r, err := tr.TrainStep()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("step %d T %d cost %.4f r %.4f kl %.4f", tr.Step, r.Points, r.Cost, r.RLoss, r.KL)
	}
}
