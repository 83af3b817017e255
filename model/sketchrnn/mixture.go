package sketchrnn

import (
	"math"
	"math/rand/v2"

	"github.com/latentpalette/palette/model/nn"
)

// Mixture is the decoder's distribution over the next point, from one output row
// (sketch-rnn's get_mixture_coef): M bivariate Gaussians for the offset and 3 pen states.
type Mixture struct {
	Pi, MuX, MuY, SigmaX, SigmaY, Corr []float32 // [M] each
	Pen                                [3]float32
}

// newMixture allocates a mixture of m components.
func newMixture(m int) *Mixture {
	b := make([]float32, 6*m)
	return &Mixture{Pi: b[:m], MuX: b[m : 2*m], MuY: b[2*m : 3*m], SigmaX: b[3*m : 4*m], SigmaY: b[4*m : 5*m], Corr: b[5*m:]}
}

// set fills mx from a raw output row [3+6M] at temperature t as Magenta.js's getPDF does: pen
// and mixture weights are a softmax at temperature 0.5+0.5t, the sigmas are scaled by sqrt(t).
// t = 1 gives the model's own distribution.
func (mx *Mixture) set(out []float32, t float64) {
	m := len(mx.Pi)
	soft := float32(0.5 + 0.5*t)
	sq := float32(math.Sqrt(t))
	softmax(mx.Pen[:], out[:3], soft)
	softmax(mx.Pi, out[3:3+m], soft)
	for k := 0; k < m; k++ {
		mx.MuX[k] = out[3+m+k]
		mx.MuY[k] = out[3+2*m+k]
		mx.SigmaX[k] = float32(math.Exp(float64(out[3+3*m+k]))) * sq
		mx.SigmaY[k] = float32(math.Exp(float64(out[3+4*m+k]))) * sq
		mx.Corr[k] = float32(math.Tanh(float64(out[3+5*m+k])))
	}
}

// softmax writes softmax(x/temp) into dst.
func softmax(dst, x []float32, temp float32) {
	mx := x[0]
	for _, v := range x {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range x {
		e := math.Exp(float64((v - mx) / temp))
		dst[i] = float32(e)
		sum += e
	}
	for i := range dst {
		dst[i] = float32(float64(dst[i]) / sum)
	}
}

// Greedy returns the most likely component's mean and the most likely pen state (0 down,
// 1 up, 2 end): the same output for the same state every time.
func (mx *Mixture) Greedy() (dx, dy float32, pen int) {
	k := nn.Argmax(mx.Pi)
	return mx.MuX[k], mx.MuY[k], nn.Argmax(mx.Pen[:])
}

// Sample draws a component, an offset from its bivariate Gaussian and a pen state, as
// Magenta.js's sample (sampleSoftmax, birandn).
func (mx *Mixture) Sample(rng *rand.Rand) (dx, dy float32, pen int) {
	k := sampleIndex(mx.Pi, rng)
	pen = sampleIndex(mx.Pen[:], rng)
	s1, s2, rho := float64(mx.SigmaX[k]), float64(mx.SigmaY[k]), float64(mx.Corr[k])
	n1, n2 := rng.NormFloat64(), rng.NormFloat64()
	dx = mx.MuX[k] + float32(s1*n1)
	dy = mx.MuY[k] + float32(s2*(rho*n1+math.Sqrt(max(0, 1-rho*rho))*n2))
	return dx, dy, pen
}

// LogLikelihoods returns, for a target point, log(sum_k pi_k N(dx, dy | k) + 1e-6) and the pen's
// log-probability of class pen, computed as the training graph does (at temperature 1).
func (mx *Mixture) LogLikelihoods(dx, dy float32, pen int) (offsets, penLog float64) {
	var sum float64
	for k := range mx.Pi {
		s1, s2, rho := float64(mx.SigmaX[k]), float64(mx.SigmaY[k]), float64(mx.Corr[k])
		n1 := (float64(dx) - float64(mx.MuX[k])) / s1
		n2 := (float64(dy) - float64(mx.MuY[k])) / s2
		z := n1*n1 + n2*n2 - 2*rho*n1*n2
		neg := 1 - rho*rho + rhoEps
		sum += float64(mx.Pi[k]) * math.Exp(-z/(2*neg)) / (2 * math.Pi * s1 * s2 * math.Sqrt(neg))
	}
	return math.Log(sum + pdfEps), math.Log(float64(mx.Pen[pen]))
}

// rhoEps keeps 1-corr^2 away from zero and pdfEps is sketch-rnn's epsilon inside the log (the
// values of nn.MixtureNLL, which training differentiates).
const (
	rhoEps = 1e-6
	pdfEps = 1e-6
)

func sampleIndex(p []float32, rng *rand.Rand) int {
	u := float32(rng.Float64())
	var acc float32
	for i, v := range p {
		acc += v
		if u < acc {
			return i
		}
	}
	return len(p) - 1
}
