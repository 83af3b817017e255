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

// TestLSTMGraphMatchesPlain runs a few steps of the Gorgonia cell and the plain-Go cell on the same
// weights and inputs. Hidden sizes of 256 and more would expose G.Slice's hash collisions.
func TestLSTMGraphMatchesPlain(t *testing.T) {
	tests := []struct {
		name          string
		parts         []int
		hidden, batch int
	}{
		{"one part", []int{3}, 5, 1},
		{"two parts", []int{4, 2}, 7, 3},
		{"hidden 256", []int{6}, 256, 2},
		{"hidden 300", []int{90, 8}, 300, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			in := 0
			for _, p := range tc.parts {
				in += p
			}
			w := NewLSTMCell(in, tc.hidden, rng)
			w.Bias = randSlice(4*tc.hidden, rng)
			const steps = 3
			xs := make([][]float32, steps) // [B, In] each
			for s := range xs {
				xs[s] = randSlice(tc.batch*in, rng)
			}

			// Plain Go.
			H, B := tc.hidden, tc.batch
			c, h := make([]float32, B*H), make([]float32, B*H)
			for _, x := range xs {
				pre := make([]float32, B*4*H)
				w.AddInput(pre, 0, x, in)
				w.Step(pre, c, h)
			}

			// Gorgonia, the input fed in parts.
			g := G.NewGraph()
			l, err := NewLSTM(g, "cell", w, tc.parts...)
			if err != nil {
				t.Fatal(err)
			}
			gc := input(g, "c0", B, H, make([]float32, B*H))
			gh := input(g, "h0", B, H, make([]float32, B*H))
			gc2, gh2 := gc, gh // the same run through InputGates and StepGates
			for s, x := range xs {
				var pre *G.Node
				var pg Gates
				from := 0
				for p, n := range tc.parts {
					part := make([]float32, 0, B*n)
					for r := range B {
						part = append(part, x[r*in+from:r*in+from+n]...)
					}
					from += n
					xn := input(g, "x"+string(rune('a'+s))+string(rune('0'+p)), B, n, part)
					xp, err := l.Input(p, xn)
					if err != nil {
						t.Fatal(err)
					}
					xg, err := l.InputGates(p, xn)
					if err != nil {
						t.Fatal(err)
					}
					if p == 0 {
						pg = xg
					} else if pg, err = AddGates(pg, xg); err != nil {
						t.Fatal(err)
					}
					if pre == nil {
						pre = xp
					} else {
						pre = G.Must(G.Add(pre, xp))
					}
				}
				if gc, gh, err = l.Step(pre, gc, gh); err != nil {
					t.Fatal(err)
				}
				if gc2, gh2, err = l.StepGates(pg, gc2, gh2); err != nil {
					t.Fatal(err)
				}
			}
			var cv, hv, cv2, hv2 G.Value
			G.Read(gc, &cv)
			G.Read(gh, &hv)
			G.Read(gc2, &cv2)
			G.Read(gh2, &hv2)
			m := G.NewTapeMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(cv.Data().([]float32), c); d > 1e-5 {
				t.Errorf("c differs by %g", d)
			}
			if d := maxDiff(hv.Data().([]float32), h); d > 1e-5 {
				t.Errorf("h differs by %g", d)
			}
			if d := max(maxDiff(cv2.Data().([]float32), c), maxDiff(hv2.Data().([]float32), h)); d > 1e-5 {
				t.Errorf("StepGates: c or h differs by %g", d)
			}
			back := l.Cell()
			if maxDiff(back.Kernel, w.Kernel) != 0 || maxDiff(back.Bias, w.Bias) != 0 || back.In != in {
				t.Errorf("Cell() does not give back the kernel and bias")
			}
		})
	}
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

func TestDenseGraphMatchesPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][4]int{{1, 4, 3, 0}, {5, 300, 90, 0}, {2, 512, 7, 256}} {
		B, in, out, split := size[0], size[1], size[2], size[3]
		d := NewDense(in, out, rng)
		d.Bias = randSlice(out, rng)
		x := randSlice(B*in, rng)
		want := make([]float32, B*out)
		d.Apply(want, x)
		g := G.NewGraph()
		var xs []*G.Node
		var parts []int
		if split == 0 {
			xs = append(xs, input(g, "x", B, in, x))
		} else {
			parts = []int{split, in - split}
			var a, b []float32
			for r := range B {
				a = append(a, x[r*in:r*in+split]...)
				b = append(b, x[r*in+split:(r+1)*in]...)
			}
			xs = append(xs, input(g, "xa", B, split, a), input(g, "xb", B, in-split, b))
		}
		l, err := NewLinear(g, "dense", d, parts...)
		if err != nil {
			t.Fatal(err)
		}
		if back := l.Dense(); maxDiff(back.Kernel, d.Kernel) != 0 || back.In != in {
			t.Errorf("%v: Dense() does not give back the kernel", size)
		}
		y, err := l.Apply(xs...)
		if err != nil {
			t.Fatal(err)
		}
		m := G.NewTapeMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		if diff := maxDiff(y.Value().Data().([]float32), want); diff > 1e-5 {
			t.Errorf("%v: graph and plain differ by %g", size, diff)
		}
		// Spot-check one output against the sum.
		s := float64(d.Bias[0])
		for k := range in {
			s += float64(x[k]) * float64(d.Kernel[k*out])
		}
		if math.Abs(s-float64(want[0])) > 1e-4 {
			t.Errorf("%v: y[0,0] = %v, want %v", size, want[0], s)
		}
		m.Close()
	}
}

func TestCheckRejectsWrongSizes(t *testing.T) {
	if err := (LSTMCell{In: 2, Hidden: 3, Kernel: make([]float32, 5), Bias: make([]float32, 12)}).Check(); err == nil {
		t.Error("short kernel accepted")
	}
	if err := (Dense{In: 2, Out: 3, Kernel: make([]float32, 6), Bias: make([]float32, 2)}).Check(); err == nil {
		t.Error("short bias accepted")
	}
	if _, err := NewLSTM(G.NewGraph(), "x", LSTMCell{In: 3, Hidden: 2, Kernel: make([]float32, 40), Bias: make([]float32, 8)}, 1, 1); err == nil {
		t.Error("parts that do not add up accepted")
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
