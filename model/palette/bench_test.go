package palette_test

import (
	"testing"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/palette/standin"
	"github.com/latentpalette/palette/model/sketch"
)

// benchMove measures what a drag costs: from MoveTo (the point moved) to OnResult (the result
// ready for the UI), through the palette's worker, blending and the model's decode.
func benchMove[T any](b *testing.B, m palette.Model[T], corners [4]T) {
	results := make(chan palette.Result[T], 1)
	p := palette.New(m, palette.Options[T]{
		OnResult: func(r palette.Result[T]) { results <- r },
		OnError:  func(err error) { b.Error(err) },
	})
	defer p.Close()
	p.SetCorners(corners)
	<-results // the centre
	b.ResetTimer()
	for i := range b.N {
		p.MoveTo(palette.Point{U: float64(i%97) / 97, V: float64(i%89) / 89})
		<-results
	}
}

func exampleMelodies(b *testing.B) [4]melody.Melody {
	ex, err := examples.Melodies()
	if err != nil {
		b.Fatal(err)
	}
	var c [4]melody.Melody
	for i, e := range ex {
		c[i] = e.Item
	}
	return c
}

func exampleDrawings() [4]sketch.Drawing {
	var c [4]sketch.Drawing
	for i, e := range examples.Drawings() {
		c[i] = e.Item
	}
	return c
}

func BenchmarkMoveToResult(b *testing.B) {
	b.Run("melody-standin", func(b *testing.B) { benchMove[melody.Melody](b, standin.Melody{}, exampleMelodies(b)) })
	b.Run("sketch-standin", func(b *testing.B) { benchMove[sketch.Drawing](b, standin.Sketch{}, exampleDrawings()) })
}

func BenchmarkBlend(b *testing.B) {
	var c [4][]float32
	for i := range c {
		c[i] = make([]float32, 256)
		for j := range c[i] {
			c[i][j] = float32(i*j%7) - 3
		}
	}
	for _, spherical := range []bool{false, true} {
		name := "linear"
		if spherical {
			name = "slerp"
		}
		b.Run(name+"-z256", func(b *testing.B) {
			for i := range b.N {
				palette.Blend(c, palette.Point{U: float64(i%10) / 10, V: 0.3}, spherical)
			}
		})
	}
}
