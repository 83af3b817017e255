package sketchrnn

import (
	"fmt"
	"slices"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// Continue proposes n ways to finish a partial drawing, as sketch-rnn-js's multi_predict demo:
// the decoder (at z, or unconditioned for a decoder-only model) reads the partial drawing
// point by point, then n copies of its state draw on from there until each ends or reaches
// maxLen points in all (0: the model's MaxLen, or the partial drawing's length plus MaxLen
// when that is longer). Each result starts with the partial drawing. The partial drawing's last
// point should lift the pen (a finished stroke); if it does not, the continuation goes on from
// the middle of that stroke.
func (m *Model) Continue(z []float32, partial sketch.Drawing, n int, opts vae.DecodeOptions, maxLen int) ([]sketch.Drawing, error) {
	if n <= 0 {
		return nil, fmt.Errorf("sketch continue: n must be positive, not %d", n)
	}
	if len(partial) == 0 {
		return nil, fmt.Errorf("sketch continue: the partial drawing is empty")
	}
	if len(z) != m.ZSize() {
		return nil, fmt.Errorf("sketch continue: z has %d values, want %d", len(z), m.ZSize())
	}
	if maxLen <= 0 {
		maxLen = max(m.MaxLen(), len(partial)+m.MaxLen()/2)
	}
	maxLen = min(maxLen, MaxDecodeLen)
	if len(partial) >= maxLen {
		return nil, fmt.Errorf("sketch continue: the partial drawing has %d points, the limit is %d", len(partial), maxLen)
	}
	d, err := m.decoder(n)
	if err != nil {
		return nil, err
	}
	defer m.putDecoder(d)
	zs := make([][]float32, n)
	for i := range zs {
		zs[i] = z
	}
	if err := d.begin(zs); err != nil {
		return nil, err
	}
	pen := newPen(m.W, n, opts.Temperature, uint64(opts.Seed))
	// Feed the partial drawing: the output after its last point is where the new points begin.
	rows := m.W.Normalize(partial)
	for _, r := range rows {
		if _, err := d.advance(pen.x); err != nil {
			return nil, err
		}
		for b := range n {
			copy(pen.x[b*5:b*5+5], r[:])
		}
	}
	for b := range n {
		pen.out[b] = slices.Clone(partial)
	}
	for t := len(rows); t < maxLen && pen.left > 0; t++ {
		y, err := d.advance(pen.x)
		if err != nil {
			return nil, err
		}
		pen.draw(y)
	}
	return pen.out, nil
}
