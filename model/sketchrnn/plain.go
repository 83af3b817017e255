package sketchrnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
)

// Normalize turns a drawing into the model's input rows: offsets clamped to +/-1000 and divided
// by the scale factor, in stroke-5 without the start token and without padding.
func (w *Weights) Normalize(d sketch.Drawing) [][5]float32 {
	rows := d.Clamp(sketch.Limit).Scale(1 / w.ScaleFactor).Stroke5(0)
	return rows
}

// Encode returns mu and presig (log sigma^2) of the posterior over z for one drawing, through
// the plain-Go encoder. It needs a conditional model and at least one point.
func (w *Weights) Encode(d sketch.Drawing) (mu, presig []float32, err error) {
	if !w.Config.Conditional() {
		return nil, nil, fmt.Errorf("sketch vae: this model has no encoder")
	}
	if len(d) == 0 {
		return nil, nil, fmt.Errorf("sketch vae: cannot encode an empty drawing")
	}
	return w.encodeRows(w.Normalize(d))
}

func (w *Weights) encodeRows(rows [][5]float32) (mu, presig []float32, err error) {
	E := w.Config.EncSize
	run := func(cell nn.LSTMCell, ln *LayerNorm, reverse bool) []float32 {
		c, h, pre := make([]float32, E), make([]float32, E), make([]float32, 4*E)
		for i := range rows {
			r := rows[i]
			if reverse {
				r = rows[len(rows)-1-i]
			}
			clear(pre)
			cell.AddInput(pre, 0, r[:], 5)
			stepCell(cell, ln, pre, c, h)
		}
		return h
	}
	hEnc := append(run(w.EncFw, w.EncFwLN, false), run(w.EncBw, w.EncBwLN, true)...) // [2E]
	mu = make([]float32, w.Config.ZSize)
	presig = make([]float32, w.Config.ZSize)
	w.Mu.Apply(mu, hEnc)
	w.Presig.Apply(presig, hEnc)
	return mu, presig, nil
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
	if zs != nil {
		Z := w.Config.ZSize
		flat := make([]float32, 0, b*Z)
		for _, z := range zs {
			flat = append(flat, z...)
		}
		w.InitC.Apply(d.c, flat)
		w.InitH.Apply(d.h, flat)
		for i := range d.c {
			d.c[i] = nn.Tanh(d.c[i])
			d.h[i] = nn.Tanh(d.h[i])
		}
		d.zPre = make([]float32, b*4*H)
		w.Dec.AddInput(d.zPre, 5, flat, Z)
	}
	return d
}

// step feeds x [B, 5] (normalised stroke-5 rows) and leaves the output rows in d.out.
func (d *decoder) step(x []float32) {
	H4 := 4 * d.w.Config.DecSize
	if d.zPre != nil {
		copy(d.pre, d.zPre)
	} else {
		clear(d.pre)
	}
	// The input part has only 5 columns: add its rows by hand rather than through a GEMM.
	k := d.w.Dec.Rows(0, 5)
	for b := 0; b < d.B; b++ {
		p := d.pre[b*H4 : (b+1)*H4]
		for j := 0; j < 5; j++ {
			v := x[b*5+j]
			if v == 0 {
				continue
			}
			row := k[j*H4 : (j+1)*H4]
			for i := range p {
				p[i] += v * row[i]
			}
		}
	}
	stepCell(d.w.Dec, d.w.DecLN, d.pre, d.c, d.h)
	d.w.Out.Apply(d.out, d.h)
}

// DecodeOptions choose how points are drawn from the decoder's mixture.
type DecodeOptions struct {
	Greedy      bool    // most likely component, its mean, most likely pen: deterministic
	Temperature float64 // sampling temperature (Magenta's; 1 is the model's own distribution)
	Seed        uint64  // sampling seed
	MaxLen      int     // points at most; 0 means the config's MaxSeqLen
	// Gorgonia decodes with the Gorgonia step graph (the reference) rather than plain Go.
	Gorgonia bool
}

