package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func init() {
	register(command{name: "sketch models", summary: "list the built-in sketch models and the classes each knows", run: runSketchModels})
	register(command{name: "sketch classes", summary: "store where each class lies in a sketch VAE's latent space: --model M --data LABELLED.ndjson -o OUT.safetensors", run: runSketchClasses})
}

// builtinSketchPrefix starts a --model value that names a built-in sketch model.
const builtinSketchPrefix = "builtin:"

// builtinSketch is a sketch model that ships in the binary. classes names what it knows when
// its file does not say (a model trained on one class).
type builtinSketch struct {
	name    string
	label   string // in the window's model picker
	data    func() ([]byte, bool)
	classes []string
}

// builtinSketches are the built-in sketch models, the default first.
var builtinSketches = []builtinSketch{
	{name: "sheep", label: "Sheep", data: func() ([]byte, bool) { return builtinSketchModel() }, classes: []string{"sheep"}},
	{name: "animals", label: "Ten animals", data: func() ([]byte, bool) { return assets.AnimalsModel, len(assets.AnimalsModel) > 0 }},
}

func builtinSketchNames() string {
	names := make([]string, len(builtinSketches))
	for i, b := range builtinSketches {
		names[i] = builtinSketchPrefix + b.name
	}
	return strings.Join(names, ", ")
}

// findBuiltinSketch returns the built-in model called name, or a usage error listing them.
func findBuiltinSketch(name string) (builtinSketch, error) {
	for _, b := range builtinSketches {
		if strings.EqualFold(b.name, name) {
			return b, nil
		}
	}
	return builtinSketch{}, usagef("--model %s%s: no such built-in sketch model: the built-in models are %s", builtinSketchPrefix, name, builtinSketchNames())
}

// loadBuiltinSketch reads the weights of the built-in model called name.
func loadBuiltinSketch(name string) (*sketchrnn.Weights, error) {
	b, err := findBuiltinSketch(name)
	if err != nil {
		return nil, err
	}
	data, ok := b.data()
	if !ok {
		return nil, usagef("--model %s%s: this build does not hold that model", builtinSketchPrefix, b.name)
	}
	w, err := sketchrnn.Load(strings.NewReader(string(data)))
	if err != nil {
		return nil, fmt.Errorf("built-in sketch model %s: %w", b.name, err)
	}
	return w, nil
}

// sketchClasses returns the classes a sketch model (a --model value; "" for the default) knows,
// with their places in its latent space when its file stores them (sketch classes). A
// sketch-rnn-js decoder knows the one class it names.
func sketchClasses(spec string, w *sketchrnn.Weights) (sketchrnn.Classes, error) {
	var meta map[string]string
	var fallback []string
	switch {
	case spec == "" || strings.HasPrefix(spec, builtinSketchPrefix):
		b := builtinSketches[0]
		if spec != "" {
			var err error
			if b, err = findBuiltinSketch(strings.TrimPrefix(spec, builtinSketchPrefix)); err != nil {
				return sketchrnn.Classes{}, err
			}
		}
		fallback = b.classes
		if data, ok := b.data(); ok {
			meta, _ = sketchrnn.Metadata(strings.NewReader(string(data)))
		}
	case strings.HasSuffix(strings.ToLower(spec), ".json"):
		f, err := openInput(spec)
		if err != nil {
			return sketchrnn.Classes{}, err
		}
		defer f.Close()
		_, info, err := sketchrnn.ReadGenJSON(f)
		if err != nil {
			return sketchrnn.Classes{}, usageError{fmt.Errorf("--model %s: %w", spec, err)}
		}
		if info.Name != "" {
			fallback = []string{info.Name}
		}
	default:
		f, err := openInput(spec)
		if err != nil {
			return sketchrnn.Classes{}, err
		}
		defer f.Close()
		meta, _ = sketchrnn.Metadata(f)
	}
	c, err := sketchrnn.ReadClasses(meta[sketchrnn.MetaClasses], w.Config.ZSize)
	if err != nil {
		return sketchrnn.Classes{}, usageError{fmt.Errorf("--model %s: %w", orDefault(spec), err)}
	}
	if len(c.Names) == 0 {
		c.Names = fallback
	}
	return c, nil
}

func orDefault(spec string) string {
	if spec == "" {
		return builtinSketchPrefix + builtinSketches[0].name
	}
	return spec
}

