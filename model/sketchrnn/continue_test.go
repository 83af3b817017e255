package sketchrnn

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// Continue keeps the partial drawing and draws on from the state the whole drawing would have
// reached: with one completion at temperature 0, the result is what greedy decoding gives
// after being forced through the partial drawing, the same as the oracle-free check below
// (decoding the partial drawing's points one at a time through advance).
func TestContinue(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    *Weights
	}{{"vae", tinyModel(t, 5)}, {"decoder-only", unconditional(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewModel(tc.w)
			rng := rand.New(rand.NewPCG(7, 7))
			partial := randomDrawing(6, rng)
			partial[len(partial)-1].PenLift = true
			z := make([]float32, m.ZSize())
			for k := range z {
				z[k] = float32(rng.NormFloat64())
			}
			got, err := m.Continue(z, partial, 3, vae.DecodeOptions{Temperature: 0.7, Seed: 2}, 20)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("%d completions, want 3", len(got))
			}
			for i, d := range got {
				if len(d) < len(partial) || len(d) > 20 || !reflect.DeepEqual(d[:len(partial)], partial) {
					t.Errorf("completion %d (%d points) does not start with the partial drawing or is too long", i, len(d))
				}
			}
			again, err := m.Continue(z, partial, 3, vae.DecodeOptions{Temperature: 0.7, Seed: 2}, 20)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, again) {
				t.Error("the same seed gave other completions")
			}
			// Greedy continuation equals the greedy decode of a forced run done by hand.
			g, err := m.Continue(z, partial, 1, vae.DecodeOptions{}, 20)
			if err != nil {
				t.Fatal(err)
			}
			if want := forcedGreedy(t, m, z, partial, 20); !reflect.DeepEqual(g[0], want) {
				t.Errorf("greedy continuation %v\nwant %v", g[0], want)
			}
		})
	}
}

// forcedGreedy feeds partial through a fresh decoder of batch 1 and decodes greedily after it.
func forcedGreedy(t *testing.T, m *Model, z []float32, partial sketch.Drawing, maxLen int) sketch.Drawing {
	d, err := newDecodeGraph(m.W, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.begin([][]float32{z}); err != nil {
		t.Fatal(err)
	}
	x := []float32{0, 0, 1, 0, 0}
	for _, r := range m.W.Normalize(partial) {
		if _, err := d.advance(x); err != nil {
			t.Fatal(err)
		}
		x = r[:]
	}
	out := append(sketch.Drawing(nil), partial...)
	mx := newMixture(m.W.Config.Mixtures)
	for len(out) < maxLen {
		y, err := d.advance(x)
		if err != nil {
			t.Fatal(err)
		}
		mx.set(y, 1)
		dx, dy, state := mx.Greedy()
		if state == 2 {
			break
		}
		out = append(out, sketch.Point{DX: dx * m.W.ScaleFactor, DY: dy * m.W.ScaleFactor, PenLift: state == 1})
		x = []float32{dx, dy, 0, 0, 0}
		x[2+state] = 1
	}
	return out
}

func TestContinueRefusesBadInput(t *testing.T) {
	m := NewModel(tinyModel(t, 5))
	z := make([]float32, m.ZSize())
	d := sketch.Drawing{{DX: 1, DY: 1, PenLift: true}}
	for name, f := range map[string]func() error{
		"n 0":      func() error { _, err := m.Continue(z, d, 0, vae.DecodeOptions{}, 0); return err },
		"empty":    func() error { _, err := m.Continue(z, nil, 1, vae.DecodeOptions{}, 0); return err },
		"z size":   func() error { _, err := m.Continue(z[:1], d, 1, vae.DecodeOptions{}, 0); return err },
		"too long": func() error { _, err := m.Continue(z, append(d, d...), 1, vae.DecodeOptions{}, 2); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkContinue: 8 completions of a 40-point start with a model of the shipped size, up to
// 200 points each (a pen that never ends, so every completion runs its full length).
func BenchmarkContinue(b *testing.B) {
	w := neverEnding(shippedSize(b))
	m := NewModel(w)
	rng := rand.New(rand.NewPCG(3, 3))
	partial := randomDrawing(40, rng)
	z := randomZs(1, w.Config.ZSize, 1)[0]
	if _, err := m.Continue(z, partial, 8, vae.DecodeOptions{Temperature: 0.2, Seed: 1}, 200); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Continue(z, partial, 8, vae.DecodeOptions{Temperature: 0.2, Seed: 1}, 200); err != nil {
			b.Fatal(err)
		}
	}
}
