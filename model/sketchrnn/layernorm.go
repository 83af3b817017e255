package sketchrnn

import (
	"math"

	"github.com/latentpalette/palette/model/nn"
)

// lnEpsilon is sketch-rnn's layer_norm epsilon.
const lnEpsilon = 1e-3

// normalize writes (x - mean(x)) / sqrt(var(x) + eps) into xhat and gamma*xhat + beta into y,
// and returns 1/sqrt(var + eps). y may alias x.
func normalize(y, xhat, x, gamma, beta []float32) float32 {
	var mean, v float64
	for _, a := range x {
		mean += float64(a)
	}
	mean /= float64(len(x))
	for _, a := range x {
		d := float64(a) - mean
		v += d * d
	}
	rstd := 1 / math.Sqrt(v/float64(len(x))+lnEpsilon)
	for i, a := range x {
		xh := float32((float64(a) - mean) * rstd)
		if xhat != nil {
			xhat[i] = xh
		}
		y[i] = gamma[i]*xh + beta[i]
	}
	return float32(rstd)
}

// stepCell advances a batch of states by one step, with or without layer normalisation. pre
// [B, 4H] holds the inputs' share of the gates (without bias) and is used as scratch.
func stepCell(cell nn.LSTMCell, ln *LayerNorm, pre, cs, h []float32) {
	if ln == nil {
		cell.Step(pre, cs, h)
		return
	}
	H := cell.Hidden
	B := len(h) / H
	mm(false, false, B, 4*H, H, h, cell.Rows(cell.In, H), 1, pre)
	tmp := make([]float32, H)
	for b := 0; b < B; b++ {
		g := pre[b*4*H : (b+1)*4*H]
		for k := 0; k < 4; k++ {
			normalize(g[k*H:(k+1)*H], nil, g[k*H:(k+1)*H], ln.GammaAll[k*H:(k+1)*H], ln.BetaAll[k*H:(k+1)*H])
		}
		c, hr := cs[b*H:(b+1)*H], h[b*H:(b+1)*H]
		for k := 0; k < H; k++ {
			c[k] = c[k]*nn.Sigmoid(g[2*H+k]+nn.ForgetBias) + nn.Sigmoid(g[k])*nn.Tanh(g[H+k])
		}
		normalize(tmp, nil, c, ln.GammaC, ln.BetaC)
		for k := 0; k < H; k++ {
			hr[k] = nn.Tanh(tmp[k]) * nn.Sigmoid(g[3*H+k])
		}
	}
}
