package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// Partials is additive synthesis of a struck string: harmonics slightly stretched by the
// string's stiffness, each fading in two stages (a quick "prompt" sound and a long aftersound),
// the upper ones faster, as a piano's do. It never ends; an Envelope ends the note.
type Partials struct {
	c, s         []float64 // phasor of each partial: cos and sin of its phase
	cw, sw       []float64 // rotation per frame
	fast, slow   []float64 // amplitudes of the two decay stages
	fastK, slowK []float64 // their per-frame decay factors
	n            int       // frames since the last renormalisation
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
		w := 2 * math.Pi * fk / sampleRate
		decay := func(t float64) float64 { return math.Pow(1e-3, 1/(t*sampleRate)) }
		tk := t60 / (1 + 0.5*float64(k-1))
		p.c = append(p.c, 1)
		p.s = append(p.s, 0)
		p.cw = append(p.cw, math.Cos(w))
		p.sw = append(p.sw, math.Sin(w))
		p.fast = append(p.fast, 0.55*amp)
		p.slow = append(p.slow, 0.45*amp)
		p.fastK = append(p.fastK, decay(tk/6))
		p.slowK = append(p.slowK, decay(tk))
		norm += amp
	}
	for i := range p.fast {
		p.fast[i] /= norm
		p.slow[i] /= norm
	}
	return p
}

// Stream fills buf with the sum of the partials; each starts at phase zero, so the sum does too.
func (p *Partials) Stream(buf []stream.Frame) (int, bool) {
	clear(buf)
	for k := range p.c {
		c, s, cw, sw := p.c[k], p.s[k], p.cw[k], p.sw[k]
		fa, sa, fk, sk := p.fast[k], p.slow[k], p.fastK[k], p.slowK[k]
		for i := range buf {
			buf[i][0] += (fa + sa) * s
			c, s = c*cw-s*sw, s*cw+c*sw
			fa *= fk
			sa *= sk
		}
		// Rounding slowly changes a rotating phasor's length: pull it back to 1.
		r := 1 / math.Sqrt(c*c+s*s)
		p.c[k], p.s[k], p.fast[k], p.slow[k] = c*r, s*r, fa, sa
	}
	for i := range buf {
		buf[i][1] = buf[i][0]
	}
	return len(buf), true
}

// Pluck is a Karplus-Strong plucked string: a plucked shape circulating in a delay
// line one period long, averaged on each pass so the highs die first. An all-pass filter supplies
// the fraction of a sample the period needs, which keeps high notes in tune.
type Pluck struct {
	line  []float64
	pos   int
	prev  float64 // the last sample read from the line, for the two-point average
	apC   float64 // all-pass coefficient
	apX   float64 // all-pass state: last input and output
	apY   float64
	gain  float64 // loss per pass
	level float64
	// A DC blocker (a one-pole high-pass at 20 Hz) on the output: what the start leaves
	// off-centre would otherwise circulate as an offset.
	dcR, dcX, dcY float64
}

// NewPluck returns a string at freq Hz and sampleRate whose tone fades by 60 dB in about t60
// seconds; seed makes the noise burst, and so the render, repeatable.
func NewPluck(freq, sampleRate, t60, level float64, seed uint64) *Pluck {
	period := sampleRate / freq
	// The loop delays by len(line) + 0.5 (the average) + d (the all-pass).
	n := max(2, int(math.Floor(period-0.5-0.1)))
	d := period - 0.5 - float64(n)
	p := &Pluck{
		line:  make([]float64, n),
		apC:   (1 - d) / (1 + d),
		gain:  math.Pow(1e-3, 1/(freq*t60)),
		level: level,
	}
	// The burst: the shape a fingertip leaves when it pulls the string aside at a point and lets
	// go, as its first harmonics (sin(kπβ)/k², so the fundamental leads) with the highs rolled
	// off for a soft, round pick. Where the finger lands varies from note to note.
	x := seed*0x9E3779B97F4A7C15 + 1
	x ^= x >> 29
	beta := 0.12 + 0.16*float64(x%1000)/1000
	var peak float64
	for k := 1; k <= min(16, n/3); k++ {
		a := math.Sin(float64(k)*math.Pi*beta) / float64(k*k) * math.Exp(-float64(k)/6)
		w := 2 * math.Pi * float64(k) / float64(n)
		for i := range p.line {
			p.line[i] += a * math.Sin(w*float64(i))
		}
	}
	for _, v := range p.line {
		peak = max(peak, math.Abs(v))
	}
	for i := range p.line {
		p.line[i] /= peak
	}
	// Start the loop filters as if the burst had already been going round: from rest they would
	// halve the first sample back into the line, a click once every period.
	p.prev = p.line[n-1]
	p.apX = p.gain * 0.5 * (p.line[n-1] + p.line[n-2])
	p.apY = p.line[n-1]
	p.dcR = 1 - 2*math.Pi*20/sampleRate
	return p
}

// Stream fills buf with the string's sound; it never ends.
func (p *Pluck) Stream(buf []stream.Frame) (int, bool) {
	for i := range buf {
		cur := p.line[p.pos]
		avg := p.gain * 0.5 * (cur + p.prev)
		p.prev = cur
		y := p.apC*avg + p.apX - p.apC*p.apY
		p.apX, p.apY = avg, y
		p.line[p.pos] = y
		p.pos++
		if p.pos == len(p.line) {
			p.pos = 0
		}
		p.dcY = cur - p.dcX + p.dcR*p.dcY
		p.dcX = cur
		v := p.dcY * p.level
		buf[i] = stream.Frame{v, v}
	}
	return len(buf), true
}
