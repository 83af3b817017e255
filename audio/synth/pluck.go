package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

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
