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
