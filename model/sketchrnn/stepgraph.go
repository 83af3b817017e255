package sketchrnn

import (
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file is the "gorgonia" training engine: Gorgonia differentiates every part of the model,
// but over graphs of one time step, built once per batch size and reused for every length,
// instead of one graph unrolled over all T steps (graph.go, 15-20 s and GBs per step at T=250).
//
// Each piece (an encoder direction's cell, the decoder's cell with its output layer and that
// step's loss, and the head from the encoder's final states to z and the decoder's initial
// state) has two graphs: a forward one, run over the T steps to record the states, and one that
// recomputes the step and differentiates
//
//	cost = loss_t + Σ h'⊙dh' + Σ c'⊙dc'
//
// where dh', dc' are the gradients that reached the step's new state from later steps (as a
// vector-Jacobian product, G.Backpropagate with 1, dh', dc' for loss_t, h', c': G.Grad of that
// cost, without the graph ops of its sums). Its gradients with respect to the parameters are
// then this step's share of the whole loss's, and
// those with respect to h and c are what flows to the step before: backpropagation through
// time with Gorgonia's vector-Jacobian products, chained from T-1 down to 0. The tape machine
// adds every run's parameter gradients into the parameters' dual values, so they accumulate
// over the steps and are read once at the end. z's share of the decoder's gates is the same at
// every step, so the head computes it once and the decoder's steps take it as an input; their
// gradients for it are summed and handed back to the head.
//
// For speed (a step graph runs 4T times per training step): the machines keep their buffers
// from run to run (run), the LSTM activations are a faster op (stepops.go), and biases are
// folded into an input where they can be, instead of broadcast at every step.

// stepGraph is one small graph with its tape machine and its parameters' ties to a Weights.
// Inputs are fed by copying into their values; outputs are read with G.Read, which copies them
// out after every run (the machine reuses its buffers).
type stepGraph struct {
	*tiedGraph
	vm G.VM
	B  int

	regs, saved []G.Value // the machine's registers, and their buffers after the last run
}

func newStepGraph(w *Weights, B int) *stepGraph {
	return &stepGraph{tiedGraph: newTiedGraph(w), B: B}
}

// input adds a value node, [B, cols] (or [B] with cols 0), fed before each run.
func (s *stepGraph) input(name string, cols int) *G.Node {
	if cols == 0 {
		return G.NewVector(s.g, tensor.Float32, G.WithShape(s.B), G.WithName(name), G.WithInit(G.Zeroes()))
	}
	return G.NewMatrix(s.g, tensor.Float32, G.WithShape(s.B, cols), G.WithName(name), G.WithInit(G.Zeroes()))
}

// cell adds an LSTM cell's parameters, one block per input part and gate (see cellNodes),
// leaving out the input parts in skip (given to the step precomputed). Without layer norm the
// cell's bias and the forget bias are not added in the graph: the caller folds them into an
// input (biasRow) or gets them from elsewhere. With biasRow, the first part's blocks get the
// bias as an extra last row, for an input whose last column is ones: a broadcast add of the
// bias, and the reduction that is its gradient, cost more than a matrix product's extra row.
func (s *stepGraph) cell(name string, cell nn.LSTMCell, ln *LayerNorm, biasRow bool, skip []int, parts ...int) *cellNodes {
	cn, ties := newCellNodes(s.g, name, cell, ln, parts...)
	H := cell.Hidden
	biasRow = biasRow && ln == nil
	dropped := map[*G.Node]bool{cn.bias[0]: true, cn.bias[1]: true, cn.bias[2]: true, cn.bias[3]: true}
	for _, p := range skip {
		for _, n := range cn.in[p] {
			dropped[n] = true
		}
	}
	if biasRow {
		for _, n := range cn.in[0] {
			dropped[n] = true
		}
	}
	for _, ct := range ties {
		if !dropped[ct.node] {
			s.tieCell(ct)
		}
	}
	cn.bias, cn.folded = [4]*G.Node{}, ln == nil
	if biasRow {
		n := cell.In
		if len(parts) > 0 {
			n = parts[0]
		}
		for q := range cn.in[0] {
			k := G.NewMatrix(s.g, tensor.Float32, G.WithShape(n+1, H), G.WithName(fmt.Sprintf("%s/kernel+bias/gate%d", name, q)), G.WithInit(G.Zeroes()))
			s.tieRows(k, 0, name+"/kernel", q*H, n, H, 4*H, 0)
			s.tieRows(k, n, name+"/bias", q*H, 1, H, 4*H, forgetBias(q))
			cn.in[0][q] = k
		}
	}
	return cn
}

// forgetBias is the constant added to gate q's pre-activation: TensorFlow's forget bias on f.
func forgetBias(q int) float32 {
	if q == 2 {
		return nn.ForgetBias
	}
	return 0
}

// vjp adds the vector-Jacobian product of the outputs with the gradients given for them
// (G.Backpropagate, which G.Grad calls with a scalar cost and 1): the gradients, with respect to
// every parameter and to wrt, of Σ_i Σ outputs[i]⊙grads[i]. It returns those of wrt in order.
// The parameters' gradients are added up in their dual values over the runs.
func (s *stepGraph) vjp(outputs, grads []*G.Node, wrt ...*G.Node) ([]*G.Node, error) {
	params := s.params()
	d, err := G.Backpropagate(outputs, grads, append(params, wrt...))
	if err != nil {
		return nil, err
	}
	return d[len(params):], nil
}

// compile makes the tape machine, once every node and every G.Read is in the graph.
func (s *stepGraph) compile(grad bool) {
	if !grad {
		s.vm = G.NewTapeMachine(s.g)
		return
	}
	s.vm = G.NewTapeMachine(s.g, G.BindDualValues(s.params()...))
}

// run runs the graph once. Reset drops the tape machine's registers, so that every run would
// allocate each intermediate value again (GORGONIA.md, trap 3), and a step graph runs hundreds
// of times per training step: run hands the last run's buffers back to the registers, and the
// ops write into them (as they do when the machine reuses a register within a run).
func (s *stepGraph) run() error {
	s.vm.Reset()
	if s.regs == nil {
		s.regs = machineRegisters(s.vm)
		s.saved = make([]G.Value, len(s.regs))
	}
	copy(s.regs, s.saved)
	err := s.vm.RunAll()
	copy(s.saved, s.regs)
	return err
}

// machineRegisters returns the tape machine's registers (its unexported cpumem), or nil if the
// machine is not laid out as Gorgonia 0.9.18's.
func machineRegisters(vm G.VM) []G.Value {
	v := reflect.ValueOf(vm)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("cpumem")
	if !f.IsValid() || f.Type() != reflect.TypeOf([]G.Value(nil)) {
		return nil
	}
	return *(*[]G.Value)(unsafe.Pointer(f.UnsafeAddr()))
}

// set copies src into an input node's value.
func set(n *G.Node, src []float32) { copy(nn.Values(n), src) }

// setX copies stroke-5 rows [B, 5] into x, [B, 5] or [B, 6] whose last column stays ones.
func setX(x *G.Node, rows []float32) {
	dst, cols := nn.Values(x), x.Shape()[1]
	for b := 0; b < len(rows)/5; b++ {
		copy(dst[b*cols:b*cols+5], rows[b*5:])
		if cols == 6 {
			dst[b*cols+5] = 1
		}
	}
}

// setRows fills row b of n [B, H] with m[b].
func setRows(n *G.Node, m []float32) {
	dst, cols := nn.Values(n), n.Shape()[1]
	for b, v := range m {
		row := dst[b*cols : (b+1)*cols]
		for i := range row {
			row[i] = v
		}
	}
}

// output is a node's value as read after the last run.
type output struct{ v G.Value }

func (s *stepGraph) read(n *G.Node) *output {
	o := &output{}
	G.Read(n, &o.v)
	return o
}

func (o *output) data() []float32 { return o.v.Data().([]float32) }
func (o *output) scalar() float32 { return o.v.Data().(float32) }

// cellStep is one step of an LSTM. The forward graph maps (x, h, c) to (h', c'); the gradient
// graph also takes dh', dc' and gives the gradients with respect to h and c (and, in the
// decoder's, to z's share of the gates).
type cellStep struct {
	*stepGraph
	x, h, c    *G.Node    // [B, 5] (encoder without layer norm: [B, 6], ones in the last column), [B, H], [B, H]
	zShare     [4]*G.Node // decoder: [B, H] each, z's share of the gates i, j, f, o
	mask       *G.Node    // encoder bw: [B, H], rows of 1 on the drawing's points; the state is held at 0 on the padding before them
	dh, dc     *G.Node    // [B, H]: the cost's gradients with respect to h', c'
	last, dOut *G.Node    // encoder fw: [B, H] rows of 1 where this step is the drawing's last point; the gradient of the encoder's output there

	// decoder, gradient graph: the step's targets and masks (as in graph.go, for one step)
	tgtX, tgtY, tgtPen, lossMask, penMask *G.Node

	hOut, cOut     *output    // forward graph: [B, H]
	dhPrev, dcPrev *output    // gradient graph: [B, H]
	dzShare        [4]*output // decoder, gradient graph: [B, H] each
	loss           *output    // decoder, gradient graph: the step's share of r_loss
}

// runAt runs the step at time t: its input rows x [B, 5], and state t of h and c
// ([(T+1)*B, H], block t holds state t).
func (cs *cellStep) runAt(x, h, c []float32, t int) error {
	n := cs.B * cs.h.Shape()[1]
	setX(cs.x, x)
	set(cs.h, h[t*n:(t+1)*n])
	set(cs.c, c[t*n:(t+1)*n])
	return cs.run()
}

// forward runs the forward graph at time t and writes state t+1 into h and c.
func (cs *cellStep) forward(x, h, c []float32, t int) error {
	if err := cs.runAt(x, h, c, t); err != nil {
		return err
	}
	n := cs.B * cs.h.Shape()[1]
	copy(h[(t+1)*n:(t+2)*n], cs.hOut.data())
	copy(c[(t+1)*n:(t+2)*n], cs.cOut.data())
	return nil
}

// backward runs the gradient graph at time t, from the states forward recorded, and feeds the
// gradients it gives for h and c to the next run, at t-1.
func (cs *cellStep) backward(x, h, c []float32, t int) error {
	if err := cs.runAt(x, h, c, t); err != nil {
		return err
	}
	set(cs.dh, cs.dhPrev.data())
	set(cs.dc, cs.dcPrev.data())
	return nil
}

// newEncoderStep builds a step of an encoder direction, with gradients if grad. The backward
// direction (bw) multiplies its new state by the step's mask; the forward direction's output is
// its h at each drawing's last point.
func newEncoderStep(w *Weights, B int, bw, grad bool) (cs *cellStep, err error) {
	defer catchGraph(&err)
	name, cell, ln := "encoder/fw", w.EncFw, w.EncFwLN
	if bw {
		name, cell, ln = "encoder/bw", w.EncBw, w.EncBwLN
	}
	E := cell.Hidden
	s := newStepGraph(w, B)
	cs = &cellStep{stepGraph: s, h: s.input("h", E), c: s.input("c", E)}
	cn := s.cell(name, cell, ln, true, nil)
	cs.x = s.input("x", cn.in[0][0].Shape()[0])      // [B, 5], or [B, 6] with a column of ones for the bias
	c2, h2 := cn.step(cn.input(0, cs.x), cs.c, cs.h) // [B, E]
	if bw {
		cs.mask = s.input("mask", E)
		c2 = G.Must(G.HadamardProd(cs.mask, c2))
		h2 = G.Must(G.HadamardProd(cs.mask, h2))
	}
	if !grad {
		cs.hOut, cs.cOut = s.read(h2), s.read(c2)
		s.compile(false)
		return cs, nil
	}
	cs.dh, cs.dc = s.input("dh", E), s.input("dc", E)
	outputs, grads := []*G.Node{h2, c2}, []*G.Node{cs.dh, cs.dc}
	if !bw {
		cs.last, cs.dOut = s.input("last", E), s.input("d_out", E)
		out := G.Must(G.HadamardProd(cs.last, h2)) // [B, E]
		outputs, grads = append(outputs, out), append(grads, cs.dOut)
	}
	d, err := s.vjp(outputs, grads, cs.h, cs.c)
	if err != nil {
		return nil, err
	}
	cs.dhPrev, cs.dcPrev = s.read(d[0]), s.read(d[1])
	s.compile(true)
	return cs, nil
}

// newDecoderStep builds a step of the decoder, with gradients if grad: then also its output
// layer and the step's share of r_loss. Its input is concat(x, z), and z's share of the gates
// is the same at every step, so the head computes it once (as graph.go does) and the step takes
// it as an input, whose gradients are summed over the steps.
func newDecoderStep(w *Weights, B int, grad bool) (cs *cellStep, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	H, Z := cfg.DecSize, cfg.ZSize
	s := newStepGraph(w, B)
	cs = &cellStep{stepGraph: s, x: s.input("x", 5), h: s.input("h", H), c: s.input("c", H)}
	cn := s.cell("decoder/lstm", w.Dec, w.DecLN, false, []int{1}, 5, Z) // z's rows and the bias: in the head
	pre := cn.input(0, cs.x)                                            // 4 x [B, H]
	for q := range pre {
		cs.zShare[q] = s.input(fmt.Sprintf("z_share%d", q), H)
		pre[q] = G.Must(G.Add(pre[q], cs.zShare[q]))
	}
	c2, h2 := cn.step(pre, cs.c, cs.h) // [B, H]
	if !grad {
		cs.hOut, cs.cOut = s.read(h2), s.read(c2)
		s.compile(false)
		return cs, nil
	}
	heads := s.outputHeads(cfg)
	cs.tgtX, cs.tgtY, cs.tgtPen = s.input("tgt_x", 1), s.input("tgt_y", 1), s.input("tgt_pen", 3)
	cs.lossMask, cs.penMask = s.input("mask", 0), s.input("pen_mask", 0)
	loss := mixtureLoss(h2, heads, cs.tgtX, cs.tgtY, cs.tgtPen, cs.lossMask, cs.penMask)
	loss = G.Must(G.HadamardDiv(loss, G.NewConstant(float32(B*cfg.MaxSeqLen))))
	cs.loss = s.read(loss)
	cs.dh, cs.dc = s.input("dh", H), s.input("dc", H)
	one := G.NewConstant(float32(1))
	d, err := s.vjp([]*G.Node{loss, h2, c2}, []*G.Node{one, cs.dh, cs.dc}, append([]*G.Node{cs.h, cs.c}, cs.zShare[:]...)...)
	if err != nil {
		return nil, err
	}
	cs.dhPrev, cs.dcPrev = s.read(d[0]), s.read(d[1])
	for q := range cs.dzShare {
		cs.dzShare[q] = s.read(d[2+q])
	}
	s.compile(true)
	return cs, nil
}

// headStep is the map from the encoder's final states to z, the KL term, the decoder's initial
// state and z's share of the decoder's gates. Its gradient graph takes the gradients that
// reached the initial state and z's share, and gives those of the encoder's outputs, which
// start the encoder's backward chains.
type headStep struct {
	*stepGraph
	hFw, hBw, eps *G.Node    // [B, E], [B, E], [B, Z]
	klWeight      *G.Node    // scalar
	dc0, dh0      *G.Node    // [B, H]
	dzShare       [4]*G.Node // [B, H] each

	c0, h0, kl *output    // [B, H], [B, H], scalar (forward graph)
	zShare     [4]*output // [B, H] each (forward graph)
	dhFw, dhBw *output    // [B, E] each (gradient graph)
}

func newHeadStep(w *Weights, B int, grad bool) (hs *headStep, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	E, H, Z := cfg.EncSize, cfg.DecSize, cfg.ZSize
	must := G.Must
	s := newStepGraph(w, B)
	hs = &headStep{stepGraph: s, hFw: s.input("h_fw", E), hBw: s.input("h_bw", E), eps: s.input("eps", Z)}
	// mu and presig read concat(h_fw, h_bw) [B, 2E]: one kernel part per direction, no Concat.
	layer := func(name string, d nn.Dense) *G.Node {
		y := s.dense(name, d, 0, E, true).apply(hs.hFw)
		return must(G.Add(y, must(G.Mul(hs.hBw, s.dense(name, d, E, E, false).kernel))))
	}
	mu := layer("encoder/mu", w.Mu)                                             // [B, Z]
	presig := layer("encoder/presig", w.Presig)                                 // [B, Z]
	z := sampleZ(mu, presig, hs.eps)                                            // [B, Z]
	c0 := must(G.Tanh(s.dense("decoder/init_c", w.InitC, 0, Z, true).apply(z))) // [B, H]
	h0 := must(G.Tanh(s.dense("decoder/init_h", w.InitH, 0, Z, true).apply(z))) // [B, H]
	var zShare [4]*G.Node
	for q := range zShare {
		k := s.param("decoder/lstm/kernel", 5*4*H+q*H, Z, H, 4*H) // z's rows of the decoder's kernel, gate q
		zShare[q] = must(G.Mul(z, k))                             // [B, H]
		if w.DecLN == nil {
			// The bias and the forget bias, added once here rather than at every step.
			b := G.NewVector(s.g, tensor.Float32, G.WithShape(H), G.WithName(fmt.Sprintf("decoder/lstm/bias/gate%d", q)), G.WithInit(G.Zeroes()))
			s.tieRows(b, 0, "decoder/lstm/bias", q*H, 1, H, H, forgetBias(q))
			zShare[q] = must(G.BroadcastAdd(zShare[q], b, nil, []byte{0}))
		}
	}
	kl := klLoss(mu, presig)
	if !grad {
		hs.c0, hs.h0, hs.kl = s.read(c0), s.read(h0), s.read(kl)
		for q := range zShare {
			hs.zShare[q] = s.read(zShare[q])
		}
		s.compile(false)
		return hs, nil
	}
	hs.klWeight = G.NewScalar(s.g, tensor.Float32, G.WithName("kl_weight"), G.WithValue(float32(0)))
	hs.dc0, hs.dh0 = s.input("dc0", H), s.input("dh0", H)
	outputs := []*G.Node{must(G.HadamardProd(hs.klWeight, klFloor(kl, cfg.KLTolerance))), c0, h0}
	grads := []*G.Node{G.NewConstant(float32(1)), hs.dc0, hs.dh0}
	for q := range zShare {
		hs.dzShare[q] = s.input(fmt.Sprintf("d_z_share%d", q), H)
		outputs, grads = append(outputs, zShare[q]), append(grads, hs.dzShare[q])
	}
	d, err := s.vjp(outputs, grads, hs.hFw, hs.hBw)
	if err != nil {
		return nil, err
	}
	hs.dhFw, hs.dhBw = s.read(d[0]), s.read(d[1])
	s.compile(true)
	return hs, nil
}

func catchGraph(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("sketch vae step graph: %v", r)
	}
}

