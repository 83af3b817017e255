package sketch

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/vector"
)

// Options says how the writers lay out and draw drawings. Each drawing is scaled uniformly and
// centred to fit a Size x Size cell less the margin; a sheet is a grid of such cells.
type Options struct {
	Size       int         // side of one drawing's square cell, in pixels; 0 means 256
	Margin     float64     // empty border inside the cell, in pixels; 0 means Size/16, negative none
	LineWidth  float64     // stroke width in pixels; 0 means 2
	Color      color.Color // ink; nil means black
	Background color.Color // nil means transparent (color.White for white)
}

// SVGOptions and PNGOptions are the same Options: an SVG and a PNG written with the same options
// look the same.
type (
	SVGOptions = Options
	PNGOptions = Options
)

func (o Options) withDefaults() Options {
	if o.Size <= 0 {
		o.Size = 256
	}
	switch {
	case o.Margin == 0:
		o.Margin = float64(o.Size) / 16
	case o.Margin < 0:
		o.Margin = 0
	}
	if o.LineWidth <= 0 {
		o.LineWidth = 2
	}
	if o.Color == nil {
		o.Color = color.Black
	}
	return o
}

// check reports options no writer can honour: a line width or margin that is not a finite
// number, or a cell larger than a sheet may be.
func (o Options) check() error {
	switch {
	case math.IsNaN(o.LineWidth) || math.IsInf(o.LineWidth, 0):
		return fmt.Errorf("sketch: line width %v is not a finite number", o.LineWidth)
	case math.IsNaN(o.Margin) || math.IsInf(o.Margin, 0):
		return fmt.Errorf("sketch: margin %v is not a finite number", o.Margin)
	}
	return CheckSheetSize(1, 1, o.Size)
}

// fit maps drawing coordinates into a cell: pixel = (p - origin) * scale.
type fit struct {
	ox, oy, scale float64
}

func (f fit) apply(p [2]float32) (float64, float64) {
	return (float64(p[0]) - f.ox) * f.scale, (float64(p[1]) - f.oy) * f.scale
}

