package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
	"github.com/latentpalette/palette/model/vae"
)

func init() {
	register(command{name: "sketch eval", summary: "sketch VAE losses on drawings: --data FILE.ndjson|FILE.npz[:split] [--json]", run: runSketchEval})
	register(command{name: "sketch reconstruct", summary: "draw a drawing and the sketch VAE's reconstruction: FILE --index I -o OUT.png|OUT.svg|OUT.ndjson", run: runSketchReconstruct})
	register(command{name: "sketch interpolate", summary: "one row blending two drawings in latent space: FILE --from I --to J --steps N -o OUT", run: runSketchInterpolate})
	register(command{name: "sketch sample", summary: "draw new sketches from the model: -n N --temperature T --seed S -o OUT", run: runSketchSample})
}

// builtinSketchModel returns the sketch weights that ship in the binary (the default model).
func builtinSketchModel() ([]byte, bool) { return assets.SketchModel, len(assets.SketchModel) > 0 }

// sketchFlags are the flags every sketch command shares.
type sketchFlags struct {
	model       *string
	temperature *float64
	seed        *uint64
	greedy      *bool
	size        *int
	lineWidth   *float64
	transparent *bool
	out         *string
	word        string // the class written with each drawing in an NDJSON output
}

// addSketchFlags adds the shared flags of the sketch commands that write a sheet; outHelp
// describes their -o. Decoding samples at a low temperature with a fixed seed by default: the
// same output every run, and Sketch-RNN's greedy decoding (--greedy) tends to loop.
func addSketchFlags(fs *flag.FlagSet, outHelp string) *sketchFlags {
	return &sketchFlags{
		model:       fs.String("model", "", "sketch model: a safetensors checkpoint, a sketch-rnn-js FILE.gen.json or builtin:NAME (palette sketch models lists them; default: the first)"),
		temperature: fs.Float64("temperature", 0.2, "sampling temperature (unless --greedy)"),
		seed:        fs.Uint64("seed", 1, "sampling seed"),
		greedy:      fs.Bool("greedy", false, "draw the most likely points instead of sampling"),
		size:        fs.Int("size", 256, "pixels per drawing (PNG) or user units (SVG)"),
		lineWidth:   fs.Float64("line-width", 2, "line width in pixels"),
		transparent: fs.Bool("transparent", false, "PNG: transparent background instead of white"),
		out:         fs.String("o", "", outHelp),
	}
}

// parse parses a sketch command's arguments: wantPos positional arguments and -o
// OUT.png|OUT.svg, or the usage line as a usage error. It checks the values and the output path
// before any work is done.
func (f *sketchFlags) parse(fs *flag.FlagSet, args []string, stderr io.Writer, wantPos int, usage string) ([]string, vae.DecodeOptions, error) {
	pos, err := parseModelFlags(fs, args, usage, stderr)
	if err != nil {
		return nil, vae.DecodeOptions{}, err
	}
	if len(pos) != wantPos || *f.out == "" {
		return nil, vae.DecodeOptions{}, usagef("%s", usage)
	}
	if err := f.checkSheet(); err != nil {
		return nil, vae.DecodeOptions{}, err
	}
	opt, err := f.decodeOptions()
	return pos, opt, err
}

// checkSheet checks the flags that say how the sheet is drawn, and -o.
func (f *sketchFlags) checkSheet() error {
	switch {
	case *f.size < 16 || *f.size > 4096:
		return usagef("--size must be 16 to 4096, not %d", *f.size)
	case !(*f.lineWidth > 0 && *f.lineWidth <= float64(*f.size)/4):
		return usagef("--line-width must be above 0 and at most a quarter of --size (%d), not %v", *f.size, *f.lineWidth)
	}
	if err := checkSheetPath(*f.out); err != nil {
		return err
	}
	return checkOutput(*f.out)
}

// checkPixels refuses, before decoding, a PNG sheet of rows x cols drawings larger than
// sketch.MaxSheetPixels.
func (f *sketchFlags) checkPixels(rows, cols int) error {
	if !strings.EqualFold(filepath.Ext(*f.out), ".png") {
		return nil
	}
	if err := sketch.CheckSheetSize(rows, cols, *f.size); err != nil {
		return usagef("%v: lower -n, --per-row or --size, or write an SVG", err)
	}
	return nil
}

