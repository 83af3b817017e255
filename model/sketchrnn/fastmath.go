package sketchrnn

import "math"

// Float32 exp, sigmoid and tanh for the training path, where they were half of a step's time
// through float64's math.Exp and math.Tanh. Absolute errors stay below 1e-6 (see the test).

// expf is exp(x) by Cody-Waite reduction to r in [-ln2/2, ln2/2] and a degree-6 polynomial.
func expf(x float32) float32 {
	switch {
	case x > 88:
		return float32(math.Inf(1))
	case x < -87:
		return 0
	case x != x:
		return x
	}
	n := float32(math.Floor(float64(x*1.4426950408889634 + 0.5)))
	r := x - n*0.693145751953125 - n*1.428606765330187e-06
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

func sigmoidf(x float32) float32 { return 1 / (1 + expf(-x)) }

func tanhf(x float32) float32 {
	e := expf(-2 * abs32(x))
	t := (1 - e) / (1 + e)
	if x < 0 {
		return -t
	}
	return t
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
