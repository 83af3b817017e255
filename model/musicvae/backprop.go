package musicvae

import (
	"fmt"
	"math"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// backprop is trainGraph's training step written out by hand in plain Go: the same forward pass,
// and its backward pass through time, over the same parameter slices in the same order. It
// allocates nothing per step and runs its products through blas32; TestBackpropMatchesGraph
// checks its loss and gradients against the graph's.
type backprop struct {
	cfg      MelodyVAEConfig
	B        int
	freeNats float64
	p, g     params      // views of the parameters and of the gradients
	grads    [][]float32 // the gradients, in the graph's parameter order

	encFw, encBw tape
	dec          []tape
	mu, sraw     []float32   // [B, Z]
	sigma, z     []float32   // [B, Z]
	state        [][]float32 // [2L][B, Dk]: tanh(z·K_p + b_p), c0, h0, c1, h1, ...
	zIn          []float32   // [B, 4D0]
	probs        []float32   // [T*B, 90] softmax of the logits, then the logits' gradient
	klb          []float64   // [B]

	// backward scratch
	dh, dc   [][]float32 // per decoder layer [B, Dk]
	ext      [][]float32 // per decoder layer [T*B, Dk]: gradient into its outputs from above
	dzIn     []float32   // [B, 4D0], summed over steps
	dz       []float32   // [B, Z]
	dmu, dsr []float32   // [B, Z]
	ehd, ecd []float32   // [B, E]
}

// lstmParams are views of one LSTM's parameters: input blocks, recurrent block, bias.
type lstmParams struct {
	in        [][]float32 // in[p]: [parts[p], 4H]
	rec, bias []float32   // [H, 4H], [4H]
}

type denseParams struct {
	k [][]float32 // k[p]: [parts[p], out]
	b []float32
}

// params arranges a flat list of slices in trainGraph's parameter order (layers.params).
type params struct {
	encFw, encBw lstmParams
	mu, sigma    denseParams
	zToState     []denseParams
	dec          []lstmParams
	out          denseParams
}

func arrange(c MelodyVAEConfig, flat [][]float32) params {
	i := 0
	next := func() []float32 { i++; return flat[i-1] }
	lstm := func(parts int) lstmParams {
		var l lstmParams
		for range parts {
			l.in = append(l.in, next())
		}
		l.rec, l.bias = next(), next()
		return l
	}
	dense := func(parts int) denseParams {
		var d denseParams
		for range parts {
			d.k = append(d.k, next())
		}
		d.b = next()
		return d
	}
	var p params
	p.encFw, p.encBw = lstm(1), lstm(1)
	p.mu, p.sigma = dense(2), dense(2)
	for range 2 * len(c.DecoderSizes) {
		p.zToState = append(p.zToState, dense(1))
	}
	for k := range c.DecoderSizes {
		if k == 0 {
			p.dec = append(p.dec, lstm(2))
		} else {
			p.dec = append(p.dec, lstm(1))
		}
	}
	p.out = dense(1)
	return p
}

// tape holds one LSTM's forward values over the steps, each kind in one contiguous buffer so
// that the products of all steps can run as one matrix product: index 0 of c, tc, h is the
// initial state, so h[0..T-1] are the previous h of steps 0..T-1 ([T*B, H] in hAll) and h[1..T]
// their outputs.
type tape struct {
	H           int
	gates, dg   [][]float32 // [T][B, 4H]: gates after activation (sigmoid(i), tanh(j), sigmoid(f+1), sigmoid(o)); their gradients
	c, tc, h    [][]float32 // [T+1][B, H]; tc = tanh(c)
	gAll, dgAll []float32   // [T*B, 4H] backing gates and dg
	hAll        []float32   // [(T+1)*B, H] backing h
}

func newTape(B, H int) tape {
	t := tape{H: H, gAll: make([]float32, Steps*B*4*H), dgAll: make([]float32, Steps*B*4*H), hAll: make([]float32, (Steps+1)*B*H)}
	for s := 0; s <= Steps; s++ {
		if s < Steps {
			t.gates = append(t.gates, t.gAll[s*B*4*H:(s+1)*B*4*H])
			t.dg = append(t.dg, t.dgAll[s*B*4*H:(s+1)*B*4*H])
		}
		t.c = append(t.c, make([]float32, B*H))
		t.tc = append(t.tc, make([]float32, B*H))
		t.h = append(t.h, t.hAll[s*B*H:(s+1)*B*H])
	}
	return t
}

// prevH is h[0..T-1] as [T*B, H]; outH is h[1..T].
func (t *tape) prevH(B int) []float32 { return t.hAll[:Steps*B*t.H] }
func (t *tape) outH(B int) []float32  { return t.hAll[B*t.H:] }

// finish adds the recurrent kernel's and the bias's gradients of all steps at once, from dg.
func (t *tape) finish(B int, gp lstmParams) {
	H := t.H
	gemm(true, false, H, 4*H, Steps*B, t.prevH(B), t.dgAll, 1, gp.rec) // dRec += Hprev^T · DG
	colSums(gp.bias, t.dgAll, 4*H)
}

// colSums adds the column sums of m [rows, width] to y [width].
func colSums(y, m []float32, width int) {
	for r := 0; r < len(m); r += width {
		addTo(y, m[r:r+width])
	}
}

// addTo adds src into dst, element by element.
func addTo(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}

func newBackprop(c MelodyVAEConfig, B int, freeNats float64, values [][]float32) (*backprop, error) {
	bp := &backprop{cfg: c, B: B, freeNats: freeNats}
	for _, v := range values {
		bp.grads = append(bp.grads, make([]float32, len(v)))
	}
	E, Z := c.EncoderSize, c.ZSize
	if len(values) < 10 || len(values[0]) != Classes*4*E || len(values[len(values)-1]) != Classes {
		return nil, fmt.Errorf("musicvae: parameters do not fit config %+v", c)
	}
	bp.p, bp.g = arrange(c, values), arrange(c, bp.grads)
	bp.encFw, bp.encBw = newTape(B, E), newTape(B, E)
	for _, d := range c.DecoderSizes {
		bp.dec = append(bp.dec, newTape(B, d))
		bp.dh = append(bp.dh, make([]float32, B*d))
		bp.dc = append(bp.dc, make([]float32, B*d))
		bp.ext = append(bp.ext, make([]float32, Steps*B*d))
		bp.state = append(bp.state, make([]float32, B*d), make([]float32, B*d))
	}
	bp.mu, bp.sraw, bp.sigma, bp.z = make([]float32, B*Z), make([]float32, B*Z), make([]float32, B*Z), make([]float32, B*Z)
	bp.dz, bp.dmu, bp.dsr = make([]float32, B*Z), make([]float32, B*Z), make([]float32, B*Z)
	bp.zIn, bp.dzIn = make([]float32, B*4*c.DecoderSizes[0]), make([]float32, B*4*c.DecoderSizes[0])
	bp.probs = make([]float32, Steps*B*Classes)
	bp.klb = make([]float64, B)
	bp.ehd, bp.ecd = make([]float32, B*E), make([]float32, B*E)
	return bp, nil
}

// gemm sets or adds (beta 0 or 1) op(a)·op(b) into y [m, n]; k is the inner size.
func gemm(ta, tb bool, m, n, k int, a, b []float32, beta float32, y []float32) {
	tA, tB, lda, ldb := blas.NoTrans, blas.NoTrans, k, n
	if ta {
		tA, lda = blas.Trans, m
	}
	if tb {
		tB, ldb = blas.Trans, k
	}
	blas32.Implementation().Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, y, n)
}

