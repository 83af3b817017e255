package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

const (
	sketchGridUsage  = "usage: palette sketch grid --corners FILE:I FILE:J FILE:K FILE:L --size N -o OUT.png|OUT.svg [--model M]"
	sketchWalkUsage  = `usage: palette sketch walk --corners FILE:I FILE:J FILE:K FILE:L --path "u,v u,v …" --frames F -o OUT.gif|OUT.svg [--model M]`
	sketchCornerHelp = "a corner: FILE:I, drawing I (0-based) of an .ndjson or .npz[:split] file"
)

// drawingFlags say how the sheets and frames are drawn.
type drawingFlags struct {
	model       string
	greedy      bool
	cell        int
	lineWidth   float64
	transparent bool
}

func addDrawingFlags(fs *flag.FlagSet, cell int) *drawingFlags {
	f := &drawingFlags{}
	fs.StringVar(&f.model, "model", "", "sketch model: a safetensors checkpoint (default: the built-in model)")
	fs.BoolVar(&f.greedy, "greedy", false, "draw the most likely points instead of sampling")
	fs.IntVar(&f.cell, "cell", cell, "pixels per drawing (PNG, GIF) or user units (SVG), 16 to 1024")
	fs.Float64Var(&f.lineWidth, "line-width", 2, "line width in pixels")
	fs.BoolVar(&f.transparent, "transparent", false, "PNG: transparent background instead of white")
	return f
}

func (f *drawingFlags) check() error {
	switch {
	case f.cell < 16 || f.cell > 1024:
		return usagef("--cell %d is outside 16..1024", f.cell)
	case !(f.lineWidth > 0 && f.lineWidth <= float64(f.cell)/4):
		return usagef("--line-width must be above 0 and at most a quarter of --cell (%d), not %v", f.cell, f.lineWidth)
	}
	return nil
}

func (f *drawingFlags) options() sketch.Options {
	return sketch.Options{Size: f.cell, LineWidth: f.lineWidth}
}

// settings are the space flags' settings, greedy when --greedy.
func (f *drawingFlags) settings(sf *spaceFlags) (palette.Settings, error) {
	s := sf.settings()
	if f.greedy {
		s.Temperature = 0
	} else if s.Temperature == 0 {
		return s, usagef("--temperature 0: Sketch-RNN decodes greedily with --greedy")
	}
	return s, nil
}

// sketchCorners reads the four drawing corners (example:NAME or FILE:I; a file named twice is
// read once) and encodes them with the model.
func sketchCorners(f *drawingFlags, specs []string) (*sketchrnn.Model, [4]palette.Corner[sketch.Drawing], error) {
	var cs [4]palette.Corner[sketch.Drawing]
	m, err := loadSketch(f.model)
	if err != nil {
		return nil, cs, err
	}
	if m.ZSize() == 0 {
		return nil, cs, usagef("this model has no encoder (a sketch-rnn-js .gen.json is decoder-only): the grid needs one")
	}
	files := map[string][]sketch.Drawing{}
	items, err := readCorners(specs, func(spec string) (sketch.Drawing, error) {
		if strings.HasPrefix(spec, "example:") {
			return pickExample(spec, examples.Drawings())
		}
		file, i, ok := splitIndex(spec)
		if !ok {
			return nil, usagef("corner %s: want FILE:I (drawing I of FILE) or example:NAME", quoteArg(spec))
		}
		ds, seen := files[file]
		if !seen {
			if ds, err = loadDrawings(file); err != nil {
				return nil, err
			}
			files[file] = ds
		}
		return pick(ds, i, "corner "+file+":")
	})
	if err != nil {
		return nil, cs, err
	}
	cs, err = cornersOf(m, f.model, items)
	return m, cs, err
}

