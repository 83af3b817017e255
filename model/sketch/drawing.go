// Package sketch holds the Drawing type (stroke-3 vector drawings, as Sketch-RNN uses them), its
// readers (Quick, Draw! NDJSON, sketch-rnn .npz) and writers (SVG, PNG), and stroke simplification.
package sketch

// Point is one stroke-3 point: the offset from the previous point, and whether the pen
// leaves the paper after this point (the end of a stroke).
type Point struct {
	DX, DY  float32
	PenLift bool
}

// Drawing is a sketch as a list of stroke-3 points; the first offset is from the origin.
type Drawing []Point
