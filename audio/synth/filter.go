package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// response is which output of the state-variable filter a Filter passes.
type response int

const (
	lowPass response = iota
	highPass
	bandPass
)

// Filter is a two-pole state-variable filter (the topology-preserving form, stable under
// modulation) whose cutoff glides exponentially from one frequency to another: a filter
// envelope that opens or closes a note. One structure gives the low-pass of the melody voices
// and the high- and band-passes that carve noise and metal into drums.
type Filter struct {
	src        stream.Streamer
	sampleRate float64
	resp       response
	k          float64 // 1/Q
	cutoff     float64
	target     float64
	glide      float64 // per-frame approach of cutoff to target
	ic1, ic2   [2]float64
}

// NewLowPass filters src at sampleRate with resonance q, the cutoff moving from "from" Hz to
// "to" Hz with time constant tau seconds.
func NewLowPass(from, to, tau, q, sampleRate float64, src stream.Streamer) *Filter {
	return newFilter(lowPass, from, to, tau, q, sampleRate, src)
}

// NewHighPass is NewLowPass's mirror: it passes what is above the cutoff.
func NewHighPass(from, to, tau, q, sampleRate float64, src stream.Streamer) *Filter {
	return newFilter(highPass, from, to, tau, q, sampleRate, src)
}

// NewBandPass passes a band around the cutoff, of width cutoff/q, at unity gain in its centre.
func NewBandPass(from, to, tau, q, sampleRate float64, src stream.Streamer) *Filter {
	return newFilter(bandPass, from, to, tau, q, sampleRate, src)
}

func newFilter(r response, from, to, tau, q, sampleRate float64, src stream.Streamer) *Filter {
	f := &Filter{src: src, sampleRate: sampleRate, resp: r, k: 1 / q, cutoff: from, target: to, glide: 1}
	if tau > 0 {
		f.glide = math.Exp(-1 / (tau * sampleRate))
	}
	return f
}

// Stream fills buf with the filtered source; the cutoff is updated every 32 frames, which is
// smooth to the ear and saves a tangent per frame.
func (f *Filter) Stream(buf []stream.Frame) (int, bool) {
	n, ok := f.src.Stream(buf)
	nyq := 0.45 * f.sampleRate
	// The filter's three outputs are the input less k times the band and the low: a mix of
	// v0, v1 and v2 picks one.
	var c0, c1, c2 float64
	switch f.resp {
	case lowPass:
		c2 = 1
	case highPass:
		c0, c1, c2 = 1, -f.k, -1
	case bandPass:
		c1 = f.k
	}
	for start := 0; start < n; start += 32 {
		end := min(start+32, n)
		f.cutoff = f.target + (f.cutoff-f.target)*math.Pow(f.glide, float64(end-start))
		g := math.Tan(math.Pi * min(f.cutoff, nyq) / f.sampleRate)
		a1 := 1 / (1 + g*(g+f.k))
		a2 := g * a1
		a3 := g * a2
		for i := start; i < end; i++ {
			for c := range 2 {
				v0 := buf[i][c]
				v3 := v0 - f.ic2[c]
				v1 := a1*f.ic1[c] + a2*v3
				v2 := f.ic2[c] + a2*f.ic1[c] + a3*v3
				f.ic1[c] = 2*v1 - f.ic1[c]
				f.ic2[c] = 2*v2 - f.ic2[c]
				buf[i][c] = c0*v0 + c1*v1 + c2*v2
			}
		}
	}
	return n, ok
}
