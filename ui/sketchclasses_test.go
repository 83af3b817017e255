package ui

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/palette/standin"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
	"github.com/latentpalette/palette/model/vae"
)

// twoClasses places two classes, "bird" and "dog", in the stand-in's latent space: each has one
// anchor (its Encode of a corner's item) and no spread, so a sample of a class is its anchor.
func twoClasses(t *testing.T, f *fixture) sketchrnn.Classes {
	t.Helper()
	Z := standin.Sketch{}.ZSize()
	c := sketchrnn.Classes{Names: []string{"bird", "dog"}}
	for i := range c.Names {
		z := f.w.sketch.pal.Corners()[i].Z
		ones := make([]float32, Z)
		for k := range ones {
			ones[k] = 1
		}
		c.Mean = append(c.Mean, z)
		c.Std = append(c.Std, ones)
		c.Anchors = append(c.Anchors, [][]float32{z})
		c.Spread = append(c.Spread, make([]float32, Z))
	}
	return c
}

// A sketch model of several classes: Random offers each class, a sample of a class lands on the
// class and names the corner after it, the tiles name the class each corner lies nearest, and
// the Draw dialog's hint names them all.
func TestSketchClasses(t *testing.T) {
	plain := newFixture(t)
	classes := twoClasses(t, plain) // where the example corners lie in the stand-in's space
	f := newFixtureWith(t, "", func(o *options) {
		o.sketchChoices = []sketchChoice{{label: "Two", model: o.sketchModel, classes: classes, note: "spy"}}
	})
	s := f.w.sketch.paletteTab

	random := s.cornerMenu(3).Items[1]
	if random.Label != "Random" || random.ChildMenu == nil {
		t.Fatalf("the corner menu's second item is %q with submenu %v, want Random with the classes", random.Label, random.ChildMenu)
	}
	var labels []string
	for _, it := range random.ChildMenu.Items {
		labels = append(labels, it.Label)
	}
	if got := strings.Join(labels, ","); got != "Any,,Bird,Dog" {
		t.Fatalf("Random offers %s, want Any, a separator, Bird, Dog", got)
	}
	random.ChildMenu.Items[3].Action() // Dog
	f.until(t, "the corner becomes a dog", func() bool { return s.cornerName(3) == "Dog" })
	c := s.pal.Corners()[3]
	if i, d := classes.Nearest(c.Z); classes.Names[i] != "dog" || d != 0 {
		t.Errorf("a dog sampled at %s, distance %v", classes.Names[i], d)
	}
	f.until(t, "the tile names the class", func() bool { return strings.HasPrefix(s.known[3].Text, "dog (0.0)") })
	// Any draws from one of the classes (a multi-class model's prior scribbles), not from N(0, I).
	random.ChildMenu.Items[0].Action()
	f.until(t, "Any sets a corner", func() bool { return s.cornerName(3) == "Random" })
	if _, d := classes.Nearest(s.pal.Corners()[3].Z); d != 0 {
		t.Errorf("Any sampled a vector at distance %v from the nearest class, want on one (the classes have no spread)", d)
	}
	if got := s.known[0].Text; !strings.HasPrefix(got, "bird (0.0)") {
		t.Errorf("the top-left tile says %q, want the bird it is", got)
	}

	// A corner far from both classes still encodes; its tile says how far.
	far := make([]float32, len(c.Z))
	for k := range far {
		far[k] = 50
	}
	s.pal.RandomFrom(2, "Far", func(*rand.Rand) []float32 { return far })
	f.until(t, "the far corner is set", func() bool { return s.cornerName(2) == "Far" })
	f.until(t, "the tile says it is far", func() bool { return strings.HasPrefix(s.known[2].Text, "far from every class") })

	if got := knowsHint(classes.Names); got != "The model knows bird and dog: draw one of them." {
		t.Errorf("hint %q", got)
	}
	if got := knowsHint([]string{"sheep"}); !strings.Contains(got, "sheep") {
		t.Errorf("hint %q", got)
	}
	if f.w.sketch.topRight != nil {
		t.Error("a model picker with one model to pick")
	}
	// A model of one subject keeps a plain Random.
	if it := plain.w.sketch.cornerMenu(0).Items[1]; it.ChildMenu != nil || it.Action == nil {
		t.Error("a model without classes offers classes")
	}
}

// The model picker: switching to a model of four classes makes the example corners four
// classes, Random offers them, the status line names the model; the session remembers it.
func TestSketchModelPicker(t *testing.T) {
	Z := standin.Sketch{}.ZSize()
	four := sketchrnn.Classes{Names: []string{"bird", "dog", "dolphin", "rabbit"}}
	for i := range four.Names {
		z, ones := make([]float32, Z), make([]float32, Z)
		z[0] = float32(10 * i)
		for k := range ones {
			ones[k] = 1
		}
		four.Mean, four.Std = append(four.Mean, z), append(four.Std, ones)
		four.Anchors, four.Spread = append(four.Anchors, [][]float32{z}), append(four.Spread, make([]float32, Z))
	}
	choices := func(o *options) {
		o.sketchChoices = []sketchChoice{{label: "Sheep", model: o.sketchModel, note: "sheep model"}, {label: "Animals", model: o.sketchModel, classes: four, note: "animals model"}}
	}
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path, choices)
	s := f.w.sketch
	if s.topRight == nil {
		t.Fatal("no model picker with two models")
	}
	if s.cornerName(0) != "Woolly" || s.cornerMenu(0).Items[1].ChildMenu != nil {
		t.Fatalf("the sheep model starts with %q and a class menu", s.cornerName(0))
	}
	s.switchModel(1)
	f.until(t, "the examples of the animals", func() bool { return s.cornerName(0) == "Rabbit" && s.cornerName(3) == "Bird" })
	// The example corners are the model's own drawings of its classes' first anchors.
	want, err := standin.Sketch{}.Decode([][]float32{four.Anchors[3][0]}, vae.DecodeOptions{Temperature: 0.2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.pal.Corners()[0].Item, want[0]) {
		t.Error("the Rabbit corner is not the model's drawing of the rabbit's first anchor")
	}
	if s.cornerMenu(0).Items[1].ChildMenu == nil || !strings.HasPrefix(s.status.Text, "animals model") {
		t.Errorf("after the switch: class menu %v, status %q", s.cornerMenu(0).Items[1].ChildMenu != nil, s.status.Text)
	}
	f.settle()
	f.w.saver.flush()

	g := newFixtureWith(t, path, choices)
	if g.w.sketch.chosen != 1 || g.w.sketch.cornerName(0) != "Rabbit" || !strings.HasPrefix(g.w.sketch.status.Text, "animals model") {
		t.Errorf("restored: model %d, corner %q, status %q; want the animals", g.w.sketch.chosen, g.w.sketch.cornerName(0), g.w.sketch.status.Text)
	}
	// A corner of the user's own stays when the model changes.
	hand, err := sketch.FromHand([][][2]float32{{{0, 0}, {100, 0}, {100, 60}}})
	if err != nil {
		t.Fatal(err)
	}
	g.w.sketch.pal.SetNamedCorner(2, hand, "Drawn")
	g.settle()
	g.w.sketch.switchModel(0)
	g.settle()
	if g.w.sketch.cornerName(2) != "Drawn" || g.w.sketch.cornerName(0) != "Rabbit" || g.w.sketch.cornerMenu(0).Items[1].ChildMenu != nil {
		t.Errorf("after switching back: corners %q, %q", g.w.sketch.cornerName(0), g.w.sketch.cornerName(2))
	}
}
