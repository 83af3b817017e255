package sketchrnn

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/latentpalette/palette/model/sketch"
)

// MetaClasses is the checkpoint metadata entry that names the classes a model was trained on
// and where each lies in its latent space (a Classes as JSON).
const MetaClasses = "classes"

// Classes are the classes of a multi-class model and, for each, the mean and the standard
// deviation of its drawings' encodings (mu): a diagonal Gaussian per class in z, from which
// Sample draws drawings "of a class" although the model itself is not conditioned on one.
type Classes struct {
	Names []string    `json:"names"`
	Mean  [][]float32 `json:"mean"` // [C][Z]
	Std   [][]float32 `json:"std"`  // [C][Z]
}

// FitClasses encodes the labelled drawings (each Item's Word is its class) and returns each
// class's Gaussian, the classes in alphabetical order. Items without a word are skipped.
func FitClasses(m *Model, items []sketch.Item) (Classes, error) {
	if m.ZSize() == 0 {
		return Classes{}, fmt.Errorf("sketch classes: the model has no encoder")
	}
	byWord := map[string][]sketch.Drawing{}
	for _, it := range items {
		if it.Word != "" && len(it.Drawing) > 0 {
			byWord[it.Word] = append(byWord[it.Word], it.Drawing)
		}
	}
	if len(byWord) == 0 {
		return Classes{}, fmt.Errorf("sketch classes: no labelled drawings (NDJSON lines with a \"word\")")
	}
	var c Classes
	for w := range byWord {
		c.Names = append(c.Names, w)
	}
	slices.Sort(c.Names)
	Z := m.ZSize()
	for _, name := range c.Names {
		zs, err := m.Encode(byWord[name])
		if err != nil {
			return Classes{}, fmt.Errorf("sketch classes: %s: %w", name, err)
		}
		mean, std := make([]float32, Z), make([]float32, Z)
		for k := range Z {
			var s, ss float64
			for _, z := range zs {
				s += float64(z[k])
				ss += float64(z[k]) * float64(z[k])
			}
			n := float64(len(zs))
			mu := s / n
			mean[k] = float32(mu)
			std[k] = float32(math.Sqrt(max(0, ss/n-mu*mu)))
		}
		c.Mean, c.Std = append(c.Mean, mean), append(c.Std, std)
	}
	return c, nil
}

// Index returns the position of a class by name (case-insensitive), or an error that lists the
// names.
func (c Classes) Index(name string) (int, error) {
	for i, n := range c.Names {
		if strings.EqualFold(n, name) {
			return i, nil
		}
	}
	if len(c.Names) == 0 {
		return -1, fmt.Errorf("no class %q: the model knows no classes", name)
	}
	return -1, fmt.Errorf("no class %q: the model knows %s", name, strings.Join(c.Names, ", "))
}

// Sample draws a z of class i: mean + std * eps, eps from rng.
func (c Classes) Sample(i int, rng *rand.Rand) []float32 {
	z := make([]float32, len(c.Mean[i]))
	for k := range z {
		z[k] = c.Mean[i][k] + c.Std[i][k]*float32(rng.NormFloat64())
	}
	return z
}

// Nearest returns the class nearest to z by the mean squared distance in each class's own
// deviations (diagonal Mahalanobis), and that distance: about 1 for a typical z of the class,
// larger the farther z lies from every class.
func (c Classes) Nearest(z []float32) (int, float64) {
	best, bestD := -1, math.Inf(1)
	for i := range c.Names {
		var d float64
		for k, v := range z {
			e := (float64(v) - float64(c.Mean[i][k])) / max(float64(c.Std[i][k]), 1e-3)
			d += e * e
		}
		if d /= float64(max(1, len(z))); d < bestD {
			best, bestD = i, d
		}
	}
	return best, bestD
}

// Encode returns c as the MetaClasses metadata value.
func (c Classes) Encode() (string, error) {
	b, err := json.Marshal(c)
	return string(b), err
}

// ReadClasses reads the MetaClasses value of a model of z size Z ("" gives no classes).
func ReadClasses(value string, Z int) (Classes, error) {
	var c Classes
	if value == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(value), &c); err != nil {
		return Classes{}, fmt.Errorf("sketch vae: classes metadata: %w", err)
	}
	if len(c.Mean) != len(c.Names) || len(c.Std) != len(c.Names) {
		return Classes{}, fmt.Errorf("sketch vae: classes metadata: %d names, %d means, %d deviations", len(c.Names), len(c.Mean), len(c.Std))
	}
	for i := range c.Names {
		if len(c.Mean[i]) != Z || len(c.Std[i]) != Z {
			return Classes{}, fmt.Errorf("sketch vae: classes metadata: class %q has %d values, want z size %d", c.Names[i], len(c.Mean[i]), Z)
		}
		for k := range Z {
			if !finite32(c.Mean[i][k]) || !finite32(c.Std[i][k]) || c.Std[i][k] < 0 {
				return Classes{}, fmt.Errorf("sketch vae: classes metadata: class %q has a value that is not finite", c.Names[i])
			}
		}
	}
	return c, nil
}

func finite32(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }
