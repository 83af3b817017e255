package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemm gives gonum's products, to float32 rounding, for every batch size: one row (gemv), a
// few (the streaming kernel where OpenBLAS is in) and many (sgemm).
func TestGemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range []int{1, 2, 3, 4, 8, 9, 16} {
		for _, kn := range [][2]int{{90, 2048}, {512, 2048}, {7, 13}} {
			k, n := kn[0], kn[1]
			a, w, y := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
				if i%5 == 0 {
					a[i] = 0 // the kernel skips zeros: one-hot rows
				}
			}
			for i := range w {
				w[i] = float32(rng.NormFloat64() * 0.1)
			}
			for i := range y {
				y[i] = float32(rng.NormFloat64())
			}
			want := append([]float32(nil), y...)
			gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, w, n, 1, want, n)
			gemm(y, a, w, m, k, n)
			worst := 0.0
			for i := range y {
				worst = max(worst, math.Abs(float64(y[i]-want[i]))/(1+math.Abs(float64(want[i]))))
			}
			if worst > 1e-5 {
				t.Errorf("m %d, k %d, n %d: off by %.2g", m, k, n, worst)
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	for _, m := range []int{1, 4, 16} {
		k, n := 512, 2048
		a, w, y := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = 0.5
		}
		b.Run(fmt.Sprintf("m%d-k%d-n%d", m, k, n), func(b *testing.B) {
			for b.Loop() {
				gemm(y, a, w, m, k, n)
			}
		})
	}
}
