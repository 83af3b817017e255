package nn

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The ops here are the models' building blocks as Gorgonia ops, each with its symbolic
// derivative (made of these ops too), so that one graph serves training (G.Grad or
// G.Backpropagate) and decoding (a Plan). They are fused where Gorgonia's own ops would cost
// one node each for a handful of flops: an LSTM step is one node, not thirty. Every op computes
// in float32 with the kernels the plain-Go oracle uses (gemm, Sigmoids, Tanhs), writes into the
// buffer a Plan gives it (UsePreallocDo), and carries its shapes in its hash, because Gorgonia
// merges nodes whose op hashes and inputs agree.

// opMeta is what every op here shares: its name (with every parameter) and output shape.
type opMeta struct {
	name  string
	shape tensor.Shape
	types []hm.Type // inputs, then output
}

func newMeta(shape tensor.Shape, ins []*G.Node, format string, args ...any) opMeta {
	m := opMeta{name: fmt.Sprintf(format, args...) + fmt.Sprint(shape), shape: shape}
	for _, n := range ins {
		m.types = append(m.types, typeOf(len(n.Shape())))
	}
	m.types = append(m.types, typeOf(len(shape)))
	return m
}

func typeOf(dims int) hm.Type {
	if dims == 0 {
		return tensor.Float32
	}
	return G.TensorType{Dims: dims, Of: tensor.Float32}
}

func (m opMeta) Arity() int    { return len(m.types) - 1 }
func (m opMeta) Type() hm.Type { return hm.NewFnType(m.types...) }
func (m opMeta) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return m.shape.Clone(), nil
}
func (m opMeta) ReturnsPtr() bool      { return false }
func (m opMeta) CallsExtern() bool     { return false }
func (m opMeta) OverwritesInput() int  { return -1 }
func (m opMeta) WriteHash(h hash.Hash) { fmt.Fprint(h, m.name) }
func (m opMeta) String() string        { return m.name }
func (m opMeta) Hashcode() uint32 {
	h := fnv.New32a()
	m.WriteHash(h)
	return h.Sum32()
}

// alloc returns a zeroed output tensor of the op's shape.
func (m opMeta) alloc() *tensor.Dense {
	return tensor.New(tensor.WithShape(m.shape.Clone()...), tensor.Of(tensor.Float32))
}

// data returns the float32 backing of each value (materialized if a view) in out, reused.
// Float32s reads a tensor's backing directly; Data builds the slice by reflection, which took a
// fifth of a batch-1 decode.
func data(out [][]float32, vs []G.Value) ([][]float32, error) {
	out = out[:0]
	for i, v := range vs {
		switch t := v.(type) {
		case *tensor.Dense:
			if t.IsView() {
				t = t.Materialize().(*tensor.Dense)
			}
			if t.Dtype() != tensor.Float32 {
				return nil, fmt.Errorf("input %d is %v, want float32", i, t.Dtype())
			}
			out = append(out, t.Float32s())
		case *G.F32:
			out = append(out, []float32{float32(*t)})
		default:
			return nil, fmt.Errorf("input %d is a %T", i, v)
		}
	}
	return out, nil
}

// into returns the backing of a preallocated output, checked against the op's shape.
func (m opMeta) into(prealloc G.Value) ([]float32, G.Value, error) {
	if m.shape.Dims() == 0 {
		f, ok := prealloc.(*G.F32)
		if !ok {
			f = G.NewF32(0)
		}
		return nil, f, nil
	}
	t, ok := prealloc.(*tensor.Dense)
	if !ok || t.IsView() || t.Dtype() != tensor.Float32 || t.Shape().TotalSize() != m.shape.TotalSize() {
		return nil, nil, fmt.Errorf("%s: cannot write into %v", m.name, prealloc)
	}
	return t.Float32s(), t, nil
}

