package palette

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits of a path: a route across the pad that a performance or a walk follows.
const (
	MinPathPoints = 2
	MaxPathPoints = 10000 // a recorded drag at 60 points a second for almost 3 minutes
	maxPathText   = 1 << 20
)

// Path is a route across the pad: its points in order, each in the unit square.
type Path []Point

// PathError says what is wrong with a path string or a path.
type PathError struct{ Msg string }

func (e *PathError) Error() string { return "path: " + e.Msg }

func pathErr(format string, a ...any) error { return &PathError{fmt.Sprintf(format, a...)} }

// ParsePath reads a path written as points "u,v" separated by spaces (or semicolons), such as
// "0,0 0.5,0.25 1,1": at least MinPathPoints and at most MaxPathPoints points, each coordinate
// a finite number in [0, 1].
func ParsePath(s string) (Path, error) {
	if len(s) > maxPathText {
		return nil, pathErr("the text is %d bytes, more than %d", len(s), maxPathText)
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ';' })
	if len(fields) > MaxPathPoints {
		return nil, pathErr("%d points, more than %d", len(fields), MaxPathPoints)
	}
	p := make(Path, 0, len(fields))
	for i, f := range fields {
		us, vs, ok := strings.Cut(f, ",")
		if !ok {
			return nil, pathErr("point %d %s is not u,v", i+1, quote(f))
		}
		u, err1 := strconv.ParseFloat(us, 64)
		v, err2 := strconv.ParseFloat(vs, 64)
		if err1 != nil || err2 != nil {
			return nil, pathErr("point %d %s is not two numbers u,v", i+1, quote(f))
		}
		p = append(p, Point{u, v})
	}
	return p, p.Validate()
}

// quote quotes a piece of user input for a message, cut to a readable length.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// Validate checks the count of points and that each lies in the unit square.
func (p Path) Validate() error {
	if len(p) < MinPathPoints {
		return pathErr("%d point(s): a path needs at least %d", len(p), MinPathPoints)
	}
	if len(p) > MaxPathPoints {
		return pathErr("%d points, more than %d", len(p), MaxPathPoints)
	}
	for i, pt := range p {
		if !(pt.U >= 0 && pt.U <= 1 && pt.V >= 0 && pt.V <= 1) {
			return pathErr("point %d (%g,%g) is outside the unit square [0,1]x[0,1]", i+1, pt.U, pt.V)
		}
	}
	return nil
}

// String writes p as ParsePath reads it.
func (p Path) String() string {
	var b strings.Builder
	for i, pt := range p {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(pt.U, 'g', 6, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(pt.V, 'g', 6, 64))
	}
	return b.String()
}

// Length is the path's length on the pad (the unit square's side is 1).
func (p Path) Length() float64 {
	var l float64
	for i := 1; i < len(p); i++ {
		l += dist(p[i-1], p[i])
	}
	return l
}

func dist(a, b Point) float64 { return math.Hypot(b.U-a.U, b.V-a.V) }

// At returns the point a fraction t of the way along the path by length: At(0) is its first
// point, At(1) its last. t is clamped to [0, 1]; a path of no length stays on its first point.
func (p Path) At(t float64) Point {
	if len(p) == 0 {
		return Point{0.5, 0.5}
	}
	total := p.Length()
	if !(t > 0) || total == 0 {
		return p[0]
	}
	if t >= 1 {
		return p[len(p)-1]
	}
	want := t * total
	for i := 1; i < len(p); i++ {
		d := dist(p[i-1], p[i])
		if want <= d && d > 0 {
			f := want / d
			return Point{p[i-1].U + f*(p[i].U-p[i-1].U), p[i-1].V + f*(p[i].V-p[i-1].V)}
		}
		want -= d
	}
	return p[len(p)-1]
}

// Even returns n points spaced evenly along the path by length, its first and last points
// included (n >= 2), as a walk's frames or a performance's windows take them.
func (p Path) Even(n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = p.At(float64(i) / float64(max(n-1, 1)))
	}
	return pts
}

// Loop returns n points spaced evenly along the path by length from its first point on, the
// last point left out, as looped playback takes them: the path starts again after the n-th.
func (p Path) Loop(n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = p.At(float64(i) / float64(n))
	}
	return pts
}
