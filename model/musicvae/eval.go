package musicvae

import (
	"math"
	"math/rand/v2"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/vae"
)

// Metrics are the quality numbers of the melody issue, over a set of windows.
type Metrics struct {
	Windows                   int     `json:"windows"`
	TeacherForcedAccuracy     float64 `json:"teacher_forced_accuracy"`    // z = mu, true previous events fed
	ReconstructionAccuracy    float64 `json:"reconstruction_accuracy"`    // z = mu, greedy decode
	KL                        float64 `json:"kl"`                         // mean KL(q(z|x) || N(0, I)) in nats
	InterpolationMonotonicity float64 `json:"interpolation_monotonicity"` // see Interpolation
}

// EvalOptions bound the work of Evaluate.
type EvalOptions struct {
	MaxWindows int    // 0: all
	Pairs      int    // interpolation pairs; 0: none
	Seed       uint64 // picks the windows and the pairs
}

const evalBatch = 128

// Evaluate measures m on windows. With MaxWindows, a seeded sample of that many windows is used.
func Evaluate(m *Model, ws []melody.Melody, opt EvalOptions) (Metrics, error) {
	ws = windows(ws, m.W.Config.classes())
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6576616c))
	if opt.MaxWindows > 0 && opt.MaxWindows < len(ws) {
		idx := rng.Perm(len(ws))[:opt.MaxWindows]
		sub := make([]melody.Melody, len(idx))
		for i, k := range idx {
			sub[i] = ws[k]
		}
		ws = sub
	}
	met := Metrics{Windows: len(ws)}
	if len(ws) == 0 {
		return met, nil
	}
	var tf, rec int
	var kl float64
	for from := 0; from < len(ws); from += evalBatch {
		batch := ws[from:min(from+evalBatch, len(ws))]
		mu, sigma, err := m.encode(batch)
		if err != nil {
			return met, err
		}
		for b := range batch {
			kl += klDivergence(mu[b], sigma[b])
		}
		_, logits, err := m.decode(mu, batch, vae.DecodeOptions{})
		if err != nil {
			return met, err
		}
		for t, l := range logits {
			tf += correct(l, batch, t, m.W.Config.classes())
		}
		greedy, _, err := m.decode(mu, nil, vae.DecodeOptions{})
		if err != nil {
			return met, err
		}
		for b, g := range greedy {
			rec += Steps - hamming(g, batch[b])
		}
	}
	n := float64(len(ws) * Steps)
	met.TeacherForcedAccuracy = float64(tf) / n
	met.ReconstructionAccuracy = float64(rec) / n
	met.KL = kl / float64(len(ws))
	if opt.Pairs > 0 && len(ws) >= 2 {
		var err error
		if met.InterpolationMonotonicity, err = Interpolation(m, ws, opt.Pairs, rng); err != nil {
			return met, err
		}
	}
	return met, nil
}

// Interpolation is the share of neighbouring points, on 9 evenly spaced points between the mu
// of two random windows, whose step-wise Hamming distance to the decoded first point does not
// decrease, averaged over pairs.
func Interpolation(m *Model, ws []melody.Melody, pairs int, rng *rand.Rand) (float64, error) {
	const points = 9
	total := 0.0
	for range pairs {
		i := rng.IntN(len(ws))
		j := rng.IntN(len(ws) - 1)
		if j >= i {
			j++
		}
		mu, err := m.Encode([]melody.Melody{ws[i], ws[j]})
		if err != nil {
			return 0, err
		}
		dec, err := m.Decode(Lerp(mu[0], mu[1], points), vae.DecodeOptions{})
		if err != nil {
			return 0, err
		}
		ok := 0
		for p := 1; p < points; p++ {
			if hamming(dec[p], dec[0]) >= hamming(dec[p-1], dec[0]) {
				ok++
			}
		}
		total += float64(ok) / float64(points-1)
	}
	return total / float64(pairs), nil
}

// Lerp returns n evenly spaced points from a to b, both included.
func Lerp(a, b []float32, n int) [][]float32 {
	out := make([][]float32, n)
	for p := range out {
		f := float32(0)
		if n > 1 {
			f = float32(p) / float32(n-1)
		}
		z := make([]float32, len(a))
		for k := range z {
			z[k] = a[k] + f*(b[k]-a[k])
		}
		out[p] = z
	}
	return out
}

func hamming(a, b melody.Melody) int {
	d := 0
	for i := range a {
		if a[i] != b[i] {
			d++
		}
	}
	return d
}

// klDivergence is KL(N(mu, sigma²) || N(0, 1)) summed over dimensions.
func klDivergence(mu, sigma []float32) float64 {
	kl := 0.0
	for i := range mu {
		m, s := float64(mu[i]), float64(sigma[i])
		kl += 0.5*(m*m+s*s-1) - math.Log(s)
	}
	return kl
}
