package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LSTM is a TensorFlow BasicLSTMCell in a Gorgonia graph. The kernel [In+H, 4H] is held as row
// blocks, one per input part and one for h, so that no graph op ever slices it (G.Slice merges
// slices whose bounds agree modulo 256) and a caller can add a constant part (z) only once.
//
// Graphs built with these pieces should feed each time step as its own input node and keep
// per-step outputs apart: G.Slice of a [T*B, ...] tensor and G.Concat both differentiate
// through slices that collide at offsets of 256 and more, and a slice's gradient is a full-size
// tensor (O(T²) work over an unrolled sequence).
type LSTM struct {
	Parts  []int     // sizes of the input parts, in kernel row order; they sum to In
	Hidden int       // H
	In     []*G.Node // In[p]: [Parts[p], 4H], the kernel rows of input part p
	Rec    *G.Node   // [H, 4H], the kernel's last H rows
	Bias   *G.Node   // [4H]
	forget *G.Node   // scalar ForgetBias

	// The same parameters split by gate (i, j, f, o), for InputGates and StepGates: made once
	// per graph by Reshape to [n, 4, H] and a Slice of small index, so that no step slices.
	inGates  [][4]*G.Node // [Parts[p], H]
	recGates [4]*G.Node   // [H, H]
	biasGate [4]*G.Node   // [H]
}

// Gates holds an LSTM's four gate pre-activations i, j, f, o, [B, H] each.
type Gates [4]*G.Node

