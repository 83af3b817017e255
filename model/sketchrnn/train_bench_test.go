package sketchrnn

import (
	"fmt"
	"syscall"
	"testing"
	"time"

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

// BenchmarkTrainStep times training steps at the shipped size (batch 64) on the sheep of 76 to
// 100 points (one length bucket, padded to 100), on one goroutine and split between two.
func BenchmarkTrainStep(b *testing.B) {
	var train []sketch.Drawing
	for _, d := range loadSheep(b, "train") {
		if len(d) > 75 && len(d) <= 100 {
			train = append(train, d)
		}
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			w, err := NewWeights(DefaultConfig(), sketch.ScaleFactor(train), 1)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := NewTrainer(w, train, 1)
			if err != nil {
				b.Fatal(err)
			}
			tr.Threads = threads
			if len(tr.buckets) != 1 {
				b.Fatalf("buckets%s, want one", tr.Buckets())
			}
			if _, err := tr.Step(); err != nil { // builds the step graphs
				b.Fatal(err)
			}
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				r, err := tr.Step()
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("step %d %s", r.Step, r.Line)
			}
			// The machines these run on are shared: CPU time says how much of both cores a step used.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(stepFLOPs(w.Config, tr.buckets[0].maxLen)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stepFLOPs counts the multiply-adds (as 2 FLOPs) of the matrix products of a training step at
// padded length T, as train_graph.go runs them: per step and LSTM, h·W_h forward, the state's
// gradient dG·W_hᵀ and the kernel's hᵀ·dG, and x·W_x with its kernel's gradient; the output
// layer's three; the head's, once.
func stepFLOPs(c SketchVAEConfig, T int) float64 {
	B, E, H, Z, O := float64(c.BatchSize), float64(c.EncSize), float64(c.DecSize), float64(c.ZSize), float64(c.Outputs())
	mm := func(m, k, n float64) float64 { return 2 * m * k * n }
	enc := 3*mm(B, E, 4*E) + 2*mm(B, 5, 4*E)
	dec := 3*mm(B, H, 4*H) + 2*mm(B, 5, 4*H) + 3*mm(B, H, O)
	head := 6*mm(B, 2*E, Z) + 6*mm(B, Z, H) + 3*mm(B, Z, 4*H)
	return float64(T)*(2*enc+dec) + head
}
