package cells

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"math"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

// MaxSheetPixels bounds a PNG sheet, as sketch.MaxSheetPixels does the drawings'.
const MaxSheetPixels = sketch.MaxSheetPixels

var (
	paper    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	rule     = color.RGBA{0xc8, 0xc8, 0xd0, 0xff} // cell borders
	barLine  = color.RGBA{0xe4, 0xe4, 0xea, 0xff}
	noteInk  = color.RGBA{0x2a, 0x5d, 0xb0, 0xff}
	onsetInk = color.RGBA{0x12, 0x2a, 0x60, 0xff}
)

// SheetOptions lay cells out on a sheet: Cols per row, Cell pixels a side.
type SheetOptions struct {
	Cols int // cells per row; 0 means all in one row
	Cell int // pixels per cell side; 0 means 96
}

func (o SheetOptions) layout(n int) (cols, rows, cell int, err error) {
	cols, cell = o.Cols, o.Cell
	if cols <= 0 || cols > n {
		cols = max(n, 1)
	}
	if cell <= 0 {
		cell = 96
	}
	rows = (n + cols - 1) / cols
	if cell < 16 || cell > 4096 || int64(cols*cell)*int64(rows*cell) > MaxSheetPixels {
		return 0, 0, 0, fmt.Errorf("cells: a sheet of %d x %d cells of %d pixels is beyond %d pixels (or a cell is outside 16..4096)", rows, cols, cell, MaxSheetPixels)
	}
	return cols, rows, cell, nil
}

// sheet lays out n cells and calls paint with each cell's rectangle inside its border.
func sheet(n int, o SheetOptions, paint func(i int, r image.Rectangle, img *image.RGBA)) (*image.RGBA, error) {
	cols, rows, cell, err := o.layout(n)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, cols*cell+1, rows*cell+1))
	draw.Draw(img, img.Bounds(), image.NewUniform(rule), image.Point{}, draw.Src)
	for i := range n {
		x, y := (i%cols)*cell, (i/cols)*cell
		r := image.Rect(x+1, y+1, x+cell, y+cell)
		draw.Draw(img, r, image.NewUniform(paper), image.Point{}, draw.Src)
		paint(i, r, img)
	}
	return img, nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
}

// RenderMelodies draws each melody as a piano roll in its cell, all on one pitch scale (the
// lowest to the highest note of them all), with a line at each bar.
func RenderMelodies(items []melody.Melody, o SheetOptions) (*image.RGBA, error) {
	lo, hi := 127, 0
	for _, m := range items {
		for _, n := range m.Notes() {
			lo, hi = min(lo, n.Pitch), max(hi, n.Pitch)
		}
	}
	if lo > hi {
		lo, hi = 60, 72
	}
	if hi-lo < 12 { // an octave at least, centred
		pad := (12 - (hi - lo)) / 2
		lo, hi = lo-pad, lo-pad+12
	}
	lo, hi = lo-1, hi+1
	return sheet(len(items), o, func(i int, r image.Rectangle, img *image.RGBA) {
		m := items[i]
		steps := max(len(m), melody.WindowSteps)
		w, h := float64(r.Dx()), float64(r.Dy())
		x := func(s int) int { return r.Min.X + int(float64(s)*w/float64(steps)) }
		y := func(p int) int { return r.Max.Y - int(float64(p-lo)*h/float64(hi-lo+1)) }
		for b := melody.StepsPerBar; b < steps; b += melody.StepsPerBar {
			fill(img, image.Rect(x(b), r.Min.Y, x(b)+1, r.Max.Y), barLine)
		}
		for _, n := range m.Notes() {
			nr := image.Rect(x(n.Start), y(n.Pitch+1), max(x(n.End)-1, x(n.Start)+1), y(n.Pitch))
			if nr.Dy() < 2 {
				nr.Min.Y = nr.Max.Y - 2
			}
			fill(img, nr, noteInk)
			fill(img, image.Rect(nr.Min.X, nr.Min.Y, nr.Min.X+1, nr.Max.Y), onsetInk)
		}
	})
}

