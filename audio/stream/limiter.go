package stream

import "math"

// Limiter keeps a stream's peaks at or below a ceiling without clipping: it looks ahead about a
// millisecond, so the gain is already down when a peak arrives, and lets go slowly afterwards.
// Its output is aligned with its input (the look-ahead is compensated), and when the source is
// drained it flushes what it holds before it ends.
type Limiter struct {
	src     Streamer
	ceiling float64
	release float64 // per-frame approach of the gain back towards 1

	l     int     // look-ahead in frames; the output is delayed by l-1 inside
	delay []Frame // the last l input frames, ring
	mins  []float64
	sum   float64 // sum of mins
	env   float64 // released gain, before smoothing
	dq    []minEntry
	dqLo  int
	i     int // frames taken in
	idle  int // frames since the gain was last below 1

	in      []Frame
	primed  bool
	drained bool
	flush   int // zero frames still to feed after the source is drained
}

type minEntry struct {
	i int
	r float64
}

// NewLimiter limits src, running at sampleRate, to ceiling (a linear amplitude such as 0.89 for
// -1 dBFS).
func NewLimiter(ceiling, sampleRate float64, src Streamer) *Limiter {
	l := max(2, int(math.Round(sampleRate*0.001)))
	lim := &Limiter{
		src:     src,
		ceiling: ceiling,
		release: 1 - math.Exp(-1/(0.08*sampleRate)),
		l:       l,
		delay:   make([]Frame, l),
		mins:    make([]float64, l),
		sum:     float64(l),
		env:     1,
	}
	for i := range lim.mins {
		lim.mins[i] = 1
	}
	return lim
}

// push takes in one frame and returns the frame l-1 frames back, limited.
func (lim *Limiter) push(x Frame) Frame {
	peak := max(math.Abs(x[0]), math.Abs(x[1]))
	r := 1.0
	if peak > lim.ceiling {
		r = lim.ceiling / peak
	}
	// Sliding minimum of r over the last l frames (a monotonic queue).
	for len(lim.dq) > lim.dqLo && lim.dq[len(lim.dq)-1].r >= r {
		lim.dq = lim.dq[:len(lim.dq)-1]
	}
	lim.dq = append(lim.dq, minEntry{lim.i, r})
	if lim.dq[lim.dqLo].i <= lim.i-lim.l {
		lim.dqLo++
	}
	if lim.dqLo > 256 {
		lim.dq = append(lim.dq[:0], lim.dq[lim.dqLo:]...)
		lim.dqLo = 0
	}
	m := lim.dq[lim.dqLo].r
	// The gain may fall at once but recovers slowly; it never exceeds the window's minimum.
	lim.env = min(m, lim.env+(1-lim.env)*lim.release)
	if lim.env > 1-1e-9 {
		lim.env = 1 // the approach would take seconds to round to 1 by itself
	}
	if lim.env < 1 {
		lim.idle = 0
	} else {
		lim.idle++
	}
	// Averaging the last l gains turns steps into ramps of l frames; every gain in the
	// average is at most the one the delayed frame needs, so the average is too.
	k := lim.i % lim.l
	lim.sum += lim.env - lim.mins[k]
	lim.mins[k] = lim.env
	lim.delay[k] = x
	lim.i++
	if lim.i%4096 == 0 { // keep rounding from drifting the running sum
		lim.sum = 0
		for _, v := range lim.mins {
			lim.sum += v
		}
	}
	g := min(1, lim.sum/float64(lim.l))
	y := lim.delay[lim.i%lim.l] // the oldest frame: l-1 frames before x
	c := lim.ceiling
	return Frame{math.Max(-c, math.Min(c, y[0]*g)), math.Max(-c, math.Min(c, y[1]*g))}
}

// pass moves in through the delay into out untouched: the limiter is idle (every gain in the
// look-ahead window is 1) and nothing in in reaches the ceiling.
func (lim *Limiter) pass(in, out []Frame) {
	for j, x := range in {
		lim.delay[lim.i%lim.l] = x
		lim.i++
		out[j] = lim.delay[lim.i%lim.l]
	}
	// What push would have left behind: a window of ones.
	lim.dq = append(lim.dq[:0], minEntry{lim.i - 1, 1})
	lim.dqLo = 0
	lim.sum = float64(lim.l)
	lim.idle += len(in)
}

// quiet reports whether no frame of in reaches the ceiling.
func (lim *Limiter) quiet(in []Frame) bool {
	for _, x := range in {
		if math.Abs(x[0]) > lim.ceiling || math.Abs(x[1]) > lim.ceiling {
			return false
		}
	}
	return true
}

// Stream fills buf with limited frames.
func (lim *Limiter) Stream(buf []Frame) (int, bool) {
	if !lim.primed {
		lim.primed = true
		pre := make([]Frame, lim.l-1)
		n, _ := Fill(lim.src, pre)
		for _, x := range pre[:n] {
			lim.push(x)
		}
		if n < len(pre) {
			lim.drained = true
			lim.flush = n
			for range len(pre) - n {
				lim.push(Frame{})
			}
		}
	}
	if lim.drained && lim.flush == 0 {
		return 0, false
	}
	if cap(lim.in) < len(buf) {
		lim.in = make([]Frame, len(buf))
	}
	in := lim.in[:len(buf)]
	n := 0
	if !lim.drained {
		got, _ := Fill(lim.src, in)
		n = got
		if got < len(in) {
			lim.drained = true
			lim.flush = lim.l - 1
		}
	}
	if lim.idle >= lim.l && lim.quiet(in[:n]) {
		lim.pass(in[:n], buf)
	} else {
		for i := range in[:n] {
			buf[i] = lim.push(in[i])
		}
	}
	for lim.drained && lim.flush > 0 && n < len(buf) {
		buf[n] = lim.push(Frame{})
		lim.flush--
		n++
	}
	return n, n > 0
}
