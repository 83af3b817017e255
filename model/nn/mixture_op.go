package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Mixture-density constants of sketch-rnn's get_lossfunc: rhoEps keeps 1-ρ² away from zero, and
// pdfEps is the epsilon inside the log of the mixture's density.
const (
	rhoEps = 1e-6
	pdfEps = 1e-6
)

// MixtureNLL is Sketch-RNN's reconstruction loss of one step as one node: for each row of
// out [B, 3+6M] (pen logits, then M each of π logits, μx, μy, log σx, log σy and ρ before its
// tanh) and target [B, 5] (dx, dy and the pen's one-hot),
//
//	mask_b · -log(Σ_k π_k N(dx, dy | μ_k, σ_k, ρ_k) + 1e-6) + penMask_b · -Σ_c target_c log softmax(pen)_c
//
// summed over the rows and multiplied by scale; mask and penMask are [B]. The derivative with
// respect to out is analytic (one node, not the thirty Gorgonia ops of the formula).
func MixtureNLL(out, target, mask, penMask *G.Node, scale float64) (*G.Node, error) {
	os, ts := out.Shape(), target.Shape()
	if len(os) != 2 || os[1] < 9 || (os[1]-3)%6 != 0 || len(ts) != 2 || ts[0] != os[0] || ts[1] != 5 {
		return nil, fmt.Errorf("mixture nll: outputs %v and targets %v do not fit ([B, 3+6M], [B, 5])", os, ts)
	}
	for _, m := range []*G.Node{mask, penMask} {
		if s := m.Shape(); len(s) != 1 || s[0] != os[0] {
			return nil, fmt.Errorf("mixture nll: mask %v, want [%d]", s, os[0])
		}
	}
	B, O := os[0], os[1]
	ins := []*G.Node{out, target, mask, penMask}
	meta := newMeta(tensor.Shape{}, ins, "mixture_nll%g", scale)
	fn := func(_ []float32, in [][]float32) float32 {
		var total float64
		for b := range B {
			total += mixtureRow(in[0][b*O:(b+1)*O], in[1][b*5:(b+1)*5], in[2][b], in[3][b], nil)
		}
		return float32(total * scale)
	}
	return applyFused(meta, []bool{true, false, false, false}, fn, func(in G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(mixtureGrad(in, g, scale)), nil, nil, nil}, nil
	}, ins...)
}

// mixtureGrad is MixtureNLL's derivative with respect to its outputs [B, 3+6M], times g.
func mixtureGrad(in G.Nodes, g *G.Node, scale float64) (*G.Node, error) {
	os := in[0].Shape()
	B, O := os[0], os[1]
	meta := newMeta(os.Clone(), []*G.Node{in[0], in[1], in[2], in[3], g}, "mixture_nll_grad%g", scale)
	return applyFused(meta, []bool{false, false, false, false, false}, func(d []float32, x [][]float32) float32 {
		s := scale * float64(x[4][0])
		for b := range B {
			row := d[b*O : (b+1)*O]
			mixtureRow(x[0][b*O:(b+1)*O], x[1][b*5:(b+1)*5], x[2][b], x[3][b], row)
			for i := range row {
				row[i] *= float32(s)
			}
		}
		return 0
	}, nil, in[0], in[1], in[2], in[3], g)
}

// mixtureRow returns one row's loss and, if d is not nil, writes its derivative with respect to
// the row's outputs into d. It computes in float64, as the plain-Go evaluation does.
func mixtureRow(out, tgt []float32, mask, penMask float32, d []float32) float64 {
	M := (len(out) - 3) / 6
	if d != nil {
		clear(d)
	}
	var loss float64
	// Pen: softmax cross-entropy against the target's one-hot.
	if penMask != 0 {
		lse := logSumExp(out[:3])
		var tsum float64
		for c := range 3 {
			t := float64(tgt[2+c])
			tsum += t
			loss -= float64(penMask) * t * (float64(out[c]) - lse)
		}
		if d != nil {
			for c := range 3 {
				p := math.Exp(float64(out[c]) - lse)
				d[c] = float32(float64(penMask) * (tsum*p - float64(tgt[2+c])))
			}
		}
	}
	if mask == 0 {
		return loss
	}
	// Offsets: -log(Σ_k π_k N_k + ε), with π = softmax of the logits.
	piLogits := out[3 : 3+M]
	lsePi := logSumExp(piLogits)
	x, y := float64(tgt[0]), float64(tgt[1])
	var sArr [64]float64
	s := sArr[:0]
	if M > len(sArr) {
		s = make([]float64, 0, M)
	}
	var S float64
	for k := range M {
		pi := math.Exp(float64(piLogits[k]) - lsePi)
		sx, sy := math.Exp(float64(out[3+3*M+k])), math.Exp(float64(out[3+4*M+k]))
		rho := math.Tanh(float64(out[3+5*M+k]))
		nx, ny := (x-float64(out[3+M+k]))/sx, (y-float64(out[3+2*M+k]))/sy
		z := nx*nx + ny*ny - 2*rho*nx*ny
		nu := 1 - rho*rho + rhoEps
		sk := pi * math.Exp(-z/(2*nu)) / (2 * math.Pi * sx * sy * math.Sqrt(nu))
		s = append(s, sk)
		S += sk
	}
	m := float64(mask)
	loss -= m * math.Log(S+pdfEps)
	if d == nil {
		return loss
	}
	for k := range M {
		pi := math.Exp(float64(piLogits[k]) - lsePi)
		gamma := s[k] / (S + pdfEps) // the component's share of the density
		d[3+k] = float32(m * (pi*S/(S+pdfEps) - gamma))
		sx, sy := math.Exp(float64(out[3+3*M+k])), math.Exp(float64(out[3+4*M+k]))
		rho := math.Tanh(float64(out[3+5*M+k]))
		nx, ny := (x-float64(out[3+M+k]))/sx, (y-float64(out[3+2*M+k]))/sy
		z := nx*nx + ny*ny - 2*rho*nx*ny
		nu := 1 - rho*rho + rhoEps
		// d log N_k with respect to μx, μy, log σx, log σy and ρ; the loss's is -γ_k times it.
		dmx := (nx - rho*ny) / (nu * sx)
		dmy := (ny - rho*nx) / (nu * sy)
		dsx := nx*(nx-rho*ny)/nu - 1
		dsy := ny*(ny-rho*nx)/nu - 1
		drho := nx*ny/nu - z*rho/(nu*nu) + rho/nu
		g := -m * gamma
		d[3+M+k] = float32(g * dmx)
		d[3+2*M+k] = float32(g * dmy)
		d[3+3*M+k] = float32(g * dsx)
		d[3+4*M+k] = float32(g * dsy)
		d[3+5*M+k] = float32(g * drho * (1 - rho*rho))
	}
	return loss
}
