package sketch

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
)

// WriteNDJSON writes items as Quick, Draw! simplified NDJSON, one object per line with "word",
// "key_id" and "drawing" ([[x...], [y...]] per stroke, absolute coordinates). Each drawing is
// moved so that its box starts at (0, 0), as Quick, Draw! aligned its simplified data, and its
// coordinates are rounded to the nearest integer (Quick, Draw!'s simplified drawings are
// integers, and the models learned from those). ReadNDJSON reads the lines back.
func WriteNDJSON(w io.Writer, items []Item) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, it := range items {
		line := struct {
			Word    string        `json:"word"`
			KeyID   string        `json:"key_id,omitempty"`
			Strokes [][][]float64 `json:"drawing"`
		}{Word: it.Word, KeyID: it.KeyID, Strokes: ndjsonStrokes(it.Drawing)}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ndjsonStrokes turns d into simplified NDJSON strokes: [[x...], [y...]] per stroke, moved to
// start at the box's corner and rounded.
func ndjsonStrokes(d Drawing) [][][]float64 {
	b := d.Bounds()
	out := [][][]float64{}
	for _, line := range d.Strokes() {
		xs, ys := make([]float64, len(line)), make([]float64, len(line))
		for i, p := range line {
			xs[i] = math.Round(float64(p[0] - b.MinX))
			ys[i] = math.Round(float64(p[1] - b.MinY))
		}
		out = append(out, [][]float64{xs, ys})
	}
	return out
}
