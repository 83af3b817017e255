// Package stream is the small interface at the centre of the audio engine: a Streamer fills a
// buffer of stereo frames, and gains, mixers, limiters and takes are Streamers that wrap Streamers.
package stream

// Frame is one stereo sample, left and right, nominally in [-1, 1].
type Frame = [2]float64

// Streamer produces audio. Stream fills buf with the next frames and returns how many it wrote;
// it writes fewer than len(buf) only when it is drained, and ok is false once nothing more will
// come (then n is 0). A Streamer is pulled by one goroutine at a time.
type Streamer interface {
	Stream(buf []Frame) (n int, ok bool)
}

// Func adapts a function to a Streamer.
type Func func(buf []Frame) (n int, ok bool)

// Stream calls f.
func (f Func) Stream(buf []Frame) (int, bool) { return f(buf) }

// Take streams at most n frames of s.
func Take(n int, s Streamer) Streamer {
	return Func(func(buf []Frame) (int, bool) {
		if n <= 0 {
			return 0, false
		}
		got, ok := s.Stream(buf[:min(len(buf), n)])
		n -= got
		if !ok && got == 0 {
			n = 0
		}
		return got, got > 0
	})
}

// Gain scales s by g.
func Gain(g float64, s Streamer) Streamer {
	return Func(func(buf []Frame) (int, bool) {
		n, ok := s.Stream(buf)
		for i := range buf[:n] {
			buf[i][0] *= g
			buf[i][1] *= g
		}
		return n, ok
	})
}

// Fill pulls s until buf is full or s is drained, for callers that want whole buffers.
func Fill(s Streamer, buf []Frame) (n int, ok bool) {
	for n < len(buf) {
		got, more := s.Stream(buf[n:])
		n += got
		if !more || got == 0 {
			return n, n > 0
		}
	}
	return n, true
}

// Mixer sums the streamers added to it, dropping each one when it is drained; the mix streams
// silence while it is empty, so it never ends.
type Mixer struct {
	parts   []Streamer
	scratch []Frame
}

// Add adds streamers to the mix.
func (m *Mixer) Add(s ...Streamer) { m.parts = append(m.parts, s...) }

// Len reports how many streamers are still mixing.
func (m *Mixer) Len() int { return len(m.parts) }

// Clear drops every streamer at once.
func (m *Mixer) Clear() { m.parts = m.parts[:0] }

// Stream mixes the next frames of every part into buf.
func (m *Mixer) Stream(buf []Frame) (int, bool) {
	clear(buf)
	if cap(m.scratch) < len(buf) {
		m.scratch = make([]Frame, len(buf))
	}
	tmp := m.scratch[:len(buf)]
	live := m.parts[:0]
	for _, s := range m.parts {
		n, ok := s.Stream(tmp)
		for i := range tmp[:n] {
			buf[i][0] += tmp[i][0]
			buf[i][1] += tmp[i][1]
		}
		if ok && n == len(tmp) {
			live = append(live, s)
		}
	}
	clear(m.parts[len(live):])
	m.parts = live
	return len(buf), true
}
