package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/sketch"
)

// The ten class examples the window's animal corners start with (assets/examples/classes.ndjson)
// are our code's output: palette sketch distill, eight drawings a class at temperature 0.3 with
// seed 4 (no training split uses it), of which one a class was picked by eye. Distilling again
// gives every committed drawing back, point for point, under its key.
func TestClassExamplesAreDistilled(t *testing.T) {
	args := []string{"sketch", "distill", "-n", "8", "--temperature", "0.3", "--seed", "4"}
	for _, c := range []string{"bear", "bird", "dog", "dolphin", "hedgehog", "monkey", "parrot", "rabbit", "sheep", "tiger"} {
		args = append(args, "--teacher", shared.Data(t, "sketch-rnn-models/"+c+".gen.json"))
	}
	out := filepath.Join(t.TempDir(), "distilled.ndjson")
	sketchRun(t, 0, append(args, "-o", out)...)
	read := func(path string) map[string]sketch.Item {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		items, err := sketch.ReadNDJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]sketch.Item{}
		for _, it := range items {
			byKey[it.KeyID] = it
		}
		return byKey
	}
	distilled, committed := read(out), read(filepath.Join("..", "assets", "examples", "classes.ndjson"))
	if len(committed) != 10 {
		t.Fatalf("%d class examples committed, want 10", len(committed))
	}
	for key, it := range committed {
		d, ok := distilled[key]
		if !ok || d.Word != it.Word || !slices.Equal(d.Drawing, it.Drawing) {
			t.Errorf("class example %s (%s) is not what palette sketch distill draws under that key", key, it.Word)
		}
	}
}
