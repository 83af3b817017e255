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
// Each LSTM (the encoder's two directions and the decoder) has a step graph with two plans: a
// forward one, run over the T steps to record the outputs y [7, B, H], and one of the
// vector-Jacobian products that G.Backpropagate builds, Σ y⊙dy differentiated with respect to
// the step's state and gates, where dy is the gradient that reached its c' and h' from the later
// steps and the loss (zeros in the other blocks); it is taken at the recorded y (nn.Replay), so
// the step is not computed twice. The state's gradient flows to the step before. What does not
// depend on the recurrence runs over chunks of chunkSteps steps at once, in chunk graphs that
// Gorgonia differentiates too: the stroke inputs' shares of the gates (x·W_x), the decoder's
// output layer with the loss (nn.MixtureNLL), and the parameters' gradients, the
// vector-Jacobian products of x·W_x and h·W_h + b with the gates' gradients. The head (the
// encoder's final states to z, the KL term and the decoder's start) is one more graph. z's
// share of the decoder's gates is the same at every step, so the head computes it once and the
// decoder's steps take it as an input, whose gradients are summed and handed back to the head.

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
	if len(fwd) > 0 {
		if s.fwd, err = nn.NewPlan(fwd...); err != nil {
			return err
		}
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

// chunkSteps is how many time steps share the chunk graphs: the gates' shares of the stroke
// inputs, the output layer with the loss, and the parameters' gradients are matrix products over
// chunkSteps*B rows at once, rather than B rows at every step (which would also add every
// parameter's gradient T times). A sequence's last chunk is padded with zero rows.
const chunkSteps = 25

// chain is one LSTM's graphs for batches of B: its step, chained through time, and its chunk.
type chain struct {
	B, H int

	step                  stepGraph
	state, pre, share, dy *G.Node   // [2, B, H], [B, 4H], [B, 4H] (decoder: z's share), [7, B, H]
	y, yRec               *G.Node   // [7, B, H]: the step's output, and its recorded value
	dState, dGates        *G.Node   // [2, B, H], [B, 4H]
	ys                    []float32 // [T, 7, B, H]: the outputs forward recorded

	chunk        stepGraph
	x, hPrev, dG *G.Node // [Tc*B, 5], [Tc*B, H]: h before each step, [Tc*B, 4H]: the gates' gradients
	pres         *G.Node // [Tc*B, 4H]: x·W_x
}

func newChain(w *Weights, name string, cell nn.LSTMCell, zRows, B int, gs gradSlices) (_ *chain, err error) {
	defer catchGraph(&err)
	H := cell.Hidden
	c := &chain{B: B, H: H}
	// The step: the state's and the gates' gradients, from those of the new state.
	g := G.NewGraph()
	cp := newCellParams(g, name, cell, 0)
	c.state, c.pre, c.dy = inputNode(g, "state", 2, B, H), inputNode(g, "pre", B, 4*H), inputNode(g, "dy", nn.LSTMBlocks, B, H)
	pres := []*G.Node{c.pre}
	if zRows > 0 {
		c.share = inputNode(g, "z_share", B, 4*H)
		pres = append(pres, c.share)
	}
	if c.y, err = nn.LSTMStep(c.state, cp.rec, cp.bias, pres...); err != nil {
		return nil, err
	}
	// The gradients are taken at the output forward recorded, not at a recomputed one.
	c.yRec = inputNode(g, "y_recorded", nn.LSTMBlocks, B, H)
	replay, err := nn.Replay(c.y, c.yRec)
	if err != nil {
		return nil, err
	}
	d, err := c.step.vjp([]*G.Node{replay}, []*G.Node{c.dy}, nil, nil, c.state, c.pre)
	if err != nil {
		return nil, err
	}
	c.dState, c.dGates = d[0], d[1]
	if err := c.step.plans([]*G.Node{c.y}, c.dState, c.dGates); err != nil {
		return nil, err
	}
	// The chunk: the stroke inputs' shares of the gates, and the parameters' gradients as the
	// vector-Jacobian products of x·W_x and h·W_h + b with the gates' gradients.
	g = G.NewGraph()
	cp = newCellParams(g, name, cell, 0)
	N := chunkSteps * B
	c.x, c.hPrev, c.dG = inputNode(g, "x", N, 5), inputNode(g, "h_prev", N, H), inputNode(g, "d_gates", N, 4*H)
	if c.pres, err = nn.MatMul(c.x, cp.x, false, false); err != nil {
		return nil, err
	}
	rec, err := nn.Affine(c.hPrev, cp.rec, cp.bias)
	if err != nil {
		return nil, err
	}
	gx, _, grec, gb := gs.cell(name, cell, zRows)
	if _, err := c.chunk.vjp([]*G.Node{c.pres, rec}, []*G.Node{c.dG, c.dG}, []*G.Node{cp.x, cp.rec, cp.bias}, [][]float32{gx, grec, gb}); err != nil {
		return nil, err
	}
	return c, c.chunk.plans([]*G.Node{c.pres})
}

// setChunk feeds xs[t] for the steps of the chunk from c0 (zero rows past T).
func (c *chain) setChunk(xs [][]float32, c0, T int) {
	x := nn.Values(c.x)
	clear(x)
	for t := c0; t < min(T, c0+chunkSteps); t++ {
		copy(x[(t-c0)*c.B*5:], xs[t])
	}
}

// chunkPres computes the gates' shares of xs[t] for the steps of the chunk from c0.
func (c *chain) chunkPres(xs [][]float32, c0, T int) ([]float32, error) {
	c.setChunk(xs, c0, T)
	if err := run(c.chunk.fwd, "input shares", c0); err != nil {
		return nil, err
	}
	return c.chunk.fwd.Out(c.pres), nil
}

// forward runs the cell over xs [T][B*5] from block 0 of states [(T+1), 2, B, H], writing
// block t+1 after step t; masks (if not nil) zero the rows of the new state where masks[t] is 0.
func (c *chain) forward(xs, masks [][]float32, states []float32, T int) error {
	n, m := 2*c.B*c.H, 4*c.B*c.H
	ny := nn.LSTMBlocks * c.B * c.H // one step's recorded output
	c.ys = grow(c.ys, T*ny)
	for c0 := 0; c0 < T; c0 += chunkSteps {
		pres, err := c.chunkPres(xs, c0, T)
		if err != nil {
			return err
		}
		for t := c0; t < min(T, c0+chunkSteps); t++ {
			copy(nn.Values(c.pre), pres[(t-c0)*m:(t-c0+1)*m])
			copy(nn.Values(c.state), states[t*n:(t+1)*n])
			if err := run(c.step.fwd, "cell", t); err != nil {
				return err
			}
			y := c.step.fwd.Out(c.y)
			copy(c.ys[t*ny:(t+1)*ny], y)
			next := states[(t+1)*n : (t+2)*n]
			copy(next, y)
			if masks != nil {
				maskRows(next, masks[t], c.H)
			}
		}
	}
	return nil
}

// backward runs the steps' gradients from T-1 down to 0 and adds the parameters'. On entry the
// c and h blocks of dy's value hold the gradients of the last state, on return those of the
// first. addH(t, dh) adds what reaches step t's h' from outside the chain; chunk(c0) runs
// before the steps of the chunk from c0. The gates' gradients are added into dShare if not nil.
func (c *chain) backward(xs, masks [][]float32, states []float32, T int, dShare []float32,
	addH func(t int, dh []float32), chunk func(c0 int) error) error {
	BH := c.B * c.H
	n, m := 2*BH, 4*BH
	dy := nn.Values(c.dy)
	for c0 := (T - 1) / chunkSteps * chunkSteps; c0 >= 0; c0 -= chunkSteps {
		c.setChunk(xs, c0, T) // the gradients are taken at the recorded outputs: no need of pres
		if chunk != nil {
			if err := chunk(c0); err != nil {
				return err
			}
		}
		hPrev, dG := nn.Values(c.hPrev), nn.Values(c.dG)
		clear(hPrev)
		clear(dG)
		for t := min(T, c0+chunkSteps) - 1; t >= c0; t-- {
			j := t - c0
			if addH != nil {
				addH(t, dy[BH:n])
			}
			if masks != nil {
				maskRows(dy[:n], masks[t], c.H)
			}
			copy(nn.Values(c.state), states[t*n:(t+1)*n])
			ny := len(nn.Values(c.yRec))
			copy(nn.Values(c.yRec), c.ys[t*ny:(t+1)*ny])
			if err := run(c.step.bwd, "cell gradients", t); err != nil {
				return err
			}
			dg := c.step.bwd.Out(c.dGates)
			copy(dG[j*m:(j+1)*m], dg)
			if dShare != nil {
				for i, v := range dg {
					dShare[i] += v
				}
			}
			copy(dy[:n], c.step.bwd.Out(c.dState))
			copy(hPrev[j*BH:(j+1)*BH], states[t*n+BH:(t+1)*n])
		}
		if err := run(c.chunk.bwd, "parameter gradients", c0); err != nil {
			return err
		}
		c.chunk.accumulate()
	}
	return nil
}

// outputChunk is the decoder's output layer and loss over a chunk of steps.
type outputChunk struct {
	stepGraph
	h, target, mask, penMask *G.Node // [Tc*B, H], [Tc*B, 5], [Tc*B], [Tc*B]
	loss, dH                 *G.Node // scalar, [Tc*B, H]
}

// newOutputChunk builds the loss of a chunk; it is divided by batch (the whole batch's size,
// of which B may be a part) times MaxSeqLen, as sketch-rnn's r_loss.
func newOutputChunk(w *Weights, B, batch int, gs gradSlices) (_ *outputChunk, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	N := chunkSteps * B
	g := G.NewGraph()
	o := &outputChunk{}
	o.h, o.target = inputNode(g, "h", N, cfg.DecSize), inputNode(g, "target", N, 5)
	o.mask, o.penMask = inputNode(g, "mask", N), inputNode(g, "pen_mask", N)
	output := newDenseParams(g, "decoder/output", w.Out)
	out, err := output.apply(o.h) // [Tc*B, 3+6M]
	if err != nil {
		return nil, err
	}
	if o.loss, err = nn.MixtureNLL(out, o.target, o.mask, o.penMask, 1/float64(batch*cfg.MaxSeqLen)); err != nil {
		return nil, err
	}
	gk, gb := gs.dense("decoder/output")
	d, err := o.vjp([]*G.Node{o.loss}, []*G.Node{G.NewConstant(float32(1))}, []*G.Node{output.kernel, output.bias}, [][]float32{gk, gb}, o.h)
	if err != nil {
		return nil, err
	}
	o.dH = d[0]
	return o, o.plans(nil, o.loss, o.dH)
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
	B, batch    int
	fw, bw, dec *chain
	out         *outputChunk
	head        *headStep
	grads       [][]float32 // shaped like w.params()

	sf, sb, sd []float32 // [T+1, 2, B, n]: the states of the encoders and the decoder, block 0 the initial one
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
	if e.fw, err = newChain(w, "encoder/fw", w.EncFw, 0, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: encoder fw graphs: %w", err)
	}
	if e.bw, err = newChain(w, "encoder/bw", w.EncBw, 0, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: encoder bw graphs: %w", err)
	}
	if e.dec, err = newChain(w, "decoder/lstm", w.Dec, w.Config.ZSize, B, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: decoder graphs: %w", err)
	}
	if e.out, err = newOutputChunk(w, B, batch, gs); err != nil {
		return nil, fmt.Errorf("sketch vae: output graph: %w", err)
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
	B, E := e.B, w.Config.EncSize
	for _, g := range e.grads {
		clear(g)
	}
	n := 2 * B * E
	e.sf, e.sb = grow(e.sf, (T+1)*n), grow(e.sb, (T+1)*n)
	clear(e.sf[:n])
	clear(e.sb[:n])
	if err := e.fw.forward(bt.xFw, nil, e.sf, T); err != nil {
		return 0, fmt.Errorf("encoder fw: %w", err)
	}
	// The backward direction reads the drawing reversed, padding first: its state stays 0
	// until the drawing's last point.
	if err := e.bw.forward(bt.xBw, bt.mBw, e.sb, T); err != nil {
		return 0, fmt.Errorf("encoder bw: %w", err)
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
	BH, n := B*H, 2*B*H
	e.sd = grow(e.sd, (T+1)*n)
	copy(e.sd[:n], e.head.fwd.Out(e.head.state))
	copy(nn.Values(e.dec.share), e.head.fwd.Out(e.head.share))
	if err := e.dec.forward(bt.xDec, nil, e.sd, T); err != nil {
		return 0, fmt.Errorf("decoder: %w", err)
	}

	// Decoder, backward through time: each chunk's loss gives its steps' h' their gradients.
	var rLoss float64
	e.dShare = grow(e.dShare, B*4*H)
	clear(e.dShare)
	clear(nn.Values(e.dec.dy))
	out := e.out
	var from int // the chunk whose loss gradients dH holds
	lossChunk := func(c0 int) error {
		from = c0
		h, tgt := nn.Values(out.h), nn.Values(out.target)
		mask, penMask := nn.Values(out.mask), nn.Values(out.penMask)
		clear(mask)
		clear(penMask) // the padding past T counts nothing
		for t := c0; t < min(T, c0+chunkSteps); t++ {
			j := t - c0
			copy(h[j*BH:(j+1)*BH], e.sd[(t+1)*n+BH:(t+2)*n])
			for b := range B {
				i, r := t*B+b, j*B+b
				tgt[r*5], tgt[r*5+1] = bt.tgtX[i], bt.tgtY[i]
				copy(tgt[r*5+2:r*5+5], bt.tgtPen[i*3:i*3+3])
				mask[r], penMask[r] = bt.mask[i], 1
				if eval {
					penMask[r] = bt.mask[i]
				}
			}
		}
		if err := run(out.bwd, "loss", c0); err != nil {
			return err
		}
		out.accumulate()
		rLoss += float64(out.bwd.Scalar(out.loss))
		return nil
	}
	addLoss := func(t int, dh []float32) {
		j := t - from
		for i, v := range out.bwd.Out(out.dH)[j*BH : (j+1)*BH] {
			dh[i] += v
		}
	}
	if err := e.dec.backward(bt.xDec, nil, e.sd, T, e.dShare, addLoss, lossChunk); err != nil {
		return 0, fmt.Errorf("decoder gradients: %w", err)
	}

	// Head: from the decoder's start's gradients and the KL's to the encoder's outputs'.
	head := e.head
	copy(nn.Values(head.dState), nn.Values(e.dec.dy)[:n])
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
	fdy, bdy := nn.Values(e.fw.dy), nn.Values(e.bw.dy)
	clear(fdy)
	clear(bdy)
	for b := range B {
		copy(bdy[B*E+b*E:B*E+(b+1)*E], dHEnc[b*2*E+E:(b+1)*2*E])
	}
	addOut := func(t int, dh []float32) {
		for b, mk := range bt.mFw[t] {
			if mk != 0 {
				row := dh[b*E : (b+1)*E]
				for k, v := range dHEnc[b*2*E : b*2*E+E] {
					row[k] += v
				}
			}
		}
	}
	if err := e.fw.backward(bt.xFw, nil, e.sf, T, nil, addOut, nil); err != nil {
		return 0, fmt.Errorf("encoder fw gradients: %w", err)
	}
	if err := e.bw.backward(bt.xBw, bt.mBw, e.sb, T, nil, nil, nil); err != nil {
		return 0, fmt.Errorf("encoder bw gradients: %w", err)
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
