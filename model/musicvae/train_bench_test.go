package musicvae

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/latentpalette/palette/model/melody"
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

func BenchmarkTrainStep(b *testing.B) {
	for _, engine := range []Engine{Plain, Gorgonia} {
		benchmarkTrainStep(b, engine)
	}
}

func benchmarkTrainStep(b *testing.B, engine Engine) {
	for _, c := range []MelodyVAEConfig{
		{EncoderSize: 128, DecoderSizes: []int{128, 128}, ZSize: 32},
		{EncoderSize: 256, DecoderSizes: []int{256, 256}, ZSize: 64},
		{EncoderSize: 256, DecoderSizes: []int{256, 256}, ZSize: 128},
	} {
		name := map[Engine]string{Plain: "plain", Gorgonia: "gorgonia"}[engine]
		b.Run(fmt.Sprintf("%s/%d,%v,%d", name, c.EncoderSize, c.DecoderSizes, c.ZSize), func(b *testing.B) {
			w, err := NewWeights(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := NewTrainer(w, DefaultTrainConfig(), randomWindows(256, 1))
			if err != nil {
				b.Fatal(err)
			}
			tr.Engine = engine
			if _, err := tr.TrainStep(); err != nil { // warm up: the first run allocates
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
		})
	}
}
