package magenta

import (
	"testing"
	"testing/fstest"

	"github.com/latentpalette/palette/model/musicvae"
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
		{"decode1", func() { m.Decode(zs[:1], 0, 0) }},
		{"decode16", func() { m.Decode(zs, 0, 0) }},
		{"encode1", func() { m.Encode(corners[:1]) }},
		{"interpolate4x4", func() { interpolate4x4(m, corners) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.run()
			}
		})
	}
}
