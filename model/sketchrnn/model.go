package sketchrnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
	G "gorgonia.org/gorgonia"
)

// Model encodes and decodes drawings with the Gorgonia step graphs of cell.go, run by nn.Plans.
// Graphs are built once per batch size and kept; a Model is safe for concurrent use (each call
// takes graphs no other call holds).
type Model struct {
	W *Weights

	mu   sync.Mutex
	decs map[int][]*decodeGraph // free decoders by batch size
	encs []*encodeGraph         // free encoders
}

var _ vae.Model[sketch.Drawing] = (*Model)(nil)

// NewModel returns the model of w, which it reads (and does not copy) at every call.
func NewModel(w *Weights) *Model { return &Model{W: w, decs: map[int][]*decodeGraph{}} }

// ZSize is the length of z (0 for a decoder-only model).
func (m *Model) ZSize() int { return m.W.Config.ZSize }

// MaxLen is the longest drawing the model encodes and decodes, in points.
func (m *Model) MaxLen() int { return m.W.Config.MaxSeqLen }

// decodeGraph is the decoder for batches of B: a start graph from z (nil if unconditional) and
// a step graph, each with its plan.
type decodeGraph struct {
	B                int
	z                *G.Node // [B, Z]
	head             headNodes
	start            *nn.Plan
	x, state, share  *G.Node // [B, 5], [2, B, H], [B, 4H]
	y, out           *G.Node // [7, B, H], [B, 3+6M]
	step             *nn.Plan
	conditionalModel bool
}

func newDecodeGraph(w *Weights, B int) (_ *decodeGraph, err error) {
	defer catchGraph(&err)
	cfg := w.Config
	H, Z := cfg.DecSize, cfg.ZSize
	g := G.NewGraph()
	d := &decodeGraph{B: B, conditionalModel: cfg.Conditional()}
	dec := newCellParams(g, "decoder/lstm", w.Dec, Z)
	d.x, d.state = inputNode(g, "x", B, 5), inputNode(g, "state", 2, B, H)
	if d.conditionalModel {
		d.z = inputNode(g, "z", B, Z)
		initC, initH := newDenseParams(g, "decoder/init_c", w.InitC), newDenseParams(g, "decoder/init_h", w.InitH)
		if d.head, err = decoderStart(initC, initH, dec, d.z); err != nil {
			return nil, err
		}
		if d.start, err = nn.NewPlan(d.head.state, d.head.share); err != nil {
			return nil, err
		}
		d.share = inputNode(g, "z_share", B, 4*H)
	}
	if d.y, d.out, err = decoderStep(dec, newDenseParams(g, "decoder/output", w.Out), d.state, d.x, d.share); err != nil {
		return nil, err
	}
	if d.step, err = nn.NewPlan(d.y, d.out); err != nil {
		return nil, err
	}
	return d, nil
}

// begin sets the state and z's share from zs [B][Z] (zeros for an unconditional model).
func (d *decodeGraph) begin(zs [][]float32) error {
	if !d.conditionalModel {
		clear(nn.Values(d.state))
		return nil
	}
	flat := nn.Values(d.z)
	for b, z := range zs {
		copy(flat[b*len(z):], z)
	}
	if err := d.start.Run(); err != nil {
		return fmt.Errorf("sketch vae: decoder start: %w", err)
	}
	copy(nn.Values(d.state), d.start.Out(d.head.state))
	copy(nn.Values(d.share), d.start.Out(d.head.share))
	return nil
}

// advance feeds x [B, 5] (normalised stroke-5 rows) and returns the output rows [B, 3+6M],
// valid until the next call.
func (d *decodeGraph) advance(x []float32) ([]float32, error) {
	copy(nn.Values(d.x), x)
	if err := d.step.Run(); err != nil {
		return nil, fmt.Errorf("sketch vae: decoder step: %w", err)
	}
	setState(d.state, d.step.Out(d.y))
	return d.step.Out(d.out), nil
}

