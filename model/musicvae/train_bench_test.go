package musicvae

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/vae"
)

// randomWindows makes n windows of plausible melodies: notes, holds and offs.
func randomWindows(n int, seed uint64) []melody.Melody {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]melody.Melody, n)
	for i := range out {
		m := make(melody.Melody, Steps)
		p := 60 + rng.IntN(12)
		for s := range m {
			switch r := rng.IntN(8); {
			case r < 3:
				p += rng.IntN(5) - 2
				m[s] = melody.NoteOn(p)
			case r == 3:
				m[s] = melody.NoteOff
			}
		}
		if m[0] == melody.NoteOff {
			m[0] = melody.NoteOn(p)
		}
		out[i] = m
	}
	return out
}

// BenchmarkTrainStep times a training step (batch 64) at the shipped size, on one thread and on
// two; cpu-s/op is the CPU time a step takes on all threads.
func BenchmarkTrainStep(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			w, err := NewWeights(shipped, 1)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := NewTrainer(w, DefaultTrainConfig(), randomWindows(256, 1))
			if err != nil {
				b.Fatal(err)
			}
			tr.Threads = threads
			if _, err := tr.TrainStep(); err != nil { // warm up: the first step builds the graphs
				b.Fatal(err)
			}
			var u0, u1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &u0)
			for b.Loop() {
				st, err := tr.TrainStep()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(st.Loss, "loss")
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &u1)
			cpu := time.Duration(u1.Utime.Nano() + u1.Stime.Nano() - u0.Utime.Nano() - u0.Stime.Nano())
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(trainFLOPs(shipped, 64)/(b.Elapsed().Seconds()/float64(b.N))/1e9, "GFLOP/s")
		})
	}
}

// trainFLOPs counts the multiply-adds of a training step's matrix products (forward, and twice
// that backward) at batch B, as 2 FLOPs each.
func trainFLOPs(c Config, B int) float64 {
	E, Z := c.EncoderSize, c.ZSize
	macs := 2 * Steps * E * 4 * E // the encoder's recurrent products, both directions
	macs += 2 * 2 * E * Z         // mu, sigma
	macs += Z * 2 * sum(c.DecoderSizes)
	macs += Z * 4 * c.DecoderSizes[0]
	in := 0
	for k, d := range c.DecoderSizes {
		macs += Steps * d * 4 * d // recurrent
		if k > 0 {
			macs += Steps * in * 4 * d
		}
		in = d
	}
	macs += Steps * in * Classes
	return 2 * 3 * float64(macs) * float64(B)
}

// shipped is the size of the model in assets/melody.safetensors (256 / 2x256 / z 128).
var shipped = Config{EncoderSize: 256, DecoderSizes: []int{256, 256}, ZSize: 128}

// BenchmarkEngines decodes one z greedily at the shipped size through the Gorgonia graphs (the
// app's path) and through the plain-Go oracle.
func BenchmarkEngines(b *testing.B) {
	w, err := NewWeights(shipped, 1)
	if err != nil {
		b.Fatal(err)
	}
	m := NewModel(w)
	zs, err := m.Encode(randomWindows(1, 3))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gorgonia/1", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Decode(zs, vae.DecodeOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("oracle/1", func(b *testing.B) {
		for b.Loop() {
			decodePlain(w, zs, nil, 0, 0)
		}
	})
}

// BenchmarkEncode encodes one window through the graph.
func BenchmarkEncode(b *testing.B) {
	w, err := NewWeights(shipped, 1)
	if err != nil {
		b.Fatal(err)
	}
	m, ws := NewModel(w), randomWindows(1, 3)
	for b.Loop() {
		if _, err := m.Encode(ws); err != nil {
			b.Fatal(err)
		}
	}
}
