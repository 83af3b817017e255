// Package sketch holds the Drawing type (stroke-3 vector drawings, as Sketch-RNN uses them), its
// readers (Quick, Draw! NDJSON, sketch-rnn .npz) and writers (SVG, PNG), and stroke simplification.
package sketch

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
)

// Point is one stroke-3 point: the offset from the previous point, and whether the pen
// leaves the paper after this point (the end of a stroke).
type Point struct {
	DX, DY  float32
	PenLift bool
}

// Drawing is a sketch as a list of stroke-3 points; the first offset is from the origin.
type Drawing []Point

// Limit is the largest offset sketch-rnn keeps: its DataLoader clamps dx and dy to +/-Limit.
const Limit = 1000

// Stroke5 returns the drawing in sketch-rnn's stroke-5 format (dx, dy, p_down, p_up, p_end),
// exactly as utils.py's to_big_strokes: one row per point, then (0,0,0,0,1) rows up to maxLen.
// The start token (0,0,1,0,0) is NOT included: the model prepends it. Stroke5 never truncates:
// a drawing longer than maxLen gives len(d) rows and no end row, so filter long drawings first
// (sketch-rnn drops them when it loads a data set).
func (d Drawing) Stroke5(maxLen int) [][5]float32 {
	n := max(maxLen, len(d))
	s := make([][5]float32, n)
	for i, p := range d {
		if p.PenLift {
			s[i] = [5]float32{p.DX, p.DY, 0, 1, 0}
		} else {
			s[i] = [5]float32{p.DX, p.DY, 1, 0, 0}
		}
	}
	for i := len(d); i < n; i++ {
		s[i] = [5]float32{0, 0, 0, 0, 1}
	}
	return s
}

// FromStroke5 converts stroke-5 rows back to stroke-3 as utils.py's to_normal_strokes: it stops
// before the first row whose p_end is positive, and a point lifts the pen when its p_up > 0.5.
// Pass the rows without the start token (or the start token becomes a (0,0) point).
func FromStroke5(s [][5]float32) Drawing {
	d := make(Drawing, 0, len(s))
	for _, r := range s {
		if r[4] > 0 {
			break
		}
		d = append(d, Point{DX: r[0], DY: r[1], PenLift: r[3] > 0.5})
	}
	return d
}

// Strokes returns the drawing as absolute coordinates, one polyline per pen-down stroke, starting
// from the origin (as sketch-rnn's strokes_to_lines, except that a last stroke without a pen
// lift is kept rather than dropped).
func (d Drawing) Strokes() [][][2]float32 {
	var lines [][][2]float32
	var line [][2]float32
	var x, y float32
	for _, p := range d {
		x += p.DX
		y += p.DY
		line = append(line, [2]float32{x, y})
		if p.PenLift {
			lines = append(lines, line)
			line = nil
		}
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}
	return lines
}

// FromStrokes builds a drawing from absolute polylines (the inverse of Strokes, as sketch-rnn's
// lines_to_strokes): the first offset is from the origin, and the pen lifts after each polyline's
// last point. Empty polylines are skipped.
func FromStrokes(lines [][][2]float32) Drawing {
	var d Drawing
	var x, y float32
	for _, line := range lines {
		for i, q := range line {
			d = append(d, Point{DX: q[0] - x, DY: q[1] - y, PenLift: i == len(line)-1})
			x, y = q[0], q[1]
		}
	}
	return d
}

// Translated returns a copy of d that starts at its first point: the first offset, the move
// from the origin to where the pen first touches, becomes (0, 0). The shape is unchanged.
func (d Drawing) Translated() Drawing {
	out := slices.Clone(d)
	if len(out) > 0 {
		out[0].DX, out[0].DY = 0, 0
	}
	return out
}

// Rect is an axis-aligned box in drawing coordinates.
type Rect struct {
	MinX, MinY, MaxX, MaxY float32
}

// Dx returns the width of r.
func (r Rect) Dx() float32 { return r.MaxX - r.MinX }

// Dy returns the height of r.
func (r Rect) Dy() float32 { return r.MaxY - r.MinY }

// Bounds returns the box around all absolute points of the drawing (the origin is not included
// unless a point lies there). An empty drawing has the zero Rect.
func (d Drawing) Bounds() Rect {
	if len(d) == 0 {
		return Rect{}
	}
	r := Rect{MinX: float32(math.Inf(1)), MinY: float32(math.Inf(1)), MaxX: float32(math.Inf(-1)), MaxY: float32(math.Inf(-1))}
	var x, y float32
	for _, p := range d {
		x += p.DX
		y += p.DY
		r.MinX, r.MaxX = min(r.MinX, x), max(r.MaxX, x)
		r.MinY, r.MaxY = min(r.MinY, y), max(r.MaxY, y)
	}
	return r
}