func (m *Model) decoder(B int) (*decodeGraph, error) {
	m.mu.Lock()
	free := m.decs[B]
	if n := len(free); n > 0 {
		d := free[n-1]
		m.decs[B] = free[:n-1]
		m.mu.Unlock()
		return d, nil
	}
	m.mu.Unlock()
	d, err := newDecodeGraph(m.W, B)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: build the decoder: %w", err)
	}
	return d, nil
}

func (m *Model) putDecoder(d *decodeGraph) {
	m.mu.Lock()
	m.decs[d.B] = append(m.decs[d.B], d)
	m.mu.Unlock()
}

// Decode draws one drawing per z, in pixels of the training data: greedily at temperature 0 (the
// most likely component's mean and pen state at every step), else sampled from seed. A
// decoder-only model takes empty zs.
func (m *Model) Decode(zs [][]float32, opts vae.DecodeOptions) ([]sketch.Drawing, error) {
	return m.Generate(zs, opts, 0)
}

// Generate is Decode with at most maxLen points per drawing (0: the model's MaxLen).
func (m *Model) Generate(zs [][]float32, opts vae.DecodeOptions, maxLen int) ([]sketch.Drawing, error) {
	if len(zs) == 0 {
		return nil, nil
	}
	Z := m.W.Config.ZSize
	for i, z := range zs {
		if len(z) != Z {
			return nil, fmt.Errorf("sketch vae: z %d has %d values, want %d", i, len(z), Z)
		}
	}
	if maxLen <= 0 || maxLen > m.MaxLen() {
		maxLen = m.MaxLen()
	}
	B := len(zs)
	d, err := m.decoder(B)
	if err != nil {
		return nil, err
	}
	defer m.putDecoder(d)
	if err := d.begin(zs); err != nil {
		return nil, err
	}
	pen := newPen(m.W, B, opts.Temperature, uint64(opts.Seed))
	for t := 0; t < maxLen && pen.left > 0; t++ {
		y, err := d.advance(pen.x)
		if err != nil {
			return nil, err
		}
		pen.draw(y)
	}
	return pen.out, nil
}

// pen draws B drawings point by point from the decoder's output rows (the mixture's choice is
// Go code over the outputs, the same for the graph and the oracle).
type pen struct {
	mx          *Mixture
	rng         *rand.Rand
	greedy      bool
	temperature float64
	scale       float32
	x           []float32 // [B, 5]: the next input rows, the start token first
	out         []sketch.Drawing
	done        []bool
	left        int // drawings not ended
}

// newPen starts B drawings: greedy at temperature 0 (or below), else sampled from seed.
func newPen(w *Weights, B int, temperature float64, seed uint64) *pen {
	p := &pen{mx: newMixture(w.Config.Mixtures), rng: rand.New(rand.NewPCG(seed, 0x5ca1e)),
		greedy: temperature <= 0, temperature: temperature, scale: w.ScaleFactor,
		x: make([]float32, B*5), out: make([]sketch.Drawing, B), done: make([]bool, B), left: B}
	if p.greedy {
		p.temperature = 1
	}
	for b := range B {
		p.x[b*5+2] = 1
	}
	return p
}

// draw chooses each drawing's next point from its output row in y [B, 3+6M] and sets x.
func (p *pen) draw(y []float32) {
	O := len(y) / len(p.done)
	for b := range p.done {
		x := p.x[b*5 : b*5+5]
		clear(x)
		if p.done[b] {
			x[4] = 1
			continue
		}
		p.mx.set(y[b*O:(b+1)*O], p.temperature)
		var dx, dy float32
		var state int
		if p.greedy {
			dx, dy, state = p.mx.Greedy()
		} else {
			dx, dy, state = p.mx.Sample(p.rng)
		}
		x[0], x[1], x[2+state] = dx, dy, 1
		if state == 2 {
			p.done[b] = true
			p.left--
			continue
		}
		p.out[b] = append(p.out[b], sketch.Point{DX: dx * p.scale, DY: dy * p.scale, PenLift: state == 1})
	}
}

// encodeGraph is the bidirectional encoder for one drawing: a step graph per direction and the
// posterior's head, each with its plan.
type encodeGraph struct {
	x, state   [2]*G.Node // fw, bw: [1, 5], [2, 1, E]
	y          [2]*G.Node // [7, 1, E]
	steps      [2]*nn.Plan
	hEnc       *G.Node // [1, 2E]
	mu, presig *G.Node // [1, Z]
	head       *nn.Plan
}

