package sketchrnn

import (
	"fmt"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
)

// This file is the training engine: Gorgonia differentiates the model of cell.go over graphs of
// one time step, built once per batch size and reused for every length, and the gradients are
// chained through time by hand, from T-1 down to 0.
//
// Each piece (an encoder direction's step, the decoder's step with its output layer and that
// step's loss, and the head from the encoder's final states to z, the KL term and the
// decoder's start) has one graph with two plans: a forward one, run over the T steps to record
// the states, and one of the vector-Jacobian products that G.Backpropagate builds,
//
//	gradients of  loss_t + Σ y⊙dy
//
// where y is the step's new state [6, B, H] and dy the gradient that reached its c' and h'
// from the later steps (zeros in the other blocks). Its gradients with respect to the
// parameters are this step's share of the whole loss's and are added up over the steps; the one
// with respect to the step's input state is what flows to the step before. z's share of the
// decoder's gates is the same at every step, so the head computes it once and the decoder's
// steps take it as an input, whose gradients are summed and handed back to the head.

// paramGrad pairs a gradient node with the slice of the gradients (shaped like w.params()) it
// adds into.
type paramGrad struct {
	node *G.Node
	into []float32
}

// stepGraph is a graph's forward plan, its gradient plan and the parameter gradients it gives.
type stepGraph struct {
	fwd, bwd *nn.Plan
	params   []paramGrad
}

// vjp builds the vector-Jacobian products of outputs with seeds, with respect to params (each
// tied to its place in the gradients) and to wrt, whose gradient nodes it returns.
func (s *stepGraph) vjp(outputs, seeds []*G.Node, params []*G.Node, into [][]float32, wrt ...*G.Node) ([]*G.Node, error) {
	d, err := G.Backpropagate(outputs, seeds, append(append(G.Nodes{}, params...), wrt...))
	if err != nil {
		return nil, fmt.Errorf("backpropagate: %w", err)
	}
	for i := range params {
		s.params = append(s.params, paramGrad{d[i], into[i]})
	}
	return d[len(params):], nil
}

// plans makes the forward plan of fwd and the gradient plan of the parameters' gradients and more.
func (s *stepGraph) plans(fwd []*G.Node, more ...*G.Node) error {
	var err error
	if s.fwd, err = nn.NewPlan(fwd...); err != nil {
		return err
	}
	outs := append([]*G.Node{}, more...)
	for _, p := range s.params {
		outs = append(outs, p.node)
	}
	s.bwd, err = nn.NewPlan(outs...)
	return err
}

// accumulate adds the parameters' gradients of the last gradient run.
func (s *stepGraph) accumulate() {
	for _, p := range s.params {
		for i, v := range s.bwd.Out(p.node) {
			p.into[i] += v
		}
	}
}

// gradSlices is where each parameter's gradient goes: the slices of grads (shaped like
// w.params()) named by the checkpoint names, cut to the rows of a cell's part.
type gradSlices map[string][]float32

func newGradSlices(w *Weights, grads [][]float32) gradSlices {
	gs := gradSlices{}
	for i, p := range w.params() {
		gs[p.name] = grads[i]
	}
	return gs
}

// cell returns the gradients of a cell's x rows, z rows (if zRows > 0), recurrent rows and bias.
func (gs gradSlices) cell(name string, c nn.LSTMCell, zRows int) (x, z, rec, bias []float32) {
	k, H4 := gs[name+"/kernel"], 4*c.Hidden
	x, rec = k[:5*H4], k[c.In*H4:]
	if zRows > 0 {
		z = k[5*H4 : (5+zRows)*H4]
	}
	return x, z, rec, gs[name+"/bias"]
}

func (gs gradSlices) dense(name string) (kernel, bias []float32) {
	return gs[name+"/kernel"], gs[name+"/bias"]
}

// encoderStep is one step of an encoder direction for batches of B.
type encoderStep struct {
	stepGraph
	x, state, dy *G.Node // [B, 5], [2, B, E], [6, B, E]
	y, dState    *G.Node // [6, B, E], [2, B, E]
}

