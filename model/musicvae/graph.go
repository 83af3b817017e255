package musicvae

import (
	"fmt"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layers are the model's parameters as nodes of one Gorgonia graph, and the pieces of the
// forward pass that the training graph and the inference graphs share.
type layers struct {
	cfg          MelodyVAEConfig
	g            *G.ExprGraph
	encFw, encBw *nn.LSTM
	mu, sigma    *nn.Linear
	zToState     []*nn.Linear // one per state piece: c0, h0, c1, h1, ... (column blocks of one kernel)
	dec          []*nn.LSTM   // dec[0] has two input parts: the previous one-hot and z
	out          *nn.Linear
}

func newLayers(g *G.ExprGraph, w *Weights) (*layers, error) {
	c := w.Config
	l := &layers{cfg: c, g: g}
	var err error
	if l.encFw, err = nn.NewLSTM(g, encFwName, w.EncFw); err != nil {
		return nil, err
	}
	if l.encBw, err = nn.NewLSTM(g, encBwName, w.EncBw); err != nil {
		return nil, err
	}
	E := c.EncoderSize
	if l.mu, err = nn.NewLinear(g, muName, w.Mu, E, E); err != nil { // rows: forward h, backward h
		return nil, err
	}
	if l.sigma, err = nn.NewLinear(g, sigmaName, w.Sigma, E, E); err != nil {
		return nil, err
	}
	for p, block := range stateBlocks(w.ZToState, c.DecoderSizes) {
		lin, err := nn.NewLinear(g, fmt.Sprintf("%s/%d", zName, p), block)
		if err != nil {
			return nil, err
		}
		l.zToState = append(l.zToState, lin)
	}
	for k, cell := range w.Dec {
		parts := []int{cell.In}
		if k == 0 {
			parts = []int{Classes, c.ZSize}
		}
		d, err := nn.NewLSTM(g, decName(k), cell, parts...)
		if err != nil {
			return nil, err
		}
		l.dec = append(l.dec, d)
	}
	if l.out, err = nn.NewLinear(g, outName, w.Out); err != nil {
		return nil, err
	}
	return l, nil
}

// params lists every trainable node, in a fixed order.
func (l *layers) params() []*G.Node {
	ps := append(l.encFw.Params(), l.encBw.Params()...)
	ps = append(ps, l.mu.Params()...)
	ps = append(ps, l.sigma.Params()...)
	for _, z := range l.zToState {
		ps = append(ps, z.Params()...)
	}
	for _, d := range l.dec {
		ps = append(ps, d.Params()...)
	}
	return append(ps, l.out.Params()...)
}

// weights copies the current parameter values out in TensorFlow's layout.
func (l *layers) weights() *Weights {
	w := &Weights{Config: l.cfg, EncFw: l.encFw.Cell(), EncBw: l.encBw.Cell(), Mu: l.mu.Dense(), Sigma: l.sigma.Dense(), Out: l.out.Dense()}
	var blocks []nn.Dense
	for _, z := range l.zToState {
		blocks = append(blocks, z.Dense())
	}
	w.ZToState = joinColumns(blocks)
	for _, d := range l.dec {
		w.Dec = append(w.Dec, d.Cell())
	}
	return w
}

// stateBlocks splits the z_to_initial_state layer [Z, 2*sum(D)] into its column blocks
// c0 [Z, D0], h0 [Z, D0], c1 [Z, D1], ... so that the graph never slices a node.
func stateBlocks(d nn.Dense, sizes []int) []nn.Dense {
	var out []nn.Dense
	from := 0
	for _, s := range sizes {
		for range 2 { // c, then h
			b := nn.Dense{In: d.In, Out: s, Bias: clone(d.Bias[from : from+s])}
			for r := range d.In {
				b.Kernel = append(b.Kernel, d.Kernel[r*d.Out+from:r*d.Out+from+s]...)
			}
			out = append(out, b)
			from += s
		}
	}
	return out
}

// joinColumns is the inverse of stateBlocks.
func joinColumns(blocks []nn.Dense) nn.Dense {
	d := nn.Dense{In: blocks[0].In}
	for _, b := range blocks {
		d.Out += b.Out
		d.Bias = append(d.Bias, b.Bias...)
	}
	for r := range d.In {
		for _, b := range blocks {
			d.Kernel = append(d.Kernel, b.Kernel[r*b.Out:(r+1)*b.Out]...)
		}
	}
	return d
}

// matrix makes a [rows, cols] float32 input node with a zero value.
func matrix(g *G.ExprGraph, name string, rows, cols int) *G.Node {
	return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(make([]float32, rows*cols)))))
}

