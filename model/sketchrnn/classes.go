package sketchrnn

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// MetaClasses is the checkpoint metadata entry that names the classes a model was trained on
// and where each lies in its latent space (a Classes as JSON).
const MetaClasses = "classes"

// Classes are the classes of a multi-class model and, for each, the mean and the standard
// deviation of its drawings' encodings (mu): a diagonal Gaussian per class in z, which Nearest
// measures against. Sample draws "a drawing of the class" (the model itself is not conditioned
// on one) from the class's aggregate posterior: the encodings of some of its drawings (anchors),
// each widened by the encoder's own uncertainty (Spread). A broad Gaussian over a class would
// put most of its samples where no drawing of the class encodes, and the decoder scribbles there.
type Classes struct {
	Names   []string      `json:"names"`
	Mean    [][]float32   `json:"mean"`              // [C][Z]
	Std     [][]float32   `json:"std"`               // [C][Z]
	Anchors [][][]float32 `json:"anchors,omitempty"` // [C][K][Z]: mu of K drawings of the class
	Spread  [][]float32   `json:"spread,omitempty"`  // [C][Z]: the class's mean posterior sigma
}

// MaxAnchors is how many encodings of each class FitClasses keeps for Sample.
const MaxAnchors = 48

// FitOptions choose a class's anchors among its drawings' encodings.
type FitOptions struct {
	// Score, when not nil, ranks the candidates: the model decodes each candidate encoding (at
	// Temperature, from Seed) and Score rates the drawing it makes as a drawing of class (lower
	// is better: a judge's per-point NLL); the best MaxAnchors become the anchors. nil keeps
	// the first candidates in the data's order.
	Score       func(class string, decoded sketch.Drawing) (float64, error)
	Temperature float64
	Seed        uint64
	// Draws is how many drawings of each candidate are scored: each from the candidate plus the
	// class's posterior spread times noise, as Sample draws them (0: one).
	Draws int
}

// FitClasses encodes the labelled drawings (each Item's Word is its class) and returns each
// class's Gaussian and anchors, the classes in alphabetical order. Items without a word are
// skipped.
func FitClasses(m *Model, items []sketch.Item) (Classes, error) {
	return FitClassesWith(m, items, FitOptions{})
}

// FitClassesWith is FitClasses with anchors chosen as o says.
func FitClassesWith(m *Model, items []sketch.Item, o FitOptions) (Classes, error) {
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
	zsOf := make([][][]float32, len(c.Names))
	for i, name := range c.Names {
		zs, sigmas, err := m.EncodePosterior(byWord[name])
		if err != nil {
			return Classes{}, fmt.Errorf("sketch classes: %s: %w", name, err)
		}
		zsOf[i] = zs
		mean, std, spread := make([]float32, Z), make([]float32, Z), make([]float32, Z)
		for k := range Z {
			var s, ss, sig float64
			for j, z := range zs {
				s += float64(z[k])
				ss += float64(z[k]) * float64(z[k])
				sig += float64(sigmas[j][k])
			}
			n := float64(len(zs))
			mu := s / n
			mean[k] = float32(mu)
			std[k] = float32(math.Sqrt(max(0, ss/n-mu*mu)))
			spread[k] = float32(sig / n)
		}
		c.Mean, c.Std, c.Spread = append(c.Mean, mean), append(c.Std, std), append(c.Spread, spread)
	}
	// Anchors: among the encodings nearest to their own class (so that a drawing that looks like
	// another class's does not stand for this one), the first, or the best by o.Score.
	for i, name := range c.Names {
		var cands [][]float32
		for _, z := range zsOf[i] {
			if j, _ := c.Nearest(z); j == i || len(c.Names) == 1 {
				cands = append(cands, z)
			}
		}
		if len(cands) == 0 { // every drawing of the class is nearer another: keep the first
			cands = zsOf[i][:1]
		}
		if o.Score != nil && len(cands) > MaxAnchors {
			var err error
			if cands, err = bestAnchors(m, name, cands, c.Spread[i], o); err != nil {
				return Classes{}, fmt.Errorf("sketch classes: %s: %w", name, err)
			}
		}
		c.Anchors = append(c.Anchors, cands[:min(len(cands), MaxAnchors)])
	}
	return c, nil
}