// fused is an op computed by a function over the inputs' and the output's float32 data.
type fused struct {
	opMeta
	diff []bool                                      // DiffWRT
	fn   func(out []float32, in [][]float32) float32 // returns the value of a scalar output
	// add, where the op has it, adds the result to out instead of writing it: a Plan uses it
	// to sum gradients in place (see Plan.fuseSums).
	add  func(out []float32, in [][]float32)
	grad func(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
	in   [][]float32 // scratch: the inputs' data of a run
}

func applyFused(m opMeta, diff []bool, fn func(out []float32, in [][]float32) float32,
	grad func(in G.Nodes, out, grad *G.Node) (G.Nodes, error), ins ...*G.Node) (*G.Node, error) {
	return G.ApplyOp(&fused{opMeta: m, diff: diff, fn: fn, grad: grad}, ins...)
}

// applyAdding is applyFused for an op that can also add its result to a buffer (add).
func applyAdding(m opMeta, diff []bool, fn func(out []float32, in [][]float32) float32, add func(out []float32, in [][]float32),
	grad func(in G.Nodes, out, grad *G.Node) (G.Nodes, error), ins ...*G.Node) (*G.Node, error) {
	return G.ApplyOp(&fused{opMeta: m, diff: diff, fn: fn, add: add, grad: grad}, ins...)
}

func (f *fused) Do(in ...G.Value) (G.Value, error) {
	var pre G.Value
	if f.shape.Dims() > 0 {
		pre = f.alloc()
	}
	return f.UsePreallocDo(pre, in...)
}

func (f *fused) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != f.Arity() {
		return nil, fmt.Errorf("%s: %d inputs, want %d", f.name, len(in), f.Arity())
	}
	d, err := data(f.in, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	f.in = d
	out, v, err := f.into(prealloc)
	if err != nil {
		return nil, err
	}
	s := f.fn(out, d)
	if sc, ok := v.(*G.F32); ok {
		*sc = G.F32(s)
	}
	return v, nil
}

// addInto runs the op's add into dst's backing (a Dense of the op's shape).
func (f *fused) addInto(dst G.Value, in ...G.Value) error {
	d, err := data(f.in, in)
	if err != nil {
		return fmt.Errorf("%s: %w", f.name, err)
	}
	f.in = d
	out, _, err := f.into(dst)
	if err != nil {
		return err
	}
	f.add(out, d)
	return nil
}

func (f *fused) DiffWRT(int) []bool { return f.diff }

func (f *fused) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if f.grad == nil {
		return nil, fmt.Errorf("%s has no derivative", f.name)
	}
	return f.grad(in, out, grad)
}

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// guard turns a panic from must while building a derivative into an error.
func guard(err *error) {
	if r := recover(); r != nil {
		e, ok := r.(error)
		if !ok {
			panic(r)
		}
		*err = e
	}
}

// matmul writes op(a)·op(b) into c: op(a) is [m, k], op(b) is [k, n], c is [m, n], row-major.
func matmul(c, a, b []float32, m, k, n int, tA, tB bool) {
	if !tA && !tB {
		clear(c)
	}
	matmulAdd(c, a, b, m, k, n, tA, tB, 0)
}

