package synth

import "github.com/latentpalette/palette/audio/stream"

// Noise is white noise, uniform in [-gain, gain], from a small seeded generator (xorshift64*),
// so a render that uses it is the same every time. Left and right are independent draws, so a
// cymbal sounds wide.
type Noise struct {
	x      uint64
	gl, gr float64
}

// NewNoise returns noise of amplitude gain and pan in [-1, 1] whose samples follow from seed.
func NewNoise(gain, pan float64, seed uint64) *Noise {
	n := &Noise{x: seed*0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D}
	if n.x == 0 {
		n.x = 1 // xorshift stays at zero forever
	}
	n.gl, n.gr = panGains(gain, pan)
	return n
}

// next returns the next sample in [-1, 1).
func (n *Noise) next() float64 {
	n.x ^= n.x >> 12
	n.x ^= n.x << 25
	n.x ^= n.x >> 27
	return float64((n.x*0x2545F4914F6CDD1D)>>11)/(1<<52) - 1
}

// Stream fills buf with noise; it never ends.
func (n *Noise) Stream(buf []stream.Frame) (int, bool) {
	for i := range buf {
		buf[i] = stream.Frame{n.next() * n.gl, n.next() * n.gr}
	}
	return len(buf), true
}