// decodeDrawings decodes the blends at pts and checks that every point came out finite.
func decodeDrawings(m *sketchrnn.Model, f *drawingFlags, cs [4]palette.Corner[sketch.Drawing], pts []palette.Point, s palette.Settings) ([]sketch.Drawing, error) {
	ds, err := palette.DecodePoints(m, cs, pts, s, 0, nil)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		for j, p := range d {
			if !finite(p.DX) || !finite(p.DY) {
				return nil, modelFault(f.model, "the decoder's output", fmt.Errorf("drawing %d, point %d is (%v, %v)", i, j, p.DX, p.DY))
			}
		}
	}
	return ds, nil
}

func runSketchGrid(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch grid", flag.ContinueOnError)
	sf := addSpaceFlags(fs, sketchCornerHelp, 0.2, true, "OUT.png or OUT.svg: the grid as a sheet")
	df := addDrawingFlags(fs, 128)
	if _, err := sf.parse(fs, args, sketchGridUsage, stderr, ".png", ".svg"); err != nil {
		return err
	}
	if err := df.check(); err != nil {
		return err
	}
	s, err := df.settings(sf)
	if err != nil {
		return err
	}
	n := sf.size
	m, cs, err := sketchCorners(df, sf.corners)
	if err != nil {
		return err
	}
	ds, err := decodeDrawings(m, df, cs, palette.GridPoints(n), s)
	if err != nil {
		return err
	}
	rows := make([][]sketch.Drawing, n)
	for r := range rows {
		rows[r] = ds[r*n : (r+1)*n]
	}
	opt := df.options()
	if hasExt(sf.out, ".png") {
		if !df.transparent {
			opt.Background = color.White
		}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return sketch.WriteSheetPNG(w, rows, opt) })
	} else {
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return sketch.WriteSheetSVG(w, rows, opt) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d×%d drawings, row by row from the top-left corner\n", sf.out, n, n)
	return nil
}

func runSketchWalk(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch walk", flag.ContinueOnError)
	sf := addSpaceFlags(fs, sketchCornerHelp, 0.2, false, "OUT.gif (an animation) or OUT.svg (a strip of the frames)")
	df := addDrawingFlags(fs, 256)
	frames := fs.Int("frames", 30, fmt.Sprintf("frames along the path, ends included, %d to %d", minFrames, maxFrames))
	delay := fs.Int("delay", 8, "GIF: each frame's delay in 100ths of a second, 1 to 6000")
	perRow := fs.Int("per-row", 0, "SVG: frames per row of the strip (0: one row)")
	path, err := sf.parse(fs, args, sketchWalkUsage, stderr, ".gif", ".svg")
	if err != nil {
		return err
	}
	switch {
	case *frames < minFrames || *frames > maxFrames:
		return usagef("--frames %d is outside %d..%d", *frames, minFrames, maxFrames)
	case *delay < 1 || *delay > 6000:
		return usagef("--delay %d is outside 1..6000", *delay)
	case *perRow < 0:
		return usagef("--per-row %d is negative", *perRow)
	}
	if err := df.check(); err != nil {
		return err
	}
	if err := sketch.CheckSheetSize(1, *frames, df.cell); hasExt(sf.out, ".gif") && err != nil {
		return usagef("%v: lower --frames or --cell", err)
	}
	s, err := df.settings(sf)
	if err != nil {
		return err
	}
	m, cs, err := sketchCorners(df, sf.corners)
	if err != nil {
		return err
	}
	ds, err := decodeDrawings(m, df, cs, path.Even(*frames), s)
	if err != nil {
		return err
	}
	opt := df.options()
	if hasExt(sf.out, ".gif") {
		g := cells.GIFOptions{Drawing: opt, Delay: *delay, Loop: true}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WriteGIF(w, ds, g) })
	} else {
		var rows [][]sketch.Drawing
		for k := *perRow; len(ds) > 0; {
			if k == 0 {
				k = len(ds)
			}
			k = min(k, len(ds))
			rows = append(rows, ds[:k])
			ds = ds[k:]
		}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return sketch.WriteSheetSVG(w, rows, opt) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d frames along %d points of the path\n", sf.out, *frames, len(path))
	return nil
}
