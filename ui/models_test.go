package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
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

func exampleMelodies(t testing.TB) [4]melody.Melody {
	ex, err := examples.Melodies()
	if err != nil {
		t.Fatal(err)
	}
	var c [4]melody.Melody
	for i, e := range ex {
		c[i] = e.Item
	}
	return c
}

func TestMusicVAE(t *testing.T) {
	w, err := musicvae.NewWeights(musicvae.MelodyVAEConfig{EncoderSize: 16, DecoderSizes: []int{16}, ZSize: 8}, 5)
	if err != nil {
		t.Fatal(err)
	}
	m := MusicVAE(musicvae.NewModel(w))
	ms := exampleMelodies(t)
	zs, err := m.Encode(ms[:])
	if err != nil || len(zs) != 4 || len(zs[0]) != 8 {
		t.Fatalf("encoded %d vectors (%v)", len(zs), err)
	}
	for _, temp := range []float64{0, 0.7} {
		a, _ := m.Decode(zs, temp, 3)
		b, _ := m.Decode(zs, temp, 3)
		if len(a) != 4 || len(a[0]) != melody.WindowSteps || !slices.Equal(a[2], b[2]) {
			t.Errorf("temperature %v: decodes differ or have the wrong size", temp)
		}
	}
	if _, err := m.Encode([]melody.Melody{{500}}); err == nil {
		t.Error("an invalid melody was encoded")
	}
}

// benchMove measures what a drag costs, from MoveTo to the result, as model/palette's benchmark.
func benchMove[T any](b *testing.B, m palette.Model[T], corners [4]T, size func(T) int) {
	results := make(chan palette.Result[T], 1)
	p := palette.New(m, palette.Options[T]{
		OnResult: func(r palette.Result[T]) { results <- r },
		OnError:  func(err error) { b.Error(err) },
	})
	defer p.Close()
	p.SetCorners(corners)
	<-results
	n := 0
	b.ResetTimer()
	for i := range b.N {
		p.MoveTo(palette.Point{U: float64(i%97) / 97, V: float64(i%89) / 89})
		n += size((<-results).Item)
	}
	b.ReportMetric(float64(n)/float64(b.N), "steps")
}

// BenchmarkMoveToResultMelody measures a drag on the melody palette with MusicVAE: the size
// the shipped model trains at and Magenta's mel_2bar_small. Decoding always runs 32 steps, so
// untrained weights time it as trained ones would.
func BenchmarkMoveToResultMelody(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  musicvae.MelodyVAEConfig
	}{
		{"musicvae-128-128x2-z64", musicvae.MelodyVAEConfig{EncoderSize: 128, DecoderSizes: []int{128, 128}, ZSize: 64}},
		{"musicvae-mel_2bar_small", musicvae.Small},
	} {
		b.Run(c.name, func(b *testing.B) {
			w, err := musicvae.NewWeights(c.cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			benchMove(b, MusicVAE(musicvae.NewModel(w)), exampleMelodies(b), func(m melody.Melody) int { return len(m) })
		})
	}
}

// BenchmarkMoveToResult measures a drag on the sketch palette with Sketch-RNN: from MoveTo to
// the result, as in model/palette's benchmark. It uses the checkpoint that $PALETTE_SKETCH_MODEL
// names (a model still training, say) or else untrained weights of the shipped size, whose
// drawings are short; "steps" is the mean number of points decoded.
func BenchmarkMoveToResultSketch(b *testing.B) {
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
		benchMove(b, m, exampleDrawings(), func(d sketch.Drawing) int { return len(d) })
	})
}
