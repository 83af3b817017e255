package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func init() {
	register(command{name: "sketch continue", summary: "propose ways to finish a partial drawing: FILE --index I -n N -o OUT.png|OUT.svg|OUT.ndjson", run: runSketchContinue})
}

const continueUsage = "usage: palette sketch continue FILE --index I -n N -o OUT.png|OUT.svg|OUT.ndjson [--model M] [--strokes K] [--class C]"

// continueSizeFraction is the share of the model's typical drawing size a partial drawing is
// scaled to by default: a start is smaller than the whole.
const continueSizeFraction = 0.75

func runSketchContinue(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch continue", flag.ContinueOnError)
	sf := addSketchFlags(fs, "output: OUT.png or OUT.svg (the partial drawing, then the completions) or OUT.ndjson (the completions)")
	index := fs.Int("index", 0, "the drawing of FILE to continue")
	n := fs.Int("n", 8, "completions to propose")
	strokes := fs.Int("strokes", 0, "keep only the drawing's first K strokes as the start (0: all of it)")
	class := fs.String("class", "", "a multi-class VAE: decode at this class's centre instead of at the partial drawing's own encoding")
	size := fs.Float64("fit", -1, "scale the partial drawing so its larger side is this many model units (0: as it is; default: 3/4 of the model's typical drawing)")
	maxLen := fs.Int("max-len", 0, "points per completion, the start included (0: the model's own limit)")
	pos, opt, err := sf.parse(fs, args, stderr, 1, continueUsage)
	if err != nil {
		return err
	}
	switch {
	case *n < 1 || *n > 100:
		return usagef("-n must be 1 to 100, not %d", *n)
	case *strokes < 0:
		return usagef("--strokes must be 0 or more, not %d", *strokes)
	case *maxLen < 0 || *maxLen > sketchrnn.MaxDecodeLen:
		return usagef("--max-len must be 0 to %d, not %d", sketchrnn.MaxDecodeLen, *maxLen)
	case *size != -1 && !(*size >= 0 && *size <= 1e5):
		return usagef("--fit must be 0 to 100000, not %v", *size)
	}
	if err := sf.checkPixels(1, *n+1); err != nil {
		return err
	}
	m, err := loadSketch(*sf.model)
	if err != nil {
		return err
	}
	ds, err := loadDrawings(pos[0])
	if err != nil {
		return err
	}
	d, err := pick(ds, *index, "--index")
	if err != nil {
		return err
	}
	if *strokes > 0 {
		d = firstStrokes(d, *strokes)
	}
	// A start that ends mid-stroke continues that stroke; a start of whole strokes lifts the pen.
	if *size == -1 {
		typical, err := sketchrnn.TypicalSize(m, 20, 0.45, 1)
		if err != nil {
			return usagef("the model's own drawings give no typical size to scale the start to (%v): pass --fit SIZE", err)
		}
		*size = continueSizeFraction * float64(typical)
	}
	if *size > 0 {
		d = sketchrnn.ScaleTo(d, float32(*size))
	}
	if len(d) >= m.MaxLen() && *maxLen == 0 {
		*maxLen = len(d) + m.MaxLen()
	}
	z := make([]float32, m.ZSize())
	switch {
	case *class != "" && m.ZSize() == 0:
		return usagef("--class: this model is decoder-only (no latent space); it draws its own class")
	case *class != "":
		c, err := sketchClasses(*sf.model, m.W)
		if err != nil {
			return err
		}
		i, err := c.Index(*class)
		if err != nil {
			return usagef("--class: %v", err)
		}
		if len(c.Mean) > 0 {
			z = c.Mean[i]
		}
		sf.word = c.Names[i]
	case m.ZSize() > 0:
		if z, err = encode(m, *sf.model, d); err != nil {
			return err
		}
	default:
		if c, err := sketchClasses(*sf.model, m.W); err == nil && len(c.Names) == 1 {
			sf.word = c.Names[0]
		}
	}
	out, err := m.Continue(z, d, *n, opt, *maxLen)
	if err != nil {
		return usageError{err}
	}
	for i, c := range out {
		for j, p := range c {
			if !finite(p.DX) || !finite(p.DY) {
				return modelFault(*sf.model, "the decoder's output", fmt.Errorf("completion %d, point %d is (%v, %v)", i, j, p.DX, p.DY))
			}
		}
	}
	if isNDJSON(*sf.out) {
		return writeSheet(*sf.out, [][]sketch.Drawing{out}, sf)
	}
	return writeSheet(*sf.out, [][]sketch.Drawing{append([]sketch.Drawing{d}, out...)}, sf)
}

// firstStrokes returns d's first k strokes (all of d if it has fewer).
func firstStrokes(d sketch.Drawing, k int) sketch.Drawing {
	for i, p := range d {
		if p.PenLift {
			if k--; k == 0 {
				return d[:i+1]
			}
		}
	}
	return d
}
