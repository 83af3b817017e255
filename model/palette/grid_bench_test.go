package palette_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// The budgets with the shipped models: an 11×11 melody grid within 100 ms (one batched
// decode), an 11×11 sketch grid within 2 s, a 60-frame walk GIF within 5 s.

func shippedCorners[T any](b *testing.B, m palette.Model[T], items [4]T) [4]palette.Corner[T] {
	zs, err := m.Encode(items[:])
	if err != nil {
		b.Fatal(err)
	}
	var cs [4]palette.Corner[T]
	for i := range cs {
		cs[i] = palette.Corner[T]{Item: items[i], Z: zs[i], Set: true}
	}
	return cs
}

func benchGrid[T any](b *testing.B, m palette.Model[T], items [4]T, s palette.Settings) {
	benchGridBatch(b, m, items, s, 0)
}

// benchGridBatch decodes the 11×11 grid in batches of batch points (0: one batch; the window
// decodes a row at a time, 11).
func benchGridBatch[T any](b *testing.B, m palette.Model[T], items [4]T, s palette.Settings, batch int) {
	cs := shippedCorners(b, m, items)
	pts := palette.GridPoints(palette.MaxGridSize)
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		if _, err := palette.DecodePoints(m, cs, pts, s, batch, nil); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// reportCPU adds the CPU time per op since start (ms), which waiting for a busy core leaves out.
func reportCPU(b *testing.B, start time.Duration) {
	if start > 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

func shippedMelody(b *testing.B) *musicvae.Model {
	w, _, err := musicvae.Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		b.Fatal(err)
	}
	return musicvae.NewModel(w)
}

func shippedSketch(b *testing.B) *sketchrnn.Model {
	w, err := sketchrnn.Load(bytes.NewReader(assets.SketchModel))
	if err != nil {
		b.Fatal(err)
	}
	return sketchrnn.NewModel(w)
}

func BenchmarkGrid11(b *testing.B) {
	b.Run("melody", func(b *testing.B) {
		benchGrid[melody.Melody](b, shippedMelody(b), exampleMelodies(b), palette.Settings{})
	})
	b.Run("melody-by-rows", func(b *testing.B) {
		benchGridBatch[melody.Melody](b, shippedMelody(b), exampleMelodies(b), palette.Settings{}, palette.MaxGridSize)
	})
	b.Run("drums", func(b *testing.B) {
		if len(assets.DrumsModel) == 0 {
			b.Skip("no drum model in this build")
		}
		m, err := musicvae.LoadDrumModel(bytes.NewReader(assets.DrumsModel))
		if err != nil {
			b.Fatal(err)
		}
		ex, err := examples.Grooves()
		if err != nil {
			b.Fatal(err)
		}
		benchGrid[drums.Pattern](b, m, examples.Items(ex), palette.Settings{})
	})
	b.Run("sketch", func(b *testing.B) {
		benchGrid[sketch.Drawing](b, shippedSketch(b), exampleDrawings(), palette.Settings{Temperature: 0.2, Seed: 1})
	})
}

// BenchmarkWalkGIF60 is a 60-frame walk around the pad's edge: the decodes and the GIF, 256 px.
func BenchmarkWalkGIF60(b *testing.B) {
	m := shippedSketch(b)
	cs := shippedCorners(b, m, exampleDrawings())
	path := palette.Path{{U: 0, V: 0}, {U: 1, V: 0}, {U: 1, V: 1}, {U: 0, V: 1}, {U: 0, V: 0}}
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		ds, err := palette.DecodePoints(m, cs, path.Even(60), palette.Settings{Temperature: 0.2, Seed: 1}, 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := cells.WriteGIF(io.Discard, ds, cells.GIFOptions{Drawing: sketch.Options{Size: 256}, Loop: true}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}