// matmulAdd adds op(a)·op(b) to beta·c (beta 0 or 1; with neither transposed, c is added to).
func matmulAdd(c, a, b []float32, m, k, n int, tA, tB bool, beta float32) {
	if !tA && !tB {
		gemm(c, a, b, m, k, n)
		return
	}
	ta, tb := blas.NoTrans, blas.NoTrans
	A := blas32.General{Rows: m, Cols: k, Stride: k, Data: a}
	if tA {
		ta, A = blas.Trans, blas32.General{Rows: k, Cols: m, Stride: m, Data: a}
	}
	B := blas32.General{Rows: k, Cols: n, Stride: n, Data: b}
	if tB {
		tb, B = blas.Trans, blas32.General{Rows: n, Cols: k, Stride: k, Data: b}
	}
	blas32.Gemm(ta, tb, 1, A, B, beta, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
}

// dims2 returns the two sizes of a matrix node, transposed if t.
func dims2(n *G.Node, t bool) (int, int) {
	s := n.Shape()
	if t {
		return s[1], s[0]
	}
	return s[0], s[1]
}

// MatMul is op(a)·op(b) for matrices, op transposing where tA, tB say.
func MatMul(a, b *G.Node, tA, tB bool) (*G.Node, error) {
	if a.Dims() != 2 || b.Dims() != 2 {
		return nil, fmt.Errorf("matmul: shapes %v and %v are not matrices", a.Shape(), b.Shape())
	}
	m, k := dims2(a, tA)
	k2, n := dims2(b, tB)
	if k != k2 {
		return nil, fmt.Errorf("matmul: shapes %v%s and %v%s do not chain", a.Shape(), tick(tA), b.Shape(), tick(tB))
	}
	meta := newMeta(tensor.Shape{m, n}, []*G.Node{a, b}, "matmul%s%s", tick(tA), tick(tB))
	fn := func(out []float32, in [][]float32) float32 {
		matmul(out, in[0], in[1], m, k, n, tA, tB)
		return 0
	}
	add := func(out []float32, in [][]float32) { matmulAdd(out, in[0], in[1], m, k, n, tA, tB, 1) }
	return applyAdding(meta, []bool{true, true}, fn, add, func(in G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		a, b := in[0], in[1]
		var da, db *G.Node
		if tA {
			da = must(MatMul(b, g, tB, true))
		} else {
			da = must(MatMul(g, b, false, !tB))
		}
		if tB {
			db = must(MatMul(g, a, true, tA))
		} else {
			db = must(MatMul(a, g, !tA, false))
		}
		return G.Nodes{da, db}, nil
	}, a, b)
}

func tick(t bool) string {
	if t {
		return "ᵀ"
	}
	return ""
}

// Affine is x·w + b: x [B, In], w [In, Out], b [Out] → [B, Out].
func Affine(x, w, b *G.Node) (*G.Node, error) {
	xs, ws, bs := x.Shape(), w.Shape(), b.Shape()
	if len(xs) != 2 || len(ws) != 2 || len(bs) != 1 || xs[1] != ws[0] || bs[0] != ws[1] {
		return nil, fmt.Errorf("affine: shapes %v · %v + %v do not fit", xs, ws, bs)
	}
	B, In, Out := xs[0], ws[0], ws[1]
	meta := newMeta(tensor.Shape{B, Out}, []*G.Node{x, w, b}, "affine")
	fn := func(out []float32, in [][]float32) float32 {
		for r := range B {
			copy(out[r*Out:(r+1)*Out], in[2])
		}
		gemm(out, in[0], in[1], B, In, Out)
		return 0
	}
	return applyFused(meta, []bool{true, true, true}, fn, func(in G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(MatMul(g, in[1], false, true)), must(MatMul(in[0], g, true, false)), must(ColSum(g))}, nil
	}, x, w, b)
}

// ColSum sums a matrix's rows: [B, N] → [N].
func ColSum(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 2 {
		return nil, fmt.Errorf("colsum: shape %v is not a matrix", s)
	}
	B, N := s[0], s[1]
	meta := newMeta(tensor.Shape{N}, []*G.Node{x}, "colsum")
	add := func(out []float32, in [][]float32) {
		for r := range B {
			row := in[0][r*N : (r+1)*N]
			for i, v := range row {
				out[i] += v
			}
		}
	}
	return applyAdding(meta, []bool{true}, func(out []float32, in [][]float32) float32 {
		clear(out)
		add(out, in)
		return 0
	}, add, func(_ G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(rows(g, B))}, nil
	}, x)
}

// rows repeats a vector [N] as the B rows of a matrix [B, N].
func rows(v *G.Node, B int) (*G.Node, error) {
	N := v.Shape()[0]
	meta := newMeta(tensor.Shape{B, N}, []*G.Node{v}, "rows")
	return applyFused(meta, []bool{false}, func(out []float32, in [][]float32) float32 {
		for r := range B {
			copy(out[r*N:(r+1)*N], in[0])
		}
		return 0
	}, nil, v)
}

// State blocks of an LSTM node's output [7, B, H]: the new c and h, then what the derivative
// reuses: the gates' activations and tanh(c').
const (
	BlockC = iota
	BlockH
	blockI     // sigmoid(i)
	blockJ     // tanh(j)
	blockF     // sigmoid(f + forget bias)
	blockO     // sigmoid(o)
	blockT     // tanh(c')
	LSTMBlocks // the blocks of an LSTMStep output
)

