package musicvae

import (
	"fmt"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The model in Gorgonia, once: the layers below build the training graph (unrolled over the 32
// steps, differentiated by G.Grad) and the inference graphs (the encoder, the map from z to the
// decoder's start, and one decoder step run 32 times), all run by nn.Plan. The parameter nodes
// share their backing with a Weights, so that Adam's updates and a checkpoint see one copy.

// piece is a parameter node and the tensor (by Magenta name) whose rows it holds, from row off.
type piece struct {
	node   *G.Node
	tensor string
	off    int // offset of the node's values in the tensor's
}

// layers are the model's parameters as nodes of one graph, and the forward pass's pieces.
type layers struct {
	cfg    Config
	g      *G.ExprGraph
	pieces []piece

	encFw, encBw lstm
	muFw, muBw   *G.Node // [E, Z]: the rows for the forward and the backward h
	muB          *G.Node // [Z]
	sgFw, sgBw   *G.Node
	sgB          *G.Node
	zK, zB       *G.Node // [Z, 2*sum(D)], [2*sum(D)]: z_to_initial_state
	dec          []lstm  // dec[0].in holds the previous event's rows, dec0z z's rows
	dec0z        *G.Node // [Z, 4*D0]
	outK, outB   *G.Node // [D_last, classes], [classes]
	roll         *G.Node // [512, 10]: the drum roll of every token (drum models only)
}

// lstm is a cell's parameters: the input rows (an embedding table for a one-hot input; for the
// drum roll, the table computed from the roll's rows), the recurrent rows and the bias.
type lstm struct{ in, rec, bias *G.Node }

func newLayers(g *G.ExprGraph, w *Weights) *layers {
	c := w.Config
	l := &layers{cfg: c, g: g}
	E, Z := c.EncoderSize, c.ZSize
	cell := func(name string, cell nn.LSTMCell, parts ...int) (lstm, []*G.Node) {
		H := cell.Hidden
		var ins []*G.Node
		row := 0
		for _, p := range parts {
			ins = append(ins, l.param(name+"/kernel", cell.Kernel, row, p, 4*H))
			row += p
		}
		return lstm{in: ins[0], rec: l.param(name+"/kernel", cell.Kernel, row, H, 4*H),
			bias: l.param(name+"/bias", cell.Bias, 0, 1, 4*H)}, ins
	}
	l.encFw, _ = cell(encFwName, w.EncFw, c.inDepth())
	l.encBw, _ = cell(encBwName, w.EncBw, c.inDepth())
	if c.Input == InputDrumRoll {
		l.encFw.in, l.encBw.in = l.rollTable(l.encFw.in), l.rollTable(l.encBw.in)
	}
	l.muFw = l.param(muName+"/kernel", w.Mu.Kernel, 0, E, Z)
	l.muBw = l.param(muName+"/kernel", w.Mu.Kernel, E, E, Z)
	l.muB = l.param(muName+"/bias", w.Mu.Bias, 0, 1, Z)
	l.sgFw = l.param(sigmaName+"/kernel", w.Sigma.Kernel, 0, E, Z)
	l.sgBw = l.param(sigmaName+"/kernel", w.Sigma.Kernel, E, E, Z)
	l.sgB = l.param(sigmaName+"/bias", w.Sigma.Bias, 0, 1, Z)
	l.zK = l.param(zName+"/kernel", w.ZToState.Kernel, 0, Z, w.ZToState.Out)
	l.zB = l.param(zName+"/bias", w.ZToState.Bias, 0, 1, w.ZToState.Out)
	for k, d := range w.Dec {
		if k == 0 {
			c0, ins := cell(decName(0), d, c.classes(), Z)
			l.dec, l.dec0z = append(l.dec, c0), ins[1]
			continue
		}
		ck, _ := cell(decName(k), d, d.In)
		l.dec = append(l.dec, ck)
	}
	l.outK = l.param(outName+"/kernel", w.Out.Kernel, 0, w.Out.In, c.classes())
	l.outB = l.param(outName+"/bias", w.Out.Bias, 0, 1, c.classes())
	return l
}

// param makes a node over rows row..row+rows of a [*, cols] tensor's values (no copy; a vector
// when rows is 1 and the tensor is a bias).
func (l *layers) param(name string, values []float32, row, rows, cols int) *G.Node {
	data := values[row*cols : (row+rows)*cols]
	label := fmt.Sprintf("%s[%d:%d]", name, row, row+rows)
	var n *G.Node
	if len(values) == cols && rows == 1 { // a bias
		n = G.NewVector(l.g, tensor.Float32, G.WithShape(cols), G.WithName(label),
			G.WithValue(tensor.New(tensor.WithShape(cols), tensor.WithBacking(data))))
	} else {
		n = G.NewMatrix(l.g, tensor.Float32, G.WithShape(rows, cols), G.WithName(label),
			G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))))
	}
	l.pieces = append(l.pieces, piece{node: n, tensor: name, off: row * cols})
	return n
}

