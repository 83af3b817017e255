package ui

import (
	"bytes"
	"testing"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/palette"
)

// BenchmarkMoveToResultDrums measures a drag on the drum palette with the bundled drum VAE,
// greedy as the drum tab starts, from the example grooves: point moved to pattern ready.
func BenchmarkMoveToResultDrums(b *testing.B) {
	b.Run("shipped", func(b *testing.B) {
		m, err := musicvae.LoadDrumModel(bytes.NewReader(assets.DrumsModel))
		if err != nil {
			b.Fatal(err)
		}
		named, err := examples.Grooves()
		if err != nil {
			b.Fatal(err)
		}
		benchMove[drums.Pattern](b, m, examples.Items(named), palette.Settings{}, func(p drums.Pattern) int { return len(p) })
	})
}