// LSTMStep is one step of a TensorFlow BasicLSTMCell as one node:
//
//	[i j f o] = Σ pres + h·rec + bias
//	c' = c*sigmoid(f+1) + sigmoid(i)*tanh(j),  h' = tanh(c')*sigmoid(o)
//
// state is [K, B, H] with c in block 0 and h in block 1 (an LSTMStep's output, or Stack(c, h));
// rec is [H, 4H], bias [4H], each of pres [B, 4H] (the input parts' shares of the gates). The
// output is [7, B, H]: c', h', the four activations and tanh(c') (Block reads one).
func LSTMStep(state, rec, bias *G.Node, pres ...*G.Node) (*G.Node, error) {
	ss, rs := state.Shape(), rec.Shape()
	if len(ss) != 3 || ss[0] < 2 || len(rs) != 2 || rs[0] != ss[2] || rs[1] != 4*ss[2] {
		return nil, fmt.Errorf("lstm step: state %v and kernel %v do not fit", ss, rs)
	}
	B, H := ss[1], ss[2]
	if bs := bias.Shape(); len(bs) != 1 || bs[0] != 4*H {
		return nil, fmt.Errorf("lstm step: bias %v, want [%d]", bs, 4*H)
	}
	for _, p := range pres {
		if ps := p.Shape(); len(ps) != 2 || ps[0] != B || ps[1] != 4*H {
			return nil, fmt.Errorf("lstm step: gate input %v, want [%d %d]", ps, B, 4*H)
		}
	}
	ins := append([]*G.Node{state, rec, bias}, pres...)
	meta := newMeta(tensor.Shape{LSTMBlocks, B, H}, ins, "lstm%d", len(pres))
	diff := make([]bool, len(ins))
	for i := range diff {
		diff[i] = true
	}
	gates := make([]float32, B*4*H) // scratch; a Plan runs one op at a time
	fn := func(out []float32, in [][]float32) float32 {
		st := in[0]
		c, h := st[:B*H], st[B*H:2*B*H]
		if len(in) > 3 {
			copy(gates, in[3])
			for _, p := range in[4:] {
				for i, v := range p {
					gates[i] += v
				}
			}
		} else {
			clear(gates)
		}
		gemm(gates, h, in[1], B, H, 4*H)
		blk := func(k int) []float32 { return out[k*B*H : (k+1)*B*H] }
		for r := range B {
			g := gates[r*4*H : (r+1)*4*H]
			for k, v := range in[2] {
				g[k] += v
			}
			for k := 2 * H; k < 3*H; k++ {
				g[k] += ForgetBias
			}
			row := func(k int) []float32 { return blk(k)[r*H : (r+1)*H] }
			i, j, f, o := row(blockI), row(blockJ), row(blockF), row(blockO)
			Sigmoids(i, g[:H])
			Tanhs(j, g[H:2*H])
			Sigmoids(f, g[2*H:3*H])
			Sigmoids(o, g[3*H:])
			c2, h2, tc, cr := row(BlockC), row(BlockH), row(blockT), c[r*H:(r+1)*H]
			for k := range H {
				c2[k] = cr[k]*f[k] + i[k]*j[k]
			}
			Tanhs(tc, c2)
			for k := range H {
				h2[k] = tc[k] * o[k]
			}
		}
		return 0
	}
	return applyFused(meta, diff, fn, func(in G.Nodes, out, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		dGates := must(lstmGates(in[0], out, g)) // [B, 4H]
		dState := must(lstmState(in[0], out, g, dGates, in[1]))
		h := must(Block(in[0], BlockH))
		grads := G.Nodes{dState, must(MatMul(h, dGates, true, false)), must(ColSum(dGates))}
		for range in[3:] {
			grads = append(grads, dGates)
		}
		return grads, nil
	}, ins...)
}

// lstmGates is the derivative of an LSTMStep with respect to its gates' pre-activations [B, 4H],
// from its input state, its output and the output's gradient.
func lstmGates(state, out, g *G.Node) (*G.Node, error) {
	B, H := state.Shape()[1], state.Shape()[2]
	meta := newMeta(tensor.Shape{B, 4 * H}, []*G.Node{state, out, g}, "lstm_dgates")
	return applyFused(meta, []bool{false, false, false}, func(dg []float32, in [][]float32) float32 {
		st, y, gy := in[0], in[1], in[2]
		n := B * H
		blk := func(s []float32, k int) []float32 { return s[k*n : (k+1)*n] }
		c, tcs := blk(st, BlockC), blk(y, blockT)
		i, j, f, o := blk(y, blockI), blk(y, blockJ), blk(y, blockF), blk(y, blockO)
		dc2, dh2 := blk(gy, BlockC), blk(gy, BlockH)
		for r := range B {
			d := dg[r*4*H : (r+1)*4*H]
			for k := range H {
				x := r*H + k
				tc := tcs[x]
				dct := dc2[x] + dh2[x]*o[x]*(1-tc*tc)
				d[k] = dct * j[x] * i[x] * (1 - i[x])
				d[H+k] = dct * i[x] * (1 - j[x]*j[x])
				d[2*H+k] = dct * c[x] * f[x] * (1 - f[x])
				d[3*H+k] = dh2[x] * tc * o[x] * (1 - o[x])
			}
		}
		return 0
	}, nil, state, out, g)
}

