package musicvae

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
)

// Engine selects how a Model computes: the plain-Go mirror of the graph (fast at batch 1, checked
// against the graph by the tests) or the Gorgonia graph itself.
type Engine int

const (
	Plain Engine = iota
	Gorgonia
)

// Model runs a trained melody VAE: Encode windows to mu, Decode z back to windows.
// It is safe for concurrent use.
type Model struct {
	W      *Weights
	Engine Engine

	mu     sync.Mutex
	graphs map[int]*inferGraph // Gorgonia inference graphs by batch size
}

// NewModel wraps weights for inference with the plain-Go engine.
func NewModel(w *Weights) *Model { return &Model{W: w} }

// Encode returns mu, [ZSize] per window, for windows of Steps events (longer ones are cut,
// shorter ones padded with NoEvent; out-of-range events count as NoEvent).
func (m *Model) Encode(batch []melody.Melody) [][]float32 {
	if len(batch) == 0 {
		return nil
	}
	if m.Engine == Gorgonia {
		if mu, err := m.encodeGraph(batch); err == nil {
			return mu
		}
	}
	mu, _ := encodePlain(m.W, windows(batch))
	return mu
}

// Decode turns each z into a window. Temperature 0 takes the most likely event at each step
// (the first on ties) and is deterministic; above 0 it samples from softmax(logits/temperature)
// with a generator seeded by seed.
func (m *Model) Decode(zs [][]float32, temperature float64, seed int64) []melody.Melody {
	if len(zs) == 0 {
		return nil
	}
	zs = m.fitZ(zs)
	if m.Engine == Gorgonia {
		if out, err := m.decodeGraph(zs, temperature, seed); err == nil {
			return out
		}
	}
	out, _ := decodePlain(m.W, zs, nil, temperature, seed)
	return out
}

// fitZ pads or cuts each z to ZSize.
func (m *Model) fitZ(zs [][]float32) [][]float32 {
	out := make([][]float32, len(zs))
	for i, z := range zs {
		out[i] = make([]float32, m.W.Config.ZSize)
		copy(out[i], z)
	}
	return out
}

// windows returns the events of each melody as a window of exactly Steps valid events.
func windows(batch []melody.Melody) []melody.Melody {
	out := make([]melody.Melody, len(batch))
	for i, m := range batch {
		w := make(melody.Melody, Steps)
		for s := range min(len(m), Steps) {
			if e := m[s]; e >= 0 && e < Classes {
				w[s] = e
			}
		}
		out[i] = w
	}
	return out
}

// encodePlain runs the encoder in plain Go and returns mu and sigma, [ZSize] per window.
func encodePlain(w *Weights, batch []melody.Melody) (mu, sigma [][]float32) {
	B, E, Z := len(batch), w.Config.EncoderSize, w.Config.ZSize
	h := make([]float32, B*2*E) // [B, 2E]: forward h, then backward h
	run := func(cell nn.LSTMCell, col int, order func(i int) int) {
		c, hs := make([]float32, B*E), make([]float32, B*E) // [B, E]
		pre := make([]float32, B*4*E)                       // [B, 4E]
		for i := range Steps {
			clear(pre)
			for b, m := range batch {
				cell.AddOneHot(pre[b*4*E:(b+1)*4*E], 0, m[order(i)])
			}
			cell.Step(pre, c, hs)
		}
		for b := range B {
			copy(h[b*2*E+col:], hs[b*E:(b+1)*E])
		}
	}
	run(w.EncFw, 0, func(i int) int { return i })
	run(w.EncBw, E, func(i int) int { return Steps - 1 - i })
	m, s := make([]float32, B*Z), make([]float32, B*Z) // [B, Z]
	w.Mu.Apply(m, h)
	w.Sigma.Apply(s, h)
	for b := range B {
		mu = append(mu, m[b*Z:(b+1)*Z])
		sg := s[b*Z : (b+1)*Z]
		for i, v := range sg {
			sg[i] = nn.Softplus(v)
		}
		sigma = append(sigma, sg)
	}
	return mu, sigma
}

