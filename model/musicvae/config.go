// Package musicvae is Magenta's flat 2-bar MusicVAE (a bidirectional LSTM encoder, a stacked LSTM
// decoder conditioned on z) over a sequence of tokens, with its config, Gorgonia graph, training
// and inference: the melody VAE (90 event classes) and the drum VAE (512 hit combinations).
package musicvae

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
)

// Steps is the window the model sees: 32 sixteenths. Classes is the melody model's tokens: 90
// event classes per step.
const (
	Steps   = melody.WindowSteps
	Classes = melody.NumClasses
)

// The encoder's input kinds: the token one-hot (melodies), or Magenta's drum roll (drums).
const (
	InputOneHot   = ""
	InputDrumRoll = "drum_roll"
)

// Config sizes the network and names its tokens. Magenta's mel_2bar_small is {512, [256, 256],
// 256} over the 90 melody classes; its drums_2bar_small is the same sizes over the 512 drum
// tokens with a drum-roll encoder input.
type Config struct {
	EncoderSize  int   `json:"encoder_size"`  // units of each direction of the bidirectional LSTM
	DecoderSizes []int `json:"decoder_sizes"` // units of the stacked decoder LSTMs, bottom first
	ZSize        int   `json:"z_size"`
	// Tokens is the number of token classes per step (the output and the decoder's one-hot
	// input); 0 means the melody model's 90.
	Tokens int `json:"tokens,omitempty"`
	// Input is what the encoder reads per step: InputOneHot (the token one-hot) or InputDrumRoll
	// (9 drum bits and a "no hit" bit, as Magenta's DrumsConverter with roll_input).
	Input string `json:"input,omitempty"`
}

// Small is Magenta's mel_2bar_small.
var Small = Config{EncoderSize: 512, DecoderSizes: []int{256, 256}, ZSize: 256}

// Drums returns c as a drum model: 512 tokens, a drum-roll encoder input.
func (c Config) Drums() Config {
	c.Tokens, c.Input = drumTokens, InputDrumRoll
	return c
}

// classes is the number of token classes per step.
func (c Config) classes() int {
	if c.Tokens == 0 {
		return Classes
	}
	return c.Tokens
}

// inDepth is the width of the encoder's input per step.
func (c Config) inDepth() int {
	if c.Input == InputDrumRoll {
		return drumRollDepth
	}
	return c.classes()
}

// validTokens reports the first step of w whose token is not one of the model's classes.
func (c Config) validTokens(w []int) error {
	for i, e := range w {
		if e < 0 || e >= c.classes() {
			return fmt.Errorf("step %d: token %d is outside 0..%d", i, e, c.classes()-1)
		}
	}
	return nil
}

// Validate reports a size that cannot make a model.
func (c Config) Validate() error {
	if c.EncoderSize <= 0 || c.ZSize <= 0 || len(c.DecoderSizes) == 0 {
		return fmt.Errorf("musicvae: config %+v: sizes must be positive and there must be a decoder layer", c)
	}
	switch {
	case c.Tokens < 0 || c.Tokens > 4096:
		return fmt.Errorf("musicvae: config %+v: tokens must be in 1..4096", c)
	case c.Input == InputDrumRoll && c.classes() != drumTokens:
		return fmt.Errorf("musicvae: config %+v: a drum-roll input needs %d tokens", c, drumTokens)
	case c.Input != InputOneHot && c.Input != InputDrumRoll:
		return fmt.Errorf("musicvae: config %+v: unknown input %q", c, c.Input)
	}
	for _, d := range c.DecoderSizes {
		if d <= 0 {
			return fmt.Errorf("musicvae: config %+v: decoder sizes must be positive", c)
		}
	}
	return nil
}

