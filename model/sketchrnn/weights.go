package sketchrnn

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
)

// Weights are a sketch VAE's parameters: the one copy that training updates, that checkpoints
// hold, and that the Gorgonia graphs' parameter nodes share (they are not copied).
type Weights struct {
	Config      SketchVAEConfig
	ScaleFactor float32 // offsets are divided by this on the way in and multiplied on the way out
	TypicalSize float32 // the median larger side of the drawings it learned from, in their units; 0: not known

	EncFw, EncBw nn.LSTMCell // encoder, input 5, EncSize units each (absent when unconditional)
	Mu, Presig   nn.Dense    // [2*EncSize, ZSize]: mu and presig = log sigma^2
	InitC, InitH nn.Dense    // [ZSize, DecSize]: the decoder's initial state is tanh of these
	Dec          nn.LSTMCell // decoder, input 5 (+ ZSize), DecSize units
	Out          nn.Dense    // [DecSize, 3+6M]: pen logits, pi, mu_x, mu_y, log sigma_x, log sigma_y, corr
}

// NewWeights returns freshly initialised weights: Glorot-uniform LSTM and output kernels, and
// N(0, 0.001) for the layers that map to and from z (sketch-rnn's super_linear "gaussian" init).
func NewWeights(cfg SketchVAEConfig, scale float32, seed uint64) (*Weights, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5e7c4))
	w := &Weights{Config: cfg, ScaleFactor: scale}
	E, H, Z := cfg.EncSize, cfg.DecSize, cfg.ZSize
	if cfg.Conditional() {
		w.EncFw = nn.NewLSTMCell(5, E, rng)
		w.EncBw = nn.NewLSTMCell(5, E, rng)
		w.Mu = gaussianDense(2*E, Z, rng)
		w.Presig = gaussianDense(2*E, Z, rng)
		w.InitC = gaussianDense(Z, H, rng)
		w.InitH = gaussianDense(Z, H, rng)
	}
	w.Dec = nn.NewLSTMCell(5+Z, H, rng)
	w.Out = nn.NewDense(H, cfg.Outputs(), rng)
	return w, nil
}

// Normalize turns a drawing into the model's input rows: offsets clamped to +/-1000 and divided
// by the scale factor, in stroke-5 without the start token and without padding.
func (w *Weights) Normalize(d sketch.Drawing) [][5]float32 {
	return d.Clamp(sketch.Limit).Scale(1 / w.ScaleFactor).Stroke5(0)
}

// FitSize returns d as the encoder should see it. A drawing whose larger side is under half or
// over twice TypicalSize was drawn in other units (raw Quick, Draw! pixels, another data set, a
// teacher's samples): it is scaled to TypicalSize, since the encoder only knows its own units.
// Any other drawing, or any drawing when TypicalSize is not known, is returned as it is.
func (w *Weights) FitSize(d sketch.Drawing) sketch.Drawing {
	b := d.Bounds()
	side := max(b.Dx(), b.Dy())
	if !(w.TypicalSize > 0) || !(side > 0) || (side >= w.TypicalSize/2 && side <= 2*w.TypicalSize) {
		return d
	}
	return d.Scale(w.TypicalSize / side)
}

// MedianSide returns the median larger side (width or height) of the drawings that have one, or
// 0 when none has.
func MedianSide(ds []sketch.Drawing) float32 {
	sides := make([]float32, 0, len(ds))
	for _, d := range ds {
		b := d.Bounds()
		if s := max(b.Dx(), b.Dy()); s > 0 {
			sides = append(sides, s)
		}
	}
	if len(sides) == 0 {
		return 0
	}
	slices.Sort(sides)
	return sides[len(sides)/2]
}

func gaussianDense(in, out int, rng *rand.Rand) nn.Dense {
	d := nn.Dense{In: in, Out: out, Kernel: make([]float32, in*out), Bias: make([]float32, out)}
	for i := range d.Kernel {
		d.Kernel[i] = float32(rng.NormFloat64() * 0.001)
	}
	return d
}

