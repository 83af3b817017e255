package nn

import (
	"math"
	"testing"
)

// Exps agrees with float64's exp to 3e-7 (relative) over float32's normal range, keeps NaNs,
// and clamps beyond it.
func TestExps(t *testing.T) {
	var xs []float32
	for x := float32(-87); x <= 88; x += 0.001 {
		xs = append(xs, x)
	}
	ys := append([]float32(nil), xs...)
	Exps(ys)
	for i, x := range xs {
		want := math.Exp(float64(x))
		if d := math.Abs(float64(ys[i])-want) / want; d > 3e-7 {
			t.Fatalf("Exps(%v) = %v, want %v", x, ys[i], want)
		}
	}
	limits := []float32{-200, 200, float32(math.NaN()), -87, 88}
	Exps(limits)
	if limits[0] != limits[3] || limits[1] != limits[4] || limits[2] == limits[2] {
		t.Errorf("Exps(-200, 200, NaN, -87, 88) = %v", limits)
	}
}

// Sigmoids and Tanhs agree with float64 to 2e-7 (absolute), in place or not, over slices long
// enough for the vector loops and short ones, and match the Go loops to 3e-7 (the C loops may fuse multiply-adds).
func TestSigmoidsTanhs(t *testing.T) {
	var xs []float32
	for x := float32(-100); x <= 100; x += 0.0007 {
		xs = append(xs, x)
	}
	xs = append(xs, 0, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, f := range []struct {
		name   string
		vec    func(y, x []float32)
		scalar func(y, x []float32)
		want   func(float64) float64
	}{
		{"Sigmoids", Sigmoids, sigmoidsGo, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"Tanhs", Tanhs, tanhsGo, math.Tanh},
	} {
		for _, n := range []int{len(xs), 63, 5} {
			in := xs[len(xs)-n:]
			y := make([]float32, n)
			f.vec(y, in)
			inPlace := append([]float32(nil), in...)
			f.vec(inPlace, inPlace)
			ref := make([]float32, n)
			f.scalar(ref, in)
			for i, x := range in {
				want := f.want(float64(x))
				if d := math.Abs(float64(y[i]) - want); d > 2e-7 || y[i] != inPlace[i] || math.Abs(float64(y[i]-ref[i])) > 3e-7 {
					t.Fatalf("%s(%v) = %v (in place %v, Go loop %v), want %v", f.name, x, y[i], inPlace[i], ref[i], want)
				}
			}
		}
	}
	nan := make([]float32, 100)
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	Sigmoids(nan, nan)
	Exps(nan)
	if nan[7] == nan[7] {
		t.Errorf("NaN became %v", nan[7])
	}
}

func BenchmarkActivations(b *testing.B) {
	x := make([]float32, 64*1024) // one gate block of a batch of 64
	for i := range x {
		x[i] = float32(i%2000)/100 - 10
	}
	y := make([]float32, len(x))
	b.Run("c", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			Sigmoids(y, x)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			sigmoidsGo(y, x)
		}
	})
}