func newEncodeGraph(w *Weights) (_ *encodeGraph, err error) {
	defer catchGraph(&err)
	E := w.Config.EncSize
	g := G.NewGraph()
	e := &encodeGraph{}
	for i, cell := range []nn.LSTMCell{w.EncFw, w.EncBw} {
		name := [2]string{"encoder/fw", "encoder/bw"}[i]
		cp := newCellParams(g, name, cell, 0)
		e.x[i], e.state[i] = inputNode(g, name+"/x", 1, 5), inputNode(g, name+"/state", 2, 1, E)
		if e.y[i], err = cp.step(e.state[i], e.x[i]); err != nil {
			return nil, err
		}
		if e.steps[i], err = nn.NewPlan(e.y[i]); err != nil {
			return nil, err
		}
	}
	e.hEnc = inputNode(g, "h_enc", 1, 2*E)
	if e.mu, e.presig, err = posterior(newDenseParams(g, "encoder/mu", w.Mu), newDenseParams(g, "encoder/presig", w.Presig), e.hEnc); err != nil {
		return nil, err
	}
	if e.head, err = nn.NewPlan(e.mu, e.presig); err != nil {
		return nil, err
	}
	return e, nil
}

// encodeRows returns mu and presig (log σ²) of q(z|x) for a drawing's normalised rows.
func (e *encodeGraph) encodeRows(rows [][5]float32) (mu, presig []float32, err error) {
	hEnc := nn.Values(e.hEnc)
	E := len(hEnc) / 2
	for i := range 2 {
		clear(nn.Values(e.state[i]))
		for t := range rows {
			r := rows[t]
			if i == 1 {
				r = rows[len(rows)-1-t]
			}
			copy(nn.Values(e.x[i]), r[:])
			if err := e.steps[i].Run(); err != nil {
				return nil, nil, fmt.Errorf("sketch vae: encoder step: %w", err)
			}
			setState(e.state[i], e.steps[i].Out(e.y[i]))
		}
		copy(hEnc[i*E:(i+1)*E], nn.Values(e.state[i])[E:]) // h
	}
	if err := e.head.Run(); err != nil {
		return nil, nil, fmt.Errorf("sketch vae: encoder head: %w", err)
	}
	return append([]float32(nil), e.head.Out(e.mu)...), append([]float32(nil), e.head.Out(e.presig)...), nil
}

func (m *Model) encoder() (*encodeGraph, error) {
	if !m.W.Config.Conditional() {
		return nil, fmt.Errorf("sketch vae: this model has no encoder (a decoder-only model)")
	}
	m.mu.Lock()
	if n := len(m.encs); n > 0 {
		e := m.encs[n-1]
		m.encs = m.encs[:n-1]
		m.mu.Unlock()
		return e, nil
	}
	m.mu.Unlock()
	e, err := newEncodeGraph(m.W)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: build the encoder: %w", err)
	}
	return e, nil
}

func (m *Model) putEncoder(e *encodeGraph) {
	m.mu.Lock()
	m.encs = append(m.encs, e)
	m.mu.Unlock()
}

// Encode returns the posterior mean of z for each drawing. A drawing of other units than the
// model's is scaled to them first (Weights.FitSize); one longer than MaxLen is cut to its first
// MaxLen points; an empty one is an error.
func (m *Model) Encode(ds []sketch.Drawing) ([][]float32, error) {
	zs, _, err := m.EncodePosterior(ds)
	return zs, err
}

