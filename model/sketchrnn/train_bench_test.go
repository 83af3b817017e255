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
