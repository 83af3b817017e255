// Package sketchrnn is Ha & Eck's Sketch-RNN: a VAE over stroke-5 drawings with a bidirectional
// LSTM encoder and an LSTM decoder that outputs a Gaussian mixture, defined and run in Gorgonia.
package sketchrnn

import "fmt"

// SketchVAEConfig holds the sizes and training settings of a sketch VAE. The defaults are
// sketch-rnn's (get_default_hparams) except the sizes, which DefaultConfig chooses for two cores.
type SketchVAEConfig struct {
	EncSize   int  // encoder LSTM units in each direction (sketch-rnn: enc_rnn_size 256)
	DecSize   int  // decoder LSTM units (dec_rnn_size 512)
	ZSize     int  // latent size (z_size 128)
	Mixtures  int  // Gaussians in the offset mixture (num_mixture 20)
	MaxSeqLen int  // longest drawing in points (max_seq_len 250); longer ones are dropped
	LayerNorm bool // sketch-rnn's LayerNormLSTMCell: not supported (Validate refuses it); kept so that such a config reads

	// Training (sketch-rnn's names in brackets).
	BatchSize     int     // examples per step (batch_size 100)
	LearningRate  float64 // (learning_rate 0.001)
	DecayRate     float64 // learning rate decay per step (decay_rate 0.9999)
	MinLR         float64 // (min_learning_rate 0.00001)
	DecayFrom     int     `json:",omitempty"` // the step the decay counts from: a resumed run given a new rate starts it there
	KLWeight      float64 // final KL weight (kl_weight 0.5)
	KLWeightStart float64 // (kl_weight_start 0.01)
	KLDecayRate   float64 // (kl_decay_rate 0.99995)
	KLTolerance   float64 // KL floor (kl_tolerance 0.2)
	GradClip      float64 // per-value gradient clip (grad_clip 1.0)
	// Augmentation is sketch.Augment: sketch-rnn's random_scale_factor 0.15 and augment_stroke_prob 0.10.
}

// DefaultConfig returns the shipped model's configuration.
func DefaultConfig() SketchVAEConfig {
	return SketchVAEConfig{
		EncSize: 128, DecSize: 256, ZSize: 128, Mixtures: 20, MaxSeqLen: 250,
		BatchSize: 64, LearningRate: 0.001, DecayRate: 0.9999, MinLR: 0.00001,
		KLWeight: 0.5, KLWeightStart: 0.01, KLDecayRate: 0.99995, KLTolerance: 0.2,
		GradClip: 1.0,
	}
}

// Outputs is the width of the decoder's output layer: 3 pen logits and 6 values per Gaussian.
func (c SketchVAEConfig) Outputs() int { return 3 + 6*c.Mixtures }

// Validate reports a configuration that cannot describe a model.
func (c SketchVAEConfig) Validate() error {
	if c.DecSize <= 0 || c.Mixtures <= 0 || c.MaxSeqLen <= 0 {
		return fmt.Errorf("sketch vae config: decoder %d, mixtures %d, max length %d must be positive", c.DecSize, c.Mixtures, c.MaxSeqLen)
	}
	if c.EncSize < 0 || c.ZSize < 0 || (c.EncSize == 0) != (c.ZSize == 0) {
		return fmt.Errorf("sketch vae config: encoder %d and z %d must both be positive (or both 0 for a decoder-only model)", c.EncSize, c.ZSize)
	}
	if c.LayerNorm {
		return fmt.Errorf("sketch vae config: layer-normalised cells are not supported (the model's cell is TensorFlow's BasicLSTMCell): use a model without layer norm")
	}
	return nil
}

// Conditional reports whether the model has an encoder and a latent space.
func (c SketchVAEConfig) Conditional() bool { return c.ZSize > 0 }