// decodePlain runs the decoder in plain Go. With teacher (one window per z) it feeds the true
// previous events and returns the logits [Steps][B*90] too; otherwise it feeds back its choices.
func decodePlain(w *Weights, zs [][]float32, teacher []melody.Melody, temperature float64, seed int64) ([]melody.Melody, [][]float32) {
	B, Z := len(zs), w.Config.ZSize
	z := make([]float32, 0, B*Z) // [B, Z]
	for _, v := range zs {
		z = append(z, v...)
	}
	L := len(w.Dec)
	sizes := w.Config.DecoderSizes
	state := make([]float32, B*w.ZToState.Out) // [B, 2*sum(D)]: c0, h0, c1, h1, ...
	w.ZToState.Apply(state, z)
	cs, hs := make([][]float32, L), make([][]float32, L) // [B, Dk] each
	for k, d := range sizes {
		cs[k], hs[k] = make([]float32, B*d), make([]float32, B*d)
	}
	for b := range B {
		row := state[b*w.ZToState.Out:]
		off := 0
		for k, d := range sizes {
			for i := range d {
				cs[k][b*d+i] = nn.Tanh(row[off+i])
				hs[k][b*d+i] = nn.Tanh(row[off+d+i])
			}
			off += 2 * d
		}
	}
	D0 := sizes[0]
	zIn := make([]float32, B*4*D0) // [B, 4D0], z's share of cell 0's gates, the same at every step
	w.Dec[0].AddInput(zIn, Classes, z, Z)
	pres := make([][]float32, L)
	for k, d := range sizes {
		pres[k] = make([]float32, B*4*d)
	}
	logits := make([]float32, B*Classes) // [B, 90]
	var allLogits [][]float32
	out := emptyMelodies(B)
	pick := newPicker(temperature, seed)
	for t := range Steps {
		copy(pres[0], zIn)
		if t > 0 {
			for b := range B {
				prev := out[b][t-1]
				if teacher != nil {
					prev = teacher[b][t-1]
				}
				w.Dec[0].AddOneHot(pres[0][b*4*D0:(b+1)*4*D0], 0, prev)
			}
		}
		w.Dec[0].Step(pres[0], cs[0], hs[0])
		for k := 1; k < L; k++ {
			clear(pres[k])
			w.Dec[k].AddInput(pres[k], 0, hs[k-1], sizes[k-1])
			w.Dec[k].Step(pres[k], cs[k], hs[k])
		}
		w.Out.Apply(logits, hs[L-1])
		if teacher != nil {
			allLogits = append(allLogits, append([]float32(nil), logits...))
		}
		pick.step(out, t, logits)
	}
	return out, allLogits
}

// emptyMelodies returns n windows of Steps events, for a decoder to fill.
func emptyMelodies(n int) []melody.Melody {
	out := make([]melody.Melody, n)
	for b := range out {
		out[b] = make(melody.Melody, Steps)
	}
	return out
}

// picker chooses each step's events from the decoder's logits: the likeliest at temperature 0,
// otherwise a draw from softmax(logits/temperature) by a generator seeded with seed.
type picker struct {
	temperature float64
	rng         *rand.Rand
	probs       []float64
}

func newPicker(temperature float64, seed int64) *picker {
	p := &picker{temperature: temperature, probs: make([]float64, Classes)}
	if temperature > 0 {
		p.rng = rand.New(rand.NewPCG(uint64(seed), 0x6d7661))
	}
	return p
}

// step sets step t of each of out's windows from its row of logits [len(out), 90].
func (p *picker) step(out []melody.Melody, t int, logits []float32) {
	for b := range out {
		row := logits[b*Classes : (b+1)*Classes]
		if p.rng == nil {
			out[b][t] = nn.Argmax(row)
		} else {
			out[b][t] = sample(row, p.temperature, p.rng, p.probs)
		}
	}
}

// sample draws a class from softmax(logits/temperature).
func sample(logits []float32, temperature float64, rng *rand.Rand, p []float64) int {
	mx := float64(logits[nn.Argmax(logits)])
	total := 0.0
	for i, l := range logits {
		p[i] = math.Exp((float64(l) - mx) / temperature)
		total += p[i]
	}
	u := rng.Float64() * total
	for i, v := range p {
		if u < v {
			return i
		}
		u -= v
	}
	return nn.Argmax(logits)
}
