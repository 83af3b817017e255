package sketchrnn

import (
	"math/rand/v2"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// neverEnding returns a copy of w whose pen never picks "end", so that a decode runs all its steps.
func neverEnding(w *Weights) *Weights {
	c := *w
	c.Out.Bias = append([]float32(nil), w.Out.Bias...)
	c.Out.Bias[2] = -1e4
	return &c
}

// shippedSize returns a model of the shipped size (random weights: speed does not depend on them).
func shippedSize(b testing.TB) *Weights {
	w, err := NewWeights(DefaultConfig(), 18.5, 1)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func randomZs(n, size int, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	zs := make([][]float32, n)
	for i := range zs {
		zs[i] = make([]float32, size)
		for k := range zs[i] {
			zs[i][k] = float32(rng.NormFloat64())
		}
	}
	return zs
}

// benchDecode times greedy decodes of 250 steps of batch zs, with the graph or the oracle.
func benchDecode(b *testing.B, w *Weights, batch int, oracle bool) {
	w = neverEnding(w)
	zs := randomZs(batch, w.Config.ZSize, 1)
	if !w.Config.Conditional() {
		zs = make([][]float32, batch)
	}
	m := NewModel(w)
	decode := func() ([]sketch.Drawing, error) {
		if oracle {
			return w.oracleDecode(zs, 0, 0, 250), nil
		}
		return m.Generate(zs, vae.DecodeOptions{}, 250)
	}
	if _, err := decode(); err != nil { // builds the graphs
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ds, err := decode()
		if err != nil {
			b.Fatal(err)
		}
		if len(ds[0]) != 250 {
			b.Fatalf("%d points, want 250", len(ds[0]))
		}
	}
}

// BenchmarkEngines is the speed contract: a greedy decode of one z, 250 steps, at the shipped
// size, with the Gorgonia graph (the product) and with the plain-Go oracle.
func BenchmarkEngines(b *testing.B) {
	b.Run("gorgonia/1", func(b *testing.B) { benchDecode(b, shippedSize(b), 1, false) })
	b.Run("oracle/1", func(b *testing.B) { benchDecode(b, shippedSize(b), 1, true) })
}

// BenchmarkDecode250 decodes 250 steps greedily: a batch of 16 at the shipped size, and one
// drawing from Magenta's 512-unit sheep decoder.
func BenchmarkDecode250(b *testing.B) {
	b.Run("shipped/16", func(b *testing.B) { benchDecode(b, shippedSize(b), 16, false) })
	b.Run("magenta-sheep/1", func(b *testing.B) { benchDecode(b, readGen(b, "sheep.gen.json"), 1, false) })
}

// BenchmarkEncode encodes one 150-point drawing at the shipped size.
func BenchmarkEncode(b *testing.B) {
	m := NewModel(shippedSize(b))
	d := []sketch.Drawing{randomDrawing(150, rand.New(rand.NewPCG(3, 3)))}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Encode(d); err != nil {
			b.Fatal(err)
		}
	}
}