// params lists every parameter node, in a fixed order.
func (l *layers) params() G.Nodes {
	ns := make(G.Nodes, len(l.pieces))
	for i, p := range l.pieces {
		ns[i] = p.node
	}
	return ns
}

// input makes an input node of the given shape with a zero value.
func input(g *G.ExprGraph, name string, shape ...int) *G.Node {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(make([]float32, n)))))
}

// encode runs the bidirectional encoder over xs, one [B] node of event indices per step, and
// returns mu and sigma, [B, Z] each.
func (l *layers) encode(xs []*G.Node) (mu, sigma *G.Node) {
	B, E := xs[0].Shape()[0], l.cfg.EncoderSize
	run := func(cell lstm, name string, order func(i int) int) *G.Node {
		s := input(l.g, name+"/state0", 2, B, E) // zeros: c and h
		for i := range Steps {
			s = must(nn.LSTMStep(s, cell.rec, cell.bias, must(nn.Embed(cell.in, xs[order(i)])))) // [7, B, E]
		}
		return must(nn.Block(s, nn.BlockH)) // [B, E]
	}
	hFw := run(l.encFw, "encoder/fw", func(i int) int { return i })
	hBw := run(l.encBw, "encoder/bw", func(i int) int { return Steps - 1 - i })
	mu = must(G.Add(must(nn.Affine(hFw, l.muFw, l.muB)), must(nn.MatMul(hBw, l.muBw, false, false))))   // [B, Z]
	pre := must(G.Add(must(nn.Affine(hFw, l.sgFw, l.sgB)), must(nn.MatMul(hBw, l.sgBw, false, false)))) // [B, Z]
	return mu, must(G.Softplus(pre))
}

// start maps z [B, Z] to the decoder's initial states, tanh(dense(z)) as [2, B, Dk] per layer
// (c, then h), and z's share of the first cell's gates [B, 4*D0], the same at every step.
func (l *layers) start(z *G.Node) (states []*G.Node, zShare *G.Node) {
	all := must(nn.TanhNode(must(nn.Affine(z, l.zK, l.zB)))) // [B, 2*sum(D)]: c0, h0, c1, h1, ...
	off := 0
	for _, d := range l.cfg.DecoderSizes {
		states = append(states, must(nn.StateFrom(all, off, d))) // [2, B, Dk]
		off += 2 * d
	}
	return states, must(nn.MatMul(z, l.dec0z, false, false))
}

// step advances the decoder one step from the previous event prev [B] (an index; -1 for none)
// and returns the new states ([7, B, Dk] per layer; blocks 0 and 1 are c and h) and the logits
// [B, classes].
func (l *layers) step(prev, zShare *G.Node, states []*G.Node) (next []*G.Node, logits *G.Node) {
	d0 := l.dec[0]
	s := must(nn.LSTMStep(states[0], d0.rec, d0.bias, must(nn.Embed(d0.in, prev)), zShare))
	next = append(next, s)
	for k := 1; k < len(l.dec); k++ {
		dk := l.dec[k]
		h := must(nn.Block(s, nn.BlockH))
		s = must(nn.LSTMStep(states[k], dk.rec, dk.bias, must(nn.MatMul(h, dk.in, false, false))))
		next = append(next, s)
	}
	return next, must(nn.Affine(must(nn.Block(s, nn.BlockH)), l.outK, l.outB))
}

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// catch turns a panic from must while building a graph into an error.
func catch(err *error, what string) {
	if r := recover(); r != nil {
		e, ok := r.(error)
		if !ok {
			panic(r)
		}
		*err = fmt.Errorf("musicvae: %s: %w", what, e)
	}
}
