package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Replay is a node with the value and the derivative of of, an op node such as an LSTMStep,
// whose output was recorded in rec (same shape) when it ran: it copies rec instead of computing
// of again, and its derivative is of's, built over the same inputs and evaluated at rec. A
// training pass that runs each step forward and records its outputs then differentiates the
// step without recomputing it. The inputs of the replay are of's inputs, then rec; of itself
// need not be computed by the plan that runs the replay.
func Replay(of, rec *G.Node) (*G.Node, error) {
	op, ok := of.Op().(G.SDOp)
	if !ok {
		return nil, fmt.Errorf("replay: %s has no symbolic derivative", of.Name())
	}
	if !of.Shape().Eq(rec.Shape()) {
		return nil, fmt.Errorf("replay: recorded shape %v, want %v", rec.Shape(), of.Shape())
	}
	g := of.Graph()
	var ins []*G.Node
	it := g.From(of.ID())
	for it.Next() {
		ins = append(ins, it.Node().(*G.Node))
	}
	if len(ins) != op.Arity() {
		return nil, fmt.Errorf("replay: %s has %d inputs, want %d", of.Name(), len(ins), op.Arity())
	}
	n := len(ins)
	diff := append(append([]bool(nil), op.DiffWRT(n)...), false)
	meta := newMeta(of.Shape().Clone(), append(ins, rec), "replay(%v)", of.Op())
	return applyFused(meta, diff, func(out []float32, in [][]float32) float32 {
		copy(out, in[n])
		return 0
	}, func(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
		d, err := op.SymDiff(in[:n], out, grad)
		if err != nil {
			return nil, err
		}
		return append(d, nil), nil
	}, append(ins, rec)...)
}
