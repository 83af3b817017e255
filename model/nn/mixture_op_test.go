package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The mixture loss's analytic derivative agrees with central differences of the loss, with the
// masks on and off.
func TestMixtureNLLGradient(t *testing.T) {
	tests := []struct {
		name          string
		mask, penMask []float32
	}{
		{"all rows", []float32{1, 1, 1}, []float32{1, 1, 1}},
		{"masked", []float32{1, 0, 1}, []float32{0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			const B, M = 3, 4
			g := G.NewGraph()
			out := param(g, "out", rng, B, 3+6*M)
			tgt := []float32{0.3, -0.2, 1, 0, 0, -0.5, 0.1, 0, 1, 0, 0.05, 0.4, 0, 0, 1}
			vec := func(name string, v []float32, shape ...int) *G.Node {
				return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
					G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
			}
			loss := must(MixtureNLL(out, vec("tgt", tgt, B, 5), vec("mask", tt.mask, B), vec("pen_mask", tt.penMask, B), 0.5))
			grads, err := G.Grad(loss, out)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPlan(loss, grads[0])
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
			analytic := slices.Clone(p.Out(grads[0]))
			v := Values(out)
			for i := range v {
				num := centralDiff(run, v, i, 1e-2)
				if d := math.Abs(num - float64(analytic[i])); d > 1e-3+1e-2*math.Abs(num) {
					t.Errorf("out[%d]: analytic %.5f, numeric %.5f", i, analytic[i], num)
				}
			}
		})
	}
}

// centralDiff is (f(v[i]+eps) - f(v[i]-eps)) / 2eps, with v[i] restored.
func centralDiff(f func() float64, v []float32, i int, eps float32) float64 {
	old := v[i]
	v[i] = old + eps
	up := f()
	v[i] = old - eps
	down := f()
	v[i] = old
	return (up - down) / float64(2*eps)
}