func newEncoderStep(w *Weights, name string, cell nn.LSTMCell, B int, gs gradSlices) (_ *encoderStep, err error) {
	defer catchGraph(&err)
	E := cell.Hidden
	g := G.NewGraph()
	e := &encoderStep{}
	cp := newCellParams(g, name, cell, 0)
	e.x, e.state, e.dy = inputNode(g, "x", B, 5), inputNode(g, "state", 2, B, E), inputNode(g, "dy", 6, B, E)
	if e.y, err = cp.step(e.state, e.x); err != nil {
		return nil, err
	}
	gx, _, grec, gb := gs.cell(name, cell, 0)
	d, err := e.vjp([]*G.Node{e.y}, []*G.Node{e.dy}, []*G.Node{cp.x, cp.rec, cp.bias}, [][]float32{gx, grec, gb}, e.state)
	if err != nil {
		return nil, err
	}
	e.dState = d[0]
	return e, e.plans([]*G.Node{e.y}, e.dState)
}

// decoderTrainStep is one step of the decoder with its output layer and loss, for batches of B.
type decoderTrainStep struct {
	stepGraph
	x, state, share, dy     *G.Node // [B, 5], [2, B, H], [B, 4H], [6, B, H]
	target, mask, penMask   *G.Node // [B, 5], [B], [B]
	y, loss, dState, dShare *G.Node // [6, B, H], scalar, [2, B, H], [B, 4H]
}

// newDecoderTrainStep builds the decoder's step; its loss is divided by batch (the whole
// batch's size, of which B may be a part) times MaxSeqLen, as sketch-rnn's r_loss.
func newDecoderTrainStep(w *Weights, B, batch int, gs gradSlices) (_ *decoderTrainStep, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	H, Z := cfg.DecSize, cfg.ZSize
	g := G.NewGraph()
	d := &decoderTrainStep{}
	dec := newCellParams(g, "decoder/lstm", w.Dec, Z)
	d.x, d.state, d.share = inputNode(g, "x", B, 5), inputNode(g, "state", 2, B, H), inputNode(g, "z_share", B, 4*H)
	d.dy = inputNode(g, "dy", 6, B, H)
	d.target, d.mask, d.penMask = inputNode(g, "target", B, 5), inputNode(g, "mask", B), inputNode(g, "pen_mask", B)
	output := newDenseParams(g, "decoder/output", w.Out)
	var out *G.Node
	if d.y, out, err = decoderStep(dec, output, d.state, d.x, d.share); err != nil {
		return nil, err
	}
	if d.loss, err = nn.MixtureNLL(out, d.target, d.mask, d.penMask, 1/float64(batch*cfg.MaxSeqLen)); err != nil {
		return nil, err
	}
	gx, _, grec, gb := gs.cell("decoder/lstm", w.Dec, Z)
	gk, gob := gs.dense("decoder/output")
	one := G.NewConstant(float32(1))
	ds, err := d.vjp([]*G.Node{d.loss, d.y}, []*G.Node{one, d.dy},
		[]*G.Node{dec.x, dec.rec, dec.bias, output.kernel, output.bias}, [][]float32{gx, grec, gb, gk, gob}, d.state, d.share)
	if err != nil {
		return nil, err
	}
	d.dState, d.dShare = ds[0], ds[1]
	return d, d.plans([]*G.Node{d.y}, d.loss, d.dState, d.dShare)
}

// headStep is the map from the encoder's final states to z, the KL term and the decoder's start.
type headStep struct {
	stepGraph
	hEnc, eps        *G.Node // [B, 2E], [B, Z]
	dState, dShare   *G.Node // seeds: [2, B, H], [B, 4H]
	klSeed           *G.Node // scalar seed of the KL term
	klSeedValue      *G.F32
	state, share, kl *G.Node // [2, B, H], [B, 4H], scalar (the KL of these B)
	dHEnc            *G.Node // [B, 2E]
}

