package audio

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/model/melody"
)

// render pulls the whole render of m into memory.
func render(tb testing.TB, m melody.Melody, o RenderOptions) []stream.Frame {
	tb.Helper()
	s, err := Render(m, o)
	if err != nil {
		tb.Fatal(err)
	}
	return drain(s)
}

func drain(s stream.Streamer) []stream.Frame {
	var out []stream.Frame
	buf := make([]stream.Frame, 1000)
	for {
		n, ok := s.Stream(buf)
		out = append(out, buf[:n]...)
		if !ok || n < len(buf) {
			return out
		}
	}
}

// mono returns the mid channel of frames.
func mono(frames []stream.Frame) []float64 {
	x := make([]float64, len(frames))
	for i, f := range frames {
		x[i] = (f[0] + f[1]) / 2
	}
	return x
}

// spectrumPeak returns the frequency of the strongest component of x above 20 Hz: a Hann
// window, zero-padding to at least twice its length, and a parabola through the top bin and its
// neighbours (on log magnitudes) for a fraction of a bin.
func spectrumPeak(x []float64, sampleRate float64) float64 {
	n := 1 << 15
	for n < 2*len(x) {
		n *= 2
	}
	in := make([]float64, n)
	for i, v := range x {
		in[i] = v * 0.5 * (1 - math.Cos(2*math.Pi*float64(i)/float64(len(x)-1)))
	}
	coef := fourier.NewFFT(n).Coefficients(nil, in)
	lo := int(20 * float64(n) / sampleRate)
	best := lo
	for k := lo; k < len(coef)-1; k++ {
		if cmplx.Abs(coef[k]) > cmplx.Abs(coef[best]) {
			best = k
		}
	}
	a := math.Log(cmplx.Abs(coef[best-1]) + 1e-300)
	b := math.Log(cmplx.Abs(coef[best]) + 1e-300)
	c := math.Log(cmplx.Abs(coef[best+1]) + 1e-300)
	shift := 0.0
	if d := a - 2*b + c; d < 0 {
		shift = 0.5 * (a - c) / d
	}
	return (float64(best) + shift) * sampleRate / float64(n)
}
