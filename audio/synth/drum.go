package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/model/drums"
)

// NewDrum starts a hit of drum class c at velocity (1..127) at sampleRate, on a drum machine
// in the manner of the TR-808 and TR-909: sines that fall in pitch for the kick and the toms, a
// tuned body under filtered noise for the snare, a cluster of square waves high-passed into
// metal for the hats and cymbals. Velocity sets the level and, where there is noise or metal,
// the brightness. seed varies the noise and the cymbals' phases, so a render is the same every
// time. The voice ends by itself once it has faded by 60 dB; Release does not cut it short.
func NewDrum(c drums.Class, velocity uint8, sampleRate float64, seed uint64) Voice {
	v := float64(min(max(velocity, 1), 127)) / 127
	// At full velocity the kick peaks near -5 dBFS: a groove leaves the limiter room, and
	// so does a melody played over it.
	h := hit{sr: sampleRate, seed: seed, level: 0.7 * math.Pow(v, 1.5), bright: v}
	switch c {
	case drums.Kick:
		return h.kick()
	case drums.Snare:
		return h.snare()
	case drums.ClosedHat:
		return h.hat(0.022)
	case drums.OpenHat:
		return h.hat(0.16)
	case drums.LowTom:
		return h.tom(92, 0.22, 0.4)
	case drums.MidTom:
		return h.tom(132, 0.19, 0)
	case drums.HighTom:
		return h.tom(186, 0.16, -0.4)
	case drums.Crash:
		return h.crash()
	default:
		return h.ride()
	}
}

// hit holds what every part of one drum hit is made with.
type hit struct {
	sr     float64
	seed   uint64
	level  float64 // the velocity's gain
	bright float64 // the velocity in (0, 1]: how far the noise filters open
}

// ring turns parts, each already fading, into a voice that ends when the slowest of them, with
// time constant tau seconds, has fallen by 60 dB.
func (h hit) ring(tau float64, parts ...stream.Streamer) Voice {
	var mix stream.Mixer
	mix.Add(parts...)
	e := NewEnvelope(ADSR{Attack: minRamp, Sustain: 1, Release: 0.005}, h.sr, &mix)
	return &autoRelease{Envelope: e, left: int(math.Log(1000) * tau * h.sr)}
}

// fade is a struck part: it rises within a millisecond and falls with time constant tau
// seconds; it never ends by itself.
func (h hit) fade(tau float64, src stream.Streamer) stream.Streamer {
	return NewEnvelope(ADSR{Attack: minRamp, Decay: tau, Sustain: 0}, h.sr, src)
}

// noise is the hit's white noise, its seed varied by salt so two noises of one hit differ.
func (h hit) noise(gain, pan float64, salt uint64) *Noise {
	return NewNoise(gain, pan, h.seed*16+salt)
}

// drop is a sine that starts at from Hz and falls to to Hz with time constant tau seconds.
func (h hit) drop(from, to, tau, gain, pan float64) *Osc {
	return NewOsc(Sine, from, h.sr, 0, gain, pan).Glide(to, tau, h.sr)
}

// metal is the TR-808's cymbal source: six square waves at unrelated frequencies, scale times
// the 808's, whose sum has no pitch but a dense, clangy spectrum. They run freely in the
// machine, so every hit catches them at other phases.
func (h hit) metal(scale, gain, pan float64) stream.Streamer {
	var m stream.Mixer
	ph := h.noise(1, 0, 15)
	for _, f := range [...]float64{205.3, 304.4, 369.6, 522.7, 540, 800} {
		m.Add(NewOsc(Square, f*scale, h.sr, ph.next(), gain/6, pan))
	}
	return &m
}

// open is the low-pass a velocity opens: lo Hz at the softest, hi Hz at the hardest.
func (h hit) open(lo, hi float64, src stream.Streamer) stream.Streamer {
	f := lo + (hi-lo)*h.bright
	return NewLowPass(f, f, 0, 0.7, h.sr, src)
}

func (h hit) kick() Voice {
	const tau = 0.2
	body := h.drop(165, 47, 0.032, 0.95*h.level, 0)
	click := h.open(2500, 6000, h.noise(0.4*h.level, 0, 1))
	return h.ring(tau, h.fade(tau, body), h.fade(0.0025, click))
}

func (h hit) snare() Voice {
	const tau = 0.08
	var body stream.Mixer
	body.Add(h.drop(240, 185, 0.012, 0.5*h.level, 0), h.drop(430, 330, 0.012, 0.25*h.level, 0))
	snares := NewHighPass(900, 900, 0, 0.7, h.sr, h.noise(0.9*h.level, 0, 1))
	// Two low-passes roll the noise off steeply: a snare's rattle, not a hat's hiss.
	rattle := h.open(3000, 7000, h.open(3000, 7000, snares))
	return h.ring(tau, h.fade(0.055, &body), h.fade(tau, rattle))
}

func (h hit) hat(tau float64) Voice {
	var src stream.Mixer
	src.Add(h.metal(1, 0.75*h.level, -0.3), h.noise(0.4*h.level, -0.3, 1))
	// Two high-passes make a steep one: what is left of the squares' fundamentals is far down.
	hp := NewHighPass(7000, 7000, 0, 0.7, h.sr, NewHighPass(7000, 7000, 0, 0.7, h.sr, &src))
	return h.ring(tau, h.fade(tau, h.open(10000, 18000, hp)))
}

func (h hit) tom(f, tau, pan float64) Voice {
	body := h.drop(1.45*f, f, 0.05, 0.85*h.level, pan)
	stick := h.open(1500, 3000, h.noise(0.2*h.level, pan, 1))
	return h.ring(tau, h.fade(tau, body), h.fade(0.004, stick))
}

func (h hit) crash() Voice {
	const tau = 0.55
	var src stream.Mixer
	src.Add(h.metal(1.9, 0.3*h.level, -0.2), h.noise(0.45*h.level, -0.2, 1))
	wash := h.open(9000, 16000, NewHighPass(4000, 4000, 0, 0.7, h.sr, &src))
	sizzle := NewHighPass(6000, 6000, 0, 0.7, h.sr, h.noise(0.4*h.level, -0.2, 2))
	return h.ring(tau, h.fade(tau, wash), h.fade(0.04, sizzle))
}

func (h hit) ride() Voice {
	const tau = 0.35
	var ping stream.Mixer
	ping.Add(NewOsc(Sine, 2960, h.sr, 0, 0.1*h.level, 0.35), NewOsc(Sine, 4430, h.sr, 0, 0.07*h.level, 0.35))
	wash := h.open(8000, 14000, NewHighPass(5000, 5000, 0, 0.7, h.sr, h.metal(2.6, 0.35*h.level, 0.35)))
	return h.ring(tau, h.fade(tau, &ping), h.fade(0.25, wash))
}
