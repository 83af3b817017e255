package musicvae

import (
	"errors"
	"fmt"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inferGraph is the model's forward pass in Gorgonia for a batch of B: the encoder, the map from
// z to the decoder's initial state, and one decoder step that Decode runs Steps times.
// Built once per batch size and reused.
type inferGraph struct {
	B int

	enc       G.VM
	xs        []*G.Node // [B, 90] per step
	mu, sigma G.Value   // [B, Z]

	init   G.VM
	initZ  *G.Node   // [B, Z]
	c0, h0 []G.Value // [B, Dk] per layer

	step       G.VM
	prev, z    *G.Node   // [B, 90], [B, Z]
	cIn, hIn   []*G.Node // [B, Dk] per layer
	cOut, hOut []G.Value
	logits     G.Value // [B, 90]
}

func newInferGraph(w *Weights, B int) (ig *inferGraph, err error) {
	defer catch(&err, "building the inference graph")
	c := w.Config
	ig = &inferGraph{B: B}

	g := G.NewGraph()
	l, err := newLayers(g, w)
	if err != nil {
		return nil, err
	}
	for t := range Steps {
		ig.xs = append(ig.xs, matrix(g, fmt.Sprintf("x%d", t), B, Classes))
	}
	mu, sigma := l.encode(ig.xs)
	G.Read(mu, &ig.mu)
	G.Read(sigma, &ig.sigma)
	ig.enc = G.NewTapeMachine(g)

	g = G.NewGraph()
	if l, err = newLayers(g, w); err != nil {
		return nil, err
	}
	ig.initZ = matrix(g, "z", B, c.ZSize)
	cs, hs := l.initialState(ig.initZ)
	ig.c0, ig.h0 = make([]G.Value, len(cs)), make([]G.Value, len(hs))
	for k := range cs {
		G.Read(cs[k], &ig.c0[k])
		G.Read(hs[k], &ig.h0[k])
	}
	ig.init = G.NewTapeMachine(g)

	g = G.NewGraph()
	if l, err = newLayers(g, w); err != nil {
		return nil, err
	}
	ig.prev = matrix(g, "prev", B, Classes)
	ig.z = matrix(g, "z", B, c.ZSize)
	for k, d := range c.DecoderSizes {
		ig.cIn = append(ig.cIn, matrix(g, fmt.Sprintf("c%d", k), B, d))
		ig.hIn = append(ig.hIn, matrix(g, fmt.Sprintf("h%d", k), B, d))
	}
	prev, err := l.dec[0].InputGates(0, ig.prev)
	if err != nil {
		return nil, err
	}
	zIn, err := l.dec[0].InputGates(1, ig.z)
	if err != nil {
		return nil, err
	}
	pre0, err := nn.AddGates(prev, zIn) // 4 × [B, D0]
	if err != nil {
		return nil, err
	}
	cs, hs, top := l.decodeStep(pre0, ig.cIn, ig.hIn)
	ig.cOut, ig.hOut = make([]G.Value, len(cs)), make([]G.Value, len(hs))
	for k := range cs {
		G.Read(cs[k], &ig.cOut[k])
		G.Read(hs[k], &ig.hOut[k])
	}
	G.Read(G.Must(l.out.Apply(top)), &ig.logits)
	ig.step = G.NewTapeMachine(g)
	return ig, nil
}

func (m *Model) graph(B int) (*inferGraph, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.graphs == nil {
		m.graphs = map[int]*inferGraph{}
	}
	if ig, ok := m.graphs[B]; ok {
		return ig, nil
	}
	ig, err := newInferGraph(m.W, B)
	if err != nil {
		return nil, err
	}
	m.graphs[B] = ig
	return ig, nil
}

func dense(rows, cols int, data []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))
}

func copyOut(v G.Value) []float32 { return append([]float32(nil), v.Data().([]float32)...) }

// encodeGraph is Encode through the Gorgonia graph; it also returns sigma.
func (m *Model) encodeGraph(batch []melody.Melody) ([][]float32, error) {
	mu, _, err := m.encodeGraphSigma(batch)
	return mu, err
}

func (m *Model) encodeGraphSigma(batch []melody.Melody) (mu, sigma [][]float32, err error) {
	B, Z := len(batch), m.W.Config.ZSize
	ig, err := m.graph(B)
	if err != nil {
		return nil, nil, err
	}
	m.mu.Lock() // one run at a time per graph
	defer m.mu.Unlock()
	ws := windows(batch)
	for t := range Steps {
		x := make([]float32, B*Classes)
		for b, w := range ws {
			x[b*Classes+w[t]] = 1
		}
		if err := G.Let(ig.xs[t], dense(B, Classes, x)); err != nil {
			return nil, nil, err
		}
	}
	defer ig.enc.Reset()
	if err := ig.enc.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("musicvae: encode: %w", err)
	}
	mus, sigmas := copyOut(ig.mu), copyOut(ig.sigma)
	for b := range B {
		mu = append(mu, mus[b*Z:(b+1)*Z])
		sigma = append(sigma, sigmas[b*Z:(b+1)*Z])
	}
	return mu, sigma, nil
}

// decodeGraph is Decode through the Gorgonia graph; it also serves the tests with the logits.
func (m *Model) decodeGraph(zs [][]float32, temperature float64, seed int64) ([]melody.Melody, error) {
	out, _, err := m.decodeGraphLogits(zs, temperature, seed)
	return out, err
}

func (m *Model) decodeGraphLogits(zs [][]float32, temperature float64, seed int64) ([]melody.Melody, [][]float32, error) {
	B, Z := len(zs), m.W.Config.ZSize
	ig, err := m.graph(B)
	if err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	z := make([]float32, 0, B*Z)
	for _, v := range zs {
		z = append(z, v...)
	}
	if err := G.Let(ig.initZ, dense(B, Z, z)); err != nil {
		return nil, nil, err
	}
	if err := ig.init.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("musicvae: decode: %w", err)
	}
	sizes := m.W.Config.DecoderSizes
	cs, hs := make([][]float32, len(sizes)), make([][]float32, len(sizes))
	for k := range sizes {
		cs[k], hs[k] = copyOut(ig.c0[k]), copyOut(ig.h0[k])
	}
	ig.init.Reset()
	out := emptyMelodies(B)
	pick := newPicker(temperature, seed)
	var all [][]float32
	for t := range Steps {
		prev := make([]float32, B*Classes)
		if t > 0 {
			for b := range B {
				prev[b*Classes+out[b][t-1]] = 1
			}
		}
		lets := []error{G.Let(ig.prev, dense(B, Classes, prev)), G.Let(ig.z, dense(B, Z, z))}
		for k, d := range sizes {
			lets = append(lets, G.Let(ig.cIn[k], dense(B, d, cs[k])), G.Let(ig.hIn[k], dense(B, d, hs[k])))
		}
		if err := errors.Join(lets...); err != nil {
			return nil, nil, err
		}
		if err := ig.step.RunAll(); err != nil {
			return nil, nil, fmt.Errorf("musicvae: decode step %d: %w", t, err)
		}
		for k := range sizes {
			cs[k], hs[k] = copyOut(ig.cOut[k]), copyOut(ig.hOut[k])
		}
		logits := copyOut(ig.logits)
		ig.step.Reset()
		all = append(all, logits)
		pick.step(out, t, logits)
	}
	return out, all, nil
}
