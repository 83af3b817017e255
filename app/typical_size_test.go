package main

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// Each shipped sketch model knows the size of the drawings it learned from, so that drawings of
// other units (a teacher's samples, raw Quick, Draw! pixels) encode as the same drawing at its
// size: the sheep model's is the median larger side of aaron_sheep's train split, the animals'
// the 255 units `sketch classes --size 255` rescaled it to.
func TestShippedTypicalSizes(t *testing.T) {
	sheep, err := loadSketchModel("builtin:sheep")
	if err != nil {
		t.Fatal(err)
	}
	animals, err := loadSketchModel("builtin:animals")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(animals.TypicalSize)-255) > 2 {
		t.Errorf("animals: typical size %v, want about 255", animals.TypicalSize)
	}

	train, err := sketch.Load(shared.Data(t, "sketch/aaron_sheep.npz") + ":train")
	if err != nil {
		t.Fatal(err)
	}
	if want := sketchrnn.MedianSide(keepShort(train, sheep.Config.MaxSeqLen)); sheep.TypicalSize != want {
		t.Errorf("sheep: typical size %v, want %v (aaron_sheep's train split)", sheep.TypicalSize, want)
	}
	// A sheep drawn four times larger than aaron_sheep's encodes as the sheep at the model's size.
	m := sketchrnn.NewModel(sheep)
	d := train[0]
	zs, err := m.Encode([]sketch.Drawing{sketchrnn.ScaleTo(d, sheep.TypicalSize), d.Scale(4)})
	if err != nil {
		t.Fatal(err)
	}
	for k := range zs[0] {
		if math.Abs(float64(zs[0][k]-zs[1][k])) > 1e-3 {
			t.Fatalf("z[%d]: %v for the sheep at the typical size, %v four times larger", k, zs[0][k], zs[1][k])
		}
	}
}
