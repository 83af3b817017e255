package sketchrnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
)

func tinyConfig() SketchVAEConfig {
	c := DefaultConfig()
	c.EncSize, c.DecSize, c.ZSize, c.Mixtures, c.MaxSeqLen, c.BatchSize = 6, 8, 4, 3, 12, 4
	return c
}

// randomDrawing returns n points with offsets of a few tens of units and a pen lift every few points.
func randomDrawing(n int, rng *rand.Rand) sketch.Drawing {
	d := make(sketch.Drawing, n)
	for i := range d {
		d[i] = sketch.Point{DX: float32(rng.IntN(61) - 30), DY: float32(rng.IntN(61) - 30), PenLift: rng.IntN(4) == 0 || i == n-1}
	}
	return d
}

func tinyModel(t testing.TB, seed uint64) *Weights { return tinyModelLN(t, seed, false) }

func tinyModelLN(t testing.TB, seed uint64, ln bool) *Weights {
	cfg := tinyConfig()
	cfg.LayerNorm = ln
	w, err := NewWeights(cfg, 20, seed)
	if err != nil {
		t.Fatal(err)
	}
	// Larger weights than the init's make the test see every part of the graph.
	rng := rand.New(rand.NewPCG(seed, 9))
	for _, p := range w.params() {
		for i := range p.data {
			p.data[i] += float32(rng.NormFloat64() * 0.3)
		}
	}
	return w
}

// The Gorgonia graph's losses equal the plain-Go evaluation's with eps = 0 (z = mu).
func TestGraphMatchesPlainLoss(t *testing.T) {
	for _, ln := range []bool{false, true} {
		testGraphMatchesPlainLoss(t, tinyModelLN(t, 1, ln))
	}
}

func testGraphMatchesPlainLoss(t *testing.T, w *Weights) {
	rng := rand.New(rand.NewPCG(2, 2))
	lengths := []int{3, 7, 10}
	var rows [][][5]float32
	var wantR, wantKL float64
	for _, n := range lengths {
		r := w.Normalize(randomDrawing(n, rng))
		rows = append(rows, r)
		mu, presig, err := w.encodeRows(r)
		if err != nil {
			t.Fatal(err)
		}
		wantR += w.reconstructionLoss(r, mu)
		for i := range mu {
			wantKL += -0.5 * (1 + float64(presig[i]) - float64(mu[i])*float64(mu[i]) - math.Exp(float64(presig[i]))) / float64(len(mu))
		}
	}
	wantR /= float64(len(lengths))
	wantKL /= float64(len(lengths))
	T := 10
	gr, err := newGraph(w, T, len(lengths))
	if err != nil {
		t.Fatal(err)
	}
	gr.load(w)
	bt := makeBatch(rows, T, make([]float32, len(lengths)*w.Config.ZSize))
	_, r, kl, err := gr.run(bt, 0.5, true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(r)-wantR) > 1e-4*math.Max(1, math.Abs(wantR)) || math.Abs(float64(kl)-wantKL) > 1e-5 {
		t.Errorf("layer norm %v: graph r_loss %v kl %v, plain Go %v %v", w.Config.LayerNorm, r, kl, wantR, wantKL)
	}
}

