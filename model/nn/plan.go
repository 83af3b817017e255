package nn

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Plan runs the ops of a Gorgonia graph that lead to some output nodes, in order, over buffers
// allocated once: the tape the models decode and train with. Gorgonia's tape machine drops its
// registers on every Reset and allocates every intermediate again (GORGONIA.md, trap 3) and
// costs ~5 µs per node per run; a plan runs each op through its UsePreallocDo into the buffer
// it owns, so a run costs the ops' arithmetic and a few interface calls per node.
//
// Inputs are fed by writing into their values' backing (Values), never by G.Let, which would give
// the node a value the plan does not know. Outputs (Out) are valid until the next Run. A plan is
// not safe for concurrent use; build one per goroutine (they may share parameter backings).
type Plan struct {
	steps []planStep
	vals  []G.Value       // by node position: inputs' values, ops' latest outputs
	index map[*G.Node]int // node → position in vals
	nodes []*G.Node       // position → node
	fused int             // sums run in place (see fuseSums)
}

type planStep struct {
	node *G.Node
	op   G.Op
	pre  G.UsePreallocDoer // nil when the op allocates its result (Do)
	at   int               // position of the node in vals
	args []int             // positions of its inputs
	in   []G.Value         // scratch: the inputs' values of this run
	add  *fused            // non-nil: the op adds its result into vals[into] (a sum fused away)
	into int
}

// NewPlan lays out the ops that outputs depend on, inputs first. Every input node needs a value.
func NewPlan(outputs ...*G.Node) (*Plan, error) {
	if len(outputs) == 0 {
		return nil, fmt.Errorf("plan: no outputs")
	}
	p := &Plan{index: map[*G.Node]int{}}
	g := outputs[0].Graph()
	// Iterative post-order walk (children first): the order is a topological one.
	type frame struct {
		n    *G.Node
		kids []*G.Node
		next int
	}
	children := func(n *G.Node) []*G.Node {
		it := g.From(n.ID())
		var kids []*G.Node
		for it.Next() {
			kids = append(kids, it.Node().(*G.Node))
		}
		return kids
	}
	visiting := map[*G.Node]bool{}
	for _, out := range outputs {
		if _, done := p.index[out]; done {
			continue
		}
		stack := []frame{{n: out, kids: children(out)}}
		visiting[out] = true
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < len(f.kids) {
				k := f.kids[f.next]
				f.next++
				if _, done := p.index[k]; done {
					continue
				}
				if visiting[k] {
					return nil, fmt.Errorf("plan: the graph has a cycle at %s", k.Name())
				}
				visiting[k] = true
				stack = append(stack, frame{n: k, kids: children(k)})
				continue
			}
			if err := p.add(f.n, f.kids); err != nil {
				return nil, err
			}
			delete(visiting, f.n)
			stack = stack[:len(stack)-1]
		}
	}
	p.fuseSums(outputs)
	return p, nil
}

// fuseSums runs sums of gradients in place. G.Grad adds up the gradient of a parameter used at
// every time step as a chain of Adds, each writing a fresh buffer: x + y, where y is a term
// (W's share of one step, hᵀ·dGates) that nothing else reads. Where the op that makes y can add
// its result to a buffer (matmul, scatter, column sums), it adds into x's buffer instead, and the
// Add is dropped: no pass over the sum per step, and no buffer per term. The sum then lives in
// the buffer of the chain's first term; x must be final before y's op runs, and neither x nor y
// may be read by anything else or be an output.
func (p *Plan) fuseSums(outputs []*G.Node) {
	uses := make([]int, len(p.vals))
	for _, st := range p.steps {
		for _, a := range st.args {
			uses[a]++
		}
	}
	for _, o := range outputs {
		uses[p.index[o]] += 2 // never summed into, never dropped
	}
	producer := map[int]int{}         // position → index of the step that computes it
	root := make([]int, len(p.vals))  // position → position of the buffer that holds its value
	ready := make([]int, len(p.vals)) // position → index of the step after which it is final
	for i := range root {
		root[i] = i
	}
	for i, st := range p.steps {
		producer[st.at], ready[st.at] = i, i
	}
	dropped := make([]bool, len(p.steps))
	for i := range p.steps {
		st := &p.steps[i]
		if len(st.args) != 2 || !isAdd(st.op) || st.node.Dtype() != tensor.Float32 {
			continue
		}
		for _, k := range []int{1, 0} {
			x, y := st.args[1-k], st.args[k]
			_, okX := producer[x]
			yi, okY := producer[y]
			if !okX || !okY || uses[x] != 1 || uses[y] != 1 || ready[x] >= yi {
				continue
			}
			ys, rs := &p.steps[yi], &p.steps[producer[root[x]]]
			f, ok := ys.op.(*fused)
			if !ok || f.add == nil || ys.add != nil || rs.pre == nil {
				continue
			}
			if _, ok := rs.op.(*fused); !ok || rs.add != nil {
				continue // the root buffer must be written whole by a fused op of its own
			}
			shape := st.node.Shape()
			if !shape.Eq(p.nodes[x].Shape()) || !shape.Eq(p.nodes[y].Shape()) {
				continue
			}
			ys.add, ys.into = f, root[x]
			dropped[i] = true
			root[st.at], ready[st.at] = root[x], yi
			p.vals[st.at] = p.vals[root[x]]
			p.fused++
			break
		}
	}
	kept := p.steps[:0]
	for i, st := range p.steps {
		if !dropped[i] {
			kept = append(kept, st)
		}
	}
	p.steps = kept
}

