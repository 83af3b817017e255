package ui

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/model/sketchrnn"
)

// Continue's strokes land on the sheet where the model drew them: the same start drawn twice
// as large (and elsewhere on the sheet) gets the same ending, twice as large and moved along.
func TestContinueLines(t *testing.T) {
	cfg := sketchrnn.DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.Mixtures, cfg.MaxSeqLen = 8, 16, 4, 3, 60
	w, err := sketchrnn.NewWeights(cfg, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	w.Out.Bias[2] = -50 // a pen that does not end at once, so that something is added
	m := sketchrnn.NewModel(w)
	start := [][][2]float32{{{10, 10}, {60, 12}, {90, 50}}, {{20, 70}, {40, 90}}}
	moved := make([][][2]float32, len(start))
	for i, l := range start {
		for _, p := range l {
			moved[i] = append(moved[i], [2]float32{100 + 2*p[0], 50 + 2*p[1]})
		}
	}
	a, err := continueLines(m, start, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, err := continueLines(m, moved, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d strokes added", len(a), len(b))
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			t.Fatalf("stroke %d: %d and %d points", i, len(a[i]), len(b[i]))
		}
		for j, p := range a[i] {
			want := [2]float32{100 + 2*p[0], 50 + 2*p[1]}
			q := b[i][j]
			if math.Abs(float64(q[0]-want[0])) > 0.01*max(1, math.Abs(float64(want[0]))) || math.Abs(float64(q[1]-want[1])) > 0.01*max(1, math.Abs(float64(want[1]))) {
				t.Fatalf("stroke %d point %d at %v on the larger sheet, want %v", i, j, q, want)
			}
		}
	}
}
