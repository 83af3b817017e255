package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func param(g *G.ExprGraph, name string, rng *rand.Rand, shape ...int) *G.Node {
	n := 1
	for _, s := range shape {
		n *= s
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * 0.5)
	}
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
}

// TestLSTMStepMatchesCell checks the fused step against the plain-Go cell it replaces.
func TestLSTMStepMatchesCell(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const B, In, H = 3, 4, 5
	cell := NewLSTMCell(In, H, rng)
	for i := range cell.Bias {
		cell.Bias[i] = float32(rng.NormFloat64())
	}
	g := G.NewGraph()
	x := param(g, "x", rng, B, In)
	c := param(g, "c", rng, B, H)
	h := param(g, "h", rng, B, H)
	win := G.NewMatrix(g, tensor.Float32, G.WithShape(In, 4*H), G.WithName("win"),
		G.WithValue(tensor.New(tensor.WithShape(In, 4*H), tensor.WithBacking(slices.Clone(cell.Rows(0, In))))))
	rec := G.NewMatrix(g, tensor.Float32, G.WithShape(H, 4*H), G.WithName("rec"),
		G.WithValue(tensor.New(tensor.WithShape(H, 4*H), tensor.WithBacking(slices.Clone(cell.Rows(In, H))))))
	bias := G.NewVector(g, tensor.Float32, G.WithShape(4*H), G.WithName("bias"),
		G.WithValue(tensor.New(tensor.WithShape(4*H), tensor.WithBacking(slices.Clone(cell.Bias)))))
	st := must(Stack(c, h))
	out := must(LSTMStep(st, rec, bias, must(MatMul(x, win, false, false))))
	hOut, cOut := must(Block(out, BlockH)), must(Block(out, BlockC))
	p, err := NewPlan(hOut, cOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	pre := make([]float32, B*4*H)
	cs, hs := slices.Clone(Values(c)), slices.Clone(Values(h))
	cell.AddInput(pre, 0, Values(x), In)
	cell.Step(pre, cs, hs)
	for i := range hs {
		if d := math.Abs(float64(hs[i] - p.Out(hOut)[i])); d > 1e-6 {
			t.Fatalf("h[%d]: graph %v, cell %v", i, p.Out(hOut)[i], hs[i])
		}
		if d := math.Abs(float64(cs[i] - p.Out(cOut)[i])); d > 1e-6 {
			t.Fatalf("c[%d]: graph %v, cell %v", i, p.Out(cOut)[i], cs[i])
		}
	}
	// A second run over the same buffers gives the same values.
	want := slices.Clone(p.Out(hOut))
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	for i, v := range p.Out(hOut) {
		if v != want[i] {
			t.Fatalf("second run differs at %d", i)
		}
	}
}

// TestOpsGradients checks every op's derivative against central differences of the loss.
func TestOpsGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const B, In, H, N, C = 2, 3, 4, 5, 6
	g := G.NewGraph()
	x := param(g, "x", rng, B, In)
	win := param(g, "win", rng, In, 4*H)
	table := param(g, "table", rng, N, 4*H)
	rec := param(g, "rec", rng, H, 4*H)
	bias := param(g, "bias", rng, 4*H)
	c0 := param(g, "c0", rng, B, H)
	h0 := param(g, "h0", rng, B, H)
	wt := param(g, "wt", rng, C, H) // used transposed
	bout := param(g, "bout", rng, C)
	w2 := param(g, "w2", rng, 4*H, C)
	idx := G.NewVector(g, tensor.Float32, G.WithShape(B), G.WithName("idx"), G.WithValue(tensor.New(tensor.WithShape(B), tensor.WithBacking([]float32{2, -1}))))
	tgt := G.NewVector(g, tensor.Float32, G.WithShape(B), G.WithName("tgt"), G.WithValue(tensor.New(tensor.WithShape(B), tensor.WithBacking([]float32{1, 4}))))

	s1 := must(LSTMStep(must(Stack(c0, h0)), rec, bias, must(MatMul(x, win, false, false)), must(Embed(table, idx))))
	s2 := must(LSTMStep(s1, rec, bias, must(Embed(table, tgt))))
	hT := must(MatMul(wt, must(Block(s2, BlockH)), false, true))                             // [C, B]: A·Bᵀ
	tt := must(TanhNode(must(MatMul(win, x, true, true))))                                   // [4H, B]: Aᵀ·Bᵀ
	head := must(Affine(must(Block(s2, BlockH)), must(MatMul(rec, w2, false, false)), bout)) // [B, C]
	loss := must(SoftmaxCE(head, tgt))
	for _, term := range []*G.Node{
		must(SigmoidNode(must(Block(s1, BlockC)))),
		must(TanhNode(must(MatMul(hT, x, false, false)))),
		must(MatMul(tt, must(Block(s1, BlockH)), false, false)),
		must(MatMul(x, must(MatMul(x, win, false, false)), true, false)), // Aᵀ·B
		must(ColSum(table)),
		must(StateFrom(must(MatMul(x, win, false, false)), 3, 5)),
	} {
		loss = must(G.Add(loss, must(G.Sum(term))))
	}
	params := G.Nodes{x, win, table, rec, bias, c0, h0, wt, bout, w2}
	grads, err := G.Grad(loss, params...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(append(G.Nodes{loss}, grads...)...)
	if err != nil {
		t.Fatal(err)
	}
	run := func() float64 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		return float64(p.Scalar(loss))
	}
	run()
	for k, n := range params {
		analytic := slices.Clone(p.Out(grads[k]))
		v := Values(n)
		for i := range v {
			num := centralDiff(run, v, i, 3e-3)
			if d := math.Abs(num - float64(analytic[i])); d > 2e-3+2e-2*math.Abs(num) {
				t.Errorf("%s[%d]: analytic %.5f, numeric %.5f", n.Name(), i, analytic[i], num)
			}
		}
	}
}

