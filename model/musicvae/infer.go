package musicvae

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/vae"
	G "gorgonia.org/gorgonia"
)

var _ vae.Model[melody.Melody] = (*Model)(nil)

// Model runs a trained melody VAE through its Gorgonia graphs: Encode windows to mu, Decode z
// back to windows. Graphs are built once per batch size and kept. It is safe for concurrent use
// (one decode or encode at a time).
type Model struct {
	W *Weights

	mu     sync.Mutex
	graphs map[int]*inferGraph // by batch size
}

// NewModel wraps weights for inference.
func NewModel(w *Weights) *Model { return &Model{W: w} }

// ZSize is the length of a latent vector.
func (m *Model) ZSize() int { return m.W.Config.ZSize }

// inferGraph is the model's forward pass for a batch of B, as three plans over one graph each:
// the encoder, the start (z to the decoder's states), and one decoder step.
type inferGraph struct {
	B int

	enc       *nn.Plan
	xs        []*G.Node // [B] event indices per step
	mu, sigma *G.Node   // [B, Z]

	start        *nn.Plan
	z            *G.Node   // [B, Z]
	states0      []*G.Node // [2, B, Dk] per layer
	zShare0      *G.Node   // [B, 4*D0]
	stepPlan     *nn.Plan
	prev, zShare *G.Node   // [B], [B, 4*D0]
	stateIn      []*G.Node // [2, B, Dk] per layer
	stateOut     []*G.Node // [7, B, Dk] per layer
	logits       *G.Node   // [B, 90]
}

func newInferGraph(w *Weights, B int) (ig *inferGraph, err error) {
	defer catch(&err, "building the inference graphs")
	c := w.Config
	ig = &inferGraph{B: B}

	g := G.NewGraph()
	l := newLayers(g, w)
	for t := range Steps {
		ig.xs = append(ig.xs, input(g, fmt.Sprintf("x%d", t), B))
	}
	ig.mu, ig.sigma = l.encode(ig.xs)
	if ig.enc, err = nn.NewPlan(ig.mu, ig.sigma); err != nil {
		return nil, err
	}

	g = G.NewGraph()
	l = newLayers(g, w)
	ig.z = input(g, "z", B, c.ZSize)
	ig.states0, ig.zShare0 = l.start(ig.z)
	if ig.start, err = nn.NewPlan(append([]*G.Node{ig.zShare0}, ig.states0...)...); err != nil {
		return nil, err
	}

	g = G.NewGraph()
	l = newLayers(g, w)
	ig.prev = input(g, "prev", B)
	ig.zShare = input(g, "z_share", B, 4*c.DecoderSizes[0])
	for k, d := range c.DecoderSizes {
		ig.stateIn = append(ig.stateIn, input(g, fmt.Sprintf("state%d", k), 2, B, d))
	}
	ig.stateOut, ig.logits = l.step(ig.prev, ig.zShare, ig.stateIn)
	if ig.stepPlan, err = nn.NewPlan(append([]*G.Node{ig.logits}, ig.stateOut...)...); err != nil {
		return nil, err
	}
	return ig, nil
}

// graph returns the graphs for batches of B; the caller holds m.mu.
func (m *Model) graph(B int) (*inferGraph, error) {
	if ig, ok := m.graphs[B]; ok {
		return ig, nil
	}
	ig, err := newInferGraph(m.W, B)
	if err != nil {
		return nil, err
	}
	if m.graphs == nil {
		m.graphs = map[int]*inferGraph{}
	}
	m.graphs[B] = ig
	return ig, nil
}

// Encode returns mu, [ZSize] per window, for windows of Steps events (longer ones are cut,
// shorter ones padded with NoEvent). An event outside the 90 classes is an error.
func (m *Model) Encode(batch []melody.Melody) ([][]float32, error) {
	for i, w := range batch {
		if err := m.W.Config.validTokens(w); err != nil {
			return nil, fmt.Errorf("window %d: %w", i+1, err)
		}
	}
	mu, _, err := m.encode(batch)
	return mu, err
}

