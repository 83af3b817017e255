package sketchrnn

import (
	"math/rand/v2"
	"testing"
)

// neverEnding returns a copy of w whose pen never picks "end", so that a decode runs all its steps.
func neverEnding(w *Weights) *Weights {
	c := *w
	c.Out.Bias = append([]float32(nil), w.Out.Bias...)
	c.Out.Bias[2] = -1e4
	return &c
}

// shippedSize returns a model of the shipped size (random weights: speed does not depend on them).
func shippedSize(b *testing.B) *Weights {
	w, err := NewWeights(DefaultConfig(), 18.5, 1)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func benchDecode(b *testing.B, w *Weights, batch int, gorgonia bool) {
	w = neverEnding(w)
	rng := rand.New(rand.NewPCG(1, 2))
	zs := make([][]float32, batch)
	for i := range zs {
		zs[i] = make([]float32, w.Config.ZSize)
		for k := range zs[i] {
			zs[i][k] = float32(rng.NormFloat64())
		}
	}
	opt := DecodeOptions{Greedy: true, MaxLen: 250, Gorgonia: gorgonia}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ds, err := w.Decode(zs, opt)
		if err != nil {
			b.Fatal(err)
		}
		if len(ds[0]) != 250 {
			b.Fatalf("%d points, want 250", len(ds[0]))
		}
	}
}

// Greedy decodes of 250 steps: one z and a batch of 16, with the shipped model's size and with
// Magenta's 512-unit sheep decoder; plain Go (the app's path) and the Gorgonia step graph.
func BenchmarkDecode250(b *testing.B) {
	b.Run("shipped/1", func(b *testing.B) { benchDecode(b, shippedSize(b), 1, false) })
	b.Run("shipped/16", func(b *testing.B) { benchDecode(b, shippedSize(b), 16, false) })
	b.Run("shipped/1/gorgonia", func(b *testing.B) { benchDecode(b, shippedSize(b), 1, true) })
	b.Run("shipped/16/gorgonia", func(b *testing.B) { benchDecode(b, shippedSize(b), 16, true) })
	b.Run("magenta-sheep/1", func(b *testing.B) { benchDecode(b, readGen(b, "sheep.gen.json"), 1, false) })
	b.Run("magenta-sheep/16", func(b *testing.B) { benchDecode(b, readGen(b, "sheep.gen.json"), 16, false) })
}

// BenchmarkEncode encodes one 150-point drawing at the shipped size.
func BenchmarkEncode(b *testing.B) {
	w := shippedSize(b)
	d := randomDrawing(150, rand.New(rand.NewPCG(3, 3)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := w.Encode(d); err != nil {
			b.Fatal(err)
		}
	}
}