// param is one named parameter tensor; data aliases the Weights' slice.
type param struct {
	name  string
	shape []int
	data  []float32
}

// params lists the parameters in a fixed order with their checkpoint names.
func (w *Weights) params() []param {
	var ps []param
	lstm := func(name string, c *nn.LSTMCell) {
		ps = append(ps,
			param{name + "/kernel", []int{c.In + c.Hidden, 4 * c.Hidden}, c.Kernel},
			param{name + "/bias", []int{4 * c.Hidden}, c.Bias})
	}
	dense := func(name string, d *nn.Dense) {
		ps = append(ps,
			param{name + "/kernel", []int{d.In, d.Out}, d.Kernel},
			param{name + "/bias", []int{d.Out}, d.Bias})
	}
	if w.Config.Conditional() {
		lstm("encoder/fw", &w.EncFw)
		lstm("encoder/bw", &w.EncBw)
		dense("encoder/mu", &w.Mu)
		dense("encoder/presig", &w.Presig)
		dense("decoder/init_c", &w.InitC)
		dense("decoder/init_h", &w.InitH)
	}
	lstm("decoder/lstm", &w.Dec)
	dense("decoder/output", &w.Out)
	return ps
}

// The range of a model's scale factor (offsets are divided by it on the way in and multiplied
// on the way out; sketch-rnn's data sets have 10 to 100): beyond it float32 offsets overflow or
// vanish.
const (
	MinScaleFactor = 1e-3
	MaxScaleFactor = 1e4
)

// MaxDecodeLen is the most points a model's config may ask one decode for (sketch-rnn's
// max_seq_len is 250; .gen.json files asking for more fall back to the default).
const MaxDecodeLen = 10000

// Check reports weights whose sizes or scale factor do not fit their config or the limits above.
func (w *Weights) Check() error {
	if err := w.Config.Validate(); err != nil {
		return err
	}
	if !(w.ScaleFactor >= MinScaleFactor && w.ScaleFactor <= MaxScaleFactor) {
		return fmt.Errorf("sketch vae: scale factor %v is outside %g..%g", w.ScaleFactor, MinScaleFactor, MaxScaleFactor)
	}
	if !(w.TypicalSize >= 0 && w.TypicalSize <= 1e6) {
		return fmt.Errorf("sketch vae: typical size %v is outside 0..1e6", w.TypicalSize)
	}
	if w.Config.MaxSeqLen > MaxDecodeLen {
		return fmt.Errorf("sketch vae: max_seq_len %d is more than sketchrnn.MaxDecodeLen (%d), the most points a decode may take", w.Config.MaxSeqLen, MaxDecodeLen)
	}
	cfg := w.Config
	want := map[string][]int{
		"decoder/lstm/kernel":   {5 + cfg.ZSize + cfg.DecSize, 4 * cfg.DecSize},
		"decoder/output/kernel": {cfg.DecSize, cfg.Outputs()},
	}
	if cfg.Conditional() {
		want["encoder/fw/kernel"] = []int{5 + cfg.EncSize, 4 * cfg.EncSize}
		want["encoder/bw/kernel"] = []int{5 + cfg.EncSize, 4 * cfg.EncSize}
		want["encoder/mu/kernel"] = []int{2 * cfg.EncSize, cfg.ZSize}
		want["decoder/init_c/kernel"] = []int{cfg.ZSize, cfg.DecSize}
	}
	for _, p := range w.params() {
		n := 1
		for _, s := range p.shape {
			n *= s
		}
		if n <= 0 || len(p.data) != n {
			return fmt.Errorf("sketch vae: %s has %d values, want shape %v", p.name, len(p.data), p.shape)
		}
		if s, ok := want[p.name]; ok && (len(s) != len(p.shape) || s[0] != p.shape[0] || s[1] != p.shape[1]) {
			return fmt.Errorf("sketch vae: %s has shape %v, want %v for the config", p.name, p.shape, s)
		}
	}
	return nil
}

// NumParams counts the trainable values.
func (w *Weights) NumParams() int {
	n := 0
	for _, p := range w.params() {
		n += len(p.data)
	}
	return n
}