// encode returns mu and sigma, [ZSize] per window.
func (m *Model) encode(batch []melody.Melody) (mu, sigma [][]float32, err error) {
	if len(batch) == 0 {
		return nil, nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	B, Z := len(batch), m.W.Config.ZSize
	ig, err := m.graph(B)
	if err != nil {
		return nil, nil, err
	}
	ws := windows(batch, m.W.Config.classes())
	for t, x := range ig.xs {
		v := nn.Values(x)
		for b, w := range ws {
			v[b] = float32(w[t])
		}
	}
	if err := ig.enc.Run(); err != nil {
		return nil, nil, fmt.Errorf("musicvae: encode: %w", err)
	}
	mus, sigmas := ig.enc.Out(ig.mu), ig.enc.Out(ig.sigma)
	for b := range B {
		mu = append(mu, append([]float32(nil), mus[b*Z:(b+1)*Z]...))
		sigma = append(sigma, append([]float32(nil), sigmas[b*Z:(b+1)*Z]...))
	}
	return mu, sigma, nil
}

// Decode turns each z into a window (z is padded or cut to ZSize). Temperature 0 takes the most
// likely event at each step (the first on ties) and is deterministic; above 0 it samples from
// softmax(logits/temperature) with a generator seeded by opts.Seed.
func (m *Model) Decode(zs [][]float32, opts vae.DecodeOptions) ([]melody.Melody, error) {
	out, _, err := m.decode(zs, nil, opts)
	return out, err
}

// decode runs the decoder. With teacher (one window per z) it feeds the true previous events and
// returns every step's logits [Steps][B*90] too; otherwise it feeds back its own choices.
func (m *Model) decode(zs [][]float32, teacher []melody.Melody, opts vae.DecodeOptions) ([]melody.Melody, [][]float32, error) {
	return m.decodeMasked(zs, teacher, opts, nil)
}

// decodeMasked is decode choosing only the tokens i with allowed[i] (nil allows every token).
func (m *Model) decodeMasked(zs [][]float32, teacher []melody.Melody, opts vae.DecodeOptions, allowed []bool) ([]melody.Melody, [][]float32, error) {
	if len(zs) == 0 {
		return nil, nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	B, Z := len(zs), m.W.Config.ZSize
	ig, err := m.graph(B)
	if err != nil {
		return nil, nil, err
	}
	z := nn.Values(ig.z)
	clear(z)
	for b, v := range zs {
		copy(z[b*Z:(b+1)*Z], v[:min(len(v), Z)])
	}
	if err := ig.start.Run(); err != nil {
		return nil, nil, fmt.Errorf("musicvae: decode: %w", err)
	}
	copy(nn.Values(ig.zShare), ig.start.Out(ig.zShare0))
	for k, s := range ig.stateIn {
		copy(nn.Values(s), ig.start.Out(ig.states0[k]))
	}
	out := emptyMelodies(B)
	pick := newPicker(m.W.Config.classes(), opts.Temperature, opts.Seed)
	pick.allowed = allowed
	prev := nn.Values(ig.prev)
	var all [][]float32
	for t := range Steps {
		for b := range B {
			switch {
			case t == 0:
				prev[b] = -1 // no previous event: a zero input
			case teacher != nil:
				prev[b] = float32(teacher[b][t-1])
			default:
				prev[b] = float32(out[b][t-1])
			}
		}
		if err := ig.stepPlan.Run(); err != nil {
			return nil, nil, fmt.Errorf("musicvae: decode step %d: %w", t, err)
		}
		for k, s := range ig.stateIn {
			v := nn.Values(s)
			copy(v, ig.stepPlan.Out(ig.stateOut[k])[:len(v)]) // blocks c and h
		}
		logits := ig.stepPlan.Out(ig.logits)
		if teacher != nil {
			all = append(all, append([]float32(nil), logits...))
		}
		pick.step(out, t, logits)
	}
	return out, all, nil
}

// windows returns the tokens of each window as exactly Steps tokens below classes (others are 0).
func windows(batch []melody.Melody, classes int) []melody.Melody {
	out := make([]melody.Melody, len(batch))
	for i, m := range batch {
		w := make(melody.Melody, Steps)
		for s := range min(len(m), Steps) {
			if e := m[s]; e >= 0 && e < classes {
				w[s] = e
			}
		}
		out[i] = w
	}
	return out
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
	allowed     []bool // when not nil, only these tokens are chosen (see maskedArgmax)
}

func newPicker(classes int, temperature float64, seed int64) *picker {
	p := &picker{temperature: temperature, probs: make([]float64, classes)}
	if temperature > 0 {
		p.rng = rand.New(rand.NewPCG(uint64(seed), 0x6d7661))
	}
	return p
}

// step sets step t of each of out's windows from its row of logits [len(out), classes].
func (p *picker) step(out []melody.Melody, t int, logits []float32) {
	for b := range out {
		row := logits[b*len(p.probs) : (b+1)*len(p.probs)]
		if p.allowed != nil {
			out[b][t] = p.masked(row)
			continue
		}
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
