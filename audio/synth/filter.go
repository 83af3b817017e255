package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// LowPass is a two-pole state-variable low-pass filter (the topology-preserving form, stable
// under modulation) whose cutoff glides exponentially from one frequency to another: a filter
// envelope that opens or closes a note.
type LowPass struct {
	src        stream.Streamer
	sampleRate float64
	k          float64 // 1/Q
	cutoff     float64
	target     float64
	glide      float64 // per-frame approach of cutoff to target
	ic1, ic2   [2]float64
}

// NewLowPass filters src at sampleRate with resonance q, the cutoff moving from "from" Hz to
// "to" Hz with time constant tau seconds.
func NewLowPass(from, to, tau, q, sampleRate float64, src stream.Streamer) *LowPass {
	lp := &LowPass{src: src, sampleRate: sampleRate, k: 1 / q, cutoff: from, target: to, glide: 1}
	if tau > 0 {
		lp.glide = math.Exp(-1 / (tau * sampleRate))
	}
	return lp
}

// Stream fills buf with the filtered source; the cutoff is updated every 32 frames, which is
// smooth to the ear and saves a tangent per frame.
func (lp *LowPass) Stream(buf []stream.Frame) (int, bool) {
	n, ok := lp.src.Stream(buf)
	nyq := 0.45 * lp.sampleRate
	for start := 0; start < n; start += 32 {
		end := min(start+32, n)
		lp.cutoff = lp.target + (lp.cutoff-lp.target)*math.Pow(lp.glide, float64(end-start))
		g := math.Tan(math.Pi * min(lp.cutoff, nyq) / lp.sampleRate)
		a1 := 1 / (1 + g*(g+lp.k))
		a2 := g * a1
		a3 := g * a2
		for i := start; i < end; i++ {
			for c := range 2 {
				v0 := buf[i][c]
				v3 := v0 - lp.ic2[c]
				v1 := a1*lp.ic1[c] + a2*v3
				v2 := lp.ic2[c] + a2*lp.ic1[c] + a3*v3
				lp.ic1[c] = 2*v1 - lp.ic1[c]
				lp.ic2[c] = 2*v2 - lp.ic2[c]
				buf[i][c] = v2
			}
		}
	}
	return n, ok
}