func newHeadStep(w *Weights, B int, gs gradSlices) (_ *headStep, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	E, H, Z := cfg.EncSize, cfg.DecSize, cfg.ZSize
	g := G.NewGraph()
	hs := &headStep{}
	hs.hEnc, hs.eps = inputNode(g, "h_enc", B, 2*E), inputNode(g, "eps", B, Z)
	hs.dState, hs.dShare = inputNode(g, "d_state", 2, B, H), inputNode(g, "d_share", B, 4*H)
	hs.klSeed, hs.klSeedValue = scalarInput(g, "kl_seed")
	layers := map[string]denseParams{}
	for name, d := range map[string]nn.Dense{"encoder/mu": w.Mu, "encoder/presig": w.Presig, "decoder/init_c": w.InitC, "decoder/init_h": w.InitH} {
		layers[name] = newDenseParams(g, name, d)
	}
	mu, presig, err := posterior(layers["encoder/mu"], layers["encoder/presig"], hs.hEnc)
	if err != nil {
		return nil, err
	}
	z, err := sampleZ(mu, presig, hs.eps)
	if err != nil {
		return nil, err
	}
	dec := newCellParams(g, "decoder/lstm", w.Dec, Z)
	head, err := decoderStart(layers["decoder/init_c"], layers["decoder/init_h"], dec, z)
	if err != nil {
		return nil, err
	}
	hs.state, hs.share = head.state, head.share
	if hs.kl, err = klLoss(mu, presig); err != nil {
		return nil, err
	}
	var params []*G.Node
	var into [][]float32
	for _, name := range []string{"encoder/mu", "encoder/presig", "decoder/init_c", "decoder/init_h"} {
		k, b := gs.dense(name)
		params = append(params, layers[name].kernel, layers[name].bias)
		into = append(into, k, b)
	}
	_, gz, _, _ := gs.cell("decoder/lstm", w.Dec, Z)
	params, into = append(params, dec.z), append(into, gz)
	d, err := hs.vjp([]*G.Node{hs.kl, hs.state, hs.share}, []*G.Node{hs.klSeed, hs.dState, hs.dShare}, params, into, hs.hEnc)
	if err != nil {
		return nil, err
	}
	hs.dHEnc = d[0]
	return hs, hs.plans([]*G.Node{hs.state, hs.share, hs.kl}, hs.dHEnc)
}

// stepEngine computes the loss and gradients of B drawings (a whole batch, or its share of one
// on its own goroutine) into its own gradients.
type stepEngine struct {
	B, batch int
	fw, bw   *encoderStep
	dec      *decoderTrainStep
	head     *headStep
	grads    [][]float32 // shaped like w.params()

	sf, sb, sd []float32 // [(T+1), 2, B, n]: the states of the encoders and the decoder, block 0 the initial one
	hEnc       []float32 // [B, 2E]
	dShare     []float32 // [B, 4H]
	kl         float64   // the KL term of these B, as a share of the batch's
}

func newStepEngine(w *Weights, B, batch int) (*stepEngine, error) {
	if !w.Config.Conditional() {
		return nil, fmt.Errorf("sketch vae: training needs an encoder (z size > 0)")
	}
	e := &stepEngine{B: B, batch: batch}
	for _, p := range w.params() {
		e.grads = append(e.grads, make([]float32, len(p.data)))
	}
	gs := newGradSlices(w, e.grads)
	var err error
	if e.fw, err = newEncoderStep(w, "encoder/fw", w.EncFw, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: encoder fw step graph: %w", err)
	}
	if e.bw, err = newEncoderStep(w, "encoder/bw", w.EncBw, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: encoder bw step graph: %w", err)
	}
	if e.dec, err = newDecoderTrainStep(w, B, batch, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: decoder step graph: %w", err)
	}
	if e.head, err = newHeadStep(w, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: head graph: %w", err)
	}
	return e, nil
}

// grow returns s resized to n values (its contents are not kept).
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func run(p *nn.Plan, what string, t int) error {
	if err := p.Run(); err != nil {
		return fmt.Errorf("sketch vae step graph: %s, step %d: %w", what, t, err)
	}
	return nil
}

