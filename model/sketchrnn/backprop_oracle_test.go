package sketchrnn

import (
	"math"

	"github.com/latentpalette/palette/model/nn"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// This file is the oracle of the training gradients: the model's loss and its gradients written
// out by hand in plain Go (backpropagation through time), which the Gorgonia step graphs of
// train_graph.go are checked against.

// mm computes c = alpha*op(a)·op(b) + beta*c for row-major matrices: op(a) is [m, k], op(b) [k, n].
func mm(tA, tB bool, m, n, k int, a []float32, b []float32, beta float32, c []float32) {
	ta, tb := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n
	if tA {
		ta, lda = blas.Trans, m
	}
	if tB {
		tb, ldb = blas.Trans, k
	}
	blas32.Implementation().Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, beta, c, n)
}

// lstmTape holds one LSTM's forward values over T steps for a batch of B, for the backward pass.
type lstmTape struct {
	cell   nn.LSTMCell
	in     int // input columns given per step (the rest of the kernel's input rows get a constant share)
	T, B   int
	X      []float32 // [T*B, in] inputs
	G      []float32 // [T*B, 4H] gate activations i, j, f, o
	C, Hs  []float32 // [(T+1)*B, H] states; block 0 is the initial state
	TC     []float32 // [T*B, H] tanh of the unmasked new cell state
	mask   []float32 // [T*B] or nil: the state is multiplied by it after each step
	const4 []float32 // [B, 4H] or nil: a constant share of the gates (the decoder's z)
}

func newTape(cell nn.LSTMCell, in, T, B int) *lstmTape {
	H := cell.Hidden
	tp := &lstmTape{cell: cell, in: in, T: T, B: B,
		X: make([]float32, T*B*in), G: make([]float32, T*B*4*H),
		C: make([]float32, (T+1)*B*H), Hs: make([]float32, (T+1)*B*H), TC: make([]float32, T*B*H)}
	return tp
}

// forward runs the cell over the T steps in X from the state in block 0 of C and Hs.
func (tp *lstmTape) forward() {
	H, B, H4 := tp.cell.Hidden, tp.B, 4*tp.cell.Hidden
	// The input share of every step at once: G = X·Kx.
	mm(false, false, tp.T*B, H4, tp.in, tp.X, tp.cell.Rows(0, tp.in), 0, tp.G)
	rec := tp.cell.Rows(tp.cell.In, H)
	bias := tp.cell.Bias
	for t := 0; t < tp.T; t++ {
		g := tp.G[t*B*H4 : (t+1)*B*H4]
		hPrev := tp.Hs[t*B*H : (t+1)*B*H]
		cPrev := tp.C[t*B*H : (t+1)*B*H]
		mm(false, false, B, H4, H, hPrev, rec, 1, g)
		c := tp.C[(t+1)*B*H : (t+2)*B*H]
		h := tp.Hs[(t+1)*B*H : (t+2)*B*H]
		tc := tp.TC[t*B*H : (t+1)*B*H]
		for b := 0; b < B; b++ {
			gr := g[b*H4 : (b+1)*H4]
			if tp.const4 != nil {
				cs := tp.const4[b*H4 : (b+1)*H4]
				for k := range gr {
					gr[k] += cs[k]
				}
			}
			var m float32 = 1
			if tp.mask != nil {
				m = tp.mask[t*B+b]
			}
			for k := 0; k < H; k++ {
				i := nn.Sigmoid(gr[k] + bias[k])
				j := nn.Tanh(gr[H+k] + bias[H+k])
				f := nn.Sigmoid(gr[2*H+k] + bias[2*H+k] + nn.ForgetBias)
				o := nn.Sigmoid(gr[3*H+k] + bias[3*H+k])
				gr[k], gr[H+k], gr[2*H+k], gr[3*H+k] = i, j, f, o
				cn := cPrev[b*H+k]*f + i*j
				th := nn.Tanh(cn)
				tc[b*H+k] = th
				c[b*H+k] = m * cn
				h[b*H+k] = m * th * o
			}
		}
	}
}

