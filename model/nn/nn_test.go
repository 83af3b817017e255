package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func randSlice(n int, rng *rand.Rand) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func input(g *G.ExprGraph, name string, rows, cols int, data []float32) *G.Node {
	return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))))
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestLSTMFormula checks one step of the plain cell against the formula, written out.
func TestLSTMFormula(t *testing.T) {
	w := LSTMCell{In: 1, Hidden: 1, Kernel: []float32{0.5, -1, 2, 0.25, 0.1, 0.2, -0.3, 0.4}, Bias: []float32{0.1, 0.2, 0.3, 0.4}}
	x, c0, h0 := 0.7, 0.3, -0.2
	gate := func(k int) float64 {
		return x*float64(w.Kernel[k]) + h0*float64(w.Kernel[4+k]) + float64(w.Bias[k])
	}
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	wantC := c0*sig(gate(2)+1) + sig(gate(0))*math.Tanh(gate(1))
	wantH := math.Tanh(wantC) * sig(gate(3))
	pre := make([]float32, 4)
	w.AddInput(pre, 0, []float32{float32(x)}, 1)
	c, h := []float32{float32(c0)}, []float32{float32(h0)}
	w.Step(pre, c, h)
	if math.Abs(float64(c[0])-wantC) > 1e-6 || math.Abs(float64(h[0])-wantH) > 1e-6 {
		t.Errorf("got c=%v h=%v, want %v %v", c[0], h[0], wantC, wantH)
	}
	// A one-hot input is the kernel row.
	pre2 := make([]float32, 4)
	w2 := LSTMCell{In: 2, Hidden: 1, Kernel: append([]float32{9, 9, 9, 9}, w.Kernel...), Bias: w.Bias}
	w2.AddOneHot(pre2, 0, 1)
	if maxDiff(pre2, w.Kernel[:4]) != 0 {
		t.Errorf("AddOneHot: got %v, want %v", pre2, w.Kernel[:4])
	}
}

func TestCheckRejectsWrongSizes(t *testing.T) {
	if err := (LSTMCell{In: 2, Hidden: 3, Kernel: make([]float32, 5), Bias: make([]float32, 12)}).Check(); err == nil {
		t.Error("short kernel accepted")
	}
	if err := (Dense{In: 2, Out: 3, Kernel: make([]float32, 6), Bias: make([]float32, 2)}).Check(); err == nil {
		t.Error("short bias accepted")
	}
}

func TestAdamClipsByGlobalNorm(t *testing.T) {
	// With clipping, the first Adam step moves every value by lr whatever the gradient's size
	// (m/sqrt(v) = sign(g) at step 1), so check the moments: they hold the clipped gradient.
	a := NewAdam([]int{2, 1}, 1.0)
	p := [][]float32{{1, 2}, {3}}
	g := [][]float32{{3, 0}, {4}} // norm 5
	if norm := a.Update(p, g, 0.1); math.Abs(norm-5) > 1e-9 {
		t.Errorf("norm = %v, want 5", norm)
	}
	wantM := [][]float32{{0.1 * 0.6, 0}, {0.1 * 0.8}}
	for i := range wantM {
		if d := maxDiff(a.M[i], wantM[i]); d > 1e-7 {
			t.Errorf("m[%d] = %v, want %v", i, a.M[i], wantM[i])
		}
	}
	if math.Abs(float64(p[0][0])-0.9) > 1e-6 || p[0][1] != 2 || math.Abs(float64(p[1][0])-2.9) > 1e-6 {
		t.Errorf("params after one step: %v", p)
	}
}

func TestAdamMinimizes(t *testing.T) {
	a := NewAdam([]int{1}, 0)
	p := [][]float32{{5}}
	for range 2000 {
		a.Update(p, [][]float32{{2 * (p[0][0] - 1)}}, 0.05) // d/dp (p-1)^2
	}
	if math.Abs(float64(p[0][0])-1) > 1e-2 {
		t.Errorf("p = %v, want 1", p[0][0])
	}
}

