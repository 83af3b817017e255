package sketchrnn

import (
	"fmt"
	"math"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
)

// A judge is a decoder-only model (a sketch-rnn-js teacher) that scores how likely drawings are
// under its class: the per-point negative log-likelihood of their offsets and pen states, after
// each drawing is scaled to the size the teacher draws at (so that a drawing's size, which
// differs between data sets and models, does not count).

// JudgeSizeSamples is how many of the teacher's own drawings set the size drawings are scaled to.
const JudgeSizeSamples = 50

// TypicalSize returns the median larger side (width or height) of n drawings the model samples
// at temperature from seed: the size the judge scales drawings to.
func TypicalSize(m *Model, n int, temperature float64, seed uint64) (float32, error) {
	ds, _, err := Distill(m, DistillOptions{N: n, Temperature: temperature, Seed: seed}, nil)
	if err != nil {
		return 0, err
	}
	side := MedianSide(ds)
	if side == 0 {
		return 0, fmt.Errorf("sketch judge: the model's drawings have no size")
	}
	return side, nil
}

// ScaleTo returns d scaled without distortion so that its larger side is size (a drawing
// without size is returned as it is).
func ScaleTo(d sketch.Drawing, size float32) sketch.Drawing {
	b := d.Bounds()
	s := max(b.Dx(), b.Dy())
	if !(s > 0) {
		return d
	}
	return d.Scale(size / s)
}

// Judgement is the score of a set of drawings under a judge.
type Judgement struct {
	Drawings int     // drawings scored (empty ones and ones of MaxDecodeLen points or more are skipped)
	Points   int     // points scored, each drawing's end included
	NLL      float64 // negative log-likelihood per point, nats: lower is more like the judge's class
	Offsets  float64 // the offsets' share of NLL
	Pen      float64 // the pen states' share of NLL
}

// PointNLL scores drawings under a decoder-only model (or a VAE's decoder at z = 0), each scaled
// to size first (size 0: as they are). Every point of a drawing counts its offset's log density
// (in the model's normalised units) and its pen state's log-probability; the end of the drawing
// counts the pen's "end" probability. The result is the total over all points of all drawings
// divided by their number: the per-point NLL at temperature 1.
func PointNLL(m *Model, ds []sketch.Drawing, size float32) (Judgement, error) {
	var j Judgement
	dec, err := m.decoder(1)
	if err != nil {
		return j, err
	}
	defer m.putDecoder(dec)
	z := make([]float32, m.ZSize())
	mx := newMixture(m.W.Config.Mixtures)
	var offSum, penSum float64
	for _, d := range ds {
		if len(d) == 0 || len(d) >= MaxDecodeLen {
			continue // a teacher scores drawings longer than it draws itself: its LSTM runs on
		}
		if size > 0 {
			d = ScaleTo(d, size)
		}
		rows := m.W.Normalize(d)
		rows = append(rows, [5]float32{0, 0, 0, 0, 1})
		if err := dec.begin([][]float32{z}); err != nil {
			return j, err
		}
		x := []float32{0, 0, 1, 0, 0}
		for t, r := range rows {
			y, err := dec.advance(x)
			if err != nil {
				return j, err
			}
			mx.set(y, 1)
			if t < len(rows)-1 {
				off, _ := mx.LogLikelihoods(r[0], r[1], 0)
				offSum -= off
			}
			penSum -= logSoftmax(y[:3], nn.Argmax(r[2:]))
			copy(x, r[:])
		}
		j.Drawings++
		j.Points += len(rows)
	}
	if j.Drawings == 0 {
		return j, fmt.Errorf("sketch judge: no drawing of 1 to %d points to score", MaxDecodeLen-1)
	}
	j.Offsets, j.Pen = offSum/float64(j.Points), penSum/float64(j.Points)
	j.NLL = j.Offsets + j.Pen
	if math.IsNaN(j.NLL) || math.IsInf(j.NLL, 0) {
		return j, fmt.Errorf("sketch judge: the score is not finite (%v)", j.NLL)
	}
	return j, nil
}