// isAdd reports whether op is Gorgonia's elementwise addition.
func isAdd(op G.Op) bool {
	return fmt.Sprintf("%T", op) == "gorgonia.elemBinOp" && strings.HasPrefix(op.String(), "+ ")
}

func (p *Plan) add(n *G.Node, kids []*G.Node) error {
	at := len(p.vals)
	p.index[n] = at
	p.nodes = append(p.nodes, n)
	op := n.Op()
	if op == nil || len(kids) == 0 { // an input, a parameter or a constant
		v := n.Value()
		if v == nil {
			return fmt.Errorf("plan: input %s has no value", n.Name())
		}
		p.vals = append(p.vals, v)
		return nil
	}
	st := planStep{node: n, op: op, at: at, in: make([]G.Value, len(kids))}
	for _, k := range kids {
		st.args = append(st.args, p.index[k])
	}
	var out G.Value
	if pd, ok := op.(G.UsePreallocDoer); ok && n.Dims() > 0 && n.Dtype() == tensor.Float32 {
		st.pre = pd
		out = tensor.New(tensor.WithShape(n.Shape()...), tensor.Of(tensor.Float32))
	}
	p.vals = append(p.vals, out)
	p.steps = append(p.steps, st)
	return nil
}

// Run computes every op once.
func (p *Plan) Run() error {
	for i := range p.steps {
		st := &p.steps[i]
		for j, a := range st.args {
			st.in[j] = p.vals[a]
		}
		var v G.Value
		var err error
		if st.add != nil {
			if err := st.add.addInto(p.vals[st.into], st.in...); err != nil {
				return fmt.Errorf("%v (%s): %w", st.op, st.node.Name(), err)
			}
			continue
		}
		if st.pre != nil {
			v, err = st.pre.UsePreallocDo(p.vals[st.at], st.in...)
		} else {
			v, err = st.op.Do(st.in...)
		}
		if err != nil {
			return fmt.Errorf("%v (%s): %w", st.op, st.node.Name(), err)
		}
		p.vals[st.at] = v
	}
	return nil
}

// Out returns the float32 data of node n after the last Run (not a copy: the next Run writes it).
func (p *Plan) Out(n *G.Node) []float32 {
	i, ok := p.index[n]
	if !ok {
		panic(fmt.Sprintf("plan: %s is not in the plan", n.Name()))
	}
	switch v := p.vals[i].(type) {
	case nil:
		return nil
	case *G.F32:
		return []float32{float32(*v)}
	case *tensor.Dense:
		return v.Float32s()
	default:
		return v.Data().([]float32)
	}
}

// Scalar returns the value of a scalar (or one-element) node after the last Run.
func (p *Plan) Scalar(n *G.Node) float32 { return p.Out(n)[0] }

// Has reports whether the plan computes or reads n.
func (p *Plan) Has(n *G.Node) bool { _, ok := p.index[n]; return ok }

// Fused is the number of Adds that run in place (fuseSums).
func (p *Plan) Fused() int { return p.fused }

// Len is the number of ops a run executes.
func (p *Plan) Len() int { return len(p.steps) }

// Values returns the float32 backing of n's value (not a copy): inputs are fed and parameters
// updated through it.
func Values(n *G.Node) []float32 {
	switch v := n.Value().(type) {
	case nil:
		return nil
	case *tensor.Dense:
		return v.Float32s()
	default:
		return v.Data().([]float32)
	}
}