// backward propagates gradients through the steps. dhExt(t, dh) adds the loss's gradient with
// respect to the output h of step t into dh [B, H]. It adds the kernel and bias gradients into
// gK [In+H, 4H] and gB [4H], the sum over steps of the gate gradients into dConst (if not nil),
// and leaves the initial state's gradients in dh0 and dc0.
func (tp *lstmTape) backward(dhExt func(t int, dh []float32), gK, gB []float32, dConst, dh0, dc0 []float32) {
	H, B, H4, T := tp.cell.Hidden, tp.B, 4*tp.cell.Hidden, tp.T
	dG := make([]float32, T*B*H4)
	dh := make([]float32, B*H)
	dc := make([]float32, B*H)
	rec := tp.cell.Rows(tp.cell.In, H)
	for t := T - 1; t >= 0; t-- {
		if dhExt != nil {
			dhExt(t, dh)
		}
		g := tp.G[t*B*H4 : (t+1)*B*H4]
		d := dG[t*B*H4 : (t+1)*B*H4]
		cPrev := tp.C[t*B*H : (t+1)*B*H]
		tc := tp.TC[t*B*H : (t+1)*B*H]
		for b := 0; b < B; b++ {
			var m float32 = 1
			if tp.mask != nil {
				m = tp.mask[t*B+b]
			}
			gr, dr := g[b*H4:(b+1)*H4], d[b*H4:(b+1)*H4]
			for k := 0; k < H; k++ {
				x := b*H + k
				i, j, f, o := gr[k], gr[H+k], gr[2*H+k], gr[3*H+k]
				dhk, dck := dh[x]*m, dc[x]*m
				th := tc[x]
				dcn := dck + dhk*o*(1-th*th)
				dr[k] = dcn * j * i * (1 - i)
				dr[H+k] = dcn * i * (1 - j*j)
				dr[2*H+k] = dcn * cPrev[x] * f * (1 - f)
				dr[3*H+k] = dhk * th * o * (1 - o)
				dc[x] = dcn * f
			}
		}
		// dh for the previous step: dG·Rec^T.
		mm(false, true, B, H, H4, d, rec, 0, dh)
	}
	copy(dh0, dh)
	copy(dc0, dc)
	// Parameter gradients over all steps at once.
	mm(true, false, tp.in, H4, T*B, tp.X, dG, 1, gK[:tp.in*H4])
	mm(true, false, H, H4, T*B, tp.Hs[:T*B*H], dG, 1, gK[tp.cell.In*H4:])
	if gB != nil {
		for r := 0; r < T*B; r++ {
			row := dG[r*H4 : (r+1)*H4]
			for k, v := range row {
				gB[k] += v
			}
		}
	}
	if dConst != nil {
		for t := 0; t < T; t++ {
			for k, v := range dG[t*B*H4 : (t+1)*B*H4] {
				dConst[k] += v
			}
		}
	}
}

