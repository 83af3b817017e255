package magenta

import (
	"fmt"
	"strings"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
)

// Variable names whose shapes give a melody model's sizes.
const (
	encFwBias   = "encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/bias"
	encFwKernel = "encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/kernel"
	muBias      = "encoder/mu/bias"
	sigmaKernel = "encoder/sigma/kernel"
	sigmaBias   = "encoder/sigma/bias"
	outBias     = "decoder/output_projection/bias"
)

func decBias(k int) string {
	return fmt.Sprintf("decoder/multi_rnn_cell/cell_%d/lstm_cell/bias", k)
}

// InferConfig reads a melody model's sizes from the shapes of its tensors: the encoder's size
// from its forward LSTM, z from encoder/mu, and one decoder layer per cell_K.
func InferConfig(tensors map[string]checkpoint.Tensor) (musicvae.Config, error) {
	var c musicvae.Config
	vec := func(name string) (int, error) {
		t, ok := tensors[name]
		if !ok {
			return 0, fmt.Errorf("magenta: the checkpoint has no %s: it is not a MusicVAE melody model", name)
		}
		if len(t.Shape) != 1 || t.Shape[0] <= 0 {
			return 0, fmt.Errorf("magenta: %s has shape %v, want a vector", name, t.Shape)
		}
		return t.Shape[0], nil
	}
	for name := range tensors {
		if strings.HasPrefix(name, "encoder/cell_1/") {
			return c, fmt.Errorf("magenta: %s: only single-layer encoders are supported", name)
		}
	}
	n, err := vec(encFwBias)
	if err != nil {
		return c, err
	}
	if n%4 != 0 {
		return c, fmt.Errorf("magenta: %s has %d values, not 4 gates of equal size", encFwBias, n)
	}
	c.EncoderSize = n / 4
	// A drums_2bar model reads a drum roll (9 classes and "no hit") and writes 512 tokens.
	drums := musicvae.Config{}.Drums()
	if k, ok := tensors[encFwKernel]; ok && len(k.Shape) == 2 && k.Shape[0] != melody.NumClasses+c.EncoderSize {
		out, ok := tensors[outBias]
		if k.Shape[0] != 10+c.EncoderSize || !ok || len(out.Shape) != 1 || out.Shape[0] != drums.Tokens {
			return c, fmt.Errorf("magenta: %s has shape %v: the input is neither the %d-class melody encoding nor a drum roll", encFwKernel, k.Shape, melody.NumClasses)
		}
		c = c.Drums()
	}
	if c.ZSize, err = vec(muBias); err != nil {
		return c, err
	}
	for k := 0; ; k++ {
		t, ok := tensors[decBias(k)]
		if !ok {
			break
		}
		if len(t.Shape) != 1 || t.Shape[0] <= 0 || t.Shape[0]%4 != 0 {
			return c, fmt.Errorf("magenta: %s has shape %v, want 4 gates of equal size", decBias(k), t.Shape)
		}
		c.DecoderSizes = append(c.DecoderSizes, t.Shape[0]/4)
	}
	if len(c.DecoderSizes) == 0 {
		return c, fmt.Errorf("magenta: the checkpoint has no %s: it is not a MusicVAE melody model", decBias(0))
	}
	return c, c.Validate()
}

// Weights builds a melody model from a checkpoint's tensors, its sizes inferred by InferConfig.
// Magenta.js never uses encoder/sigma; where a checkpoint leaves it out it is zero, which
// changes nothing in encoding (mu) or decoding.
func Weights(tensors map[string]checkpoint.Tensor) (*musicvae.Weights, error) {
	c, err := InferConfig(tensors)
	if err != nil {
		return nil, err
	}
	_, hasK := tensors[sigmaKernel]
	_, hasB := tensors[sigmaBias]
	if !hasK && !hasB {
		// The shapes come from the file: check them against the tensors it holds before
		// building the ones it leaves out, so that the zeros cannot be larger than mu.
		shapes := c.Shapes()
		if err := checkpoint.CheckElements(shapes); err != nil {
			return nil, fmt.Errorf("magenta: %w", err)
		}
		others := map[string][]int{}
		own := &checkpoint.File{Tensors: map[string]checkpoint.Tensor{}}
		for n, s := range shapes {
			if n == sigmaKernel || n == sigmaBias {
				continue
			}
			others[n] = s
			if t, ok := tensors[n]; ok {
				own.Tensors[n] = t
			}
		}
		if err := own.Expect(others); err != nil {
			return nil, fmt.Errorf("magenta: the checkpoint does not fit the model its shapes describe: %w", err)
		}
		with := make(map[string]checkpoint.Tensor, len(tensors)+2)
		for n, t := range tensors {
			with[n] = t
		}
		for _, n := range []string{sigmaKernel, sigmaBias} {
			s := shapes[n]
			with[n] = checkpoint.Tensor{Shape: s, Data: make([]float32, (checkpoint.Tensor{Shape: s}).Size())}
		}
		tensors = with
	}
	w, err := musicvae.WeightsFromTensors(c, tensors)
	if err != nil {
		return nil, fmt.Errorf("magenta: %w", err)
	}
	return w, nil
}

// LoadDir reads a checkpoint directory and builds its model, melody or drums; the config and
// the tensors must agree on which.
func LoadDir(dir string) (*musicvae.Weights, error) {
	ck, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	w, err := Weights(ck.Tensors)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if drums := w.Config.Input == musicvae.InputDrumRoll; drums != ck.Config.IsDrums() {
		return nil, formatErr(BadConfig, ConfigFile, "the config says %s but the weights are a %s model's",
			ck.Config.DataConverter.Type, map[bool]string{true: "drum", false: "melody"}[drums])
	}
	return w, nil
}