func (f *sketchFlags) decodeOptions() (vae.DecodeOptions, error) {
	if !(*f.temperature > 0) || *f.temperature > 10 {
		return vae.DecodeOptions{}, usagef("--temperature must be in (0, 10], not %v", *f.temperature)
	}
	opt := vae.DecodeOptions{Temperature: *f.temperature, Seed: int64(*f.seed)}
	if *f.greedy {
		opt.Temperature = 0 // the model decodes greedily at temperature 0
	}
	return opt, nil
}

// loadSketch is the model of --model, or of the built-in weights.
func loadSketch(path string) (*sketchrnn.Model, error) {
	w, err := loadSketchModel(path)
	if err != nil {
		return nil, err
	}
	return sketchrnn.NewModel(w), nil
}

// loadSketchModel reads --model, or the built-in weights.
func loadSketchModel(path string) (*sketchrnn.Weights, error) {
	if name, ok := strings.CutPrefix(path, builtinSketchPrefix); ok {
		return loadBuiltinSketch(name)
	}
	if path == "" {
		data, ok := builtinSketchModel()
		if !ok {
			return nil, usagef("this build has no built-in sketch model yet: pass --model FILE.safetensors or FILE.gen.json")
		}
		w, err := sketchrnn.Load(strings.NewReader(string(data)))
		if err != nil {
			return nil, fmt.Errorf("built-in sketch model: %w", err)
		}
		return w, nil
	}
	f, err := openInput(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("--model: %w", err)}
	}
	defer f.Close()
	var w *sketchrnn.Weights
	if strings.HasSuffix(strings.ToLower(path), ".json") {
		w, _, err = sketchrnn.ReadGenJSON(f)
	} else {
		w, err = sketchrnn.Load(f)
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("--model %s: %w", path, err)}
	}
	return w, nil
}

func runSketchEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch eval", flag.ContinueOnError)
	data := fs.String("data", "", "drawings: FILE.ndjson or FILE.npz[:split] (split test by default)")
	asJSON := fs.Bool("json", false, `print {"sketches": N, "r_loss": x, "kl_loss": y}`)
	model := fs.String("model", "", "sketch model (default: the built-in one)")
	seed := fs.Uint64("seed", 0, "seed of the posterior samples z = mu + sigma*eps (with --judge: of the teacher's own drawings that set the size)")
	judge := fs.String("judge", "", "score the drawings under a sketch-rnn-js TEACHER.gen.json instead: per-point NLL, each drawing scaled to the teacher's median size")
	class := fs.String("class", "", "with --judge: only the drawings of this class (NDJSON \"word\")")
	judgeT := fs.Float64("judge-temperature", judgeTemperature, "with --judge: temperature of the teacher's own drawings that set the size")
	const usage = "usage: palette sketch eval --data FILE.ndjson|FILE.npz[:split] [--json] [--model FILE | --judge TEACHER.gen.json [--class C]]"
	pos, err := parseModelFlags(fs, args, usage, stderr)
	if err != nil {
		return err
	}
	if *data == "" && len(pos) == 1 {
		*data, pos = pos[0], nil
	}
	if *data == "" || len(pos) > 0 {
		return usagef("%s", usage)
	}
	if *judge != "" {
		if *model != "" {
			return usagef("--judge and --model: give one (the judge is a decoder-only teacher)")
		}
		if !(*judgeT > 0) || *judgeT > 10 {
			return usagef("--judge-temperature must be in (0, 10], not %v", *judgeT)
		}
		return runJudge(*judge, *data, *class, *seed, *judgeT, *asJSON, stdout)
	}
	m, err := loadSketch(*model)
	if err != nil {
		return err
	}
	ds, err := loadDrawings(*data)
	if err != nil {
		return err
	}
	l, err := m.Evaluate(ds, *seed)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", *data, err)}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"sketches": l.Sketches, "r_loss": l.RLoss, "kl_loss": l.KL})
	}
	fmt.Fprintf(stdout, "%d sketches  r_loss %.4f  kl_loss %.4f\n", l.Sketches, l.RLoss, l.KL)
	return nil
}

// pick returns drawing i of ds, or a usage error naming the valid range.
func pick(ds []sketch.Drawing, i int, flagName string) (sketch.Drawing, error) {
	if i < 0 || i >= len(ds) {
		return nil, usagef("%s %d is out of range: the file has drawings 0 to %d", flagName, i, len(ds)-1)
	}
	if len(ds[i]) == 0 {
		return nil, usagef("drawing %d is empty", i)
	}
	return ds[i], nil
}