// backprop computes the loss of a batch like the graph does and adds its gradients into grads
// (shaped like w.params()). It returns the cost, r_loss and KL.
func (w *Weights) backprop(bt *batch, T int, klWeight float64, eval bool, grads [][]float32) (cost, rLoss, kl float64) {
	cfg := w.Config
	E, H, Z, M, O := cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.Mixtures, cfg.Outputs()
	B := len(bt.eps) / Z
	N := T * B
	gi := map[string][]float32{}
	for i, p := range w.params() {
		gi[p.name] = grads[i]
	}

	// Encoder.
	fw := newTape(w.EncFw, 5, T, B)
	bw := newTape(w.EncBw, 5, T, B)
	bw.mask = make([]float32, N)
	for t := 0; t < T; t++ {
		copy(fw.X[t*B*5:], bt.xFw[t])
		copy(bw.X[t*B*5:], bt.xBw[t])
		copy(bw.mask[t*B:], bt.mBw[t])
	}
	fw.forward()
	bw.forward()
	hEnc := make([]float32, B*2*E) // [B, 2E]: fw h at each drawing's last point, then bw's final h
	for t := 0; t < T; t++ {
		for b := 0; b < B; b++ {
			if bt.mFw[t][b] != 0 {
				copy(hEnc[b*2*E:b*2*E+E], fw.Hs[((t+1)*B+b)*E:((t+1)*B+b+1)*E])
			}
		}
	}
	for b := 0; b < B; b++ {
		copy(hEnc[b*2*E+E:(b+1)*2*E], bw.Hs[(T*B+b)*E:(T*B+b+1)*E])
	}
	mu := make([]float32, B*Z)
	presig := make([]float32, B*Z)
	w.Mu.Apply(mu, hEnc)
	w.Presig.Apply(presig, hEnc)
	z := make([]float32, B*Z)
	for i := range z {
		z[i] = mu[i] + float32(math.Exp(float64(presig[i])/2))*bt.eps[i]
		kl += 1 + float64(presig[i]) - float64(mu[i])*float64(mu[i]) - math.Exp(float64(presig[i]))
	}
	kl *= -0.5 / float64(B*Z)

	// Decoder.
	dec := newTape(w.Dec, 5, T, B)
	for t := 0; t < T; t++ {
		copy(dec.X[t*B*5:], bt.xDec[t])
	}
	w.InitC.Apply(dec.C[:B*H], z)
	w.InitH.Apply(dec.Hs[:B*H], z)
	for i := 0; i < B*H; i++ {
		dec.C[i] = nn.Tanh(dec.C[i])
		dec.Hs[i] = nn.Tanh(dec.Hs[i])
	}
	dec.const4 = make([]float32, B*4*H)
	mm(false, false, B, 4*H, Z, z, w.Dec.Rows(5, Z), 0, dec.const4)
	dec.forward()
	hDec := dec.Hs[B*H:] // [N, H]
	y := make([]float32, N*O)
	for r := 0; r < N; r++ {
		copy(y[r*O:(r+1)*O], w.Out.Bias)
	}
	mm(false, false, N, O, H, hDec, w.Out.Kernel, 1, y)

	// Loss and its gradient with respect to the raw outputs.
	dy := make([]float32, N*O)
	scale := 1 / float64(B*cfg.MaxSeqLen)
	pi := make([]float64, M)
	nk := make([]float64, M)
	for r := 0; r < N; r++ {
		out, d := y[r*O:(r+1)*O], dy[r*O:(r+1)*O]
		// Pen: softmax cross-entropy.
		pm := 1.0
		if eval {
			pm = float64(bt.mask[r])
		}
		if pm != 0 {
			target := nn.Argmax(bt.tgtPen[r*3 : r*3+3])
			mx := math.Max(float64(out[0]), math.Max(float64(out[1]), float64(out[2])))
			var s float64
			for k := 0; k < 3; k++ {
				s += math.Exp(float64(out[k]) - mx)
			}
			for k := 0; k < 3; k++ {
				p := math.Exp(float64(out[k])-mx) / s
				if k == target {
					rLoss -= pm * (float64(out[k]) - mx - math.Log(s))
					p--
				}
				d[k] = float32(pm * p * scale)
			}
		}
		if bt.mask[r] == 0 {
			continue
		}
		// Offsets: -log(sum_k pi_k N_k + 1e-6).
		mx := float64(out[3])
		for k := 0; k < M; k++ {
			mx = math.Max(mx, float64(out[3+k]))
		}
		var ps float64
		for k := 0; k < M; k++ {
			pi[k] = math.Exp(float64(out[3+k]) - mx)
			ps += pi[k]
		}
		x1, x2 := float64(bt.tgtX[r]), float64(bt.tgtY[r])
		var S float64
		for k := 0; k < M; k++ {
			pi[k] /= ps
			s1, s2 := math.Exp(float64(out[3+3*M+k])), math.Exp(float64(out[3+4*M+k]))
			rho := math.Tanh(float64(out[3+5*M+k]))
			n1, n2 := (x1-float64(out[3+M+k]))/s1, (x2-float64(out[3+2*M+k]))/s2
			zz := n1*n1 + n2*n2 - 2*rho*n1*n2
			neg := 1 - rho*rho + rhoEps
			nk[k] = math.Exp(-zz/(2*neg)) / (2 * math.Pi * s1 * s2 * math.Sqrt(neg))
			S += pi[k] * nk[k]
		}
		rLoss -= math.Log(S + pdfEps)
		for k := 0; k < M; k++ {
			gk := pi[k] * nk[k] / (S + pdfEps) // responsibility
			d[3+k] = float32(-(gk - pi[k]*S/(S+pdfEps)) * scale)
			if gk == 0 {
				continue
			}
			s1, s2 := math.Exp(float64(out[3+3*M+k])), math.Exp(float64(out[3+4*M+k]))
			rho := math.Tanh(float64(out[3+5*M+k]))
			n1, n2 := (x1-float64(out[3+M+k]))/s1, (x2-float64(out[3+2*M+k]))/s2
			zz := n1*n1 + n2*n2 - 2*rho*n1*n2
			neg := 1 - rho*rho + rhoEps
			c := -gk * scale // d loss / d log N_k
			d[3+M+k] = float32(c * (n1 - rho*n2) / (s1 * neg))
			d[3+2*M+k] = float32(c * (n2 - rho*n1) / (s2 * neg))
			d[3+3*M+k] = float32(c * ((n1*n1-rho*n1*n2)/neg - 1))
			d[3+4*M+k] = float32(c * ((n2*n2-rho*n1*n2)/neg - 1))
			d[3+5*M+k] = float32(c * (n1*n2/neg - zz*rho/(neg*neg) + rho/neg) * (1 - rho*rho))
		}
	}
	rLoss *= scale
	klFloor := math.Max(kl, cfg.KLTolerance)
	cost = rLoss + klWeight*klFloor

	// Backward: output layer.
	mm(true, false, H, O, N, hDec, dy, 1, gi["decoder/output/kernel"])
	gOutB := gi["decoder/output/bias"]
	for r := 0; r < N; r++ {
		for k, v := range dy[r*O : (r+1)*O] {
			gOutB[k] += v
		}
	}
	dhDec := make([]float32, N*H)
	mm(false, true, N, H, O, dy, w.Out.Kernel, 0, dhDec)

	// Decoder.
	dConst := make([]float32, B*4*H)
	dh0, dc0 := make([]float32, B*H), make([]float32, B*H)
	dec.backward(func(t int, dh []float32) {
		for i, v := range dhDec[t*B*H : (t+1)*B*H] {
			dh[i] += v
		}
	}, gi["decoder/lstm/kernel"], gi["decoder/lstm/bias"], dConst, dh0, dc0)
	dz := make([]float32, B*Z)
	mm(true, false, Z, 4*H, B, z, dConst, 1, gi["decoder/lstm/kernel"][5*4*H:(5+Z)*4*H])
	mm(false, true, B, Z, 4*H, dConst, w.Dec.Rows(5, Z), 1, dz)
	for i := 0; i < B*H; i++ {
		c0, h0 := dec.C[i], dec.Hs[i]
		dc0[i] *= 1 - c0*c0
		dh0[i] *= 1 - h0*h0
	}
	denseBack := func(name string, d nn.Dense, x, dOut, dx []float32) {
		rows := len(x) / d.In
		mm(true, false, d.In, d.Out, rows, x, dOut, 1, gi[name+"/kernel"])
		gb := gi[name+"/bias"]
		for r := 0; r < rows; r++ {
			for k, v := range dOut[r*d.Out : (r+1)*d.Out] {
				gb[k] += v
			}
		}
		mm(false, true, rows, d.In, d.Out, dOut, d.Kernel, 1, dx)
	}
	denseBack("decoder/init_c", w.InitC, z, dc0, dz)
	denseBack("decoder/init_h", w.InitH, z, dh0, dz)

	// z = mu + exp(presig/2)*eps, and the floored KL (no gradient below the floor).
	dmu := make([]float32, B*Z)
	dpresig := make([]float32, B*Z)
	klGrad := 0.0
	if kl > cfg.KLTolerance {
		klGrad = klWeight * -0.5 / float64(B*Z)
	}
	for i := range dz {
		e := math.Exp(float64(presig[i]) / 2)
		dmu[i] = dz[i] + float32(klGrad*-2*float64(mu[i]))
		dpresig[i] = float32(float64(dz[i])*float64(bt.eps[i])*0.5*e + klGrad*(1-e*e))
	}
	dhEnc := make([]float32, B*2*E)
	denseBack("encoder/mu", w.Mu, hEnc, dmu, dhEnc)
	denseBack("encoder/presig", w.Presig, hEnc, dpresig, dhEnc)

	// Encoder: the forward direction's output is taken at each drawing's last point, the
	// backward direction's at the last step.
	scratch := make([]float32, B*E)
	fw.backward(func(t int, dh []float32) {
		for b := 0; b < B; b++ {
			if bt.mFw[t][b] != 0 {
				for k := 0; k < E; k++ {
					dh[b*E+k] += dhEnc[b*2*E+k]
				}
			}
		}
	}, gi["encoder/fw/kernel"], gi["encoder/fw/bias"], nil, scratch, scratch)
	bw.backward(func(t int, dh []float32) {
		if t == T-1 {
			for b := 0; b < B; b++ {
				for k := 0; k < E; k++ {
					dh[b*E+k] += dhEnc[b*2*E+E+k]
				}
			}
		}
	}, gi["encoder/bw/kernel"], gi["encoder/bw/bias"], nil, scratch, scratch)
	return cost, rLoss, kl
}
