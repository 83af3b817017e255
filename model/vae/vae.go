// Package vae names the shape every model here has (melodies, sketches, and drums to come), so
// that the palette, the window and the command line treat them alike.
package vae

import (
	"errors"
	"io"
)

// DecodeOptions are what a decoded item depends on besides z.
type DecodeOptions struct {
	Temperature float64 // 0 decodes greedily: the same item every time
	Seed        int64   // seeds the sampling when Temperature > 0
}

// Model turns items into latent vectors (the posterior mean) and back.
type Model[T any] interface {
	// Encode returns one latent vector of ZSize values per item.
	Encode(items []T) ([][]float32, error)
	// Decode returns one item per latent vector; the same arguments give the same items.
	Decode(zs [][]float32, opts DecodeOptions) ([]T, error)
	// ZSize is the length of a latent vector.
	ZSize() int
}

// Report describes one training step.
type Report struct {
	Step int     // steps done, this one included
	Loss float64 // the optimised loss, per example
	Line string  // the step's figures for a log line ("loss 1.234 ce 1.0 kl 3.2 ...")
}

// Validation is a model's score on held-out data.
type Validation struct {
	Score float64 // lower is better: what choosing the best checkpoint compares
	Line  string  // the figures for a log line
}

// Trainer trains a model with Gorgonia: a step at a time, validated on held-out data given when
// it was made, saved whole (to resume exactly) or as the bare model.
type Trainer interface {
	Step() (Report, error)
	Steps() int // steps done
	Validate() (Validation, error)
	SaveState(w io.Writer, meta map[string]string) error // everything needed to resume
	SaveModel(w io.Writer, meta map[string]string) error // the weights, as a shipped model
}

// ErrNonFinite marks a training step whose loss was NaN or infinite: the trainer skipped the
// batch (its step is used up, the weights are unchanged).
var ErrNonFinite = errors.New("the loss is not finite")
