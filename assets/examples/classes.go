package examples

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/latentpalette/palette/model/sketch"
)

// classesNDJSON holds one drawing of each of ten animals, drawn by Magenta's pretrained
// sketch-rnn decoder of that class (sketch-rnn-js, Apache-2.0) at temperature 0.3 with
// `palette sketch distill -n 8 --temperature 0.3 --seed 4` (a seed no training split uses), one
// a class picked by eye; each line keeps the key_id distill gave it, and
// app's TestClassExamplesAreDistilled distils them again and compares.
//
//go:embed classes.ndjson
var classesNDJSON []byte

// ClassSide is the larger side of the class examples, in drawing units: the 0-255 box of
// Quick, Draw!'s simplified drawings and of the Draw dialog, which multi-class models are
// rescaled to (palette sketch classes --size 255).
const ClassSide = 255

// classCornerOrder is which classes the corners prefer, in corner order: the ones the shipped
// animals draw best first (samples clearly the class, by eye: rabbit and sheep 18 of 20, bear and
// tiger 15; birds and parrots are often scribbles), the sheep last, where the sheep model's
// corners were.
var classCornerOrder = []string{"rabbit", "bear", "tiger", "sheep", "dolphin", "monkey", "dog", "hedgehog", "parrot", "bird"}

// ClassDrawings returns the example drawing of each class that has one, by class name, each
// scaled so that its larger side is ClassSide.
func ClassDrawings() (map[string]sketch.Drawing, error) {
	items, err := sketch.ReadNDJSON(bytes.NewReader(classesNDJSON))
	if err != nil {
		return nil, fmt.Errorf("class examples: %w", err)
	}
	out := map[string]sketch.Drawing{}
	for _, it := range items {
		b := it.Drawing.Bounds()
		out[it.Word] = it.Drawing.Scale(ClassSide / max(b.Dx(), b.Dy(), 1))
	}
	return out, nil
}

// ClassCorners returns example corners of four different classes among known (a model's
// classes), named by their class; false when fewer than four of them have an example.
func ClassCorners(known []string) ([4]Named[sketch.Drawing], bool) {
	var out [4]Named[sketch.Drawing]
	ds, err := ClassDrawings()
	if err != nil {
		return out, false
	}
	n := 0
	for _, c := range classCornerOrder {
		d, ok := ds[c]
		if !ok || n == 4 || !contains(known, c) {
			continue
		}
		out[n] = Named[sketch.Drawing]{strings.ToUpper(c[:1]) + c[1:], d}
		n++
	}
	return out, n == 4
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