// Clamp returns a copy with every offset limited to [-limit, limit] (sketch-rnn uses Limit).
func (d Drawing) Clamp(limit float32) Drawing {
	c := make(Drawing, len(d))
	for i, p := range d {
		c[i] = Point{DX: max(-limit, min(limit, p.DX)), DY: max(-limit, min(limit, p.DY)), PenLift: p.PenLift}
	}
	return c
}

// Scale returns a copy with every offset multiplied by f. To normalise as sketch-rnn does, use
// d.Scale(1 / ScaleFactor(train)); to turn model output back into pixels, d.Scale(factor).
func (d Drawing) Scale(f float32) Drawing {
	return d.ScaleXY(f, f)
}

// ScaleXY returns a copy with dx multiplied by fx and dy by fy.
func (d Drawing) ScaleXY(fx, fy float32) Drawing {
	c := make(Drawing, len(d))
	for i, p := range d {
		c[i] = Point{DX: p.DX * fx, DY: p.DY * fy, PenLift: p.PenLift}
	}
	return c
}

// ScaleFactor returns the population standard deviation of all dx and dy offsets of ds together,
// as sketch-rnn's calculate_normalizing_scale_factor (which also skips drawings longer than its
// max_seq_len: filter those first). It returns 1 when there are no offsets or they are all equal.
func ScaleFactor(ds []Drawing) float32 {
	var n int
	var sum, sumSq float64
	for _, d := range ds {
		for _, p := range d {
			x, y := float64(p.DX), float64(p.DY)
			sum += x + y
			sumSq += x*x + y*y
			n += 2
		}
	}
	if n == 0 {
		return 1
	}
	mean := sum / float64(n)
	v := sumSq/float64(n) - mean*mean
	if v <= 0 {
		return 1
	}
	return float32(math.Sqrt(v))
}

// Augment returns a copy of d as sketch-rnn's DataLoader augments a training example: each axis
// scaled by its own random factor in [0.85, 1.15] (random_scale), then interior points of strokes
// dropped with probability 0.10 (augment_strokes: the first two points and the last point of
// each stroke stay, and the offsets of dropped points are folded into their neighbours so the
// rest of the drawing does not move).
func Augment(d Drawing, rng *rand.Rand) Drawing {
	const scale, drop = 0.15, 0.10
	fx := float32((rng.Float64()-0.5)*2*scale + 1)
	fy := float32((rng.Float64()-0.5)*2*scale + 1)
	return dropPoints(d.ScaleXY(fx, fy), drop, rng)
}

// Resimplify returns d simplified again (Simplify) at a random tolerance of up to 2/255 of its
// larger side: Quick, Draw!'s simplified data used 2 units on drawings scaled to 0-255, so a
// model trained on dense drawings also sees them as sparse as a simplified hand drawing.
func Resimplify(d Drawing, rng *rand.Rand) Drawing {
	b := d.Bounds()
	eps := rng.Float64() * 2 * float64(max(b.Dx(), b.Dy())) / 255
	return d.Simplify(eps)
}

// dropPoints is sketch-rnn's augment_strokes: a point may go when it and the previous kept point
// are pen-down and it is past the second point of its stroke. Like the Python, the dropped offset
// is added to the last kept point, which then stands where the dropped point was.
func dropPoints(d Drawing, prob float64, rng *rand.Rand) Drawing {
	out := make(Drawing, 0, len(d))
	prevLift := true
	count := 0
	for _, p := range d {
		if p.PenLift || prevLift {
			count = 0
		} else {
			count++
		}
		u := rng.Float64()
		if !p.PenLift && !prevLift && count > 2 && u < prob {
			last := &out[len(out)-1]
			last.DX += p.DX
			last.DY += p.DY
			continue
		}
		out = append(out, p)
		prevLift = p.PenLift
	}
	return out
}

// Validate reports why d is not a drawing to keep: no points, too many, or an offset that is
// not finite or beyond MaxCoord.
func (d Drawing) Validate() error {
	if len(d) == 0 {
		return ErrEmptyDrawing
	}
	if len(d) > MaxPoints {
		return FormatError(fmt.Sprintf("%d points, more than %d", len(d), MaxPoints))
	}
	for i, p := range d {
		if !validCoord(float64(p.DX)) || !validCoord(float64(p.DY)) {
			return FormatError(fmt.Sprintf("point %d moves by (%g, %g): offsets must be finite and within +/-%g", i, p.DX, p.DY, MaxCoord))
		}
	}
	return nil
}
