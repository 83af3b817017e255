package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// Frequency returns the equal-tempered frequency of MIDI pitch p (A4 = 69 = 440 Hz).
func Frequency(p int) float64 { return 440 * math.Pow(2, float64(p-69)/12) }

// Wave names an oscillator's shape.
type Wave int

const (
	Sine Wave = iota
	Saw
	Square
)

// Osc is a band-limited oscillator (polyBLEP for the saw and the square) with a gain and a pan;
// its pitch may glide, as a drum's falls after the strike.
type Osc struct {
	wave  Wave
	phase float64 // in cycles, [0, 1)
	inc   float64 // cycles per frame
	to    float64 // the increment inc glides to; inc itself without a glide
	glide float64 // per-frame approach of inc to "to"
	gl    float64 // left and right gains
	gr    float64
}

// NewOsc returns an oscillator of freq Hz at sampleRate, starting at phase (in cycles), with
// amplitude gain and pan in [-1, 1] (equal power).
func NewOsc(w Wave, freq, sampleRate, phase, gain, pan float64) *Osc {
	o := &Osc{wave: w, phase: phase - math.Floor(phase), inc: freq / sampleRate, to: freq / sampleRate, glide: 1}
	o.gl, o.gr = panGains(gain, pan)
	return o
}

// Glide moves the pitch from where it is to freq Hz, exponentially with time constant tau
// seconds, and returns o.
func (o *Osc) Glide(freq, tau, sampleRate float64) *Osc {
	o.to = freq / sampleRate
	o.glide = math.Exp(-1 / (max(tau, 1/sampleRate) * sampleRate))
	return o
}

// panGains splits gain between left and right by the equal-power law, pan in [-1, 1]; in the
// centre each side gets gain.
func panGains(gain, pan float64) (l, r float64) {
	a := (pan + 1) * math.Pi / 4
	return gain * math.Cos(a) * math.Sqrt2, gain * math.Sin(a) * math.Sqrt2
}

// polyBLEP is the band-limited step correction at phase t for a step at phase 0.
func polyBLEP(t, dt float64) float64 {
	switch {
	case t < dt:
		t /= dt
		return t + t - t*t - 1
	case t > 1-dt:
		t = (t - 1) / dt
		return t*t + t + t + 1
	}
	return 0
}

// Stream fills buf with the waveform; it never ends.
func (o *Osc) Stream(buf []stream.Frame) (int, bool) {
	ph, dt, to, k := o.phase, o.inc, o.to, o.glide
	for i := range buf {
		var v float64
		switch o.wave {
		case Sine:
			v = math.Sin(2 * math.Pi * ph)
		case Saw:
			v = 2*ph - 1 - polyBLEP(ph, dt)
		case Square:
			v = 1.0
			if ph >= 0.5 {
				v = -1
			}
			h := ph + 0.5
			if h >= 1 {
				h--
			}
			v += polyBLEP(ph, dt) - polyBLEP(h, dt)
		}
		buf[i] = stream.Frame{v * o.gl, v * o.gr}
		ph += dt
		if ph >= 1 {
			ph--
		}
		dt = to + (dt-to)*k // without a glide, to == dt and k == 1: dt stays exactly
	}
	o.phase, o.inc = ph, dt
	return len(buf), true
}
