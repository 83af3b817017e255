package stream

import (
	"math"
	"testing"
)

// ramp streams n frames whose value is their index, then ends.
func ramp(n int) Streamer {
	i := 0
	return Func(func(buf []Frame) (int, bool) {
		k := 0
		for ; k < len(buf) && i < n; k++ {
			buf[k] = Frame{float64(i), -float64(i)}
			i++
		}
		return k, k > 0
	})
}

func collect(s Streamer, chunk int) []Frame {
	var out []Frame
	buf := make([]Frame, chunk)
	for {
		n, ok := s.Stream(buf)
		out = append(out, buf[:n]...)
		if !ok || n < len(buf) {
			return out
		}
	}
}

func TestTakeAndFill(t *testing.T) {
	for _, tc := range []struct{ src, take, chunk, want int }{
		{100, 10, 3, 10}, {5, 10, 3, 5}, {100, 0, 7, 0}, {64, 64, 64, 64},
	} {
		got := collect(Take(tc.take, ramp(tc.src)), tc.chunk)
		if len(got) != tc.want {
			t.Errorf("Take(%d) of %d frames in chunks of %d: %d frames, want %d", tc.take, tc.src, tc.chunk, len(got), tc.want)
		}
		for i, f := range got {
			if f[0] != float64(i) {
				t.Fatalf("frame %d = %v", i, f)
			}
		}
	}
	buf := make([]Frame, 10)
	if n, ok := Fill(ramp(4), buf); n != 4 || !ok {
		t.Errorf("Fill of 4 frames = %d, %v", n, ok)
	}
	if n, ok := Fill(ramp(0), buf); n != 0 || ok {
		t.Errorf("Fill of nothing = %d, %v", n, ok)
	}
}

func TestMixerAndGain(t *testing.T) {
	var m Mixer
	m.Add(ramp(3), Gain(2, ramp(5)))
	got := collect(Take(6, &m), 4)
	want := []float64{0, 3, 6, 6, 8, 0} // 0+0, 1+2, 2+4, 6, 8, then silence
	for i, w := range want {
		if got[i][0] != w || got[i][1] != -w {
			t.Errorf("frame %d = %v, want ±%g", i, got[i], w)
		}
	}
	if m.Len() != 0 {
		t.Errorf("%d streamers still mixing after they ended", m.Len())
	}
}

func TestLimiter(t *testing.T) {
	const sr, ceiling = 44100, 0.9
	sine := func(amp float64, n int) Streamer {
		i := 0
		return Func(func(buf []Frame) (int, bool) {
			k := 0
			for ; k < len(buf) && i < n; k++ {
				v := amp * math.Sin(2*math.Pi*220*float64(i)/sr)
				buf[k] = Frame{v, -v}
				i++
			}
			return k, k > 0
		})
	}
	for _, tc := range []struct {
		name   string
		amp    float64
		frames int
	}{{"quiet", 0.5, 10000}, {"loud", 3, 10000}, {"short", 3, 10}, {"one frame", 0.5, 1}} {
		in := collect(sine(tc.amp, tc.frames), 333)
		out := collect(NewLimiter(ceiling, sr, sine(tc.amp, tc.frames)), 333)
		if len(out) != len(in) {
			t.Errorf("%s: %d frames out of %d in", tc.name, len(out), len(in))
			continue
		}
		var peak float64
		for i := range out {
			peak = max(peak, math.Abs(out[i][0]), math.Abs(out[i][1]))
			if tc.amp < ceiling && out[i] != in[i] {
				t.Fatalf("%s: frame %d changed from %v to %v although it is below the ceiling", tc.name, i, in[i], out[i])
			}
		}
		if peak > ceiling {
			t.Errorf("%s: peak %.4f above the ceiling %.2f", tc.name, peak, ceiling)
		}
		if tc.amp > ceiling && tc.frames > 1000 && peak < 0.99*ceiling {
			t.Errorf("%s: peak %.4f: the limiter took off more than it needed", tc.name, peak)
		}
	}
}

// TestLimiterBurst sends quiet, then a loud burst, then quiet again: the burst is held under
// the ceiling, the quiet part before it passes unchanged, and once the gain has recovered the
// limiter passes the signal untouched again.
func TestLimiterBurst(t *testing.T) {
	const sr, ceiling = 44100, 0.9
	amp := func(i int) float64 {
		if i >= sr/2 && i < sr*7/10 {
			return 3
		}
		return 0.5
	}
	const total = sr * 32 / 10
	gen := func() Streamer {
		i := 0
		return Func(func(buf []Frame) (int, bool) {
			k := 0
			for ; k < len(buf) && i < total; k++ {
				v := amp(i) * math.Sin(2*math.Pi*330*float64(i)/sr)
				buf[k] = Frame{v, v / 2}
				i++
			}
			return k, k > 0
		})
	}
	for _, chunk := range []int{1, 100, 4096} {
		in := collect(gen(), 1000)
		out := collect(NewLimiter(ceiling, sr, gen()), chunk)
		if len(out) != len(in) {
			t.Fatalf("chunk %d: %d frames out of %d", chunk, len(out), len(in))
		}
		for i := range out {
			if math.Abs(out[i][0]) > ceiling || math.Abs(out[i][1]) > ceiling {
				t.Fatalf("chunk %d: frame %d = %v above the ceiling", chunk, i, out[i])
			}
			before := i < sr/2-sr/500
			after := i > total-sr*3/10
			if (before || after) && out[i] != in[i] {
				t.Fatalf("chunk %d: frame %d changed from %v to %v far from the burst", chunk, i, in[i], out[i])
			}
		}
	}
}

// BenchmarkLimiter limits a loud sine (the slow path, gain below 1 throughout) and a quiet one
// (the pass-through path) in 512-frame buffers.
func BenchmarkLimiter(b *testing.B) {
	for _, tc := range []struct {
		name string
		amp  float64
	}{{"loud", 2}, {"quiet", 0.5}} {
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			src := Func(func(buf []Frame) (int, bool) {
				for k := range buf {
					v := tc.amp * math.Sin(float64(i)*0.05)
					buf[k] = Frame{v, v}
					i++
				}
				return len(buf), true
			})
			lim := NewLimiter(0.9, 44100, src)
			buf := make([]Frame, 512)
			for b.Loop() {
				lim.Stream(buf)
			}
			b.ReportMetric(float64(b.N*len(buf))/44100/b.Elapsed().Seconds(), "x-realtime")
		})
	}
}