// encode runs the bidirectional encoder over xs, one [B, 90] one-hot node per step, and
// returns mu and sigma, [B, Z] each.
func (l *layers) encode(xs []*G.Node) (mu, sigma *G.Node) {
	B, E := xs[0].Shape()[0], l.cfg.EncoderSize
	run := func(cell *nn.LSTM, name string, order func(i int) int) *G.Node {
		c, h := matrix(l.g, name+"/c0", B, E), matrix(l.g, name+"/h0", B, E) // [B, E]
		for i := range Steps {
			pre, err := cell.InputGates(0, xs[order(i)]) // 4 × [B, E]
			if err != nil {
				panic(err)
			}
			if c, h, err = cell.StepGates(pre, c, h); err != nil {
				panic(err)
			}
		}
		return h
	}
	hFw := run(l.encFw, "encoder/fw", func(i int) int { return i })             // [B, E]
	hBw := run(l.encBw, "encoder/bw", func(i int) int { return Steps - 1 - i }) // [B, E]
	mu = G.Must(l.mu.Apply(hFw, hBw))                                           // [B, Z]
	sigma = G.Must(G.Softplus(G.Must(l.sigma.Apply(hFw, hBw))))                 // [B, Z]
	return mu, sigma
}

// initialState maps z [B, Z] to the decoder's initial states: tanh(dense(z)), c and h per layer.
func (l *layers) initialState(z *G.Node) (cs, hs []*G.Node) {
	for k := range l.dec {
		cs = append(cs, G.Must(G.Tanh(G.Must(l.zToState[2*k].Apply(z)))))   // [B, Dk]
		hs = append(hs, G.Must(G.Tanh(G.Must(l.zToState[2*k+1].Apply(z))))) // [B, Dk]
	}
	return cs, hs
}

// decodeStep advances the decoder one step. pre0 (4 × [B, D0]) is the first cell's input
// share (previous one-hot and z); it returns the new states and the top layer's h [B, D_last].
func (l *layers) decodeStep(pre0 nn.Gates, cs, hs []*G.Node) ([]*G.Node, []*G.Node, *G.Node) {
	cs, hs = append([]*G.Node{}, cs...), append([]*G.Node{}, hs...)
	pre := pre0
	for k, cell := range l.dec {
		var err error
		if k > 0 {
			if pre, err = cell.InputGates(0, hs[k-1]); err != nil { // 4 × [B, Dk]
				panic(err)
			}
		}
		if cs[k], hs[k], err = cell.StepGates(pre, cs[k], hs[k]); err != nil {
			panic(err)
		}
	}
	return cs, hs, hs[len(hs)-1]
}

// catch turns a panic from G.Must while building a graph into an error.
func catch(err *error, what string) {
	if r := recover(); r != nil {
		e, ok := r.(error)
		if !ok {
			panic(r)
		}
		*err = fmt.Errorf("musicvae: %s: %w", what, e)
	}
}

// trainGraph is the model unrolled over a batch of B windows with teacher forcing, and its loss:
//
//	loss = mean_b(sum_t cross-entropy) + beta * mean_b(max(KL_b - free nats, 0))
//
// Each step has its own input and output nodes (see nn.LSTM on why nothing is sliced or concatenated).
type trainGraph struct {
	*layers
	B      int
	xs     []*G.Node // inputs: one-hot [B, 90] per step, the targets and the encoder's input
	prevs  []*G.Node // inputs: the decoder's input at steps 1..31, [B, 90]: xs[t-1], with the rows of dropped tokens zero
	eps    *G.Node   // input: [B, Z] ~ N(0, 1)
	beta   *G.Node   // input: scalar KL weight
	loss   *G.Node
	ce, kl G.Value   // read at run time: scalars
	logits []G.Value // read at run time: [B, 90] per step
	params []*G.Node
	vm     G.VM
}

