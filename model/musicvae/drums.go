package musicvae

import (
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/vae"
)

var _ vae.Model[drums.Pattern] = (*DrumModel)(nil)

// DrumModel runs a drum VAE (a Config made with Drums: Magenta's drums_2bar layout) over drum
// patterns: a pattern's step is the token of the classes it hits; decoded hits have
// drums.DefaultVelocity and no microtiming.
type DrumModel struct{ m *Model }

// NewDrumModel wraps drum weights for inference.
func NewDrumModel(w *Weights) (*DrumModel, error) {
	if w.Config.Input != InputDrumRoll {
		return nil, fmt.Errorf("musicvae: the model's input is %q, not a drum roll: it is not a drum model", w.Config.Input)
	}
	return &DrumModel{m: NewModel(w)}, nil
}

// LoadDrumModel reads a drum model's checkpoint (as Load) and wraps it for inference.
func LoadDrumModel(r io.Reader) (*DrumModel, error) {
	w, _, err := Load(r)
	if err != nil {
		return nil, err
	}
	return NewDrumModel(w)
}

// Weights returns the model's weights.
func (d *DrumModel) Weights() *Weights { return d.m.W }

// ZSize is the length of a latent vector.
func (d *DrumModel) ZSize() int { return d.m.ZSize() }

// Encode returns mu, [ZSize] per pattern (cut or padded with silence to 32 steps).
func (d *DrumModel) Encode(ps []drums.Pattern) ([][]float32, error) {
	return d.m.Encode(DrumTokens(ps))
}

// Decode turns each z into a 32-step pattern.
func (d *DrumModel) Decode(zs [][]float32, opts vae.DecodeOptions) ([]drums.Pattern, error) {
	ws, err := d.m.Decode(zs, opts)
	if err != nil {
		return nil, err
	}
	out := make([]drums.Pattern, len(ws))
	for i, w := range ws {
		if out[i], err = drums.FromTokens(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DrumTokens returns each pattern's tokens as a window of the model's (the trainer's and
// Evaluate's input).
func DrumTokens(ps []drums.Pattern) []melody.Melody {
	out := make([]melody.Melody, len(ps))
	for i, p := range ps {
		out[i] = p.Tokens()
	}
	return out
}
