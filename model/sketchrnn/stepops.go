package sketchrnn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// actOp is an LSTM's activation, sigmoid or tanh, as a Gorgonia op over float32 tensors that
// computes with nn.Sigmoids and nn.Tanhs. Gorgonia's own sigmoid calls float64 math.Exp through a
// function value for every element, and took a fifth of a step-graph training step. Its
// derivative is symbolic (SymDiff), so Gorgonia still differentiates the graphs that use it.
type actOp struct{ tanh bool }

func sigmoidNode(x *G.Node) *G.Node { return G.Must(G.ApplyOp(actOp{}, x)) }
func tanhNode(x *G.Node) *G.Node    { return G.Must(G.ApplyOp(actOp{tanh: true}, x)) }

func (op actOp) Arity() int { return 1 }

// Type is a -> a, as Gorgonia's elementwise unary ops.
func (op actOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op actOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%v: input shape %v", op, in[0])
	}
	return s.Clone(), nil
}

func (op actOp) Do(in ...G.Value) (G.Value, error) {
	x, err := op.input(in)
	if err != nil {
		return nil, err
	}
	y := tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.Of(tensor.Float32))
	op.apply(y.Data().([]float32), x.Data().([]float32))
	return y, nil
}

// UsePreallocDo writes into a buffer the tape machine already holds.
func (op actOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, err := op.input(in)
	if err != nil {
		return nil, err
	}
	y, ok := prealloc.(*tensor.Dense)
	if !ok || y.IsView() || y.Dtype() != tensor.Float32 || !y.Shape().Eq(x.Shape()) {
		return nil, fmt.Errorf("%v: cannot write into %T", op, prealloc)
	}
	op.apply(y.Data().([]float32), x.Data().([]float32))
	return y, nil
}

// UnsafeDo overwrites the input (the tape machine asks when nothing else reads it).
func (op actOp) UnsafeDo(in ...G.Value) (G.Value, error) {
	x, err := op.input(in)
	if err != nil {
		return nil, err
	}
	if x.IsView() {
		return op.Do(x)
	}
	d := x.Data().([]float32)
	op.apply(d, d)
	return x, nil
}

func (op actOp) input(in []G.Value) (*tensor.Dense, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%v: %d inputs, want 1", op, len(in))
	}
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("%v: input of type %T, want a float32 tensor", op, in[0])
	}
	if x.IsView() {
		x = x.Materialize().(*tensor.Dense)
	}
	return x, nil
}

// apply writes the activation of x into y (which may be x), in three passes so that the exp
// loop has no calls: sigmoid(x) = 1/(1+exp(-x)) and tanh(x) = 2/(1+exp(-2x)) - 1.
func (op actOp) apply(y, x []float32) {
	if op.tanh {
		nn.Tanhs(y, x)
		return
	}
	nn.Sigmoids(y, x)
}

func (op actOp) ReturnsPtr() bool      { return true }
func (op actOp) CallsExtern() bool     { return false }
func (op actOp) OverwritesInput() int  { return 0 }
func (op actOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }

func (op actOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op actOp) String() string {
	if op.tanh {
		return "tanhf"
	}
	return "sigmoidf"
}

func (op actOp) DiffWRT(inputs int) []bool { return []bool{true} }

// SymDiff gives the input's gradient from the output y: grad⊙y⊙(1-y) for the sigmoid,
// grad⊙(1-y²) for tanh.
func (op actOp) SymDiff(in G.Nodes, y, grad *G.Node) (G.Nodes, error) {
	one := G.NewConstant(float32(1))
	var d *G.Node
	var err error
	if op.tanh {
		if d, err = G.Square(y); err == nil {
			d, err = G.Sub(one, d)
		}
	} else if d, err = G.Sub(one, y); err == nil {
		d, err = G.HadamardProd(y, d)
	}
	if err == nil {
		d, err = G.HadamardProd(d, grad)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: derivative: %w", op, err)
	}
	return G.Nodes{d}, nil
}