// drawable returns the strokes of d that can be drawn: points whose position is not finite
// (a model gone astray) are left out, so they cannot upset the layout or the rasterizer.
func drawable(d Drawing) [][][2]float32 {
	lines := d.Strokes()
	for i, line := range lines {
		kept := line[:0]
		for _, p := range line {
			if finite(p[0]) && finite(p[1]) {
				kept = append(kept, p)
			}
		}
		lines[i] = kept
	}
	return lines
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// fitCell scales the box of lines to fill the cell less its margin (the longer side decides)
// and centres it. A drawing without extent (one dot) keeps scale 1.
func fitCell(lines [][][2]float32, o Options) fit {
	r := Rect{MinX: math.MaxFloat32, MinY: math.MaxFloat32, MaxX: -math.MaxFloat32, MaxY: -math.MaxFloat32}
	for _, line := range lines {
		for _, p := range line {
			r.MinX, r.MaxX = min(r.MinX, p[0]), max(r.MaxX, p[0])
			r.MinY, r.MaxY = min(r.MinY, p[1]), max(r.MaxY, p[1])
		}
	}
	if r.MinX > r.MaxX {
		r = Rect{}
	}
	side := float64(o.Size) - 2*o.Margin
	ext := math.Max(float64(r.Dx()), float64(r.Dy()))
	scale := 1.0
	if ext > 0 && side > 0 {
		scale = side / ext
	}
	cx, cy := (float64(r.MinX)+float64(r.MaxX))/2, (float64(r.MinY)+float64(r.MaxY))/2
	half := float64(o.Size) / 2 / scale
	return fit{ox: cx - half, oy: cy - half, scale: scale}
}

// Render draws d into a new Size x Size image.
func Render(d Drawing, opt Options) *image.RGBA {
	return RenderSheet([][]Drawing{{d}}, opt)
}

// sheetCols is the number of columns of a sheet: the length of its longest row.
func sheetCols(rows [][]Drawing) int {
	cols := 0
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	return cols
}

// RenderSheet draws a contact sheet: row i of rows is row i of the grid, one cell per drawing.
// Rows may differ in length (the sheet is as wide as the longest); a nil drawing leaves its cell
// empty.
func RenderSheet(rows [][]Drawing, opt Options) *image.RGBA {
	o := opt.withDefaults()
	img := image.NewRGBA(image.Rect(0, 0, max(sheetCols(rows), 1)*o.Size, max(len(rows), 1)*o.Size))
	if o.Background != nil {
		draw.Draw(img, img.Bounds(), image.NewUniform(o.Background), image.Point{}, draw.Src)
	}
	ink := image.NewUniform(o.Color)
	var z vector.Rasterizer
	for i, row := range rows {
		for j, d := range row {
			if len(d) == 0 {
				continue
			}
			z.Reset(o.Size, o.Size)
			lines := drawable(d)
			strokePolylines(&z, lines, fitCell(lines, o), o.LineWidth/2, float64(o.Size))
			cell := image.Rect(j*o.Size, i*o.Size, (j+1)*o.Size, (i+1)*o.Size)
			z.Draw(img, cell, ink, cell.Min)
		}
	}
	return img
}

// strokePolylines adds each line to z as a union of segment rectangles and round dots at the
// points (round caps and joins). The rasterizer adds up signed areas, so every piece winds the
// same way and overlaps only saturate. Points are kept within a few cells of the cell of the
// given size, as the rasterizer's fixed-point arithmetic needs.
func strokePolylines(z *vector.Rasterizer, lines [][][2]float32, f fit, r, size float64) {
	lim := func(v float64) float64 { return max(-4*size, min(5*size, v)) }
	for _, line := range lines {
		var px, py float64
		for i, p := range line {
			x, y := f.apply(p)
			x, y = lim(x), lim(y)
			dot(z, x, y, r)
			if i > 0 {
				segment(z, px, py, x, y, r)
			}
			px, py = x, y
		}
	}
}

func segment(z *vector.Rasterizer, ax, ay, bx, by, r float64) {
	dx, dy := bx-ax, by-ay
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*r, dx/l*r
	z.MoveTo(float32(ax+nx), float32(ay+ny))
	z.LineTo(float32(bx+nx), float32(by+ny))
	z.LineTo(float32(bx-nx), float32(by-ny))
	z.LineTo(float32(ax-nx), float32(ay-ny))
	z.ClosePath()
}

// dot adds a disc of radius r as four cubic arcs, wound like segment's rectangles.
func dot(z *vector.Rasterizer, x, y, r float64) {
	const k = 0.5522847498 // control point distance for a quarter circle
	c := func(v float64) float32 { return float32(v) }
	z.MoveTo(c(x+r), c(y))
	z.CubeTo(c(x+r), c(y-k*r), c(x+k*r), c(y-r), c(x), c(y-r))
	z.CubeTo(c(x-k*r), c(y-r), c(x-r), c(y-k*r), c(x-r), c(y))
	z.CubeTo(c(x-r), c(y+k*r), c(x-k*r), c(y+r), c(x), c(y+r))
	z.CubeTo(c(x+k*r), c(y+r), c(x+r), c(y+k*r), c(x+r), c(y))
	z.ClosePath()
}

// WritePNG writes d as a Size x Size PNG.
func WritePNG(w io.Writer, d Drawing, opt PNGOptions) error {
	return WriteSheetPNG(w, [][]Drawing{{d}}, opt)
}

// WriteSheetPNG writes a contact sheet (see RenderSheet) as a PNG, of at most MaxSheetPixels.
func WriteSheetPNG(w io.Writer, rows [][]Drawing, opt PNGOptions) error {
	o := opt.withDefaults()
	if err := o.check(); err != nil {
		return err
	}
	if err := CheckSheetSize(len(rows), sheetCols(rows), o.Size); err != nil {
		return err
	}
	return png.Encode(w, RenderSheet(rows, opt))
}
