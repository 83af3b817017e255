package nn

import "math"

// Exp is e^x in float32, to about one part in 10^7: range reduction to x = n·ln2 + r with
// |r| <= ln2/2 and a degree-7 Taylor polynomial. It is several times faster than math.Exp on
// float64, which matters because the LSTM's gates take five per unit per step.
func Exp(x float32) float32 {
	switch {
	case x > 88.72:
		return float32(math.Inf(1))
	case x < -87.33:
		return 0
	case x != x:
		return x
	}
	k := x*1.44269504 + 0.5
	n := int32(k)
	if k < float32(n) {
		n-- // floor for negative k
	}
	fn := float32(n)
	r := x - fn*0.693145751953125 - fn*1.42860676533018704e-06
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// Sigmoid is the logistic function in float32.
func Sigmoid(x float32) float32 { return 1 / (1 + Exp(-x)) }

// Tanh is tanh in float32 (absolute error below 1e-7).
func Tanh(x float32) float32 {
	if x > 9 {
		return 1
	}
	if x < -9 {
		return -1
	}
	return 1 - 2/(Exp(2*x)+1)
}

// expsGo replaces each x by exp(x), for elementwise ops over whole tensors (a Gorgonia op's
// activations): Exp's method to a unit in the last place, with a degree-6 polynomial, written
// for throughput: rounding by adding and subtracting 1.5*2^23 instead of a floor, clamping
// with comparisons rather than min and max (which order NaNs and zeros), and the polynomial in
// Estrin's scheme rather than Horner's, so that the loop has no calls. The C build (act_c.go)
// runs the same arithmetic over 8 or 16 lanes at once.
func expsGo(xs []float32) {
	for i, x := range xs {
		if !(x > -87) {
			if x != x {
				continue
			}
			x = -87
		}
		if x > 88 {
			x = 88
		}
		n := (x*1.442695 + 12582912) - 12582912 // round(x / ln 2)
		r := x - n*0.693145751953125 - n*1.428606765330187e-06
		r2 := r * r
		p := (1 + r) + r2*(0.5+r*(1.0/6)) + r2*r2*((1.0/24+r*(1.0/120))+r2*(1.0/720))
		xs[i] = p * math.Float32frombits(uint32(int32(n)+127)<<23)
	}
}

// sigmoidsGo sets y[i] to the logistic function of x[i].
func sigmoidsGo(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = -v
	}
	expsGo(y)
	for i, e := range y {
		y[i] = 1 / (1 + e)
	}
}

// tanhsGo sets y[i] to tanh(x[i]).
func tanhsGo(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = -2 * v
	}
	expsGo(y)
	for i, e := range y {
		y[i] = 2/(1+e) - 1
	}
}
