package sketchrnn

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/nn"
)

// Format is the metadata "format" of a sketch VAE checkpoint.
const Format = "latentpalette/sketch-vae"

// Save writes the weights as a safetensors checkpoint that carries its config and scale factor.
func (w *Weights) Save(out io.Writer) error {
	return w.save(out, nil, nil)
}

// Metadata keys a trained checkpoint may carry besides its config (free text, for people).
const (
	MetaData  = "data"  // what it was trained on
	MetaNotes = "notes" // the step and the validation losses it was saved at

	metaTypicalSize = "typical_size" // Weights.TypicalSize, when known
)

// SaveWithMetadata is Save with extra metadata entries, such as MetaData and MetaNotes.
func (w *Weights) SaveWithMetadata(out io.Writer, meta map[string]string) error {
	return w.save(out, nil, meta)
}

// Metadata returns the metadata of a checkpoint written by Save or SaveWithMetadata.
func Metadata(r io.Reader) (map[string]string, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: %w", err)
	}
	if f.Metadata["format"] != Format {
		return nil, fmt.Errorf("sketch vae: not a sketch model checkpoint (format %q, want %q)", f.Metadata["format"], Format)
	}
	return f.Metadata, nil
}

func (w *Weights) save(out io.Writer, extra map[string]checkpoint.Tensor, meta map[string]string) error {
	if err := w.Check(); err != nil {
		return err
	}
	cfg, err := json.Marshal(w.Config)
	if err != nil {
		return fmt.Errorf("sketch vae: save: %w", err)
	}
	tensors := map[string]checkpoint.Tensor{}
	for _, p := range w.params() {
		tensors[p.name] = checkpoint.Tensor{Shape: p.shape, Data: p.data}
	}
	for k, v := range extra {
		tensors[k] = v
	}
	md := map[string]string{
		"format":       Format,
		"config":       string(cfg),
		"scale_factor": strconv.FormatFloat(float64(w.ScaleFactor), 'g', -1, 32),
	}
	for k, v := range meta {
		md[k] = v
	}
	delete(md, metaTypicalSize) // the weights' own, not one copied from another file's metadata
	if w.TypicalSize > 0 {
		md[metaTypicalSize] = strconv.FormatFloat(float64(w.TypicalSize), 'g', -1, 32)
	}
	if err := checkpoint.Save(out, tensors, md); err != nil {
		return fmt.Errorf("sketch vae: save: %w", err)
	}
	return nil
}

// Load reads a checkpoint written by Save (or a training checkpoint, whose optimizer state it
// ignores).
func Load(r io.Reader) (*Weights, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: %w", err)
	}
	return fromFile(f)
}

func fromFile(f *checkpoint.File) (*Weights, error) {
	if f.Metadata["format"] != Format {
		return nil, fmt.Errorf("sketch vae: not a sketch model checkpoint (format %q, want %q)", f.Metadata["format"], Format)
	}
	var cfg SketchVAEConfig
	if err := json.Unmarshal([]byte(f.Metadata["config"]), &cfg); err != nil {
		return nil, fmt.Errorf("sketch vae: checkpoint config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	scale, err := strconv.ParseFloat(f.Metadata["scale_factor"], 32)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: checkpoint scale factor: %w", err)
	}
	w := &Weights{Config: cfg, ScaleFactor: float32(scale)}
	if v, ok := f.Metadata[metaTypicalSize]; ok {
		size, err := strconv.ParseFloat(v, 32)
		if err != nil {
			return nil, fmt.Errorf("sketch vae: checkpoint typical size: %w", err)
		}
		w.TypicalSize = float32(size)
	}
	E, H, Z := cfg.EncSize, cfg.DecSize, cfg.ZSize
	if cfg.Conditional() {
		w.EncFw = nn.LSTMCell{In: 5, Hidden: E}
		w.EncBw = nn.LSTMCell{In: 5, Hidden: E}
		w.Mu = nn.Dense{In: 2 * E, Out: Z}
		w.Presig = nn.Dense{In: 2 * E, Out: Z}
		w.InitC = nn.Dense{In: Z, Out: H}
		w.InitH = nn.Dense{In: Z, Out: H}
	}
	w.Dec = nn.LSTMCell{In: 5 + Z, Hidden: H}
	w.Out = nn.Dense{In: H, Out: cfg.Outputs()}
	// params() returns nil slices for now; fill each from the file.
	shapes := map[string][]int{}
	for _, p := range w.params() {
		shapes[p.name] = p.shape
	}
	for name := range f.Tensors {
		if _, ok := shapes[name]; !ok && !isTrainingTensor(name) {
			return nil, fmt.Errorf("sketch vae: checkpoint has an unexpected tensor %q", name)
		}
	}
	get := func(name string) []float32 {
		t, ok := f.Tensors[name]
		if !ok || !slices.Equal(t.Shape, shapes[name]) {
			err = fmt.Errorf("sketch vae: checkpoint tensor %q missing or of shape %v, want %v", name, t.Shape, shapes[name])
			return nil
		}
		return t.Data
	}
	cell := func(name string, c *nn.LSTMCell) {
		c.Kernel, c.Bias = get(name+"/kernel"), get(name+"/bias")
	}
	if cfg.Conditional() {
		cell("encoder/fw", &w.EncFw)
		cell("encoder/bw", &w.EncBw)
		w.Mu.Kernel, w.Mu.Bias = get("encoder/mu/kernel"), get("encoder/mu/bias")
		w.Presig.Kernel, w.Presig.Bias = get("encoder/presig/kernel"), get("encoder/presig/bias")
		w.InitC.Kernel, w.InitC.Bias = get("decoder/init_c/kernel"), get("decoder/init_c/bias")
		w.InitH.Kernel, w.InitH.Bias = get("decoder/init_h/kernel"), get("decoder/init_h/bias")
	}
	cell("decoder/lstm", &w.Dec)
	w.Out.Kernel, w.Out.Bias = get("decoder/output/kernel"), get("decoder/output/bias")
	if err != nil {
		return nil, err
	}
	if err := w.Check(); err != nil {
		return nil, err
	}
	return w, nil
}

func isTrainingTensor(name string) bool {
	return len(name) > 5 && name[:5] == "adam/"
}