func runSketchReconstruct(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch reconstruct", flag.ContinueOnError)
	sf := addSketchFlags(fs, "output OUT.png or OUT.svg: the drawings on the first row, their reconstructions below")
	index := fs.String("index", "0", "drawing index, or a list (0,3,5) or range (0-9): one column per drawing")
	between := fs.String("interpolate", "", "I,J: add a third row interpolating from drawing I to drawing J (a contact sheet)")
	pos, opt, err := sf.parse(fs, args, stderr, 1, "usage: palette sketch reconstruct FILE --index I -o OUT.png|OUT.svg|OUT.ndjson")
	if err != nil {
		return err
	}
	idx, err := parseIndices(*index)
	if err != nil {
		return err
	}
	if rows, cols := 2, len(idx); *between == "" {
		err = sf.checkPixels(rows, cols)
	} else {
		err = sf.checkPixels(rows+1, max(cols, 2))
	}
	if err != nil {
		return err
	}
	m, ds, err := modelAndDrawings(*sf.model, pos[0])
	if err != nil {
		return err
	}
	var orig []sketch.Drawing
	var zs [][]float32
	for _, i := range idx {
		d, err := pick(ds, i, "--index")
		if err != nil {
			return err
		}
		mu, err := encode(m, *sf.model, d)
		if err != nil {
			return err
		}
		orig = append(orig, d)
		zs = append(zs, mu)
	}
	rows := [][]sketch.Drawing{orig, nil}
	if *between != "" {
		ij, err := parseIndices(*between)
		if err != nil || len(ij) != 2 {
			return usagef("--interpolate %s: want I,J", quoteArg(*between))
		}
		ends := make([][]float32, 2)
		for k, i := range ij {
			d, err := pick(ds, i, "--interpolate")
			if err != nil {
				return err
			}
			if ends[k], err = encode(m, *sf.model, d); err != nil {
				return err
			}
		}
		n := max(len(idx), 2)
		for k := 0; k < n; k++ {
			zs = append(zs, slerp(ends[0], ends[1], float64(k)/float64(n-1)))
		}
	}
	dec, err := decode(m, *sf.model, zs, opt)
	if err != nil {
		return err
	}
	rows[1] = dec[:len(idx)]
	if len(dec) > len(idx) {
		rows = append(rows, dec[len(idx):])
	}
	if isNDJSON(*sf.out) {
		rows = rows[1:] // the drawings the model made, without the originals
	}
	return writeSheet(*sf.out, rows, sf)
}

func runSketchInterpolate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch interpolate", flag.ContinueOnError)
	sf := addSketchFlags(fs, "output OUT.png or OUT.svg")
	from := fs.Int("from", 0, "index of the first drawing")
	to := fs.Int("to", 1, "index of the last drawing")
	steps := fs.Int("steps", 8, "drawings in the row, ends included")
	pos, opt, err := sf.parse(fs, args, stderr, 1, "usage: palette sketch interpolate FILE --from I --to J --steps N -o OUT.png|OUT.svg|OUT.ndjson")
	if err != nil {
		return err
	}
	if *steps < 2 || *steps > 100 {
		return usagef("--steps must be 2 to 100, not %d", *steps)
	}
	if err := sf.checkPixels(1, *steps); err != nil {
		return err
	}
	m, ds, err := modelAndDrawings(*sf.model, pos[0])
	if err != nil {
		return err
	}
	a, err := pick(ds, *from, "--from")
	if err != nil {
		return err
	}
	b, err := pick(ds, *to, "--to")
	if err != nil {
		return err
	}
	za, err := encode(m, *sf.model, a)
	if err != nil {
		return err
	}
	zb, err := encode(m, *sf.model, b)
	if err != nil {
		return err
	}
	zs := make([][]float32, *steps)
	for i := range zs {
		zs[i] = slerp(za, zb, float64(i)/float64(*steps-1))
	}
	row, err := decode(m, *sf.model, zs, opt)
	if err != nil {
		return err
	}
	return writeSheet(*sf.out, [][]sketch.Drawing{row}, sf)
}