// TestBLASMatchesGonum compares the BLAS in use with gonum's pure Go on the routines Gorgonia calls.
func TestBLASMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var ref gonum.Implementation
	impl := G.WhichBLAS()
	m, n, k := 7, 5, 3
	for _, tr := range [][2]blas.Transpose{{blas.NoTrans, blas.NoTrans}, {blas.Trans, blas.NoTrans}, {blas.NoTrans, blas.Trans}} {
		a, b := randSlice(m*k, rng), randSlice(k*n, rng)
		lda, ldb := k, n
		if tr[0] == blas.Trans {
			lda = m
		}
		if tr[1] == blas.Trans {
			ldb = k
		}
		c1, c2 := randSlice(m*n, rng), make([]float32, m*n)
		copy(c2, c1)
		impl.Sgemm(tr[0], tr[1], m, n, k, 0.5, a, lda, b, ldb, 2, c1, n)
		ref.Sgemm(tr[0], tr[1], m, n, k, 0.5, a, lda, b, ldb, 2, c2, n)
		if d := maxDiff(c1, c2); d > 1e-5 {
			t.Errorf("%s Sgemm %v differs by %g", BLAS(), tr, d)
		}
	}
	a, x := randSlice(m*n, rng), randSlice(n, rng)
	y1, y2 := randSlice(m, rng), make([]float32, m)
	copy(y2, y1)
	impl.Sgemv(blas.NoTrans, m, n, 1.5, a, n, x, 1, 0.5, y1, 1)
	ref.Sgemv(blas.NoTrans, m, n, 1.5, a, n, x, 1, 0.5, y2, 1)
	if d := maxDiff(y1, y2); d > 1e-5 {
		t.Errorf("Sgemv differs by %g", d)
	}
	a1, a2 := randSlice(m*n, rng), make([]float32, m*n)
	copy(a2, a1)
	yy := randSlice(n, rng)
	impl.Sger(m, n, 0.7, y1, 1, yy, 1, a1, n)
	ref.Sger(m, n, 0.7, y1, 1, yy, 1, a2, n)
	if d := maxDiff(a1, a2); d > 1e-5 {
		t.Errorf("Sger differs by %g", d)
	}
	if d := math.Abs(float64(impl.Sdot(n, x, 1, yy, 1) - ref.Sdot(n, x, 1, yy, 1))); d > 1e-5 {
		t.Errorf("Sdot differs by %g", d)
	}
}

func BenchmarkLSTMStepPlain(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	w := NewLSTMCell(90+64, 256, rng)
	pre := make([]float32, 4*256)
	c, h := make([]float32, 256), make([]float32, 256)
	for b.Loop() {
		clear(pre)
		w.AddOneHot(pre, 0, 5)
		w.Step(pre, c, h)
	}
}

func TestFastMath(t *testing.T) {
	worst := [3]float64{}
	for x := -100.0; x <= 100; x += 0.0137 {
		f := float32(x)
		want := math.Exp(float64(f))
		if want < 1e30 && want > 1e-30 {
			worst[0] = max(worst[0], math.Abs(float64(Exp(f))-want)/want)
		}
		worst[1] = max(worst[1], math.Abs(float64(Sigmoid(f))-1/(1+math.Exp(-float64(f)))))
		worst[2] = max(worst[2], math.Abs(float64(Tanh(f))-math.Tanh(float64(f))))
	}
	if worst[0] > 3e-7 || worst[1] > 2e-7 || worst[2] > 3e-7 {
		t.Errorf("worst errors: exp (relative) %g, sigmoid %g, tanh %g", worst[0], worst[1], worst[2])
	}
	if Exp(100) != float32(math.Inf(1)) || Exp(-100) != 0 || Tanh(50) != 1 || Sigmoid(-200) != 0 {
		t.Error("wrong limits")
	}
}

func BenchmarkTanh(b *testing.B) {
	x := float32(0.3)
	for b.Loop() {
		x = Tanh(x + 0.1)
	}
}