// Weights are the model's parameters in TensorFlow's layout (kernels [in, out], y = x·K + b).
type Weights struct {
	Config    Config
	EncFw     nn.LSTMCell   // input inDepth (90 for melodies), hidden EncoderSize
	EncBw     nn.LSTMCell   // runs t = 31..0
	Mu, Sigma nn.Dense      // [2*EncoderSize] (forward h, then backward h) → [ZSize]
	ZToState  nn.Dense      // [ZSize] → [c0, h0, c1, h1, ...], tanh
	Dec       []nn.LSTMCell // cell 0: input [previous token one-hot, z]; cell k: input h of cell k-1
	Out       nn.Dense      // [last decoder size] → [classes] logits
}

// NewWeights initializes a model of config c (Glorot-uniform kernels, zero biases) from seed.
func NewWeights(c Config, seed uint64) (*Weights, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d656c6f6479)) // "melody"
	w := &Weights{
		Config:   c,
		EncFw:    nn.NewLSTMCell(c.inDepth(), c.EncoderSize, rng),
		EncBw:    nn.NewLSTMCell(c.inDepth(), c.EncoderSize, rng),
		Mu:       nn.NewDense(2*c.EncoderSize, c.ZSize, rng),
		Sigma:    nn.NewDense(2*c.EncoderSize, c.ZSize, rng),
		ZToState: nn.NewDense(c.ZSize, 2*sum(c.DecoderSizes), rng),
	}
	in := c.classes() + c.ZSize
	for _, d := range c.DecoderSizes {
		w.Dec = append(w.Dec, nn.NewLSTMCell(in, d, rng))
		in = d
	}
	w.Out = nn.NewDense(in, c.classes(), rng)
	return w, nil
}

func sum(s []int) int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}

// Tensor names, as in Magenta's MusicVAE checkpoints.
const (
	encFwName = "encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell"
	encBwName = "encoder/cell_0/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell"
	muName    = "encoder/mu"
	sigmaName = "encoder/sigma"
	zName     = "decoder/z_to_initial_state"
	outName   = "decoder/output_projection"
)

func decName(k int) string { return fmt.Sprintf("decoder/multi_rnn_cell/cell_%d/lstm_cell", k) }

// Shapes lists every tensor a model of config c has, by Magenta name.
func (c Config) Shapes() map[string][]int {
	s := map[string][]int{
		encFwName + "/kernel": {c.inDepth() + c.EncoderSize, 4 * c.EncoderSize},
		encFwName + "/bias":   {4 * c.EncoderSize},
		encBwName + "/kernel": {c.inDepth() + c.EncoderSize, 4 * c.EncoderSize},
		encBwName + "/bias":   {4 * c.EncoderSize},
		muName + "/kernel":    {2 * c.EncoderSize, c.ZSize},
		muName + "/bias":      {c.ZSize},
		sigmaName + "/kernel": {2 * c.EncoderSize, c.ZSize},
		sigmaName + "/bias":   {c.ZSize},
		zName + "/kernel":     {c.ZSize, 2 * sum(c.DecoderSizes)},
		zName + "/bias":       {2 * sum(c.DecoderSizes)},
	}
	in := c.classes() + c.ZSize
	for k, d := range c.DecoderSizes {
		s[decName(k)+"/kernel"] = []int{in + d, 4 * d}
		s[decName(k)+"/bias"] = []int{4 * d}
		in = d
	}
	s[outName+"/kernel"] = []int{in, c.classes()}
	s[outName+"/bias"] = []int{c.classes()}
	return s
}

// Tensors returns the weights by Magenta name (sharing w's slices).
func (w *Weights) Tensors() map[string]checkpoint.Tensor {
	shapes := w.Config.Shapes()
	t := map[string]checkpoint.Tensor{}
	put := func(name string, kernel, bias []float32) {
		t[name+"/kernel"] = checkpoint.Tensor{Shape: shapes[name+"/kernel"], Data: kernel}
		t[name+"/bias"] = checkpoint.Tensor{Shape: shapes[name+"/bias"], Data: bias}
	}
	put(encFwName, w.EncFw.Kernel, w.EncFw.Bias)
	put(encBwName, w.EncBw.Kernel, w.EncBw.Bias)
	put(muName, w.Mu.Kernel, w.Mu.Bias)
	put(sigmaName, w.Sigma.Kernel, w.Sigma.Bias)
	put(zName, w.ZToState.Kernel, w.ZToState.Bias)
	for k, d := range w.Dec {
		put(decName(k), d.Kernel, d.Bias)
	}
	put(outName, w.Out.Kernel, w.Out.Bias)
	return t
}