// forward runs the encoders and the head over a batch padded to T: it records the states and
// returns the KL term of these B as their share of the batch's mean.
func (e *stepEngine) forward(w *Weights, bt *batch, T int) (float64, error) {
	cfg := w.Config
	B, E := e.B, cfg.EncSize
	for _, g := range e.grads {
		clear(g)
	}
	n := 2 * B * E
	e.sf, e.sb = grow(e.sf, (T+1)*n), grow(e.sb, (T+1)*n)
	clear(e.sf[:n])
	clear(e.sb[:n])
	for t := 0; t < T; t++ {
		copy(nn.Values(e.fw.x), bt.xFw[t])
		copy(nn.Values(e.fw.state), e.sf[t*n:(t+1)*n])
		if err := run(e.fw.fwd, "encoder fw", t); err != nil {
			return 0, err
		}
		copy(e.sf[(t+1)*n:(t+2)*n], e.fw.fwd.Out(e.fw.y))
		copy(nn.Values(e.bw.x), bt.xBw[t])
		copy(nn.Values(e.bw.state), e.sb[t*n:(t+1)*n])
		if err := run(e.bw.fwd, "encoder bw", t); err != nil {
			return 0, err
		}
		// The backward direction reads the drawing reversed, padding first: its state stays 0
		// until the drawing's last point.
		next := e.sb[(t+1)*n : (t+2)*n]
		copy(next, e.bw.fwd.Out(e.bw.y))
		maskRows(next, bt.mBw[t], E)
	}
	// hEnc: the fw h at each drawing's last point, then the bw h at the end.
	e.hEnc = grow(e.hEnc, B*2*E)
	for t := 0; t < T; t++ {
		for b, m := range bt.mFw[t] {
			if m != 0 {
				h := e.sf[(t+1)*n+B*E:]
				copy(e.hEnc[b*2*E:b*2*E+E], h[b*E:(b+1)*E])
			}
		}
	}
	hb := e.sb[T*n+B*E:]
	for b := range B {
		copy(e.hEnc[b*2*E+E:(b+1)*2*E], hb[b*E:(b+1)*E])
	}
	copy(nn.Values(e.head.hEnc), e.hEnc)
	copy(nn.Values(e.head.eps), bt.eps)
	if err := run(e.head.fwd, "head", 0); err != nil {
		return 0, err
	}
	e.kl = float64(e.head.fwd.Scalar(e.head.kl)) * float64(B) / float64(e.batch)
	return e.kl, nil
}

// maskRows zeroes the rows b of both blocks of a state [2, B, n] whose mask is 0.
func maskRows(state, mask []float32, n int) {
	B := len(mask)
	for k := range 2 {
		for b, m := range mask {
			if m == 0 {
				clear(state[(k*B+b)*n : (k*B+b+1)*n])
			}
		}
	}
}

// backward runs the decoder forward and backward, then the head's and the encoders' gradients.
// klSeed is the gradient of the cost with respect to this engine's KL (0 below the floor). It
// returns these B's share of r_loss; the gradients are in e.grads.
func (e *stepEngine) backward(w *Weights, bt *batch, T int, klSeed float64, eval bool) (float64, error) {
	cfg := w.Config
	B, E, H := e.B, cfg.EncSize, cfg.DecSize
	n := 2 * B * H
	e.sd = grow(e.sd, (T+1)*n)
	copy(e.sd[:n], e.head.fwd.Out(e.head.state))
	dec := e.dec
	copy(nn.Values(dec.share), e.head.fwd.Out(e.head.share))
	for t := 0; t < T; t++ {
		copy(nn.Values(dec.x), bt.xDec[t])
		copy(nn.Values(dec.state), e.sd[t*n:(t+1)*n])
		if err := run(dec.fwd, "decoder", t); err != nil {
			return 0, err
		}
		copy(e.sd[(t+1)*n:(t+2)*n], dec.fwd.Out(dec.y))
	}

	// Decoder, backward through time.
	var rLoss float64
	e.dShare = grow(e.dShare, B*4*H)
	clear(e.dShare)
	dy := nn.Values(dec.dy)
	clear(dy)
	penMask := nn.Values(dec.penMask)
	for t := T - 1; t >= 0; t-- {
		copy(nn.Values(dec.x), bt.xDec[t])
		copy(nn.Values(dec.state), e.sd[t*n:(t+1)*n])
		tgt := nn.Values(dec.target)
		for b := range B {
			i := t*B + b
			tgt[b*5], tgt[b*5+1] = bt.tgtX[i], bt.tgtY[i]
			copy(tgt[b*5+2:b*5+5], bt.tgtPen[i*3:i*3+3])
			penMask[b] = 1
			if eval {
				penMask[b] = bt.mask[i]
			}
		}
		copy(nn.Values(dec.mask), bt.mask[t*B:(t+1)*B])
		if err := run(dec.bwd, "decoder gradients", t); err != nil {
			return 0, err
		}
		dec.accumulate()
		rLoss += float64(dec.bwd.Scalar(dec.loss))
		for i, v := range dec.bwd.Out(dec.dShare) {
			e.dShare[i] += v
		}
		copy(dy[:n], dec.bwd.Out(dec.dState))
	}

	// Head: from the decoder's start's gradients and the KL's to the encoder's outputs'.
	head := e.head
	copy(nn.Values(head.dState), dy[:n])
	copy(nn.Values(head.dShare), e.dShare)
	*head.klSeedValue = G.F32(klSeed)
	if err := run(head.bwd, "head gradients", 0); err != nil {
		return 0, err
	}
	head.accumulate()
	dHEnc := head.bwd.Out(head.dHEnc) // [B, 2E]

	// Encoders, backward through time: the forward direction's chain starts at zero and takes
	// its output's gradient at each drawing's last point; the backward one's starts at its
	// output's gradient, and is masked as its state was.
	m := 2 * B * E
	fdy, bdy := nn.Values(e.fw.dy), nn.Values(e.bw.dy)
	clear(fdy)
	clear(bdy)
	for b := range B {
		copy(bdy[B*E+b*E:B*E+(b+1)*E], dHEnc[b*2*E+E:(b+1)*2*E])
	}
	for t := T - 1; t >= 0; t-- {
		for b, mk := range bt.mFw[t] {
			if mk != 0 {
				row := fdy[B*E+b*E : B*E+(b+1)*E]
				for k, v := range dHEnc[b*2*E : b*2*E+E] {
					row[k] += v
				}
			}
		}
		copy(nn.Values(e.fw.x), bt.xFw[t])
		copy(nn.Values(e.fw.state), e.sf[t*m:(t+1)*m])
		if err := run(e.fw.bwd, "encoder fw gradients", t); err != nil {
			return 0, err
		}
		e.fw.accumulate()
		copy(fdy[:m], e.fw.bwd.Out(e.fw.dState))

		maskRows(bdy[:m], bt.mBw[t], E)
		copy(nn.Values(e.bw.x), bt.xBw[t])
		copy(nn.Values(e.bw.state), e.sb[t*m:(t+1)*m])
		if err := run(e.bw.bwd, "encoder bw gradients", t); err != nil {
			return 0, err
		}
		e.bw.accumulate()
		copy(bdy[:m], e.bw.bwd.Out(e.bw.dState))
	}
	return rLoss, nil
}