func sigmoid(x float32) float32 { return nn.Sigmoid(x) }
func tanh32(x float32) float32  { return nn.Tanh(x) }

// lstmForward runs step s of a tape: gates[s] holds the input's share on entry.
func (bp *backprop) lstmForward(t *tape, p lstmParams, s int) {
	B, H := bp.B, t.H
	g := t.gates[s]
	gemm(false, false, B, 4*H, H, t.h[s], p.rec, 1, g)
	cp, c, tc, h := t.c[s], t.c[s+1], t.tc[s+1], t.h[s+1]
	for b := range B {
		r := g[b*4*H : (b+1)*4*H]
		for k := range H {
			i := sigmoid(r[k] + p.bias[k])
			j := tanh32(r[H+k] + p.bias[H+k])
			f := sigmoid(r[2*H+k] + p.bias[2*H+k] + nn.ForgetBias)
			o := sigmoid(r[3*H+k] + p.bias[3*H+k])
			r[k], r[H+k], r[2*H+k], r[3*H+k] = i, j, f, o
			x := b*H + k
			c[x] = cp[x]*f + i*j
			tc[x] = tanh32(c[x])
			h[x] = tc[x] * o
		}
	}
}

// lstmBackward takes dh and dc (the gradients into h and c after step s, both [B, H]) back
// through step s: it writes the gates' gradient into t.dg[s] and leaves the gradients into the
// previous h and c in dh and dc. The kernel and bias gradients are added later by finish.
func (bp *backprop) lstmBackward(t *tape, p lstmParams, s int, dh, dc []float32) {
	B, H := bp.B, t.H
	g, cp, tc, dg := t.gates[s], t.c[s], t.tc[s+1], t.dg[s]
	for b := range B {
		r, d := g[b*4*H:(b+1)*4*H], dg[b*4*H:(b+1)*4*H]
		for k := range H {
			x := b*H + k
			i, j, f, o := r[k], r[H+k], r[2*H+k], r[3*H+k]
			dcx := dc[x] + dh[x]*o*(1-tc[x]*tc[x])
			d[k] = dcx * j * i * (1 - i)
			d[H+k] = dcx * i * (1 - j*j)
			d[2*H+k] = dcx * cp[x] * f * (1 - f)
			d[3*H+k] = dh[x] * tc[x] * o * (1 - o)
			dc[x] = dcx * f
		}
	}
	gemm(false, true, B, H, 4*H, dg, p.rec, 0, dh) // dh_prev = dg · Rec^T
}

