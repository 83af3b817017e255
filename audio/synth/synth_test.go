package synth

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/audio/stream"
)

const sr = 44100

func all(s stream.Streamer, limit int) []stream.Frame {
	var out []stream.Frame
	buf := make([]stream.Frame, 100)
	for len(out) < limit {
		n, ok := s.Stream(buf)
		out = append(out, buf[:n]...)
		if !ok || n < len(buf) {
			break
		}
	}
	return out
}

type constant float64

func (c constant) Stream(buf []stream.Frame) (int, bool) {
	for i := range buf {
		buf[i] = stream.Frame{float64(c), float64(c)}
	}
	return len(buf), true
}

func TestEnvelope(t *testing.T) {
	a := ADSR{Attack: 0.01, Decay: 0.02, Sustain: 0.5, Release: 0.05}
	e := NewEnvelope(a, sr, constant(1))
	x := all(stream.Take(sr/2, e), sr)
	for _, tc := range []struct {
		frame    int
		lo, hi   float64
		whatever string
	}{
		{0, 0, 0.01, "starts from silence"},
		{sr / 200, 0.45, 0.55, "half way up the attack"},
		{sr / 100, 0.99, 1, "at the top after the attack"},
		{sr/2 - 1, 0.499, 0.501, "at the sustain level"},
	} {
		if v := x[tc.frame][0]; v < tc.lo || v > tc.hi {
			t.Errorf("frame %d = %.4f, want %.3f..%.3f (%s)", tc.frame, v, tc.lo, tc.hi, tc.whatever)
		}
	}
	e.Release()
	tail := all(e, sr)
	if n := len(tail); n < sr*5/100-2 || n > sr*5/100 {
		t.Errorf("release lasted %d frames, want %d", n, sr*5/100)
	}
	if first, last := tail[0][0], tail[len(tail)-1][0]; first > 0.5 || first < 0.49 || last > 1e-5 {
		t.Errorf("release from %.4f to %.6f, want from 0.5 to about 0", first, last)
	}
	if n, ok := e.Stream(make([]stream.Frame, 10)); n != 0 || ok {
		t.Errorf("a finished envelope streamed %d frames, ok %v", n, ok)
	}

	e = NewEnvelope(ADSR{Attack: 0.001, Sustain: 1, Release: 1}, sr, constant(1))
	all(stream.Take(1000, e), sr)
	e.Release()
	all(stream.Take(100, e), sr)
	e.FadeOut(50)
	if n := len(all(e, sr)); n > 50 {
		t.Errorf("FadeOut(50) took %d frames", n)
	}
}

func TestVoicesStartSilentAndPitch(t *testing.T) {
	if f := Frequency(69); f != 440 {
		t.Errorf("Frequency(69) = %g", f)
	}
	if f := Frequency(81); math.Abs(f-880) > 1e-9 {
		t.Errorf("Frequency(81) = %g", f)
	}
	for _, in := range Instruments() {
		v := in.New(57, sr, 1)
		x := all(stream.Take(sr, v), sr)
		if math.Abs(x[0][0]) > 0.01 || math.Abs(x[0][1]) > 0.01 {
			t.Errorf("%s: first frame %v, want silence rising", in.Name, x[0])
		}
		// Count upward zero crossings of a second of a held 220 Hz note.
		mid := make([]float64, len(x))
		for i, f := range x {
			mid[i] = f[0] + f[1]
		}
		var peak float64
		for _, v := range mid {
			peak = max(peak, math.Abs(v))
		}
		if peak < 0.1 || peak > 2 {
			t.Errorf("%s: peak %.3f of a held note", in.Name, peak)
		}
		v.Release()
		if n := len(all(v, 10*sr)); n >= 10*sr {
			t.Errorf("%s: the voice did not end after its release", in.Name)
		}
	}
	if _, ok := Lookup("tuba"); ok {
		t.Error("Lookup found a tuba")
	}
	if got := Names(); len(got) < 4 || got[0] != "piano" {
		t.Errorf("Names() = %v", got)
	}
}

func TestClickEnds(t *testing.T) {
	for _, accent := range []bool{false, true} {
		x := all(Click(accent, sr), sr)
		if len(x) > sr/20 || len(x) < sr/100 {
			t.Errorf("click (accent %v) lasts %d frames", accent, len(x))
		}
	}
}

// BenchmarkVoice streams one held note of each instrument in 512-frame buffers, as the
// sequencer does; "voices" is how many such notes one core could keep sounding in real time.
func BenchmarkVoice(b *testing.B) {
	for _, in := range Instruments() {
		b.Run(in.Name, func(b *testing.B) {
			buf := make([]stream.Frame, 512)
			v := in.New(60, sr, 1)
			for b.Loop() {
				v.Stream(buf)
			}
			b.ReportMetric(float64(b.N*len(buf))/sr/b.Elapsed().Seconds(), "voices")
		})
	}
}
