package ui

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
	"github.com/latentpalette/palette/model/vae"
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
			a, err := m.Decode(zs[:2], vae.DecodeOptions{Temperature: tt.temp, Seed: 9})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := m.Decode(zs[:2], vae.DecodeOptions{Temperature: tt.temp, Seed: 9})
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
	w, err := musicvae.NewWeights(musicvae.Config{EncoderSize: 16, DecoderSizes: []int{16}, ZSize: 8}, 5)
	if err != nil {
		t.Fatal(err)
	}
	var m palette.Model[melody.Melody] = musicvae.NewModel(w)
	ms := exampleMelodies(t)
	zs, err := m.Encode(ms[:])
	if err != nil || len(zs) != 4 || len(zs[0]) != 8 {
		t.Fatalf("encoded %d vectors (%v)", len(zs), err)
	}
	for _, temp := range []float64{0, 0.7} {
		a, _ := m.Decode(zs, vae.DecodeOptions{Temperature: temp, Seed: 3})
		b, _ := m.Decode(zs, vae.DecodeOptions{Temperature: temp, Seed: 3})
		if len(a) != 4 || len(a[0]) != melody.WindowSteps || !slices.Equal(a[2], b[2]) {
			t.Errorf("temperature %v: decodes differ or have the wrong size", temp)
		}
	}
	if _, err := m.Encode([]melody.Melody{{500}}); err == nil {
		t.Error("an invalid melody was encoded")
	}
}

// benchMove measures what a drag costs, from MoveTo to the result, as model/palette's benchmark,
// with the palette at settings s.
func benchMove[T any](b *testing.B, m palette.Model[T], corners [4]T, s palette.Settings, size func(T) int) {
	results := make(chan palette.Result[T], 1)
	p := palette.New(m, palette.Options[T]{
		OnResult: func(r palette.Result[T]) { results <- r },
		OnError:  func(err error) { b.Error(err) },
		Settings: s,
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

// BenchmarkMoveToResultMelody measures a drag on the melody palette with MusicVAE, greedy as the
// melody tab starts: the size the shipped model trains at and Magenta's mel_2bar_small. Decoding
// always runs 32 steps, so untrained weights time it as trained ones would.
func BenchmarkMoveToResultMelody(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  musicvae.Config
	}{
		{"musicvae-128-128x2-z64", musicvae.Config{EncoderSize: 128, DecoderSizes: []int{128, 128}, ZSize: 64}},
		{"musicvae-mel_2bar_small", musicvae.Small},
	} {
		b.Run(c.name, func(b *testing.B) {
			w, err := musicvae.NewWeights(c.cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			benchMove[melody.Melody](b, musicvae.NewModel(w), exampleMelodies(b), palette.Settings{}, func(m melody.Melody) int { return len(m) })
		})
	}
	b.Run("shipped", func(b *testing.B) {
		w, _, err := musicvae.Load(bytes.NewReader(assets.MelodyModel))
		if err != nil {
			b.Fatal(err)
		}
		benchMove[melody.Melody](b, musicvae.NewModel(w), exampleMelodies(b), palette.Settings{}, func(m melody.Melody) int { return len(m) })
	})
}

// BenchmarkMoveToResultSketch measures a drag on the sketch palette with Sketch-RNN at the sketch
// tab's starting settings (temperature 0.2, a fixed seed). "untrained" has the shipped sizes and
// untrained weights, whose drawings are short; "shipped" is the bundled model; "checkpoint" decodes with the checkpoint that
// $LP_SKETCH_MODEL names (a model in training, say), and is skipped without it. "steps" is the
// mean number of points decoded: a trained model's drawings are as long as the data's.
func BenchmarkMoveToResultSketch(b *testing.B) {
	points := func(d sketch.Drawing) int { return len(d) }
	b.Run("sketchrnn-untrained", func(b *testing.B) {
		benchMove(b, smallSketchVAE(b, sketchrnn.DefaultConfig()), exampleDrawings(), sketchSettings, points)
	})
	builtin := func(b *testing.B, data []byte) palette.Model[sketch.Drawing] {
		w, err := sketchrnn.Load(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		m, err := SketchVAE(w)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	b.Run("shipped", func(b *testing.B) {
		benchMove(b, builtin(b, assets.SketchModel), exampleDrawings(), sketchSettings, points)
	})
	b.Run("animals", func(b *testing.B) { // the ten animals, their example corners
		meta, err := sketchrnn.Metadata(bytes.NewReader(assets.AnimalsModel))
		if err != nil {
			b.Fatal(err)
		}
		m := builtin(b, assets.AnimalsModel)
		classes, err := sketchrnn.ReadClasses(meta[sketchrnn.MetaClasses], m.ZSize())
		if err != nil {
			b.Fatal(err)
		}
		corners, names := sketchExamples(sketchChoice{model: m, classes: classes})
		if names[0] != "Rabbit" {
			b.Fatalf("the animals' example corners are %v", names)
		}
		benchMove(b, m, corners, sketchSettings, points)
	})
	b.Run("sketchrnn-checkpoint", func(b *testing.B) {
		path := os.Getenv("LP_SKETCH_MODEL")
		if path == "" {
			b.Skip("LP_SKETCH_MODEL is not set: name a sketch VAE checkpoint (.safetensors) to time a trained model")
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		w, err := sketchrnn.Load(f)
		f.Close()
		if err != nil {
			b.Fatalf("load %s: %v", path, err)
		}
		m, err := SketchVAE(w)
		if err != nil {
			b.Fatal(err)
		}
		benchMove(b, m, exampleDrawings(), sketchSettings, points)
	})
}
