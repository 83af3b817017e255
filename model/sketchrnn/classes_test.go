package sketchrnn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
)

// FitClasses places each class where its drawings encode, and the metadata round-trips.
func TestClasses(t *testing.T) {
	m := NewModel(tinyModel(t, 3))
	rng := rand.New(rand.NewPCG(1, 1))
	var items []sketch.Item
	for i := range 12 {
		word := "long"
		n := 30
		if i%2 == 0 {
			word, n = "short", 4
		}
		items = append(items, sketch.Item{Word: word, Drawing: randomDrawing(n, rng)})
	}
	items = append(items, sketch.Item{Drawing: randomDrawing(5, rng)}) // no word: skipped
	c, err := FitClasses(m, items)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Names, ",") != "long,short" {
		t.Fatalf("classes %v", c.Names)
	}
	for i, name := range c.Names {
		if j, d := c.Nearest(c.Mean[i]); j != i || d != 0 {
			t.Errorf("the centre of %s is nearest to %s at %v", name, c.Names[j], d)
		}
	}
	far := make([]float32, m.ZSize())
	for k := range far {
		far[k] = 1000
	}
	if _, d := c.Nearest(far); d < 100 {
		t.Errorf("a z far from every class is at distance %v", d)
	}
	if i, err := c.Index("SHORT"); err != nil || i != 1 {
		t.Errorf("Index(SHORT) = %d, %v", i, err)
	}
	if _, err := c.Index("cat"); err == nil || !strings.Contains(err.Error(), "long, short") {
		t.Errorf("Index(cat): %v, want an error listing the classes", err)
	}
	v, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadClasses(v, m.ZSize())
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Names) != 2 || back.Mean[1][0] != c.Mean[1][0] || back.Std[0][2] != c.Std[0][2] {
		t.Error("classes changed on the way through the metadata")
	}
	if z := back.Sample(0, rng); len(z) != m.ZSize() {
		t.Errorf("a sample of %d values", len(z))
	}
	for _, bad := range []string{"{", `{"names":["a"],"mean":[],"std":[]}`, `{"names":["a"],"mean":[[1]],"std":[[1]]}`} {
		if _, err := ReadClasses(bad, m.ZSize()); err == nil {
			t.Errorf("ReadClasses(%q): no error", bad)
		}
	}
}

// FuzzReadClasses: metadata from a model file never panics, and what it accepts has the shape
// the model needs.
func FuzzReadClasses(f *testing.F) {
	f.Add(`{"names":["a"],"mean":[[1,2]],"std":[[0.5,1]]}`, 2)
	f.Add(`{"names":["a","b"],"mean":[[1,2]],"std":[[0.5,1]]}`, 2)
	f.Add(`{"names":["a"],"mean":[[1e39,2]],"std":[[-1,1]]}`, 2)
	f.Add("", 4)
	f.Fuzz(func(t *testing.T, s string, z int) {
		if z < 0 || z > 64 {
			return
		}
		c, err := ReadClasses(s, z)
		if err != nil {
			return
		}
		for i := range c.Names {
			if len(c.Mean[i]) != z || len(c.Std[i]) != z {
				t.Fatalf("class %d accepted with %d values for z %d", i, len(c.Mean[i]), z)
			}
		}
	})
}