// classZs returns n latent vectors from seed: of class (by name) when class is not "" (an
// anchor of the class plus the encoder's noise); without one, of a random class each for a model
// of several placed classes, or from the prior N(0, I). A class the model does not know is a
// usage error that lists the ones it does.
func classZs(m *sketchrnn.Model, spec, class string, n int, seed uint64) ([][]float32, error) {
	rng := rand.New(rand.NewPCG(seed, 0x2))
	zs := make([][]float32, n)
	if class == "" && m.ZSize() > 0 {
		// A model of several placed classes draws from a random one; its prior scribbles.
		if c, err := sketchClasses(spec, m.W); err == nil && len(c.Names) > 1 && len(c.Mean) == len(c.Names) {
			for k := range zs {
				zs[k] = c.SampleAny(rng)
			}
			return zs, nil
		}
	}
	if class == "" {
		for i := range zs {
			zs[i] = make([]float32, m.ZSize())
			for k := range zs[i] {
				zs[i][k] = float32(rng.NormFloat64())
			}
		}
		return zs, nil
	}
	c, err := sketchClasses(spec, m.W)
	if err != nil {
		return nil, err
	}
	i, err := c.Index(class)
	if err != nil {
		return nil, usagef("--class: %v", err)
	}
	if len(c.Mean) == 0 {
		if m.ZSize() > 0 && len(c.Names) > 1 {
			return nil, usagef("--class %s: the model names its classes but not where they lie (run palette sketch classes)", class)
		}
		return classZs(m, spec, "", n, seed) // the model's one class: its prior
	}
	for k := range zs {
		zs[k] = c.Sample(i, rng)
	}
	return zs, nil
}

func runSketchModels(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch models", flag.ContinueOnError)
	pos, err := parseModelFlags(fs, args, "usage: palette sketch models", stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("usage: palette sketch models")
	}
	for _, b := range builtinSketches {
		if _, ok := b.data(); !ok {
			continue
		}
		w, err := loadBuiltinSketch(b.name)
		if err != nil {
			return err
		}
		c, err := sketchClasses(builtinSketchPrefix+b.name, w)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", b.name, strings.Join(c.Names, ", "))
	}
	return nil
}

const classesUsage = "usage: palette sketch classes --model FILE.safetensors --data LABELLED.ndjson [--teachers DIR] -o OUT.safetensors"

// runSketchClasses encodes labelled drawings and writes the model again with each class's
// Gaussian in its metadata, for --class and the window's class picker.
func runSketchClasses(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch classes", flag.ContinueOnError)
	model := fs.String("model", "", "sketch VAE: FILE.safetensors (a training state is written as a model)")
	data := fs.String("data", "", "drawings labelled with their class: Quick, Draw! NDJSON (\"word\")")
	per := fs.Int("per-class", 500, "drawings of each class to encode (the first ones in the file)")
	teachers := fs.String("teachers", "", "a folder of sketch-rnn-js decoders, CLASS.gen.json for each class: of each class's encodings, the ones whose drawings (three each, at temperature 0.2, with the encoder's noise) its decoder judges most likely become the class's anchors, from which --class and the window sample")
	out := fs.String("o", "", "the model with its classes, FILE.safetensors")
	size := fs.Float64("size", 0, "also rescale the model to drawings whose larger side is about SIZE units (255: Quick, Draw!'s simplified data and the window's Draw dialog); 0 keeps the data's units")
	pos, err := parseModelFlags(fs, args, classesUsage, stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *model == "" || *data == "" || *out == "" {
		return usagef("%s", classesUsage)
	}
	if !(*size >= 0 && *size <= 1e5) {
		return usagef("--size must be 0 to 100000, not %v", *size)
	}
	if *per < 2 || *per > 100000 {
		return usagef("--per-class must be 2 to 100,000, not %d", *per)
	}
	if err := checkOutput(*out); err != nil {
		return err
	}
	w, err := loadSketchModel(*model)
	if err != nil {
		return err
	}
	if w.Config.ZSize == 0 {
		return usagef("--model %s has no encoder (a decoder-only model has no latent space to place classes in)", *model)
	}
	var meta map[string]string
	if f, err := os.Open(*model); err == nil {
		meta, _ = sketchrnn.Metadata(f)
		f.Close()
	}
	items, err := loadItems(*data)
	if err != nil {
		return err
	}
	count := map[string]int{}
	var kept []sketch.Item
	for _, it := range items {
		if it.Word != "" && count[it.Word] < *per {
			count[it.Word]++
			kept = append(kept, it)
		}
	}
	if *size > 0 {
		// Offsets reach the model divided by its scale factor: scaling the factor with the
		// drawings leaves every encoding and decoding as it was, in the new units.
		ratio := float32(*size) / medianSide(kept)
		w.ScaleFactor *= ratio
		if err := w.Check(); err != nil {
			return usageError{fmt.Errorf("--size %v: %w", *size, err)}
		}
		for i := range kept {
			kept[i].Drawing = kept[i].Drawing.Scale(ratio)
		}
		fmt.Fprintf(stdout, "rescaled by %.4f: scale factor %.4f\n", ratio, w.ScaleFactor)
	}
	w.TypicalSize = medianSide(kept) // drawings of other units are brought to it as they are encoded
	var fit sketchrnn.FitOptions
	if *teachers != "" {
		if fit, err = judgeAnchors(*teachers, kept); err != nil {
			return err
		}
	}
	c, err := sketchrnn.FitClassesWith(sketchrnn.NewModel(w), kept, fit)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", *data, err)}
	}
	value, err := c.Encode()
	if err != nil {
		return err
	}
	md := map[string]string{}
	for k, v := range meta {
		switch k {
		case "step", "seed", "adam_step", "format", "config", "scale_factor":
		default:
			md[k] = v
		}
	}
	md[sketchrnn.MetaClasses] = value
	for _, name := range c.Names {
		fmt.Fprintf(stdout, "%s: %d drawings\n", name, count[name])
	}
	return writeFileAtomic(*out, func(wr io.Writer) error { return w.SaveWithMetadata(wr, md) })
}

