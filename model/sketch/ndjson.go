package sketch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// MaxCoord is the largest absolute coordinate the readers accept; larger values are not a drawing.
const MaxCoord = 1e6

// maxLine bounds one NDJSON line (raw Quick, Draw! lines are a few hundred kilobytes at most,
// and MaxRawPoints points with their times take about 3 MB).
const maxLine = 16 << 20

// Item is one drawing of a Quick, Draw! NDJSON file with its label and id.
type Item struct {
	Word    string
	KeyID   string
	Drawing Drawing
}

// Drawings returns the drawings of items, in order.
func Drawings(items []Item) []Drawing {
	ds := make([]Drawing, len(items))
	for i, it := range items {
		ds[i] = it.Drawing
	}
	return ds
}

type ndjsonLine struct {
	Word    string          `json:"word"`
	KeyID   json.RawMessage `json:"key_id"`
	Drawing *[][][]float64  `json:"drawing"`
}

// ReadNDJSON reads Quick, Draw! NDJSON: one object per line with "word", "key_id" and "drawing",
// a list of strokes [[x...], [y...]] in absolute coordinates, or [[x...], [y...], [t...]] in the
// raw layout. The times are ignored, and raw drawings, which are in screen pixels with a point
// every pixel or so, are scaled and simplified as Quick, Draw! made its simplified data
// (FromHand); every drawing starts at its first point. Blank lines are skipped. A malformed line (bad JSON, no
// drawing, mismatched x/y lengths, no points at all, coordinates beyond MaxCoord, more than
// MaxPoints points, or MaxRawPoints before simplification) is skipped and reported: the items
// of the good lines are returned with a LineErrors error. Any other error (reading r, a line
// longer than 16 MiB, more than MaxFilePoints points in all) stops reading and is returned
// with the items so far. A UTF-8 byte-order mark before the first line is skipped.
func ReadNDJSON(r io.Reader) ([]Item, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var items []Item
	var bad LineErrors
	points := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		it, err := parseNDJSONLine(line)
		if err != nil {
			bad = append(bad, &LineError{Line: n, Err: err})
			continue
		}
		if points += len(it.Drawing); points > MaxFilePoints {
			return items, limitErr("MaxFilePoints", MaxFilePoints, "more than %d points by line %d", MaxFilePoints, n)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return items, fmt.Errorf("sketch: read ndjson: %w", err)
	}
	if len(bad) > 0 {
		return items, bad
	}
	return items, nil
}

func parseNDJSONLine(line []byte) (Item, error) {
	var l ndjsonLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Item{}, FormatError("not a JSON drawing object: " + err.Error())
	}
	if l.Drawing == nil {
		return Item{}, FormatError(`no "drawing" field`)
	}
	it := Item{Word: l.Word, KeyID: keyID(l.KeyID)}
	lines := make([][][2]float32, 0, len(*l.Drawing))
	raw := false // strokes with times: screen coordinates, as the pen moved
	points := 0
	for _, s := range *l.Drawing {
		if len(s) > 0 {
			points += len(s[0])
		}
		raw = raw || len(s) == 3
	}
	switch {
	case raw && points > MaxRawPoints:
		return Item{}, limitErr("MaxRawPoints", MaxRawPoints, "a raw drawing of %d points", points)
	case !raw && points > MaxPoints:
		return Item{}, limitErr("MaxPoints", MaxPoints, "a drawing of %d points", points)
	}
	for i, s := range *l.Drawing {
		if len(s) != 2 && len(s) != 3 {
			return Item{}, FormatError(fmt.Sprintf("stroke %d has %d arrays, want [x, y] or [x, y, t]", i, len(s)))
		}
		xs, ys := s[0], s[1]
		if len(xs) != len(ys) {
			return Item{}, FormatError(fmt.Sprintf("stroke %d has %d x and %d y coordinates", i, len(xs), len(ys)))
		}
		raw = raw || len(s) == 3
		if len(xs) == 0 {
			continue
		}
		pts := make([][2]float32, len(xs))
		for j := range xs {
			if !validCoord(xs[j]) || !validCoord(ys[j]) {
				return Item{}, FormatError(fmt.Sprintf("stroke %d point %d is (%g, %g): coordinates must be finite and within +/-%g", i, j, xs[j], ys[j], MaxCoord))
			}
			pts[j] = [2]float32{float32(xs[j]), float32(ys[j])}
		}
		lines = append(lines, pts)
	}
	if raw {
		// Raw drawings get what Quick, Draw! did to make its simplified ones, which the models
		// learned from: scaled into 0-255 and simplified (FromHand).
		d, err := FromHand(lines)
		if err != nil {
			return Item{}, FormatError("empty drawing: no points")
		}
		if len(d) > MaxPoints {
			return Item{}, limitErr("MaxPoints", MaxPoints, "a raw drawing of %d points after simplification", len(d))
		}
		it.Drawing = d
		return it, nil
	}
	// Start at the first point, as sketch-rnn's data sets do: where a drawing sits on its canvas
	// is not part of it, and a first jump of a hundred units is one the models never saw.
	it.Drawing = FromStrokes(lines).Translated()
	if len(it.Drawing) == 0 {
		return Item{}, FormatError("empty drawing: no points")
	}
	return it, nil
}

func validCoord(v float64) bool {
	return !math.IsNaN(v) && math.Abs(v) <= MaxCoord
}

// keyID accepts the id as a JSON string (as Quick, Draw! writes it) or a bare number.
func keyID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}