// lstmState is the derivative of an LSTMStep with respect to its input state [K, B, H]: dc in
// block 0, dh = dGates·recᵀ in block 1, zeros in the rest.
func lstmState(state, out, g, dGates, rec *G.Node) (*G.Node, error) {
	ss := state.Shape()
	K, B, H := ss[0], ss[1], ss[2]
	meta := newMeta(tensor.Shape{K, B, H}, []*G.Node{out, g, dGates, rec}, "lstm_dstate")
	return applyFused(meta, []bool{false, false, false, false}, func(ds []float32, in [][]float32) float32 {
		y, gy, dg, rec := in[0], in[1], in[2], in[3]
		n := B * H
		clear(ds)
		tcs, f, o := y[blockT*n:], y[blockF*n:], y[blockO*n:]
		dc2, dh2 := gy[BlockC*n:], gy[BlockH*n:]
		for x := range n {
			tc := tcs[x]
			ds[x] = (dc2[x] + dh2[x]*o[x]*(1-tc*tc)) * f[x]
		}
		matmul(ds[n:2*n], dg, rec, B, 4*H, H, false, true)
		return 0
	}, nil, out, g, dGates, rec)
}

// Block returns block k [B, H] of a [K, B, H] node (a copy).
func Block(x *G.Node, k int) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 3 || k < 0 || k >= s[0] {
		return nil, fmt.Errorf("block %d of shape %v", k, s)
	}
	K, B, H := s[0], s[1], s[2]
	n := B * H
	meta := newMeta(tensor.Shape{B, H}, []*G.Node{x}, "block%d/%d", k, K)
	return applyFused(meta, []bool{true}, func(out []float32, in [][]float32) float32 {
		copy(out, in[0][k*n:(k+1)*n])
		return 0
	}, func(_ G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(unblock(g, k, K))}, nil
	}, x)
}

// unblock places g [B, H] as block k of a [K, B, H] of zeros.
func unblock(g *G.Node, k, K int) (*G.Node, error) {
	B, H := g.Shape()[0], g.Shape()[1]
	n := B * H
	meta := newMeta(tensor.Shape{K, B, H}, []*G.Node{g}, "unblock%d", k)
	return applyFused(meta, []bool{false}, func(out []float32, in [][]float32) float32 {
		clear(out)
		copy(out[k*n:(k+1)*n], in[0])
		return 0
	}, nil, g)
}

// Stack makes the state [2, B, H] of an LSTM from c and h [B, H].
func Stack(c, h *G.Node) (*G.Node, error) {
	s := c.Shape()
	if len(s) != 2 || !s.Eq(h.Shape()) {
		return nil, fmt.Errorf("stack: shapes %v and %v", s, h.Shape())
	}
	n := s[0] * s[1]
	meta := newMeta(tensor.Shape{2, s[0], s[1]}, []*G.Node{c, h}, "stack")
	return applyFused(meta, []bool{true, true}, func(out []float32, in [][]float32) float32 {
		copy(out[:n], in[0])
		copy(out[n:], in[1])
		return 0
	}, func(_ G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(Block(g, 0)), must(Block(g, 1))}, nil
	}, c, h)
}

// Embed returns the rows of table [N, D] that idx [B] names (class indices as float32; a
// negative index gives a row of zeros): the product of a one-hot with the table, without it.
func Embed(table, idx *G.Node) (*G.Node, error) {
	ts, is := table.Shape(), idx.Shape()
	if len(ts) != 2 || len(is) != 1 {
		return nil, fmt.Errorf("embed: table %v, indices %v", ts, is)
	}
	N, D, B := ts[0], ts[1], is[0]
	meta := newMeta(tensor.Shape{B, D}, []*G.Node{table, idx}, "embed")
	return applyFused(meta, []bool{true, false}, func(out []float32, in [][]float32) float32 {
		for b, v := range in[1] {
			row := out[b*D : (b+1)*D]
			if k := int(v); k >= 0 && k < N {
				copy(row, in[0][k*D:(k+1)*D])
			} else {
				clear(row)
			}
		}
		return 0
	}, func(in G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(scatter(in[1], g, N)), nil}, nil
	}, table, idx)
}

