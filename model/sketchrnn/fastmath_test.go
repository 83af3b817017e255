package sketchrnn

import (
	"math"
	"testing"
)

func TestFastMath(t *testing.T) {
	var worstExp, worstSig, worstTanh float64
	for i := -200000; i <= 200000; i++ {
		x := float32(i) / 2000 // -100 .. 100
		e := math.Exp(float64(x))
		if x < 80 && x > -80 {
			worstExp = math.Max(worstExp, math.Abs(float64(expf(x))-e)/e)
		}
		worstSig = math.Max(worstSig, math.Abs(float64(sigmoidf(x))-1/(1+math.Exp(-float64(x)))))
		worstTanh = math.Max(worstTanh, math.Abs(float64(tanhf(x))-math.Tanh(float64(x))))
	}
	if worstExp > 5e-7 || worstSig > 1e-6 || worstTanh > 1e-6 {
		t.Errorf("worst errors: exp %.3g (relative), sigmoid %.3g, tanh %.3g", worstExp, worstSig, worstTanh)
	}
	if expf(100) != float32(math.Inf(1)) || expf(-100) != 0 || tanhf(50) != 1 || tanhf(-50) != -1 || sigmoidf(-200) != 0 {
		t.Error("wrong limits")
	}
}

func BenchmarkTanh(b *testing.B) {
	b.Run("tanhf", func(b *testing.B) {
		var s float32
		for i := 0; i < b.N; i++ {
			s += tanhf(float32(i%1000)/100 - 5)
		}
		_ = s
	})
	b.Run("math.Tanh", func(b *testing.B) {
		var s float32
		for i := 0; i < b.N; i++ {
			s += float32(math.Tanh(float64(float32(i%1000)/100 - 5)))
		}
		_ = s
	})
}