// NewLSTM adds the parameters of cell w to g as nodes named name/kernel/..., name/bias, starting
// from w's values (copied). parts splits w.In; with none, the input is one part.
func NewLSTM(g *G.ExprGraph, name string, w LSTMCell, parts ...int) (*LSTM, error) {
	if err := w.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(parts) == 0 {
		parts = []int{w.In}
	}
	sum := 0
	for _, p := range parts {
		sum += p
	}
	if sum != w.In {
		return nil, fmt.Errorf("%s: input parts %v do not add up to %d", name, parts, w.In)
	}
	H := w.Hidden
	l := &LSTM{Parts: parts, Hidden: H}
	from := 0
	for i, p := range parts {
		l.In = append(l.In, matrix(g, fmt.Sprintf("%s/kernel/in%d", name, i), p, 4*H, w.Rows(from, p)))
		from += p
	}
	l.Rec = matrix(g, name+"/kernel/rec", H, 4*H, w.Rows(w.In, H))
	l.Bias = G.NewVector(g, tensor.Float32, G.WithShape(4*H), G.WithName(name+"/bias"),
		G.WithValue(tensor.New(tensor.WithShape(4*H), tensor.WithBacking(clone(w.Bias)))))
	l.forget = G.NewConstant(float32(ForgetBias), G.WithName(name+"/forget_bias"))
	if err := l.splitGates(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l, nil
}

// splitGates makes the per-gate views of the kernel blocks and the bias.
func (l *LSTM) splitGates() (err error) {
	defer catch(&err, "lstm gates")
	H := l.Hidden
	split := func(n *G.Node, rows int) (out [4]*G.Node) {
		r := G.Must(G.Reshape(n, tensor.Shape{rows, 4, H})) // [rows, 4, H]
		for k := range out {
			out[k] = G.Must(G.Slice(r, nil, G.S(k))) // [rows, H]
		}
		return out
	}
	for p, in := range l.In {
		l.inGates = append(l.inGates, split(in, l.Parts[p]))
	}
	l.recGates = split(l.Rec, H)
	b := G.Must(G.Reshape(l.Bias, tensor.Shape{4, H})) // [4, H]
	for k := range l.biasGate {
		l.biasGate[k] = G.Must(G.Slice(b, G.S(k))) // [H]
	}
	return nil
}

// InputGates returns input part p's share of each gate: x [B, Parts[p]] → 4 × [B, H].
func (l *LSTM) InputGates(p int, x *G.Node) (g Gates, err error) {
	defer catch(&err, "lstm input gates")
	for k := range g {
		g[k] = G.Must(G.Mul(x, l.inGates[p][k]))
	}
	return g, nil
}

// AddGates returns a + b gate by gate.
func AddGates(a, b Gates) (g Gates, err error) {
	defer catch(&err, "lstm gates")
	for k := range g {
		g[k] = G.Must(G.Add(a[k], b[k]))
	}
	return g, nil
}

// StepGates is Step with the input's share given gate by gate (see InputGates). It computes
// the same as Step, with four narrower products in place of one product and a split: in
// Gorgonia, slicing the [B, 4H] gates at each step (and its gradient) costs more than the
// products.
func (l *LSTM) StepGates(pre Gates, c, h *G.Node) (c2, h2 *G.Node, err error) {
	defer catch(&err, "lstm step")
	var a [4]*G.Node
	for k := range a {
		g := G.Must(G.Add(pre[k], G.Must(G.Mul(h, l.recGates[k]))))     // [B, H]
		a[k] = G.Must(G.BroadcastAdd(g, l.biasGate[k], nil, []byte{0})) // [B, H]
	}
	i := G.Must(G.Sigmoid(a[0]))
	j := G.Must(G.Tanh(a[1]))
	f := G.Must(G.Sigmoid(G.Must(G.Add(a[2], l.forget))))
	o := G.Must(G.Sigmoid(a[3]))
	c2 = G.Must(G.Add(G.Must(G.HadamardProd(c, f)), G.Must(G.HadamardProd(i, j)))) // [B, H]
	h2 = G.Must(G.HadamardProd(G.Must(G.Tanh(c2)), o))                             // [B, H]
	return c2, h2, nil
}

// Params lists the trainable nodes: the input blocks, the recurrent block, the bias.
func (l *LSTM) Params() []*G.Node { return append(append([]*G.Node{}, l.In...), l.Rec, l.Bias) }

// Cell returns the current weights in TensorFlow's layout (copies).
func (l *LSTM) Cell() LSTMCell {
	c := LSTMCell{Hidden: l.Hidden, Bias: clone(values(l.Bias))}
	for i, n := range l.In {
		c.In += l.Parts[i]
		c.Kernel = append(c.Kernel, values(n)...)
	}
	c.Kernel = append(c.Kernel, values(l.Rec)...)
	return c
}

// Input returns input part p's share of the gates: x [B, Parts[p]] → [B, 4H].
func (l *LSTM) Input(p int, x *G.Node) (_ *G.Node, err error) {
	defer catch(&err, "lstm input")
	return G.Must(G.Mul(x, l.In[p])), nil
}

// Step runs one step. pre [B, 4H] is the sum of the input parts' shares (see Input);
// c and h are [B, H]; it returns c' and h', [B, H] each.
func (l *LSTM) Step(pre, c, h *G.Node) (c2, h2 *G.Node, err error) {
	defer catch(&err, "lstm step")
	B, H := h.Shape()[0], l.Hidden
	gates := G.Must(G.Add(pre, G.Must(G.Mul(h, l.Rec))))                       // [B, 4H]
	gates = G.Must(G.BroadcastAdd(gates, l.Bias, nil, []byte{0}))              // [B, 4H]
	split := G.Must(G.Reshape(gates, tensor.Shape{B, 4, H}))                   // [B, 4, H]
	gate := func(k int) *G.Node { return G.Must(G.Slice(split, nil, G.S(k))) } // [B, H]
	i := G.Must(G.Sigmoid(gate(0)))
	j := G.Must(G.Tanh(gate(1)))
	f := G.Must(G.Sigmoid(G.Must(G.Add(gate(2), l.forget))))
	o := G.Must(G.Sigmoid(gate(3)))
	c2 = G.Must(G.Add(G.Must(G.HadamardProd(c, f)), G.Must(G.HadamardProd(i, j)))) // [B, H]
	h2 = G.Must(G.HadamardProd(G.Must(G.Tanh(c2)), o))                             // [B, H]
	return c2, h2, nil
}

// Linear is a dense layer y = x·Kernel + Bias in a Gorgonia graph. Like LSTM, it holds the
// kernel as row blocks, one per input part, so that callers never Concat their inputs (the
// gradient of G.Concat slices, with the same hash trap as G.Slice).
type Linear struct {
	Parts  []int     // sizes of the input parts, in kernel row order
	Kernel []*G.Node // Kernel[p]: [Parts[p], Out]
	Bias   *G.Node   // [Out]
}

// NewLinear adds the parameters of d to g as name/kernel/in0.. and name/bias, starting from d's
// values. parts splits d.In; with none, the input is one part.
func NewLinear(g *G.ExprGraph, name string, d Dense, parts ...int) (*Linear, error) {
	if err := d.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(parts) == 0 {
		parts = []int{d.In}
	}
	l := &Linear{Parts: parts}
	from := 0
	for i, p := range parts {
		if p <= 0 || from+p > d.In {
			break
		}
		l.Kernel = append(l.Kernel, matrix(g, fmt.Sprintf("%s/kernel/in%d", name, i), p, d.Out, d.Kernel[from*d.Out:(from+p)*d.Out]))
		from += p
	}
	if from != d.In || len(l.Kernel) != len(parts) {
		return nil, fmt.Errorf("%s: input parts %v do not add up to %d", name, parts, d.In)
	}
	l.Bias = G.NewVector(g, tensor.Float32, G.WithShape(d.Out), G.WithName(name+"/bias"),
		G.WithValue(tensor.New(tensor.WithShape(d.Out), tensor.WithBacking(clone(d.Bias)))))
	return l, nil
}

// Params lists the kernel blocks and the bias.
func (l *Linear) Params() []*G.Node { return append(append([]*G.Node{}, l.Kernel...), l.Bias) }

// Dense returns the current weights (copies), the kernel blocks joined.
func (l *Linear) Dense() Dense {
	d := Dense{Out: l.Bias.Shape()[0], Bias: clone(values(l.Bias))}
	for i, k := range l.Kernel {
		d.In += l.Parts[i]
		d.Kernel = append(d.Kernel, values(k)...)
	}
	return d
}

// Apply returns x·Kernel + Bias, x given as its parts: xs[p] [B, Parts[p]] → [B, Out].
func (l *Linear) Apply(xs ...*G.Node) (_ *G.Node, err error) {
	defer catch(&err, "linear")
	if len(xs) != len(l.Kernel) {
		return nil, fmt.Errorf("%d inputs for %d parts", len(xs), len(l.Kernel))
	}
	var y *G.Node
	for p, x := range xs {
		xk := G.Must(G.Mul(x, l.Kernel[p])) // [B, Out]
		if y == nil {
			y = xk
		} else {
			y = G.Must(G.Add(y, xk))
		}
	}
	return G.Must(G.BroadcastAdd(y, l.Bias, nil, []byte{0})), nil
}

// Values returns the float32 backing of n's value (not a copy): parameters are updated in place.
func Values(n *G.Node) []float32 { return values(n) }

func values(n *G.Node) []float32 {
	if n.Value() == nil {
		return nil
	}
	return n.Value().Data().([]float32)
}

func matrix(g *G.ExprGraph, name string, rows, cols int, data []float32) *G.Node {
	return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(clone(data)))))
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// catch turns a panic from G.Must during graph construction into an error.
func catch(err *error, what string) {
	if r := recover(); r != nil {
		e, ok := r.(error)
		if !ok {
			panic(r)
		}
		*err = fmt.Errorf("%s: %w", what, e)
	}
}