// The graph's gradients agree with finite differences of its cost.
func TestGraphGradients(t *testing.T) {
	w := tinyModel(t, 3)
	rng := rand.New(rand.NewPCG(4, 4))
	rows := [][][5]float32{w.Normalize(randomDrawing(5, rng)), w.Normalize(randomDrawing(3, rng))}
	eps := make([]float32, 2*w.Config.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	const T = 6
	gr, err := newGraph(w, T, 2)
	if err != nil {
		t.Fatal(err)
	}
	bt := makeBatch(rows, T, eps)
	cost := func() float64 {
		gr.load(w)
		c, _, _, err := gr.run(bt, 0.7, false)
		if err != nil {
			t.Fatal(err)
		}
		return float64(c)
	}
	ps := w.params()
	grads := make([][]float32, len(ps))
	for i, p := range ps {
		grads[i] = make([]float32, len(p.data))
	}
	cost()
	if err := gr.addGrads(grads); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, p := range ps {
		for _, k := range []int{0, len(p.data) / 2, len(p.data) - 1} {
			old := p.data[k]
			const h = 1e-2
			p.data[k] = old + h
			up := cost()
			p.data[k] = old - h
			down := cost()
			p.data[k] = old
			num := (up - down) / (2 * h)
			got := float64(grads[i][k])
			if math.Abs(num-got) > 0.05*math.Max(math.Abs(num), 1e-2) {
				t.Errorf("%s[%d]: gradient %.5g, finite difference %.5g", p.name, k, got, num)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no parameter checked")
	}
}

// The hand-written backward pass gives the Gorgonia graph's loss and gradients.
func TestBackpropMatchesGraph(t *testing.T) {
	for _, c := range []struct{ eval, ln bool }{{false, false}, {true, false}, {false, true}} {
		eval := c.eval
		w := tinyModelLN(t, 5, c.ln)
		rng := rand.New(rand.NewPCG(6, 6))
		rows := [][][5]float32{w.Normalize(randomDrawing(5, rng)), w.Normalize(randomDrawing(8, rng)), w.Normalize(randomDrawing(2, rng))}
		eps := make([]float32, 3*w.Config.ZSize)
		for i := range eps {
			eps[i] = float32(rng.NormFloat64())
		}
		const T = 8
		bt := makeBatch(rows, T, eps)
		// A floor low enough for the KL term to have a gradient.
		w.Config.KLTolerance = 0.01
		gr, err := newGraph(w, T, 3)
		if err != nil {
			t.Fatal(err)
		}
		gr.load(w)
		wantCost, wantR, wantKL, err := gr.run(bt, 0.7, eval)
		if err != nil {
			t.Fatal(err)
		}
		ps := w.params()
		want := make([][]float32, len(ps))
		got := make([][]float32, len(ps))
		for i, p := range ps {
			want[i] = make([]float32, len(p.data))
			got[i] = make([]float32, len(p.data))
		}
		if err := gr.addGrads(want); err != nil {
			t.Fatal(err)
		}
		cost, r, kl := w.backprop(bt, T, 0.7, eval, got)
		if math.Abs(cost-float64(wantCost)) > 1e-4 || math.Abs(r-float64(wantR)) > 1e-4 || math.Abs(kl-float64(wantKL)) > 1e-5 {
			t.Errorf("eval %v, layer norm %v: cost, r_loss, kl = %v %v %v; graph %v %v %v", eval, c.ln, cost, r, kl, wantCost, wantR, wantKL)
		}
		for i, p := range ps {
			var worst, scale float64
			for k := range want[i] {
				worst = math.Max(worst, math.Abs(float64(got[i][k]-want[i][k])))
				scale = math.Max(scale, math.Abs(float64(want[i][k])))
			}
			if worst > 1e-4*math.Max(scale, 1e-2) {
				t.Errorf("eval %v, layer norm %v: %s: gradients differ by %.3g (largest %.3g)", eval, c.ln, p.name, worst, scale)
			}
		}
	}
}

// Running the graph twice gives the same gradients, not their sum: Gorgonia adds each run's
// gradients into the parameters' dual values, so grads must clear them.
func TestGraphGradientsDoNotAccumulate(t *testing.T) {
	w := tinyModel(t, 12)
	rng := rand.New(rand.NewPCG(7, 7))
	rows := [][][5]float32{w.Normalize(randomDrawing(4, rng)), w.Normalize(randomDrawing(6, rng))}
	const T = 6
	gr, err := newGraph(w, T, 2)
	if err != nil {
		t.Fatal(err)
	}
	bt := makeBatch(rows, T, make([]float32, 2*w.Config.ZSize))
	var got [2][][]float32
	for run := range got {
		gr.load(w)
		if _, _, _, err := gr.run(bt, 0.5, false); err != nil {
			t.Fatal(err)
		}
		for _, p := range w.params() {
			got[run] = append(got[run], make([]float32, len(p.data)))
		}
		if err := gr.addGrads(got[run]); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range w.params() {
		for k := range got[0][i] {
			if math.Abs(float64(got[0][i][k]-got[1][i][k])) > 1e-6 {
				t.Fatalf("%s[%d]: gradient %v on the first run, %v on the second", p.name, k, got[0][i][k], got[1][i][k])
			}
		}
	}
}
