package sketchrnn

import (
	"math/rand/v2"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
)

// This file is the plain-Go model that the Gorgonia graphs are checked against: the same math,
// step by step, over the same Weights, with nn's plain cell and dense layer.

// oracleEncode returns mu and presig of q(z|x) for a drawing's normalised rows.
func (w *Weights) oracleEncode(rows [][5]float32) (mu, presig []float32) {
	E := w.Config.EncSize
	run := func(cell nn.LSTMCell, reverse bool) []float32 {
		c, h, pre := make([]float32, E), make([]float32, E), make([]float32, 4*E)
		for i := range rows {
			r := rows[i]
			if reverse {
				r = rows[len(rows)-1-i]
			}
			clear(pre)
			cell.AddInput(pre, 0, r[:], 5)
			cell.Step(pre, c, h)
		}
		return h
	}
	hEnc := append(run(w.EncFw, false), run(w.EncBw, true)...) // [2E]
	mu = make([]float32, w.Config.ZSize)
	presig = make([]float32, w.Config.ZSize)
	w.Mu.Apply(mu, hEnc)
	w.Presig.Apply(presig, hEnc)
	return mu, presig
}

// decoder runs the plain-Go decoder for a batch of B sequences, one step at a time.
type decoder struct {
	w         *Weights
	B         int
	c, h      []float32 // [B, H]
	pre, zPre []float32 // [B, 4H]: scratch, and the z share of the gates (nil if unconditional)
	out       []float32 // [B, 3+6M] after each step
}

// newDecoder starts B sequences: from tanh(dense(z)) for a conditional model (zs has B rows),
// from zeros for an unconditional one (zs is nil; b gives B).
func (w *Weights) newDecoder(zs [][]float32, b int) *decoder {
	H := w.Config.DecSize
	if zs != nil {
		b = len(zs)
	}
	d := &decoder{w: w, B: b, c: make([]float32, b*H), h: make([]float32, b*H), pre: make([]float32, b*4*H), out: make([]float32, b*w.Config.Outputs())}
	if zs != nil && w.Config.Conditional() {
		Z := w.Config.ZSize
		flat := make([]float32, 0, b*Z)
		for _, z := range zs {
			flat = append(flat, z...)
		}
		w.InitC.Apply(d.c, flat)
		w.InitH.Apply(d.h, flat)
		nn.Tanhs(d.c, d.c)
		nn.Tanhs(d.h, d.h)
		d.zPre = make([]float32, b*4*H)
		w.Dec.AddInput(d.zPre, 5, flat, Z)
	}
	return d
}

// step feeds x [B, 5] (normalised stroke-5 rows) and leaves the output rows in d.out.
func (d *decoder) step(x []float32) {
	// The same sums in the same order as the graph's: x·W_x, then z's share, then the cell.
	clear(d.pre)
	d.w.Dec.AddInput(d.pre, 0, x, 5)
	for i, v := range d.zPre {
		d.pre[i] += v
	}
	d.w.Dec.Step(d.pre, d.c, d.h)
	d.w.Out.Apply(d.out, d.h)
}

// oracleDecode draws B sequences greedily or sampled, as Model.Generate does (with the same
// pen: what the oracle checks is the network).
func (w *Weights) oracleDecode(zs [][]float32, temperature float64, seed uint64, maxLen int) []sketch.Drawing {
	var d *decoder
	if w.Config.Conditional() {
		d = w.newDecoder(zs, 0)
	} else {
		d = w.newDecoder(nil, len(zs))
	}
	p := newPen(w, d.B, temperature, seed)
	for t := 0; t < maxLen && p.left > 0; t++ {
		d.step(p.x)
		p.draw(d.out)
	}
	return p.out
}

// oracleEvaluate is Model.Evaluate in plain Go.
func (w *Weights) oracleEvaluate(ds []sketch.Drawing, seed uint64) Losses {
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	var l Losses
	for _, d := range ds {
		if len(d) == 0 || len(d) > w.Config.MaxSeqLen {
			continue
		}
		rows := w.Normalize(d)
		var z []float32
		if w.Config.Conditional() {
			mu, presig := w.oracleEncode(rows)
			var kl float64
			z, kl = samplePosterior(mu, presig, rng)
			l.KL += kl
		}
		l.RLoss += w.reconstructionLoss(rows, z)
		l.Sketches++
	}
	l.RLoss /= float64(l.Sketches)
	l.KL /= float64(l.Sketches)
	return l
}

// reconstructionLoss is one drawing's masked loss sum divided by MaxSeqLen.
func (w *Weights) reconstructionLoss(rows [][5]float32, z []float32) float64 {
	var zs [][]float32
	if z != nil {
		zs = [][]float32{z}
	}
	d := w.newDecoder(zs, 1)
	mx := newMixture(w.Config.Mixtures)
	x := []float32{0, 0, 1, 0, 0}
	var sum float64
	for _, r := range rows {
		d.step(x)
		mx.set(d.out, 1)
		off, _ := mx.LogLikelihoods(r[0], r[1], 0)
		pen := nn.Argmax(r[2:])
		sum -= off + logSoftmax(d.out[:3], pen)
		copy(x, r[:])
	}
	return sum / float64(w.Config.MaxSeqLen)
}
