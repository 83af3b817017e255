package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/palette"
)

// The grid and path commands of every palette: the corners, the grid size or the path, the
// decoding settings and -o, checked before any work, in one place.

func init() {
	register(command{name: "melody grid", summary: "an N×N grid of blends of four melodies: --corners A B C D --size N -o OUT.mid|OUT.png", run: runMelodyGrid})
	register(command{name: "melody path", summary: "a performance along a path over the pad: --corners A B C D --path \"u,v …\" --bars N -o OUT.mid|OUT.wav", run: runMelodyPath})
	register(command{name: "drums grid", summary: "an N×N grid of blends of four grooves: --corners A B C D --size N -o OUT.mid|OUT.png", run: runDrumsGrid})
	register(command{name: "drums path", summary: "a performance along a path over the pad: --corners A B C D --path \"u,v …\" --bars N -o OUT.mid|OUT.wav", run: runDrumsPath})
	register(command{name: "sketch grid", summary: "an N×N sheet of blends of four drawings: --corners FILE:I … --size N -o OUT.png|OUT.svg", run: runSketchGrid})
	register(command{name: "sketch walk", summary: "a drawing morphing along a path: --corners FILE:I … --path \"u,v …\" --frames F -o OUT.gif|OUT.svg", run: runSketchWalk})
}

// Limits of the path commands besides the path's own (palette.ParsePath).
const (
	maxPathBars = 256
	minFrames   = 2
	maxFrames   = 600
)

// cornerList collects --corners: the flag takes one value, the three after it come as
// positional arguments (--corners A B C D).
type cornerList []string

func (c *cornerList) String() string     { return strings.Join(*c, " ") }
func (c *cornerList) Set(s string) error { *c = append(*c, s); return nil }

// spaceFlags are the flags of the grid and path commands.
type spaceFlags struct {
	corners     cornerList
	size        int
	path        string
	out         string
	temperature float64
	seed        int64
	spherical   bool
}

// addSpaceFlags adds --corners, -o, the blend and the sampling; grid adds --size, path --path.
func addSpaceFlags(fs *flag.FlagSet, cornerHelp string, temperature float64, grid bool, outHelp string) *spaceFlags {
	f := &spaceFlags{}
	fs.Var(&f.corners, "corners", cornerHelp+" (four: top-left, top-right, bottom-left, bottom-right; example:NAME for a built-in example)")
	fs.StringVar(&f.out, "o", "", outHelp)
	fs.Float64Var(&f.temperature, "temperature", temperature, "sampling temperature; 0 decodes greedily")
	fs.Int64Var(&f.seed, "seed", 1, "sampling seed (with --temperature above 0)")
	fs.BoolVar(&f.spherical, "spherical", false, "blend by slerp along each axis instead of bilinearly")
	if grid {
		fs.IntVar(&f.size, "size", 5, fmt.Sprintf("cells per side of the grid, %d to %d", palette.MinGridSize, palette.MaxGridSize))
	} else {
		fs.StringVar(&f.path, "path", "", `the path: points "u,v u,v …" in [0,1]x[0,1] (u left to right, v top to bottom), at least 2`)
	}
	return f
}

// parse parses args, takes the positionals as the rest of --corners and checks the corners'
// count, the size or the path, -o and its extension (one of exts) before any work.
func (f *spaceFlags) parse(fs *flag.FlagSet, args []string, usage string, stderr io.Writer, exts ...string) (palette.Path, error) {
	pos, err := parseModelFlags(fs, args, usage, stderr)
	if err != nil {
		return nil, err
	}
	f.corners = append(f.corners, pos...)
	if len(f.corners) != 4 {
		return nil, usagef("need four corners, --corners A B C D (got %d): %s", len(f.corners), usage)
	}
	if !(f.temperature >= 0 && f.temperature <= 10) {
		return nil, usagef("--temperature %v is outside 0..10", f.temperature)
	}
	var path palette.Path
	if fs.Lookup("size") != nil {
		if err := palette.CheckGridSize(f.size); err != nil {
			return nil, usagef("--size: %v", err)
		}
	} else {
		if strings.TrimSpace(f.path) == "" {
			return nil, usagef(`need --path "u,v u,v …": %s`, usage)
		}
		if path, err = palette.ParsePath(f.path); err != nil {
			return nil, usagef("--path: %v", strings.TrimPrefix(err.Error(), "path: "))
		}
	}
	if f.out == "" {
		return nil, usagef("no output file: add -o OUT%s", exts[0])
	}
	if !hasExt(f.out, exts...) {
		return nil, usagef("-o %s: the output must end in %s", quoteArg(f.out), strings.Join(exts, " or "))
	}
	return path, checkOutput(f.out)
}

