package nn

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkGemmThreads is the ceiling of BenchmarkTrainStep's threads=2 speed-up on a machine: the
// same product, [M, K]·[K, N] (an LSTM's recurrent product at batch 64 and the shipped 256 units,
// and one that fits in the first-level cache), on one goroutine, and split in halves of the batch
// rows on two goroutines that each run all b.N halves. ns/op is for the whole product.
func BenchmarkGemmThreads(b *testing.B) {
	for _, s := range [][3]int{{64, 256, 1024}, {64, 64, 128}} {
		m, k, n := s[0], s[1], s[2]
		a, w := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = float32(i%7) * 0.01
		}
		for i := range w {
			w[i] = float32(i%5) * 0.01
		}
		name := fmt.Sprintf("%dx%dx%d", m, k, n)
		b.Run(name+"/threads=1", func(b *testing.B) {
			y := make([]float32, m*n)
			for b.Loop() {
				gemm(y, a, w, m, k, n)
			}
			b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(name+"/threads=2,rows", func(b *testing.B) {
			ys := [2][]float32{make([]float32, m*n/2), make([]float32, m*n/2)}
			h := m / 2
			b.ResetTimer()
			var wg sync.WaitGroup
			for i := range 2 { // each goroutine keeps to its half for all b.N products, as a step's graphs do
				wg.Go(func() {
					for range b.N {
						gemm(ys[i], a[i*h*k:(i+1)*h*k], w, h, k, n)
					}
				})
			}
			wg.Wait()
			b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
