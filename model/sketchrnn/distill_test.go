package sketchrnn

import (
	"reflect"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
)

// Distill keeps only drawings the model ended itself, within the length bounds, and the same
// options give the same drawings.
func TestDistill(t *testing.T) {
	m := NewModel(unconditional(t))
	opt := DistillOptions{N: 6, Temperature: 1, Seed: 3, Batch: 4, MinPoints: 2, MaxPoints: 20}
	a, st, err := Distill(m, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != opt.N || st.Kept != opt.N {
		t.Fatalf("kept %d (stats %+v), want %d", len(a), st, opt.N)
	}
	if st.Drawn != st.Kept+st.TooShort+st.Unended+st.TooLong {
		t.Errorf("stats do not add up: %+v", st)
	}
	for i, d := range a {
		if len(d) < opt.MinPoints || len(d) > opt.MaxPoints {
			t.Errorf("drawing %d has %d points, outside %d..%d", i, len(d), opt.MinPoints, opt.MaxPoints)
		}
	}
	b, _, err := Distill(m, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("the same options gave other drawings")
	}
	opt.Seed = 4
	c, _, err := Distill(m, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("another seed gave the same drawings")
	}
}

func TestDistillRefusesBadOptions(t *testing.T) {
	m := NewModel(unconditional(t))
	for _, opt := range []DistillOptions{{N: 0, Temperature: 1}, {N: 1, Temperature: 0}} {
		if _, _, err := Distill(m, opt, nil); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	// A bound no drawing can meet stops after a bounded number of batches, with an error.
	if _, _, err := Distill(m, DistillOptions{N: 1, Temperature: 1, MinPoints: 1000, Batch: 2}, nil); err == nil {
		t.Error("MinPoints above MaxLen: no error")
	}
}

// The judge: a teacher finds its own class's drawings more likely than another class's, and
// the size normalisation makes a drawing's score independent of how large it was drawn.
func TestPointNLLPrefersOwnClass(t *testing.T) {
	sheep, bird := NewModel(readGen(t, "sheep.gen.json")), NewModel(readGen(t, "bird.gen.json"))
	size, err := TypicalSize(sheep, JudgeSizeSamples, 0.45, 99)
	if err != nil {
		t.Fatal(err)
	}
	if size < 20 || size > 2000 {
		t.Fatalf("typical sheep size %v", size)
	}
	own, _, err := Distill(sheep, DistillOptions{N: 12, Temperature: 0.45, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := Distill(bird, DistillOptions{N: 12, Temperature: 0.45, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := PointNLL(sheep, own, size)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := PointNLL(sheep, other, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("under the sheep teacher (size %.1f): sheep %.3f nats/point (offsets %.3f, pen %.3f), birds %.3f", size, js.NLL, js.Offsets, js.Pen, jb.NLL)
	if !(js.NLL+0.3 < jb.NLL) {
		t.Errorf("sheep %.3f, birds %.3f: the sheep teacher should find its own sheep clearly more likely", js.NLL, jb.NLL)
	}
	if js.Points <= js.Drawings || js.Drawings != len(own) {
		t.Errorf("judgement %+v of %d drawings", js, len(own))
	}
	big := make([]sketch.Drawing, len(own))
	for i, d := range own {
		big[i] = d.Scale(3)
	}
	jbig, err := PointNLL(sheep, big, size)
	if err != nil {
		t.Fatal(err)
	}
	if d := jbig.NLL - js.NLL; d > 1e-3 || d < -1e-3 {
		t.Errorf("3x larger drawings score %.4f, as drawn %.4f: the size should not count", jbig.NLL, js.NLL)
	}
}
