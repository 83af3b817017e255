package sketchrnn

import (
	"fmt"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// DistillOptions say how many drawings to take from a teacher (a decoder-only model) and how.
type DistillOptions struct {
	N           int     // drawings to keep
	Temperature float64 // sampling temperature (above 0)
	Seed        uint64  // batch k samples from seed Seed*1,000,003 + k: one seed, one set
	Batch       int     // drawings decoded together (default 32)
	MinPoints   int     // shorter drawings are not kept (default 11, as sketch-rnn's loader)
	MaxPoints   int     // longer drawings are not kept, nor those that never end (default: the model's MaxLen)
}

// DistillStats counts what Distill drew and kept.
type DistillStats struct {
	Drawn, Kept, TooShort, Unended, TooLong int
}

// maxDistillTries bounds Distill's batches at this many times what N would need if all were kept.
const maxDistillTries = 20

// Distill samples drawings from a model until opt.N are kept: only drawings the model ended
// itself (pen state "end") with MinPoints to MaxPoints points, so that none is cut off. The
// drawings are in the model's data units. progress, if not nil, is called after each batch
// with the drawings kept so far. The same options give the same drawings.
func Distill(m *Model, opt DistillOptions, progress func(kept int)) ([]sketch.Drawing, DistillStats, error) {
	var st DistillStats
	if opt.N <= 0 {
		return nil, st, fmt.Errorf("sketch distill: N must be positive, not %d", opt.N)
	}
	if !(opt.Temperature > 0) {
		return nil, st, fmt.Errorf("sketch distill: temperature must be above 0, not %v", opt.Temperature)
	}
	if opt.Batch <= 0 {
		opt.Batch = 32
	}
	if opt.MinPoints <= 0 {
		opt.MinPoints = 11
	}
	maxLen := m.MaxLen()
	if opt.MaxPoints <= 0 || opt.MaxPoints > maxLen {
		opt.MaxPoints = maxLen
	}
	zs := make([][]float32, opt.Batch)
	for i := range zs {
		zs[i] = make([]float32, m.ZSize()) // the prior's mean for a VAE; nothing for a decoder-only model
	}
	var out []sketch.Drawing
	tries := (opt.N/opt.Batch + 1) * maxDistillTries
	for k := 0; len(out) < opt.N; k++ {
		if k >= tries {
			return out, st, fmt.Errorf("sketch distill: kept %d of %d drawings in %d batches (%d too short, %d not ended, %d too long): the model or the temperature draws too few usable drawings",
				len(out), opt.N, k, st.TooShort, st.Unended, st.TooLong)
		}
		ds, ended, err := m.generateEnded(zs, vae.DecodeOptions{Temperature: opt.Temperature, Seed: int64(opt.Seed*1_000_003 + uint64(k))}, opt.MaxPoints+1)
		if err != nil {
			return out, st, err
		}
		for i, d := range ds {
			if len(out) == opt.N {
				break // the rest of the batch is not counted as drawn
			}
			st.Drawn++
			switch {
			case !ended[i]:
				st.Unended++
			case len(d) < opt.MinPoints:
				st.TooShort++
			case len(d) > opt.MaxPoints:
				st.TooLong++
			default:
				out = append(out, d)
				st.Kept++
			}
		}
		if progress != nil {
			progress(len(out))
		}
	}
	return out, st, nil
}

// generateEnded is Generate that also reports which drawings the model ended itself.
func (m *Model) generateEnded(zs [][]float32, opts vae.DecodeOptions, maxLen int) ([]sketch.Drawing, []bool, error) {
	if maxLen <= 0 || maxLen > m.MaxLen() {
		maxLen = m.MaxLen()
	}
	d, err := m.decoder(len(zs))
	if err != nil {
		return nil, nil, err
	}
	defer m.putDecoder(d)
	if err := d.begin(zs); err != nil {
		return nil, nil, err
	}
	pen := newPen(m.W, len(zs), opts.Temperature, uint64(opts.Seed))
	for t := 0; t < maxLen && pen.left > 0; t++ {
		y, err := d.advance(pen.x)
		if err != nil {
			return nil, nil, err
		}
		pen.draw(y)
	}
	return pen.out, pen.done, nil
}
