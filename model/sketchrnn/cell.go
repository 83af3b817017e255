package sketchrnn

import (
	"fmt"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file is the model's one definition in Gorgonia: the pieces that decoding, encoding and
// training build their step graphs from. Parameter nodes share their backing with the Weights,
// so a graph always computes with the current weights (Adam updates them in place) and costs no
// copy to build.

// paramNode is a node over data (not a copy), of the given shape.
func paramNode(g *G.ExprGraph, name string, data []float32, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))))
}

// inputNode is a zeroed node that the caller fills through nn.Values before each run.
func inputNode(g *G.ExprGraph, name string, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))))
}

// scalarInput is a scalar node and the value the caller sets before each run.
func scalarInput(g *G.ExprGraph, name string) (*G.Node, *G.F32) {
	v := G.NewF32(0)
	return G.NewScalar(g, tensor.Float32, G.WithName(name), G.WithValue(v)), v
}

// cellParams are an LSTM cell's kernel split by input part: its rows for the stroke-5 input
// (x), for z (the decoder of a conditional model), and the recurrent ones, each [rows, 4H].
type cellParams struct {
	x, z, rec, bias *G.Node
}

// newCellParams ties a cell's parts to their rows of cell.Kernel [In+H, 4H]; zRows is the size
// of the input after the 5 stroke values (0 for the encoders and an unconditional decoder).
func newCellParams(g *G.ExprGraph, name string, cell nn.LSTMCell, zRows int) cellParams {
	H4 := 4 * cell.Hidden
	cp := cellParams{
		x:    paramNode(g, name+"/kernel/x", cell.Rows(0, 5), 5, H4),
		rec:  paramNode(g, name+"/kernel/h", cell.Rows(cell.In, cell.Hidden), cell.Hidden, H4),
		bias: paramNode(g, name+"/bias", cell.Bias, H4),
	}
	if zRows > 0 {
		cp.z = paramNode(g, name+"/kernel/z", cell.Rows(5, zRows), zRows, H4)
	}
	return cp
}

// step is the cell's step from state [2, B, H] (c, h) on x [B, 5], with more shares of the gates
// in pres ([B, 4H] each): its output is [7, B, H], c' and h' first (nn.LSTMStep).
func (cp cellParams) step(state, x *G.Node, pres ...*G.Node) (*G.Node, error) {
	xw, err := nn.MatMul(x, cp.x, false, false) // [B, 4H]
	if err != nil {
		return nil, err
	}
	return nn.LSTMStep(state, cp.rec, cp.bias, append([]*G.Node{xw}, pres...)...)
}

// denseParams is a dense layer's kernel [In, Out] and bias [Out].
type denseParams struct{ kernel, bias *G.Node }

func newDenseParams(g *G.ExprGraph, name string, d nn.Dense) denseParams {
	return denseParams{paramNode(g, name+"/kernel", d.Kernel, d.In, d.Out), paramNode(g, name+"/bias", d.Bias, d.Out)}
}

func (d denseParams) apply(x *G.Node) (*G.Node, error) { return nn.Affine(x, d.kernel, d.bias) }

// headNodes is the map from z to the decoder's start: its initial state and z's share of its
// gates, the same at every step.
type headNodes struct {
	state, share *G.Node // [2, B, H]: tanh(z·W_c + b_c), tanh(z·W_h + b_h); [B, 4H]: z·W_z
}

// decoderStart builds the head from z [B, Z].
func decoderStart(initC, initH denseParams, dec cellParams, z *G.Node) (headNodes, error) {
	var ch [2]*G.Node // c0, h0: [B, H]
	for i, d := range []denseParams{initC, initH} {
		p, err := d.apply(z)
		if err != nil {
			return headNodes{}, err
		}
		if ch[i], err = nn.TanhNode(p); err != nil {
			return headNodes{}, err
		}
	}
	state, err := nn.Stack(ch[0], ch[1])
	if err != nil {
		return headNodes{}, err
	}
	share, err := nn.MatMul(z, dec.z, false, false)
	if err != nil {
		return headNodes{}, err
	}
	return headNodes{state, share}, nil
}

// decoderStep is the decoder's step graph: the new state y [7, B, H] and the output layer's rows
// out [B, 3+6M], from state [2, B, H], x [B, 5] and z's share (nil if unconditional).
func decoderStep(dec cellParams, output denseParams, state, x, share *G.Node) (y, out *G.Node, err error) {
	var pres []*G.Node
	if share != nil {
		pres = append(pres, share)
	}
	if y, err = dec.step(state, x, pres...); err != nil {
		return nil, nil, err
	}
	h, err := nn.Block(y, nn.BlockH) // [B, H]
	if err != nil {
		return nil, nil, err
	}
	out, err = output.apply(h)
	return y, out, err
}

// posterior is mu and presig [B, Z] of q(z|x) from the encoder's final h of both directions, hEnc [B, 2E].
func posterior(muL, presigL denseParams, hEnc *G.Node) (mu, presig *G.Node, err error) {
	if mu, err = muL.apply(hEnc); err != nil {
		return nil, nil, err
	}
	presig, err = presigL.apply(hEnc)
	return mu, presig, err
}

// sampleZ is z = mu + exp(presig/2)⊙eps, [B, Z].
func sampleZ(mu, presig, eps *G.Node) (*G.Node, error) {
	half, err := G.HadamardProd(presig, G.NewConstant(float32(0.5)))
	if err != nil {
		return nil, err
	}
	sigma, err := G.Exp(half)
	if err != nil {
		return nil, err
	}
	noise, err := G.HadamardProd(sigma, eps)
	if err != nil {
		return nil, err
	}
	return G.Add(mu, noise)
}

// klLoss is sketch-rnn's KL term, -0.5·mean(1 + presig - mu² - exp(presig)) over [B, Z].
func klLoss(mu, presig *G.Node) (_ *G.Node, err error) {
	defer catchGraph(&err)
	must := G.Must
	one := G.NewConstant(float32(1))
	terms := must(G.Sub(must(G.Add(one, presig)), must(G.Add(must(G.Square(mu)), must(G.Exp(presig))))))
	return must(G.HadamardProd(G.NewConstant(float32(-0.5)), must(G.Mean(terms)))), nil
}

// catchGraph turns a panic of G.Must while building a graph into an error.
func catchGraph(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("sketch vae graph: %v", r)
	}
}

// setState copies blocks c and h of an LSTM step's output y [7, B, H] into a state input [2, B, H].
func setState(state *G.Node, y []float32) {
	dst := nn.Values(state)
	copy(dst, y[:len(dst)])
}
