package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// Partials is additive synthesis of a struck string: harmonics slightly stretched by the
// string's stiffness, each fading in two stages (a quick "prompt" sound and a long aftersound),
// the upper ones faster, as a piano's do; the lowest three come from two strings a cent apart,
// whose slow beating keeps a held note alive. It never ends; an Envelope ends the note.
type Partials struct {
	c, s         []float64 // phasor of each partial: cos and sin of its phase
	cw, sw       []float64 // rotation per frame
	fast, slow   []float64 // amplitudes of the two decay stages
	fastK, slowK []float64 // their per-frame decay factors
}

// NewPartials returns the partials of a tone at freq Hz and sampleRate whose fundamental fades
// by 60 dB in t60 seconds; brightness in [0, 1] tilts energy towards the upper partials.
func NewPartials(freq, sampleRate, t60, brightness float64) *Partials {
	const stiffness = 0.0002 // inharmonicity coefficient B
	p := &Partials{}
	var norm float64
	for k := 1; k <= 12; k++ {
		fk := freq * float64(k) * math.Sqrt((1+stiffness*float64(k*k))/(1+stiffness))
		if fk > 0.42*sampleRate {
			break
		}
		amp := math.Pow(float64(k), -(2.2 - 1.2*brightness))
		if k == 2 {
			amp *= 0.9 // a hammer at 1/7 of the string leaves the fundamental the strongest
		}
		decay := func(t float64) float64 { return math.Pow(1e-3, 1/(t*sampleRate)) }
		tk := t60 / (1 + 0.5*float64(k-1))
		unison := 1
		if k <= 3 {
			unison = 2
		}
		for j := range unison {
			w := 2 * math.Pi * fk * (1 + 0.0006*float64(j)) / sampleRate // +1 cent
			a := amp / float64(unison)
			p.c = append(p.c, 1)
			p.s = append(p.s, 0)
			p.cw = append(p.cw, math.Cos(w))
			p.sw = append(p.sw, math.Sin(w))
			p.fast = append(p.fast, 0.55*a)
			p.slow = append(p.slow, 0.45*a)
			p.fastK = append(p.fastK, decay(tk/6))
			p.slowK = append(p.slowK, decay(tk))
		}
		norm += amp
	}
	for i := range p.fast {
		p.fast[i] /= norm
		p.slow[i] /= norm
	}
	return p
}

// Stream fills buf with the sum of the partials; each starts at phase zero, so the sum does too.
// Partials go two at a time: two independent rotations keep the CPU's pipelines busier than
// one chain of dependent multiplications.
func (p *Partials) Stream(buf []stream.Frame) (int, bool) {
	clear(buf)
	n := len(p.c)
	k := 0
	for ; k+1 < n; k += 2 {
		c0, s0, cw0, sw0 := p.c[k], p.s[k], p.cw[k], p.sw[k]
		c1, s1, cw1, sw1 := p.c[k+1], p.s[k+1], p.cw[k+1], p.sw[k+1]
		fa0, sa0, fk0, sk0 := p.fast[k], p.slow[k], p.fastK[k], p.slowK[k]
		fa1, sa1, fk1, sk1 := p.fast[k+1], p.slow[k+1], p.fastK[k+1], p.slowK[k+1]
		if fa0+sa0+fa1+sa1 < 1e-7 {
			continue // faded below -140 dB: they only decay further
		}
		for i := range buf {
			buf[i][0] += (fa0+sa0)*s0 + (fa1+sa1)*s1
			c0, s0 = c0*cw0-s0*sw0, s0*cw0+c0*sw0
			c1, s1 = c1*cw1-s1*sw1, s1*cw1+c1*sw1
			fa0 *= fk0
			sa0 *= sk0
			fa1 *= fk1
			sa1 *= sk1
		}
		p.store(k, c0, s0, fa0, sa0)
		p.store(k+1, c1, s1, fa1, sa1)
	}
	if k < n {
		c, s, cw, sw := p.c[k], p.s[k], p.cw[k], p.sw[k]
		fa, sa, fk, sk := p.fast[k], p.slow[k], p.fastK[k], p.slowK[k]
		for i := range buf {
			buf[i][0] += (fa + sa) * s
			c, s = c*cw-s*sw, s*cw+c*sw
			fa *= fk
			sa *= sk
		}
		p.store(k, c, s, fa, sa)
	}
	for i := range buf {
		buf[i][1] = buf[i][0]
	}
	return len(buf), true
}

// store keeps partial k's state for the next buffer. Rounding slowly changes a rotating
// phasor's length, so it is pulled back to 1.
func (p *Partials) store(k int, c, s, fast, slow float64) {
	r := 1 / math.Sqrt(c*c+s*s)
	p.c[k], p.s[k], p.fast[k], p.slow[k] = c*r, s*r, fast, slow
}
