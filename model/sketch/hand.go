package sketch

import "errors"

// HandSize is the side of the box a hand-made drawing is scaled into. Quick, Draw!'s simplified
// drawings fit 0-255, and the sheep the shipped model learned from are 130-384 units across
// (median 239), so a drawing of this size is what the models are used to.
const HandSize = 255

// ErrEmptyDrawing reports a drawing without a single point.
var ErrEmptyDrawing = errors.New("sketch: the drawing has no points")

// FromHand turns polylines drawn by hand, in any units (screen pixels, say), into a drawing
// as the models expect it, the way Quick, Draw! prepared its simplified data: moved to start at
// its first point, scaled without distortion so that its larger side is HandSize, and reduced by
// Ramer-Douglas-Peucker at DefaultEpsilon. A polyline of one point stays a dot; empty polylines
// are skipped; a drawing of one point has no size and is not scaled.
func FromHand(lines [][][2]float32) (Drawing, error) {
	var kept [][][2]float32
	for _, l := range lines {
		for _, p := range l {
			if !finite(p[0]) || !finite(p[1]) {
				return nil, FormatError("a hand-drawn point is not a number")
			}
		}
		if len(l) > 0 {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		return nil, ErrEmptyDrawing
	}
	b := FromStrokes(kept).Bounds()
	scale := float32(1)
	if side := max(b.Dx(), b.Dy()); side > 0 {
		scale = HandSize / side
	}
	scaled := make([][][2]float32, len(kept))
	for i, l := range kept {
		scaled[i] = make([][2]float32, len(l))
		for j, p := range l {
			scaled[i][j] = [2]float32{(p[0] - b.MinX) * scale, (p[1] - b.MinY) * scale}
		}
	}
	return FromStrokes(scaled).Simplify(DefaultEpsilon).Translated(), nil
}
