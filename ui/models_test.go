package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func exampleDrawings() [4]sketch.Drawing {
	var c [4]sketch.Drawing
	for i, e := range examples.Drawings() {
		c[i] = e.Item
	}
	return c
}

// smallSketchVAE is an untrained Sketch-RNN of test size; MaxSeqLen bounds its decodes.
func smallSketchVAE(t testing.TB, cfg sketchrnn.SketchVAEConfig) palette.Model[sketch.Drawing] {
	t.Helper()
	w, err := sketchrnn.NewWeights(cfg, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := SketchVAE(w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSketchVAE(t *testing.T) {
	cfg := sketchrnn.DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.MaxSeqLen = 16, 32, 8, 40
	m := smallSketchVAE(t, cfg)
	ds := exampleDrawings()
	zs, err := m.Encode(ds[:])
	if err != nil {
		t.Fatal(err)
	}
	if len(zs) != 4 || len(zs[0]) != m.ZSize() {
		t.Fatalf("encoded %d vectors of %d values", len(zs), len(zs[0]))
	}
	tests := []struct {
		name string
		temp float64
	}{{"greedy", 0}, {"sampled", 0.5}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := m.Decode(zs[:2], tt.temp, 9)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := m.Decode(zs[:2], tt.temp, 9)
			if len(a) != 2 || !slices.Equal(a[0], b[0]) || !slices.Equal(a[1], b[1]) {
				t.Error("the same z, temperature and seed decoded differently")
			}
		})
	}
	unconditional := cfg
	unconditional.ZSize, unconditional.EncSize = 0, 0
	w, err := sketchrnn.NewWeights(unconditional, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SketchVAE(w); err == nil {
		t.Error("a decoder-only model was accepted")
	}
}

// BenchmarkMoveToResult measures a drag on the sketch palette with Sketch-RNN: from MoveTo to
// the result, as in model/palette's benchmark. It uses the checkpoint that $PALETTE_SKETCH_MODEL
// names (a model still training, say) or else untrained weights of the shipped size, whose
// drawings are short; "points" is the mean length of the decoded drawings.
func BenchmarkMoveToResult(b *testing.B) {
	var m palette.Model[sketch.Drawing]
	name := "sketchrnn-untrained"
	if path := os.Getenv("PALETTE_SKETCH_MODEL"); path != "" {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		w, err := sketchrnn.Load(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if m, err = SketchVAE(w); err != nil {
			b.Fatal(err)
		}
		name = "sketchrnn-" + filepath.Base(path)
	} else {
		m = smallSketchVAE(b, sketchrnn.DefaultConfig())
	}
	b.Run(name, func(b *testing.B) {
		results := make(chan palette.Result[sketch.Drawing], 1)
		p := palette.New(m, palette.Options[sketch.Drawing]{
			OnResult: func(r palette.Result[sketch.Drawing]) { results <- r },
			OnError:  func(err error) { b.Error(err) },
		})
		defer p.Close()
		p.SetCorners(exampleDrawings())
		<-results
		points := 0
		b.ResetTimer()
		for i := range b.N {
			p.MoveTo(palette.Point{U: float64(i%97) / 97, V: float64(i%89) / 89})
			points += len((<-results).Item)
		}
		b.ReportMetric(float64(points)/float64(b.N), "points")
	})
}