// EncodePosterior returns the posterior of z for each drawing: its mean, as Encode, and its
// standard deviation sigma = exp(presig / 2).
func (m *Model) EncodePosterior(ds []sketch.Drawing) (mu, sigma [][]float32, err error) {
	e, err := m.encoder()
	if err != nil {
		return nil, nil, err
	}
	defer m.putEncoder(e)
	mu, sigma = make([][]float32, len(ds)), make([][]float32, len(ds))
	for i, d := range ds {
		if len(d) == 0 {
			return nil, nil, fmt.Errorf("sketch vae: drawing %d is empty", i+1)
		}
		d = m.W.FitSize(d)
		if len(d) > m.MaxLen() {
			d = d[:m.MaxLen()]
		}
		var presig []float32
		if mu[i], presig, err = e.encodeRows(m.W.Normalize(d)); err != nil {
			return nil, nil, fmt.Errorf("drawing %d: %w", i+1, err)
		}
		sigma[i] = make([]float32, len(presig))
		for k, p := range presig {
			sigma[i][k] = float32(math.Exp(float64(p) / 2))
		}
	}
	return mu, sigma, nil
}

// Losses are sketch-rnn's evaluation numbers over a set of drawings.
type Losses struct {
	Sketches int
	RLoss    float64 // reconstruction: offsets' mixture NLL + pen cross-entropy, per MaxSeqLen steps
	KL       float64 // KL(q(z|x) || N(0, I)) averaged over z's dimensions (before the floor)
}

// Evaluate computes the losses as sketch-rnn's evaluation mode does: z = mu + sigma*eps with eps
// drawn from seed, both loss terms masked after each drawing's end, each drawing's sum divided
// by MaxSeqLen. Drawings longer than MaxSeqLen or empty are skipped. A decoder-only model has
// only the reconstruction loss.
func (m *Model) Evaluate(ds []sketch.Drawing, seed uint64) (Losses, error) {
	w := m.W
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	var l Losses
	var enc *encodeGraph
	if w.Config.Conditional() {
		var err error
		if enc, err = m.encoder(); err != nil {
			return Losses{}, err
		}
		defer m.putEncoder(enc)
	}
	dec, err := m.decoder(1)
	if err != nil {
		return Losses{}, err
	}
	defer m.putDecoder(dec)
	mx := newMixture(w.Config.Mixtures)
	for _, d := range ds {
		if len(d) == 0 || len(d) > w.Config.MaxSeqLen {
			continue
		}
		rows := w.Normalize(d)
		z := []float32{}
		if enc != nil {
			mu, presig, err := enc.encodeRows(rows)
			if err != nil {
				return Losses{}, err
			}
			var kl float64
			z, kl = samplePosterior(mu, presig, rng)
			l.KL += kl
		}
		if err := dec.begin([][]float32{z}); err != nil {
			return Losses{}, err
		}
		x := []float32{0, 0, 1, 0, 0}
		var sum float64
		for _, r := range rows {
			y, err := dec.advance(x)
			if err != nil {
				return Losses{}, err
			}
			mx.set(y, 1)
			off, _ := mx.LogLikelihoods(r[0], r[1], 0)
			sum -= off + logSoftmax(y[:3], nn.Argmax(r[2:]))
			copy(x, r[:])
		}
		l.RLoss += sum / float64(w.Config.MaxSeqLen)
		l.Sketches++
	}
	if l.Sketches == 0 {
		return Losses{}, fmt.Errorf("sketch vae: no drawing of 1 to %d points to evaluate", w.Config.MaxSeqLen)
	}
	l.RLoss /= float64(l.Sketches)
	l.KL /= float64(l.Sketches)
	return l, nil
}

// samplePosterior draws z = mu + sigma*eps from q(z|x) and returns it with the KL term of
// sketch-rnn's evaluation, averaged over z's dimensions.
func samplePosterior(mu, presig []float32, rng *rand.Rand) (z []float32, kl float64) {
	z = make([]float32, len(mu))
	for i := range z {
		z[i] = mu[i] + float32(math.Exp(float64(presig[i])/2)*rng.NormFloat64())
		kl += 1 + float64(presig[i]) - float64(mu[i])*float64(mu[i]) - math.Exp(float64(presig[i]))
	}
	return z, -0.5 * kl / float64(len(mu))
}

// logSoftmax is log softmax(x)[k].
func logSoftmax(x []float32, k int) float64 {
	mx := float64(x[0])
	for _, v := range x {
		mx = max(mx, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - mx)
	}
	return float64(x[k]) - mx - math.Log(s)
}