// stepEngine holds the step graphs for batches of B: [0] forward, [1] with gradients.
type stepEngine struct {
	B           int
	fw, bw, dec [2]*cellStep
	head        [2]*headStep
	hf, cf      []float32 // [(T+1)*B, E]: the encoders' states, block 0 the initial zeros
	hb, cb      []float32
	hd, cd      []float32 // [(T+1)*B, H]: the decoder's states, block 0 from z
	penMask     []float32
	dzShare     [4][]float32 // [B, H] each: the gradients of z's share of the decoder's gates
}

func newStepEngine(w *Weights, B int) (*stepEngine, error) {
	if !w.Config.Conditional() {
		return nil, fmt.Errorf("sketch vae: training needs an encoder (z size > 0)")
	}
	e := &stepEngine{B: B}
	for i, grad := range []bool{false, true} {
		var err error
		if e.fw[i], err = newEncoderStep(w, B, false, grad); err != nil {
			return nil, err
		}
		if e.bw[i], err = newEncoderStep(w, B, true, grad); err != nil {
			return nil, err
		}
		if e.dec[i], err = newDecoderStep(w, B, grad); err != nil {
			return nil, err
		}
		if e.head[i], err = newHeadStep(w, B, grad); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *stepEngine) graphs() []*stepGraph {
	var gs []*stepGraph
	for i := range 2 {
		gs = append(gs, e.fw[i].stepGraph, e.bw[i].stepGraph, e.dec[i].stepGraph, e.head[i].stepGraph)
	}
	return gs
}

// grow returns s resized to n values (its contents are not kept).
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gradients computes the loss of a batch padded to T steps like graph.go and backprop.go do, and
// adds its gradients into grads (shaped like w.params()). It returns the cost, r_loss and KL.
func (e *stepEngine) gradients(w *Weights, bt *batch, T int, klWeight float64, eval bool, grads [][]float32) (cost, rLoss, kl float64, err error) {
	cfg := w.Config
	B, E, H, Z := e.B, cfg.EncSize, cfg.DecSize, cfg.ZSize
	if len(bt.eps) != B*Z {
		return 0, 0, 0, fmt.Errorf("sketch vae: a batch of %d for step graphs of %d", len(bt.eps)/Z, B)
	}
	for _, s := range e.graphs() {
		s.load(w)
	}
	e.hf, e.cf = grow(e.hf, (T+1)*B*E), grow(e.cf, (T+1)*B*E)
	e.hb, e.cb = grow(e.hb, (T+1)*B*E), grow(e.cb, (T+1)*B*E)
	e.hd, e.cd = grow(e.hd, (T+1)*B*H), grow(e.cd, (T+1)*B*H)
	clear(e.hf[:B*E])
	clear(e.cf[:B*E])
	clear(e.hb[:B*E])
	clear(e.cb[:B*E])
	state := func(s []float32, t, n int) []float32 { return s[t*B*n : (t+1)*B*n] }
	fail := func(what string, t int, err error) (float64, float64, float64, error) {
		return 0, 0, 0, fmt.Errorf("sketch vae step graph: %s, step %d: %w", what, t, err)
	}

	// Encoder, forward through time.
	fw, bw := e.fw[0], e.bw[0]
	for t := 0; t < T; t++ {
		if err := fw.forward(bt.xFw[t], e.hf, e.cf, t); err != nil {
			return fail("encoder fw", t, err)
		}
		setRows(bw.mask, bt.mBw[t])
		if err := bw.forward(bt.xBw[t], e.hb, e.cb, t); err != nil {
			return fail("encoder bw", t, err)
		}
	}
	// The forward direction's output is its h at each drawing's last point.
	hFw := make([]float32, B*E)
	for t := 0; t < T; t++ {
		for b, m := range bt.mFw[t] {
			if m != 0 {
				copy(hFw[b*E:(b+1)*E], state(e.hf, t+1, E)[b*E:])
			}
		}
	}
	hBw := state(e.hb, T, E)

	// Head: z and the decoder's initial state.
	head := e.head[0]
	set(head.hFw, hFw)
	set(head.hBw, hBw)
	set(head.eps, bt.eps)
	if err := head.run(); err != nil {
		return fail("head", 0, err)
	}
	copy(state(e.cd, 0, H), head.c0.data())
	copy(state(e.hd, 0, H), head.h0.data())
	kl = float64(head.kl.scalar())
	for q, zq := range head.zShare {
		set(e.dec[0].zShare[q], zq.data())
		set(e.dec[1].zShare[q], zq.data())
	}

	// Decoder, forward through time.
	dec := e.dec[0]
	for t := 0; t < T; t++ {
		if err := dec.forward(bt.xDec[t], e.hd, e.cd, t); err != nil {
			return fail("decoder", t, err)
		}
	}

	// Decoder, backward through time: each step's loss and the gradients from the steps after it.
	dec = e.dec[1]
	e.penMask = grow(e.penMask, B)
	for q := range e.dzShare {
		e.dzShare[q] = grow(e.dzShare[q], B*H)
		clear(e.dzShare[q])
	}
	clear(nn.Values(dec.dh))
	clear(nn.Values(dec.dc))
	for t := T - 1; t >= 0; t-- {
		set(dec.tgtX, bt.tgtX[t*B:(t+1)*B])
		set(dec.tgtY, bt.tgtY[t*B:(t+1)*B])
		set(dec.tgtPen, bt.tgtPen[t*B*3:(t+1)*B*3])
		set(dec.lossMask, bt.mask[t*B:(t+1)*B])
		for b := range e.penMask {
			e.penMask[b] = 1
			if eval {
				e.penMask[b] = bt.mask[t*B+b]
			}
		}
		set(dec.penMask, e.penMask)
		if err := dec.backward(bt.xDec[t], e.hd, e.cd, t); err != nil {
			return fail("decoder gradients", t, err)
		}
		rLoss += float64(dec.loss.scalar())
		for q, d := range dec.dzShare {
			for i, v := range d.data() {
				e.dzShare[q][i] += v
			}
		}
	}

	// Head: from z's gradient and the initial state's to the encoder's outputs'.
	head = e.head[1]
	set(head.hFw, hFw)
	set(head.hBw, hBw)
	set(head.eps, bt.eps)
	for q, d := range e.dzShare {
		set(head.dzShare[q], d)
	}
	set(head.dc0, dec.dcPrev.data())
	set(head.dh0, dec.dhPrev.data())
	if err := G.Let(head.klWeight, float32(klWeight)); err != nil {
		return fail("head", 0, err)
	}
	if err := head.run(); err != nil {
		return fail("head gradients", 0, err)
	}

	// Encoder, backward through time: the forward direction's chain starts at zero and takes
	// its output's gradient at each drawing's last point; the backward one's starts at its
	// output's gradient.
	fw, bw = e.fw[1], e.bw[1]
	set(fw.dOut, head.dhFw.data())
	clear(nn.Values(fw.dh))
	clear(nn.Values(fw.dc))
	set(bw.dh, head.dhBw.data())
	clear(nn.Values(bw.dc))
	for t := T - 1; t >= 0; t-- {
		setRows(fw.last, bt.mFw[t])
		if err := fw.backward(bt.xFw[t], e.hf, e.cf, t); err != nil {
			return fail("encoder fw gradients", t, err)
		}
		setRows(bw.mask, bt.mBw[t])
		if err := bw.backward(bt.xBw[t], e.hb, e.cb, t); err != nil {
			return fail("encoder bw gradients", t, err)
		}
	}

	for _, s := range []*stepGraph{e.fw[1].stepGraph, e.bw[1].stepGraph, e.dec[1].stepGraph, e.head[1].stepGraph} {
		if err := s.addGrads(grads); err != nil {
			return 0, 0, 0, fmt.Errorf("sketch vae step graph: %w", err)
		}
	}
	cost = rLoss + klWeight*math.Max(kl, cfg.KLTolerance)
	return cost, rLoss, kl, nil
}
