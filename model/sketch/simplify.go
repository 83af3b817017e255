package sketch

import "math"

// DefaultEpsilon is the Simplify tolerance for hand-made drawings, in drawing units (pixels):
// Quick, Draw!'s "simplified" data used it on drawings scaled to 0-255.
const DefaultEpsilon = 2.0

// Simplify returns d with each stroke reduced by the Ramer-Douglas-Peucker algorithm: a point is
// dropped when it lies within epsilon of the line through the ends of the span it belongs to (as
// the Python rdp package, which measures distance to the infinite line, or to the start point
// when a span's ends coincide). The ends of every stroke are kept, so strokes keep their places.
//
// RDP takes time quadratic in a span's points on adversarial shapes (a zigzag whose farthest
// point is always next to an end), so a stroke longer than rdpSpan points is simplified in
// spans of rdpSpan, each with its ends kept: every dropped point is still within epsilon of the
// result, the time is O(n·rdpSpan) at worst, and strokes of hand-drawn length are unchanged.
func (d Drawing) Simplify(epsilon float64) Drawing {
	lines := d.Strokes()
	for i, line := range lines {
		lines[i] = rdp(line, epsilon)
	}
	return FromStrokes(lines)
}

// rdpSpan is the most points RDP considers at once (see Simplify).
const rdpSpan = 1024

// rdp keeps the points of line that matter at tolerance eps; it works with an explicit stack
// so that long strokes cannot exhaust the goroutine stack.
func rdp(line [][2]float32, eps float64) [][2]float32 {
	if len(line) < 3 {
		return line
	}
	keep := make([]bool, len(line))
	type span struct{ a, b int }
	var stack []span
	for a := 0; a < len(line)-1; a += rdpSpan - 1 {
		b := min(a+rdpSpan-1, len(line)-1)
		keep[a], keep[b] = true, true
		stack = append(stack, span{a, b})
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, dmax := -1, eps
		for i := s.a + 1; i < s.b; i++ {
			if d := lineDistance(line[i], line[s.a], line[s.b]); d > dmax {
				far, dmax = i, d
			}
		}
		if far < 0 {
			continue
		}
		keep[far] = true
		stack = append(stack, span{s.a, far}, span{far, s.b})
	}
	out := make([][2]float32, 0, len(line))
	for i, p := range line {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// lineDistance is the distance from p to the line through a and b (to a if they coincide).
func lineDistance(p, a, b [2]float32) float64 {
	px, py := float64(p[0]-a[0]), float64(p[1]-a[1])
	bx, by := float64(b[0]-a[0]), float64(b[1]-a[1])
	l := math.Hypot(bx, by)
	if l == 0 {
		return math.Hypot(px, py)
	}
	return math.Abs(px*by-py*bx) / l
}