// addRows adds row tok[b] of w [n, width] into row b of y [B, width]: a one-hot times w.
func addRows(y, w []float32, width int, tok func(b int) int, B int) {
	for b := range B {
		if k := tok(b); k >= 0 {
			addTo(y[b*width:(b+1)*width], w[k*width:(k+1)*width])
		}
	}
}

// scatterRows adds row b of d [B, width] into row tok[b] of gw: the gradient of addRows.
func scatterRows(gw, d []float32, width int, tok func(b int) int, B int) {
	for b := range B {
		if k := tok(b); k >= 0 {
			addTo(gw[k*width:(k+1)*width], d[b*width:(b+1)*width])
		}
	}
}

// step runs the forward and backward pass on windows ms with noise eps [B, Z] and KL weight
// beta, and returns the cross-entropy and KL per window, the number of right teacher-forced
// predictions, and the gradients (in bp.grads). Each decoder layer runs over all steps before
// the next, so that the products that do not recur run once over all steps.
func (bp *backprop) step(ms []melody.Melody, eps []float32, beta float64) (ce, kl float64, right int) {
	c, B := bp.cfg, bp.B
	E, Z, L := c.EncoderSize, c.ZSize, len(c.DecoderSizes)
	p, gp := bp.p, bp.g
	for _, g := range bp.grads {
		clear(g)
	}

	// Encoder: forward over t = 0..31, backward over t = 31..0, from zero states.
	fw := func(i int) int { return i }
	bw := func(i int) int { return Steps - 1 - i }
	encode := func(t *tape, lp lstmParams, order func(i int) int) {
		clear(t.c[0])
		clear(t.h[0])
		for i := range Steps {
			clear(t.gates[i])
			addRows(t.gates[i], lp.in[0], 4*E, func(b int) int { return ms[b][order(i)] }, B)
			bp.lstmForward(t, lp, i)
		}
	}
	encode(&bp.encFw, p.encFw, fw)
	encode(&bp.encBw, p.encBw, bw)
	hFw, hBw := bp.encFw.h[Steps], bp.encBw.h[Steps] // [B, E] each: mu and sigma read [hFw hBw]
	dense2 := func(y []float32, d denseParams) {
		for b := range B {
			copy(y[b*Z:(b+1)*Z], d.b)
		}
		gemm(false, false, B, Z, E, hFw, d.k[0], 1, y)
		gemm(false, false, B, Z, E, hBw, d.k[1], 1, y)
	}
	dense2(bp.mu, p.mu)
	dense2(bp.sraw, p.sigma)
	for x := range bp.z {
		bp.sigma[x] = nn.Softplus(bp.sraw[x])
		bp.z[x] = bp.mu[x] + bp.sigma[x]*eps[x]
	}
	for b := range B {
		bp.klb[b] = klDivergence(bp.mu[b*Z:(b+1)*Z], bp.sigma[b*Z:(b+1)*Z])
		kl += bp.klb[b]
	}

	// Decoder initial state: tanh(z·K_p + b_p) for c0, h0, c1, h1, ...
	for q, st := range bp.state {
		D := c.DecoderSizes[q/2]
		for b := range B {
			copy(st[b*D:(b+1)*D], p.zToState[q].b)
		}
		gemm(false, false, B, D, Z, bp.z, p.zToState[q].k[0], 1, st)
		for x, v := range st {
			st[x] = tanh32(v)
		}
	}
	D0 := c.DecoderSizes[0]
	gemm(false, false, B, 4*D0, Z, bp.z, p.dec[0].in[1], 0, bp.zIn)

	// Decoder, teacher-forced, one layer at a time over all steps.
	for k := range L {
		t := &bp.dec[k]
		copy(t.c[0], bp.state[2*k])
		copy(t.h[0], bp.state[2*k+1])
		D := c.DecoderSizes[k]
		if k > 0 { // the input share of all steps: h of the layer below, [T*B, D_{k-1}] · Win
			gemm(false, false, Steps*B, 4*D, c.DecoderSizes[k-1], bp.dec[k-1].outH(B), p.dec[k].in[0], 0, t.gAll)
		}
		for s := range Steps {
			if k == 0 {
				copy(t.gates[s], bp.zIn)
				if s > 0 {
					addRows(t.gates[s], p.dec[0].in[0], 4*D0, func(b int) int { return ms[b][s-1] }, B)
				}
			}
			bp.lstmForward(t, p.dec[k], s)
		}
	}
	// Logits of all steps, [T*B, 90], then softmax and cross-entropy row by row.
	top := &bp.dec[L-1]
	DL := top.H
	for r := range Steps * B {
		copy(bp.probs[r*Classes:(r+1)*Classes], p.out.b)
	}
	gemm(false, false, Steps*B, Classes, DL, top.outH(B), p.out.k[0], 1, bp.probs)
	fb := float32(B)
	for s := range Steps {
		for b, m := range ms {
			row := bp.probs[(s*B+b)*Classes : (s*B+b+1)*Classes]
			am := nn.Argmax(row)
			if am == m[s] {
				right++
			}
			mx := row[am]
			var sum float64
			for i, v := range row {
				e := math.Exp(float64(v - mx))
				row[i] = float32(e)
				sum += e
			}
			ce -= math.Log(float64(row[m[s]]) / sum)
			for i := range row { // the logits' gradient: (softmax - one-hot) / B
				row[i] = float32(float64(row[i])/sum) / fb
			}
			row[m[s]] -= 1 / fb
		}
	}

	// Backward: the output layer over all steps, then each decoder layer from the top down.
	dl := bp.probs
	gemm(true, false, DL, Classes, Steps*B, top.outH(B), dl, 1, gp.out.k[0]) // dOut += H^T · dlogits
	colSums(gp.out.b, dl, Classes)
	gemm(false, true, Steps*B, DL, Classes, dl, p.out.k[0], 0, bp.ext[L-1]) // dH = dlogits · Out^T
	for k := L - 1; k >= 0; k-- {
		t, D := &bp.dec[k], c.DecoderSizes[k]
		dh, dc := bp.dh[k], bp.dc[k]
		clear(dh)
		clear(dc)
		for s := Steps - 1; s >= 0; s-- {
			addTo(dh, bp.ext[k][s*B*D:(s+1)*B*D])
			bp.lstmBackward(t, p.dec[k], s, dh, dc)
		}
		t.finish(B, gp.dec[k])
		if k > 0 {
			Db := c.DecoderSizes[k-1]
			gemm(true, false, Db, 4*D, Steps*B, bp.dec[k-1].outH(B), t.dgAll, 1, gp.dec[k].in[0]) // dWin += Hbelow^T · DG
			gemm(false, true, Steps*B, Db, 4*D, t.dgAll, p.dec[k].in[0], 0, bp.ext[k-1])          // dHbelow = DG · Win^T
			continue
		}
		clear(bp.dzIn)
		for s := range Steps {
			addTo(bp.dzIn, t.dg[s])
			if s > 0 {
				scatterRows(gp.dec[0].in[0], t.dg[s], 4*D0, func(b int) int { return ms[b][s-1] }, B)
			}
		}
	}
	// z's gradient: through cell 0's z input and through the initial states.
	gemm(true, false, Z, 4*D0, B, bp.z, bp.dzIn, 1, gp.dec[0].in[1])
	gemm(false, true, B, Z, 4*D0, bp.dzIn, p.dec[0].in[1], 0, bp.dz)
	for q, st := range bp.state {
		D := c.DecoderSizes[q/2]
		d := bp.dc[q/2] // the gradient into the initial c
		if q%2 == 1 {
			d = bp.dh[q/2]
		}
		for x := range d {
			d[x] *= 1 - st[x]*st[x]
		}
		colSums(gp.zToState[q].b, d, D)
		gemm(true, false, Z, D, B, bp.z, d, 1, gp.zToState[q].k[0])
		gemm(false, true, B, Z, D, d, p.zToState[q].k[0], 1, bp.dz)
	}

	// z = mu + sigma*eps, and the KL term beta * mean_b(max(KL_b - free nats, 0)).
	w := float32(beta) / fb
	for b := range B {
		wb := w
		if bp.freeNats > 0 && bp.klb[b] <= bp.freeNats {
			wb = 0
		}
		for k := range Z {
			x := b*Z + k
			mu, s := bp.mu[x], bp.sigma[x]
			bp.dmu[x] = bp.dz[x] + wb*mu
			ds := bp.dz[x]*eps[x] + wb*(s-1/s)
			bp.dsr[x] = ds * sigmoid(bp.sraw[x])
		}
	}
	back2 := func(d []float32, dp denseParams) {
		colSums(dp.b, d, Z)
		gemm(true, false, E, Z, B, hFw, d, 1, dp.k[0])
		gemm(true, false, E, Z, B, hBw, d, 1, dp.k[1])
	}
	back2(bp.dmu, gp.mu)
	back2(bp.dsr, gp.sigma)

	// Backward through the two encoder directions.
	encBack := func(t *tape, lp, gl lstmParams, block int, order func(i int) int) {
		gemm(false, true, B, E, Z, bp.dmu, p.mu.k[block], 0, bp.ehd)
		gemm(false, true, B, E, Z, bp.dsr, p.sigma.k[block], 1, bp.ehd)
		clear(bp.ecd)
		for i := Steps - 1; i >= 0; i-- {
			bp.lstmBackward(t, lp, i, bp.ehd, bp.ecd)
			scatterRows(gl.in[0], t.dg[i], 4*E, func(b int) int { return ms[b][order(i)] }, B)
		}
		t.finish(B, gl)
	}
	encBack(&bp.encFw, p.encFw, gp.encFw, 0, fw)
	encBack(&bp.encBw, p.encBw, gp.encBw, 1, bw)
	return ce / float64(B), kl / float64(B), right
}

// klCost is the last step's KL term before beta: mean_b(max(KL_b - free nats, 0)).
func (bp *backprop) klCost() float64 {
	s := 0.0
	for _, v := range bp.klb {
		if bp.freeNats > 0 {
			v = max(v-bp.freeNats, 0)
		}
		s += v
	}
	return s / float64(bp.B)
}