// Decode draws one drawing per z (in pixels of the training data) with the plain-Go decoder.
// For an unconditional model pass zs as n empty slices.
func (w *Weights) Decode(zs [][]float32, opt DecodeOptions) (_ []sketch.Drawing, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sketch vae: decode: %v", r)
		}
	}()
	if len(zs) == 0 {
		return nil, nil
	}
	var d *decoder
	if w.Config.Conditional() {
		for i, z := range zs {
			if len(z) != w.Config.ZSize {
				return nil, fmt.Errorf("sketch vae: z %d has %d values, want %d", i, len(z), w.Config.ZSize)
			}
		}
		d = w.newDecoder(zs, 0)
	} else {
		d = w.newDecoder(nil, len(zs))
	}
	var s stepper = d
	if opt.Gorgonia {
		var z []float32
		if w.Config.Conditional() {
			for _, zi := range zs {
				z = append(z, zi...)
			}
		}
		gd, err := w.newGraphDecoder(d.c, d.h, z, d.B)
		if err != nil {
			return nil, err
		}
		s = gd
	}
	return w.run(s, d.B, opt), nil
}

// run draws B sequences from s (started from its initial state) as opt says.
func (w *Weights) run(s stepper, B int, opt DecodeOptions) []sketch.Drawing {
	maxLen := opt.MaxLen
	if maxLen <= 0 {
		maxLen = w.Config.MaxSeqLen
	}
	temp := opt.Temperature
	if opt.Greedy || temp <= 0 {
		temp = 1
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5ca1e))
	mx := newMixture(w.Config.Mixtures)
	x := make([]float32, B*5)
	for b := 0; b < B; b++ {
		x[b*5+2] = 1
	}
	out := make([]sketch.Drawing, B)
	done := make([]bool, B)
	left := B
	O := w.Config.Outputs()
	for t := 0; t < maxLen && left > 0; t++ {
		s.step(x)
		y := s.output()
		for b := 0; b < B; b++ {
			clear(x[b*5 : b*5+5])
			if done[b] {
				x[b*5+4] = 1
				continue
			}
			mx.set(y[b*O:(b+1)*O], temp)
			var dx, dy float32
			var pen int
			if opt.Greedy {
				dx, dy, pen = mx.Greedy()
			} else {
				dx, dy, pen = mx.Sample(rng)
			}
			x[b*5], x[b*5+1], x[b*5+2+pen] = dx, dy, 1
			if pen == 2 {
				done[b] = true
				left--
				continue
			}
			out[b] = append(out[b], sketch.Point{DX: dx * w.ScaleFactor, DY: dy * w.ScaleFactor, PenLift: pen == 1})
		}
	}
	return out
}

// Losses are sketch-rnn's evaluation numbers over a set of drawings.
type Losses struct {
	Sketches int
	RLoss    float64 // reconstruction: offsets' mixture NLL + pen cross-entropy, per MaxSeqLen steps
	KL       float64 // KL(q(z|x) || N(0, I)) averaged over z's dimensions (before the floor)
}

// Evaluate computes the losses with the plain-Go model as sketch-rnn's evaluation mode does:
// z = mu + sigma*eps with eps drawn from seed, both loss terms masked after each drawing's end,
// each drawing's sum divided by MaxSeqLen. Drawings longer than MaxSeqLen or empty are skipped.
// An unconditional model (a .gen.json decoder) has only the reconstruction loss.
func (w *Weights) Evaluate(ds []sketch.Drawing, seed uint64) (Losses, error) {
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	var l Losses
	Z := w.Config.ZSize
	for _, d := range ds {
		if len(d) == 0 || len(d) > w.Config.MaxSeqLen {
			continue
		}
		rows := w.Normalize(d)
		var z []float32
		if w.Config.Conditional() {
			mu, presig, err := w.encodeRows(rows)
			if err != nil {
				return Losses{}, err
			}
			z = make([]float32, Z)
			var kl float64
			for i := range z {
				z[i] = mu[i] + float32(math.Exp(float64(presig[i])/2)*rng.NormFloat64())
				kl += 1 + float64(presig[i]) - float64(mu[i])*float64(mu[i]) - math.Exp(float64(presig[i]))
			}
			l.KL += -0.5 * kl / float64(Z)
		}
		l.RLoss += w.reconstructionLoss(rows, z)
		l.Sketches++
	}
	if l.Sketches == 0 {
		return Losses{}, fmt.Errorf("sketch vae: no drawing of 1 to %d points to evaluate", w.Config.MaxSeqLen)
	}
	l.RLoss /= float64(l.Sketches)
	l.KL /= float64(l.Sketches)
	return l, nil
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