// TestPlanFusesSums checks that a chain of Adds of matmul, scatter and column-sum terms runs in
// place and gives the same sum, run after run, as adding the terms one by one.
func TestPlanFusesSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	// Gorgonia merges equal nodes, so each term reads its own copy of b.
	a, b := param(g, "a", rng, 3, 4), param(g, "b", rng, 3, 5)
	bs := []*G.Node{b}
	for i := range 3 {
		bi := param(g, fmt.Sprintf("b%d", i), rng, 3, 5)
		copy(Values(bi), Values(b))
		bs = append(bs, bi)
	}
	idx := param(g, "idx", rng, 3)
	copy(Values(idx), []float32{2, 0, 2})
	var terms []*G.Node
	for _, bi := range bs {
		terms = append(terms, must(MatMul(a, bi, true, false))) // [4, 5]
	}
	sum := terms[0]
	for _, x := range terms[1:] {
		sum = must(G.Add(sum, x))
	}
	sc := must(G.Add(must(scatter(idx, bs[0], 4)), must(scatter(idx, bs[1], 4)))) // [4, 5]
	cs := must(G.Add(must(ColSum(bs[0])), must(ColSum(bs[1]))))                   // [5]
	p, err := NewPlan(sum, sc, cs)
	if err != nil {
		t.Fatal(err)
	}
	if p.Fused() != 5 {
		t.Errorf("%d sums fused, want 5", p.Fused())
	}
	A, Bv := Values(a), Values(b)
	want := make([]float32, 20) // 4 × aᵀb
	for i := range 4 {
		for j := range 5 {
			for r := range 3 {
				want[i*5+j] += 4 * A[r*4+i] * Bv[r*5+j]
			}
		}
	}
	wantSc, wantCs := make([]float32, 20), make([]float32, 5)
	for r, k := range []int{2, 0, 2} {
		for j := range 5 {
			wantSc[k*5+j] += 2 * Bv[r*5+j]
			wantCs[j] += 2 * Bv[r*5+j]
		}
	}
	for run := range 2 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			got, want []float32
		}{{"matmul sum", p.Out(sum), want}, {"scatter sum", p.Out(sc), wantSc}, {"column sums", p.Out(cs), wantCs}} {
			for i := range c.want {
				if math.Abs(float64(c.got[i]-c.want[i])) > 1e-5 {
					t.Fatalf("run %d: %s[%d] = %v, want %v", run, c.name, i, c.got[i], c.want[i])
				}
			}
		}
	}
}