func runSketchSample(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch sample", flag.ContinueOnError)
	sf := addSketchFlags(fs, "output OUT.png or OUT.svg")
	n := fs.Int("n", 8, "number of drawings")
	perRow := fs.Int("per-row", 8, "drawings per row of the sheet")
	class := fs.String("class", "", "draw from this class of a multi-class model (palette sketch models lists them); without it, each drawing is of a random class")
	_, opt, err := sf.parse(fs, args, stderr, 0, "usage: palette sketch sample -n N --temperature T --seed S [--class C] -o OUT.png|OUT.svg|OUT.ndjson")
	if err != nil {
		return err
	}
	if *n < 1 || *n > 1000 || *perRow < 1 || *perRow > 1000 {
		return usagef("-n and --per-row must be 1 to 1000, not %d and %d", *n, *perRow)
	}
	if err := sf.checkPixels((*n+*perRow-1) / *perRow, min(*n, *perRow)); err != nil {
		return err
	}
	m, err := loadSketch(*sf.model)
	if err != nil {
		return err
	}
	zs, err := classZs(m, *sf.model, *class, *n, *sf.seed)
	if err != nil {
		return err
	}
	sf.word = *class
	ds, err := decode(m, *sf.model, zs, opt)
	if err != nil {
		return err
	}
	var rows [][]sketch.Drawing
	for len(ds) > 0 {
		k := min(*perRow, len(ds))
		rows = append(rows, ds[:k])
		ds = ds[k:]
	}
	return writeSheet(*sf.out, rows, sf)
}

func modelAndDrawings(model, file string) (*sketchrnn.Model, []sketch.Drawing, error) {
	m, err := loadSketch(model)
	if err != nil {
		return nil, nil, err
	}
	if m.ZSize() == 0 {
		return nil, nil, usagef("this model has no encoder (a sketch-rnn-js .gen.json is decoder-only): use it with sketch sample")
	}
	ds, err := loadDrawings(file)
	return m, ds, err
}

// encode returns the posterior mean of d (the model cuts drawings longer than it takes); a mean
// that is not finite is the fault of the model file (see modelFault).
func encode(m *sketchrnn.Model, model string, d sketch.Drawing) ([]float32, error) {
	zs, err := m.Encode([]sketch.Drawing{d})
	if err != nil {
		return nil, usageError{err}
	}
	if err := finiteVectors(zs); err != nil {
		return nil, modelFault(model, "the encoder's output", err)
	}
	return zs[0], nil
}

// decode decodes zs and checks that every point came out finite before anything is drawn.
func decode(m *sketchrnn.Model, model string, zs [][]float32, opt vae.DecodeOptions) ([]sketch.Drawing, error) {
	ds, err := m.Decode(zs, opt)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		for j, p := range d {
			if !finite(p.DX) || !finite(p.DY) {
				return nil, modelFault(model, "the decoder's output", fmt.Errorf("drawing %d, point %d is (%v, %v)", i, j, p.DX, p.DY))
			}
		}
	}
	return ds, nil
}

// slerp interpolates spherically between a and b, as sketch-rnn's notebook does between latents.
func slerp(a, b []float32, t float64) []float32 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	out := make([]float32, len(a))
	omega := math.Acos(math.Max(-1, math.Min(1, dot/math.Sqrt(na*nb))))
	so := math.Sin(omega)
	for i := range a {
		if so < 1e-6 || na == 0 || nb == 0 {
			out[i] = float32((1-t)*float64(a[i]) + t*float64(b[i]))
		} else {
			out[i] = float32(math.Sin((1-t)*omega)/so*float64(a[i]) + math.Sin(t*omega)/so*float64(b[i]))
		}
	}
	return out
}

func parseIndices(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return nil, usagef("--index %s: want I, I,J,K or I-J", quoteArg(s))
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a || b-a > 1000 {
				return nil, usagef("--index %s: want I, I,J,K or I-J", quoteArg(s))
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	return out, nil
}

// checkSheetPath refuses an output path writeSheet cannot write, before any work is done.
func checkSheetPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".ndjson":
		return nil
	}
	return usagef("-o %s: the output must end in .png or .svg (a sheet) or .ndjson (the drawings, Quick, Draw! simplified NDJSON)", path)
}

// writeSheet writes rows of drawings as a PNG or SVG sheet, by the file's extension.
func writeSheet(path string, rows [][]sketch.Drawing, sf *sketchFlags) error {
	opt := sketch.Options{Size: *sf.size, LineWidth: *sf.lineWidth}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		if !*sf.transparent {
			opt.Background = color.White
		}
		return writeFileAtomic(path, func(w io.Writer) error { return sketch.WriteSheetPNG(w, rows, opt) })
	case ".svg":
		return writeFileAtomic(path, func(w io.Writer) error { return sketch.WriteSheetSVG(w, rows, opt) })
	case ".ndjson":
		return writeNDJSON(path, slices.Concat(rows...), sf.word)
	}
	return usagef("-o %s: the output must end in .png or .svg (a sheet) or .ndjson (the drawings)", path)
}