// judgeAnchors loads DIR/CLASS.gen.json for every class of items and returns the options that
// rank a class's candidate anchors by that decoder's per-point NLL of what the model draws from
// them (sketch eval --judge), at the palette's temperature, 0.2.
func judgeAnchors(dir string, items []sketch.Item) (sketchrnn.FitOptions, error) {
	type judge struct {
		m    *sketchrnn.Model
		size float32
	}
	judges := map[string]judge{}
	var classes []string
	for _, it := range items {
		if it.Word != "" && !slices.Contains(classes, it.Word) {
			classes = append(classes, it.Word)
		}
	}
	slices.Sort(classes)
	for _, class := range classes {
		path := filepath.Join(dir, class+".gen.json")
		if _, err := os.Stat(path); err != nil {
			return sketchrnn.FitOptions{}, usagef("--teachers %s: no decoder for class %q (%s.gen.json)", dir, class, class)
		}
		m, _, err := loadTeacher(path)
		if err != nil {
			return sketchrnn.FitOptions{}, err
		}
		size, err := sketchrnn.TypicalSize(m, sketchrnn.JudgeSizeSamples, judgeTemperature, 1)
		if err != nil {
			return sketchrnn.FitOptions{}, fmt.Errorf("--teachers: %s: %w", path, err)
		}
		judges[class] = judge{m, size}
	}
	return sketchrnn.FitOptions{Temperature: 0.2, Seed: 1, Draws: 3, Score: func(class string, d sketch.Drawing) (float64, error) {
		j := judges[class]
		r, err := sketchrnn.PointNLL(j.m, []sketch.Drawing{d}, j.size)
		return r.NLL, err
	}}, nil
}

// loadItems reads labelled drawings: NDJSON keeps each line's word; other files give drawings
// without one. Any bad line is a usage error, as in loadDrawings.
func loadItems(path string) ([]sketch.Item, error) {
	lower := strings.ToLower(path)
	if !strings.HasSuffix(lower, ".ndjson") && !strings.HasSuffix(lower, ".jsonl") {
		ds, err := loadDrawings(path)
		if err != nil {
			return nil, err
		}
		items := make([]sketch.Item, len(ds))
		for i, d := range ds {
			items[i] = sketch.Item{Drawing: d}
		}
		return items, nil
	}
	f, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	items, err := sketch.ReadNDJSON(f)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", path, err)}
	}
	if len(items) == 0 {
		return nil, usagef("%s holds no drawings", path)
	}
	return items, nil
}

func isNDJSON(path string) bool { return strings.EqualFold(filepath.Ext(path), ".ndjson") }

// writeNDJSON writes drawings as Quick, Draw! simplified NDJSON, each labelled word.
func writeNDJSON(path string, ds []sketch.Drawing, word string) error {
	items := make([]sketch.Item, 0, len(ds))
	for _, d := range ds {
		if len(d) > 0 {
			items = append(items, sketch.Item{Word: word, Drawing: d})
		}
	}
	return writeFileAtomic(path, func(w io.Writer) error { return sketch.WriteNDJSON(w, items) })
}

// medianSide is the median larger side of the items' drawings (1 if none has a size).
func medianSide(items []sketch.Item) float32 {
	ds := make([]sketch.Drawing, len(items))
	for i, it := range items {
		ds[i] = it.Drawing
	}
	return max(sketchrnn.MedianSide(ds), 1)
}
