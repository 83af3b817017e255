package magenta

import (
	"testing"

	"github.com/latentpalette/palette/model/checkpoint"
)

// FuzzWeights: building a model from tensors whose shapes a file declares never panics and
// never builds more than checkpoint.MaxElements values, whatever sizes the shapes imply (the
// tensors here are shapes only: a reader has checked their data against them).
func FuzzWeights(f *testing.F) {
	f.Add(512, 256, 256, 2, true)
	f.Add(40000, 40000, 4, 1, false)
	f.Add(3, 7, 0, 5, false)
	f.Fuzz(func(t *testing.T, enc, z, dec, layers int, withSigma bool) {
		if layers < 0 || layers > 8 {
			return
		}
		tensors := map[string]checkpoint.Tensor{
			encFwBias: {Shape: []int{4 * enc}},
			muBias:    {Shape: []int{z}},
		}
		for k := range layers {
			tensors[decBias(k)] = checkpoint.Tensor{Shape: []int{4 * dec}}
		}
		if withSigma {
			tensors[sigmaBias] = checkpoint.Tensor{Shape: []int{z}}
		}
		if w, err := Weights(tensors); err == nil {
			t.Fatalf("a model from shapes without data: %+v", w.Config)
		}
	})
}