func (f *spaceFlags) settings() palette.Settings {
	return palette.Settings{Temperature: f.temperature, Seed: f.seed, Spherical: f.spherical}
}

func hasExt(path string, exts ...string) bool {
	for _, e := range exts {
		if strings.EqualFold(filepath.Ext(path), e) {
			return true
		}
	}
	return false
}

// exampleName is the key an example is looked up by: "Low riff" is example:low-riff.
func exampleName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "-")
}

// pickExample returns the example that spec (example:NAME) names, or a usage error that lists them.
func pickExample[T any](spec string, ex [4]examples.Named[T]) (T, error) {
	name := exampleName(strings.TrimPrefix(spec, "example:"))
	var names []string
	for _, e := range ex {
		if exampleName(e.Name) == name {
			return e.Item, nil
		}
		names = append(names, "example:"+exampleName(e.Name))
	}
	var zero T
	return zero, usagef("corner %s: no such example; the examples are %s", quoteArg(spec), strings.Join(names, ", "))
}

// splitIndex cuts a corner FILE:I into the file and I. A spec without a number after its last
// colon (or naming a file that exists as it is) has no index: ok is false.
func splitIndex(spec string) (file string, i int, ok bool) {
	k := strings.LastIndexByte(spec, ':')
	if k < 0 {
		return spec, 0, false
	}
	if _, err := os.Stat(spec); err == nil {
		return spec, 0, false
	}
	n, err := strconv.Atoi(spec[k+1:])
	if err != nil {
		return spec, 0, false
	}
	return spec[:k], n, true
}

// readCorners reads the four corner specs with read, naming the corner in an error.
func readCorners[T any](specs []string, read func(spec string) (T, error)) ([4]T, error) {
	var items [4]T
	for i, s := range specs {
		it, err := read(s)
		if err != nil {
			return items, err
		}
		items[i] = it
	}
	return items, nil
}

// cornersOf encodes four items with m into the palette's corners; a vector that is not finite is
// the model's fault (modelFault).
func cornersOf[T any](m palette.Model[T], spec string, items [4]T) ([4]palette.Corner[T], error) {
	var cs [4]palette.Corner[T]
	zs, err := m.Encode(items[:])
	if err != nil {
		return cs, usageError{fmt.Errorf("encode the corners: %w", err)}
	}
	if err := finiteVectors(zs); err != nil {
		return cs, modelFault(spec, "the encoder's output", err)
	}
	for i := range cs {
		cs[i] = palette.Corner[T]{Item: items[i], Z: zs[i], Set: true}
	}
	return cs, nil
}

// gridLabels names the cells of an n×n grid for the markers of a MIDI file.
func gridLabels(n int) []string {
	var ls []string
	for k, pt := range palette.GridPoints(n) {
		ls = append(ls, fmt.Sprintf("cell %d: row %d, column %d (u %.3f, v %.3f)", k+1, k/n+1, k%n+1, pt.U, pt.V))
	}
	return ls
}

// pathLabels names the windows of a performance for the markers of a MIDI file.
func pathLabels(pts []palette.Point) []string {
	var ls []string
	for k, pt := range pts {
		ls = append(ls, fmt.Sprintf("window %d (u %.3f, v %.3f)", k+1, pt.U, pt.V))
	}
	return ls
}

// pathWindows are the 2-bar windows a performance of bars bars decodes, one at each of the
// points spaced evenly along the path, its ends included.
func pathWindows(path palette.Path, bars int) []palette.Point {
	return path.Even((bars + 1) / 2)
}

// checkBars refuses a performance length outside 1..maxPathBars.
func checkBars(bars int) error {
	if bars < 1 || bars > maxPathBars {
		return usagef("--bars %d is outside 1..%d", bars, maxPathBars)
	}
	return nil
}
