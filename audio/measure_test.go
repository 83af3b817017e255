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

// spectrum returns the magnitudes of x's spectrum, bin k at k*binHz Hz, zero-padded to at least
// twice its length; hann windows x first (a steady tone), where a struck sound that starts and
// ends in silence is better taken whole.
func spectrum(x []float64, sampleRate float64, hann bool) (mag []float64, binHz float64) {
	n := 1 << 15
	for n < 2*len(x) {
		n *= 2
	}
	in := make([]float64, n)
	copy(in, x)
	for i := range x {
		if hann {
			in[i] *= 0.5 * (1 - math.Cos(2*math.Pi*float64(i)/float64(len(x)-1)))
		}
	}
	coef := fourier.NewFFT(n).Coefficients(nil, in)
	mag = make([]float64, len(coef))
	for k, c := range coef {
		mag[k] = cmplx.Abs(c)
	}
	return mag, sampleRate / float64(n)
}

// spectrumPeak returns the frequency of the strongest component of x above 20 Hz, with a
// parabola through the top bin and its neighbours (on log magnitudes) for a fraction of a bin.
func spectrumPeak(x []float64, sampleRate float64) float64 {
	mag, binHz := spectrum(x, sampleRate, true)
	lo := int(20 / binHz)
	best := lo
	for k := lo; k < len(mag)-1; k++ {
		if mag[k] > mag[best] {
			best = k
		}
	}
	a := math.Log(mag[best-1] + 1e-300)
	b := math.Log(mag[best] + 1e-300)
	c := math.Log(mag[best+1] + 1e-300)
	shift := 0.0
	if d := a - 2*b + c; d < 0 {
		shift = 0.5 * (a - c) / d
	}
	return (float64(best) + shift) * binHz
}

// centroid returns the spectral centroid above 20 Hz of x, a sound that starts and ends in
// silence: the mean frequency weighted by power, where the sound's energy sits. (Weighting by
// magnitude would depend on the length of the FFT: a tone gathers into one bin, noise spreads.)
func centroid(x []float64, sampleRate float64) float64 {
	mag, binHz := spectrum(x, sampleRate, false)
	var sum, weighted float64
	for k := int(20 / binHz); k < len(mag); k++ {
		p := mag[k] * mag[k]
		sum += p
		weighted += p * float64(k) * binHz
	}
	return weighted / sum
}
