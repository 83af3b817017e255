package magenta

import (
	"testing"
	"testing/fstest"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

// Reading and writing a mel_2bar_small-sized checkpoint (about 20 MB in 5 shards).
func BenchmarkWrite(b *testing.B) {
	tensors := randomWeights(b, musicvae.Small, 1).Tensors()
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(memDir{}, tensors); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	dir := memDir{}
	if err := Write(dir, randomWeights(b, musicvae.Small, 1).Tensors()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(fstest.MapFS(dir)); err != nil {
			b.Fatal(err)
		}
	}
}

// Our side of the race rows on a mel_2bar_small-sized model, for profiles and benchstat.
func BenchmarkModel(b *testing.B) {
	m := musicvae.NewModel(randomWeights(b, musicvae.Small, 21))
	zs := randomZs(16, musicvae.Small.ZSize, 22)
	corners := randomMelodies(4, 23)
	for _, bc := range []struct {
		name string
		run  func()
	}{
		{"decode1", func() { decodeZ(m, zs[:1]) }},
		{"decode16", func() { decodeZ(m, zs) }},
		{"encode1", func() { encodeMel(m, corners[:1]) }},
		{"interpolate4x4", func() { interpolate4x4(m, corners) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.run()
			}
		})
	}
}

// decodeZ and encodeMel call the model and fail loudly: a test or benchmark must not go on with
// what the graph did not produce.
func decodeZ(m *musicvae.Model, zs [][]float32) []melody.Melody {
	out, err := m.Decode(zs, vae.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	return out
}

func encodeMel(m *musicvae.Model, ms []melody.Melody) [][]float32 {
	out, err := m.Encode(ms)
	if err != nil {
		panic(err)
	}
	return out
}