// RenderGrooves draws each drum pattern as a step grid in its cell: a row per drum class (kick
// at the bottom), a column per step, a hit darker the louder it is.
func RenderGrooves(items []drums.Pattern, o SheetOptions) (*image.RGBA, error) {
	return sheet(len(items), o, func(i int, r image.Rectangle, img *image.RGBA) {
		p := items[i]
		steps := max(len(p), drums.WindowSteps)
		w, h := float64(r.Dx()), float64(r.Dy())
		x := func(s int) int { return r.Min.X + int(float64(s)*w/float64(steps)) }
		y := func(c int) int { return r.Max.Y - int(float64(c)*h/drums.NumClasses) }
		for b := drums.StepsPerBar; b < steps; b += drums.StepsPerBar {
			fill(img, image.Rect(x(b), r.Min.Y, x(b)+1, r.Max.Y), barLine)
		}
		for s, st := range p {
			for c := range drums.NumClasses {
				v := st.Velocity[c]
				if v == 0 {
					continue
				}
				a := uint8(80 + int(min(v, 127))*175/127)
				ink := color.NRGBA{noteInk.R, noteInk.G, noteInk.B, a}
				fill(img, image.Rect(x(s), y(c+1)+1, max(x(s+1)-1, x(s)+1), y(c)), ink)
			}
		}
	})
}

// WritePNG encodes img as a PNG.
func WritePNG(w io.Writer, img image.Image) error { return png.Encode(w, img) }

// grays is the GIF palette: drawings are ink on paper, antialiased.
var grays = func() color.Palette {
	p := make(color.Palette, 16)
	for i := range p {
		v := uint8(i * 255 / 15)
		p[i] = color.Gray{v}
	}
	return p
}()

// GIFOptions say how WriteGIF draws the frames.
type GIFOptions struct {
	Drawing sketch.Options // each frame's size and line width (the background is white)
	Delay   int            // each frame's delay in 100ths of a second, 1..6000; 0 means 8
	Loop    bool           // loop forever, or play once
}

// MaxGIFFrames bounds an animated GIF.
const MaxGIFFrames = 600

// WriteGIF writes the drawings as the frames of an animated GIF, each drawn whole as
// sketch.Render draws it, centred, all at the scale that fits the largest, in 16 grays.
func WriteGIF(w io.Writer, frames []sketch.Drawing, o GIFOptions) error {
	if len(frames) == 0 || len(frames) > MaxGIFFrames {
		return fmt.Errorf("cells: %d frames is outside 1..%d", len(frames), MaxGIFFrames)
	}
	delay := o.Delay
	if delay == 0 {
		delay = 8
	}
	if delay < 1 || delay > 6000 {
		return fmt.Errorf("cells: a frame delay of %d/100 s is outside 1..6000", delay)
	}
	opt := o.Drawing
	opt.Background = color.White
	size := opt.Size
	if size <= 0 {
		size = 256
	}
	if err := sketch.CheckSheetSize(1, len(frames), size); err != nil { // 1 byte a pixel, all frames in memory
		return err
	}
	g := &gif.GIF{LoopCount: -1}
	if o.Loop {
		g.LoopCount = 0
	}
	margins := commonScale(frames, size, opt.Margin)
	for i, d := range frames {
		o := opt
		o.Margin = margins[i]
		g.Image = append(g.Image, toGray(sketch.Render(d, o)))
		g.Delay = append(g.Delay, delay)
	}
	return gif.EncodeAll(w, g)
}

// commonScale returns each frame's margin such that every frame is drawn at one scale, the one
// that fits the largest within the margin asked for (0: size/16, as sketch.Options): a drawing
// that morphs grows and shrinks in place instead of jumping to fill each frame.
func commonScale(frames []sketch.Drawing, size int, margin float64) []float64 {
	switch {
	case margin == 0:
		margin = float64(size) / 16
	case margin < 0:
		margin = 0
	}
	ext := make([]float64, len(frames))
	var most float64
	for i, d := range frames {
		b := d.Bounds()
		ext[i] = math.Max(float64(b.Dx()), float64(b.Dy()))
		if math.IsNaN(ext[i]) || math.IsInf(ext[i], 0) {
			ext[i] = 0
		}
		most = math.Max(most, ext[i])
	}
	side := float64(size) - 2*margin
	out := make([]float64, len(frames))
	for i := range out {
		m := margin
		if most > 0 && ext[i] > 0 {
			m = (float64(size) - side*ext[i]/most) / 2
		}
		if m == 0 {
			m = -1 // sketch.Options: no margin (0 would be the default)
		}
		out[i] = m
	}
	return out
}

// toGray maps an opaque image onto the 16 grays by luminance.
func toGray(src *image.RGBA) *image.Paletted {
	b := src.Bounds()
	dst := image.NewPaletted(b, grays)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		s := src.Pix[src.PixOffset(b.Min.X, y):]
		d := dst.Pix[dst.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			r, g, bl := int(s[4*x]), int(s[4*x+1]), int(s[4*x+2])
			lum := (299*r + 587*g + 114*bl) / 1000
			d[x] = uint8((lum*15 + 127) / 255)
		}
	}
	return dst
}