// WeightsFromTensors builds weights of config c from tensors named as Tensors names them. It
// checks that every tensor is there with its shape, and ignores names that are not the model's.
func WeightsFromTensors(c Config, tensors map[string]checkpoint.Tensor) (*Weights, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	shapes := c.Shapes()
	own := &checkpoint.File{Tensors: map[string]checkpoint.Tensor{}}
	for name := range shapes {
		if t, ok := tensors[name]; ok {
			own.Tensors[name] = t
		}
	}
	if err := own.Expect(shapes); err != nil {
		return nil, fmt.Errorf("musicvae: checkpoint does not fit config %+v: %w", c, err)
	}
	get := func(name string) ([]float32, []float32) {
		return clone(tensors[name+"/kernel"].Data), clone(tensors[name+"/bias"].Data)
	}
	w := &Weights{Config: c}
	lstm := func(name string, in, h int) nn.LSTMCell {
		k, b := get(name)
		return nn.LSTMCell{In: in, Hidden: h, Kernel: k, Bias: b}
	}
	dense := func(name string, in, out int) nn.Dense {
		k, b := get(name)
		return nn.Dense{In: in, Out: out, Kernel: k, Bias: b}
	}
	w.EncFw = lstm(encFwName, c.inDepth(), c.EncoderSize)
	w.EncBw = lstm(encBwName, c.inDepth(), c.EncoderSize)
	w.Mu = dense(muName, 2*c.EncoderSize, c.ZSize)
	w.Sigma = dense(sigmaName, 2*c.EncoderSize, c.ZSize)
	w.ZToState = dense(zName, c.ZSize, 2*sum(c.DecoderSizes))
	in := c.classes() + c.ZSize
	for k, d := range c.DecoderSizes {
		w.Dec = append(w.Dec, lstm(decName(k), in, d))
		in = d
	}
	w.Out = dense(outName, in, c.classes())
	return w, nil
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// NumParams is the number of trainable values.
func (w *Weights) NumParams() int {
	n := 0
	for _, t := range w.Tensors() {
		n += len(t.Data)
	}
	return n
}

// Metadata keys of a model checkpoint: the config (JSON) and a free description of the
// training data and run.
const (
	MetaFormat = "format"
	MetaConfig = "musicvae_config"
	MetaData   = "training_data"
	MetaNotes  = "notes"
	formatName = "latentpalette.musicvae.v1"
)

// Save writes w as a self-describing safetensors checkpoint; meta adds entries (MetaData, MetaNotes...).
func (w *Weights) Save(out io.Writer, meta map[string]string) error {
	c, err := json.Marshal(w.Config)
	if err != nil {
		return err
	}
	m := map[string]string{MetaFormat: formatName, MetaConfig: string(c)}
	for k, v := range meta {
		if k != MetaFormat && k != MetaConfig {
			m[k] = v
		}
	}
	return checkpoint.Save(out, w.Tensors(), m)
}

// Load reads a checkpoint written by Save (extra tensors, such as a training state's, are ignored).
func Load(r io.Reader) (*Weights, map[string]string, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, nil, err
	}
	w, err := FromFile(f)
	return w, f.Metadata, err
}

// FromFile builds the weights of a loaded checkpoint from its config metadata.
func FromFile(f *checkpoint.File) (*Weights, error) {
	raw, ok := f.Metadata[MetaConfig]
	if !ok {
		return nil, fmt.Errorf("musicvae: checkpoint has no %q metadata: it is not a melody model", MetaConfig)
	}
	var c Config
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, fmt.Errorf("musicvae: checkpoint config %s: %w", strconv.Quote(raw), err)
	}
	return WeightsFromTensors(c, f.Tensors)
}