func newTrainGraph(w *Weights, B int, freeNats float64) (tg *trainGraph, err error) {
	defer catch(&err, "building the training graph")
	g := G.NewGraph()
	l, err := newLayers(g, w)
	if err != nil {
		return nil, err
	}
	c := w.Config
	tg = &trainGraph{layers: l, B: B, logits: make([]G.Value, Steps)}
	for t := range Steps {
		tg.xs = append(tg.xs, matrix(g, fmt.Sprintf("x%d", t), B, Classes)) // [B, 90]
		if t > 0 {
			tg.prevs = append(tg.prevs, matrix(g, fmt.Sprintf("prev%d", t), B, Classes)) // [B, 90]
		}
	}
	tg.eps = matrix(g, "eps", B, c.ZSize) // [B, Z]
	tg.beta = G.NewScalar(g, tensor.Float32, G.WithName("beta"), G.WithValue(float32(0)))

	mu, sigma := l.encode(tg.xs)                                  // [B, Z] each
	z := G.Must(G.Add(mu, G.Must(G.HadamardProd(sigma, tg.eps)))) // [B, Z]

	// Decoder, teacher-forced: the input at step t is the one-hot of step t-1 (zeros at t = 0, and
	// where token dropout drops it) and z.
	cs, hs := l.initialState(z)
	zIn, err := l.dec[0].InputGates(1, z) // 4 × [B, D0], the same at every step
	if err != nil {
		return nil, err
	}
	var ce *G.Node
	for t := range Steps {
		pre0 := zIn
		if t > 0 {
			prev, err := l.dec[0].InputGates(0, tg.prevs[t-1])
			if err != nil {
				return nil, err
			}
			if pre0, err = nn.AddGates(prev, zIn); err != nil { // 4 × [B, D0]
				return nil, err
			}
		}
		var top *G.Node
		cs, hs, top = l.decodeStep(pre0, cs, hs)
		logits := G.Must(l.out.Apply(top)) // [B, 90]
		G.Read(logits, &tg.logits[t])
		logp := G.Must(G.LogSoftMax(logits, 1))                                     // [B, 90]
		nll := G.Must(G.Neg(G.Must(G.Sum(G.Must(G.HadamardProd(tg.xs[t], logp)))))) // scalar
		if ce == nil {
			ce = nll
		} else {
			ce = G.Must(G.Add(ce, nll))
		}
	}
	fb := G.NewConstant(float32(B))
	ce = G.Must(G.HadamardDiv(ce, fb)) // scalar, per window

	// KL(N(mu, sigma) || N(0, 1)) per window: sum_z 0.5*(mu² + sigma² - 1) - log sigma.
	half, one := G.NewConstant(float32(0.5)), G.NewConstant(float32(1))
	sq := G.Must(G.Add(G.Must(G.Square(mu)), G.Must(G.Square(sigma))))                      // [B, Z]
	klz := G.Must(G.Sub(G.Must(G.Mul(half, G.Must(G.Sub(sq, one)))), G.Must(G.Log(sigma)))) // [B, Z]
	klb := G.Must(G.Sum(klz, 1))                                                            // [B]
	kl := G.Must(G.HadamardDiv(G.Must(G.Sum(klb)), fb))                                     // scalar
	klCost := kl
	if freeNats > 0 {
		over := G.Must(G.Rectify(G.Must(G.Sub(klb, G.NewConstant(float32(freeNats)))))) // [B]
		klCost = G.Must(G.HadamardDiv(G.Must(G.Sum(over)), fb))
	}
	tg.loss = G.Must(G.Add(ce, G.Must(G.Mul(tg.beta, klCost))))
	G.Read(ce, &tg.ce)
	G.Read(kl, &tg.kl)

	tg.params = l.params()
	if _, err := G.Grad(tg.loss, tg.params...); err != nil {
		return nil, err
	}
	return tg, nil
}

// machine compiles the graph on first use: the plain engine never needs it, and compiling
// takes seconds.
func (tg *trainGraph) machine() G.VM {
	if tg.vm == nil {
		tg.vm = G.NewTapeMachine(tg.g, G.BindDualValues(tg.params...))
	}
	return tg.vm
}
