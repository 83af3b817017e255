package musicvae

import (
	"fmt"
	"testing"
)

// shipped is the size of the model in assets/melody.safetensors.
var shipped = MelodyVAEConfig{EncoderSize: 128, DecoderSizes: []int{128, 128}, ZSize: 64}

func benchModel(b *testing.B) *Model {
	return NewModel(randomWeights(b, shipped, 1))
}

// BenchmarkDecode decodes one z and a batch of 16 greedily, on both engines.
func BenchmarkDecode(b *testing.B) {
	m := benchModel(b)
	for _, engine := range []Engine{Plain, Gorgonia} {
		for _, n := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/%d", map[Engine]string{Plain: "plain", Gorgonia: "gorgonia"}[engine], n), func(b *testing.B) {
				m.Engine = engine
				zs := m.Encode(randomWindows(n, 3))
				m.Decode(zs, 0, 0) // builds the graph once
				for b.Loop() {
					m.Decode(zs, 0, 0)
				}
			})
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	m := benchModel(b)
	ws := randomWindows(1, 3)
	for b.Loop() {
		m.Encode(ws)
	}
}
