package sketch

import "math"

// DefaultEpsilon is the Simplify tolerance for hand-made drawings, in drawing units (pixels):
// Quick, Draw!'s "simplified" data used it on drawings scaled to 0-255.
const DefaultEpsilon = 2.0

// Simplify returns d with each stroke reduced by the Ramer-Douglas-Peucker algorithm: a point is
// dropped when it lies within epsilon of the line through the ends of the span it belongs to (as
// the Python rdp package, which measures distance to the infinite line, or to the start point
// when a span's ends coincide). The ends of every stroke are kept, so strokes keep their places.
func (d Drawing) Simplify(epsilon float64) Drawing {
	lines := d.Strokes()
	for i, line := range lines {
		lines[i] = rdp(line, epsilon)
	}
	return FromStrokes(lines)
}

// rdp keeps the points of line that matter at tolerance eps; it works with an explicit stack
// so that long strokes cannot exhaust the goroutine stack.
func rdp(line [][2]float32, eps float64) [][2]float32 {
	if len(line) < 3 {
		return line
	}
	keep := make([]bool, len(line))
	keep[0], keep[len(line)-1] = true, true
	type span struct{ a, b int }
	stack := []span{{0, len(line) - 1}}
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