// batch is one batch laid out for the graph (time-major, padded to T).
type batch struct {
	xFw, xBw, mFw, mBw, xDec [][]float32 // per step: [B*5] or [B]
	eps                      []float32   // [B*Z]
	tgtX, tgtY, mask         []float32   // [T*B]
	tgtPen                   []float32   // [T*B*3]
}

// makeBatch lays out drawings (already normalised) of at most T points; eps is [B*Z].
func makeBatch(ds [][][5]float32, T int, eps []float32) *batch {
	B := len(ds)
	bt := &batch{eps: eps, tgtX: make([]float32, T*B), tgtY: make([]float32, T*B), mask: make([]float32, T*B), tgtPen: make([]float32, T*B*3)}
	for t := 0; t < T; t++ {
		bt.xFw = append(bt.xFw, make([]float32, B*5))
		bt.xBw = append(bt.xBw, make([]float32, B*5))
		bt.mFw = append(bt.mFw, make([]float32, B))
		bt.mBw = append(bt.mBw, make([]float32, B))
		bt.xDec = append(bt.xDec, make([]float32, B*5))
	}
	end := [5]float32{0, 0, 0, 0, 1}
	for b, s := range ds {
		n := len(s)
		row := func(t int) [5]float32 {
			if t < n {
				return s[t]
			}
			return end
		}
		for t := 0; t < T; t++ {
			r := row(t)
			copy(bt.xFw[t][b*5:], r[:])
			if t == n-1 {
				bt.mFw[t][b] = 1
			}
			if k := t - (T - n); k >= 0 {
				r := s[n-1-k]
				copy(bt.xBw[t][b*5:], r[:])
				bt.mBw[t][b] = 1
			}
			if t == 0 {
				copy(bt.xDec[t][b*5:], []float32{0, 0, 1, 0, 0})
			} else {
				prev := row(t - 1)
				copy(bt.xDec[t][b*5:], prev[:])
			}
			i := t*B + b
			bt.tgtX[i], bt.tgtY[i] = r[0], r[1]
			copy(bt.tgtPen[i*3:], r[2:])
			if r[4] == 0 {
				bt.mask[i] = 1
			}
		}
	}
	return bt
}