// bestAnchors returns the candidates sorted by o.Score of what the model draws from each: the
// mean score of o.Draws drawings (at least 1), each from the candidate plus spread times noise,
// as Sample will draw from it.
func bestAnchors(m *Model, class string, cands [][]float32, spread []float32, o FitOptions) ([][]float32, error) {
	draws := max(o.Draws, 1)
	rng := rand.New(rand.NewPCG(o.Seed, 0xa7c5))
	scores := make([]float64, len(cands))
	const batch = 64
	for from := 0; from < len(cands); from += batch {
		to := min(from+batch, len(cands))
		for r := range draws {
			zs := make([][]float32, to-from)
			for k := range zs {
				zs[k] = slices.Clone(cands[from+k])
				for j := range zs[k] {
					zs[k][j] += spread[j] * float32(rng.NormFloat64())
				}
			}
			ds, err := m.Decode(zs, vae.DecodeOptions{Temperature: o.Temperature, Seed: int64(o.Seed) + int64(from) + int64(r)<<32})
			if err != nil {
				return nil, err
			}
			for k, d := range ds {
				s := math.Inf(1) // a drawing the judge cannot score counts against its anchor
				if len(d) > 0 {
					if v, err := o.Score(class, d); err == nil && !math.IsNaN(v) {
						s = v
					}
				}
				scores[from+k] += s / float64(draws)
			}
		}
	}
	order := make([]int, len(cands))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	out := make([][]float32, len(cands))
	for k, j := range order {
		out[k] = cands[j]
	}
	return out, nil
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

// Sample draws a z of class i: one of its anchors, chosen by rng, plus the class's posterior
// spread times eps. A model's classes fitted before anchors existed give mean + std * eps.
func (c Classes) Sample(i int, rng *rand.Rand) []float32 {
	z := make([]float32, len(c.Mean[i]))
	if i < len(c.Anchors) && len(c.Anchors[i]) > 0 {
		a := c.Anchors[i][rng.IntN(len(c.Anchors[i]))]
		for k := range z {
			z[k] = a[k] + c.Spread[i][k]*float32(rng.NormFloat64())
		}
		return z
	}
	for k := range z {
		z[k] = c.Mean[i][k] + c.Std[i][k]*float32(rng.NormFloat64())
	}
	return z
}

// SampleAny draws a z of a class chosen by rng (each class alike), as Sample draws it: a
// multi-class model's aggregate posterior. Its prior N(0, I) has most of its mass where no
// drawing of any class encodes, and the decoder scribbles there.
func (c Classes) SampleAny(rng *rand.Rand) []float32 {
	return c.Sample(rng.IntN(len(c.Names)), rng)
}

// Nearest returns the class nearest to z by the mean squared distance in each class's own
// deviations (diagonal Mahalanobis), and that distance: about 1 for a typical drawing or sample
// of the class, larger the farther z lies from every class.
//
// With the encoder's uncertainty known (Spread), a class is measured only in the dimensions
// where the encoder places its drawings (posterior sigma below liveSpread: about a tenth of
// them in the shipped model; in the rest every drawing encodes near 0 and a sample is noise),
// and its deviation there counts both the spread of its drawings' encodings and that
// uncertainty, as a sample of the class (Sample) has both.
func (c Classes) Nearest(z []float32) (int, float64) {
	best, bestD := -1, math.Inf(1)
	for i := range c.Names {
		d := c.distance(i, z, true)
		if math.IsNaN(d) {
			d = c.distance(i, z, false)
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best, bestD
}

// liveSpread is the posterior sigma below which a dimension carries a class (Nearest).
const liveSpread = 0.5

// distance is Nearest's distance of z from class i, over the live dimensions only (NaN when
// the class has none) or over all.
func (c Classes) distance(i int, z []float32, liveOnly bool) float64 {
	var d float64
	n := 0
	for k, v := range z {
		dev := float64(c.Std[i][k])
		if i < len(c.Spread) {
			if liveOnly && c.Spread[i][k] >= liveSpread {
				continue
			}
			dev = math.Hypot(dev, float64(c.Spread[i][k]))
		}
		e := (float64(v) - float64(c.Mean[i][k])) / max(dev, 1e-3)
		d += e * e
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return d / float64(n)
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
	if c.Anchors != nil && (len(c.Anchors) != len(c.Names) || len(c.Spread) != len(c.Names)) {
		return Classes{}, fmt.Errorf("sketch vae: classes metadata: %d names, %d anchor sets, %d spreads", len(c.Names), len(c.Anchors), len(c.Spread))
	}
	for i := range c.Names {
		if c.Anchors != nil {
			if len(c.Anchors[i]) == 0 || len(c.Anchors[i]) > 100000 {
				return Classes{}, fmt.Errorf("sketch vae: classes metadata: class %q has %d anchors", c.Names[i], len(c.Anchors[i]))
			}
			for _, v := range append(c.Anchors[i], c.Spread[i]) {
				if len(v) != Z {
					return Classes{}, fmt.Errorf("sketch vae: classes metadata: class %q has an anchor of %d values, want z size %d", c.Names[i], len(v), Z)
				}
				for _, x := range v {
					if !finite32(x) {
						return Classes{}, fmt.Errorf("sketch vae: classes metadata: class %q has a value that is not finite", c.Names[i])
					}
				}
			}
		}
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