// scatter adds row b of g [B, D] to row idx[b] of an [N, D] of zeros.
func scatter(idx, g *G.Node, N int) (*G.Node, error) {
	D := g.Shape()[1]
	meta := newMeta(tensor.Shape{N, D}, []*G.Node{idx, g}, "scatter")
	add := func(out []float32, in [][]float32) {
		for b, v := range in[0] {
			if k := int(v); k >= 0 && k < N {
				row, src := out[k*D:(k+1)*D], in[1][b*D:(b+1)*D]
				for i, x := range src {
					row[i] += x
				}
			}
		}
	}
	return applyAdding(meta, []bool{false, false}, func(out []float32, in [][]float32) float32 {
		clear(out)
		add(out, in)
		return 0
	}, add, nil, idx, g)
}

// SoftmaxCE is the summed cross-entropy of logits [B, C] against classes idx [B] (float32; rows
// with a negative index count nothing): Σ_b -log softmax(logits_b)[idx_b], a scalar.
func SoftmaxCE(logits, idx *G.Node) (*G.Node, error) {
	ls, is := logits.Shape(), idx.Shape()
	if len(ls) != 2 || len(is) != 1 || is[0] != ls[0] {
		return nil, fmt.Errorf("softmax cross-entropy: logits %v, classes %v", ls, is)
	}
	C := ls[1]
	meta := newMeta(tensor.Shape{}, []*G.Node{logits, idx}, "softmax_ce")
	return applyFused(meta, []bool{true, false}, func(_ []float32, in [][]float32) float32 {
		var total float64
		for b, v := range in[1] {
			k := int(v)
			if k < 0 || k >= C {
				continue
			}
			row := in[0][b*C : (b+1)*C]
			total += logSumExp(row) - float64(row[k])
		}
		return float32(total)
	}, func(in G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(softmaxCEGrad(in[0], in[1], g)), nil}, nil
	}, logits, idx)
}

func logSumExp(row []float32) float64 {
	mx := float64(row[Argmax(row)])
	s := 0.0
	for _, v := range row {
		s += math.Exp(float64(v) - mx)
	}
	return mx + math.Log(s)
}

// softmaxCEGrad is g·(softmax(logits) - onehot(idx)), zero on rows without a class.
func softmaxCEGrad(logits, idx, g *G.Node) (*G.Node, error) {
	ls := logits.Shape()
	C := ls[1]
	meta := newMeta(ls.Clone(), []*G.Node{logits, idx, g}, "softmax_ce_grad")
	return applyFused(meta, []bool{false, false, false}, func(out []float32, in [][]float32) float32 {
		gs := in[2][0]
		for b, v := range in[1] {
			row, d := in[0][b*C:(b+1)*C], out[b*C:(b+1)*C]
			k := int(v)
			if k < 0 || k >= C {
				clear(d)
				continue
			}
			lse := logSumExp(row)
			for i, x := range row {
				d[i] = gs * float32(math.Exp(float64(x)-lse))
			}
			d[k] -= gs
		}
		return 0
	}, nil, logits, idx, g)
}

// SigmoidNode and TanhNode are the activations over whole tensors through the C loops.
func SigmoidNode(x *G.Node) (*G.Node, error) { return activation(x, false) }
func TanhNode(x *G.Node) (*G.Node, error)    { return activation(x, true) }

func activation(x *G.Node, tanh bool) (*G.Node, error) {
	name := "sigmoidf"
	if tanh {
		name = "tanhf"
	}
	meta := newMeta(x.Shape(), []*G.Node{x}, "%s", name)
	return applyFused(meta, []bool{true}, func(out []float32, in [][]float32) float32 {
		if tanh {
			Tanhs(out, in[0])
		} else {
			Sigmoids(out, in[0])
		}
		return 0
	}, func(_ G.Nodes, y, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(activationGrad(y, g, tanh))}, nil
	}, x)
}

// activationGrad is g⊙y⊙(1-y) for the sigmoid and g⊙(1-y²) for tanh, from the output y.
func activationGrad(y, g *G.Node, tanh bool) (*G.Node, error) {
	meta := newMeta(y.Shape(), []*G.Node{y, g}, "act_grad%v", tanh)
	return applyFused(meta, []bool{false, false}, func(out []float32, in [][]float32) float32 {
		for i, v := range in[0] {
			if tanh {
				out[i] = in[1][i] * (1 - v*v)
			} else {
				out[i] = in[1][i] * v * (1 - v)
			}
		}
		return 0
	}, nil, y, g)
}
