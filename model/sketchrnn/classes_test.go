package sketchrnn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
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
	// A sample of a class lies at one of its anchors, give or take the posterior's spread:
	// nearer to that anchor than to the class's mean, as a Gaussian sample would not be.
	for i := range back.Names {
		if len(back.Anchors[i]) == 0 || len(back.Anchors[i]) > 6 || len(back.Spread[i]) != m.ZSize() {
			t.Fatalf("class %s: %d anchors, spread of %d values", back.Names[i], len(back.Anchors[i]), len(back.Spread[i]))
		}
		for range 20 {
			z := back.Sample(i, rng)
			near := math.Inf(1)
			for _, a := range back.Anchors[i] {
				near = min(near, dist(z, a))
			}
			var spread float64
			for _, s := range back.Spread[i] {
				spread += float64(s) * float64(s)
			}
			if near > 4*math.Sqrt(spread) {
				t.Errorf("class %s: a sample %.3g from its nearest anchor, the spread is %.3g", back.Names[i], near, math.Sqrt(spread))
			}
		}
	}
	// Classes fitted before anchors existed still sample, from the Gaussian.
	old := Classes{Names: back.Names, Mean: back.Mean, Std: back.Std}
	v, _ = old.Encode()
	if o, err := ReadClasses(v, m.ZSize()); err != nil || o.Anchors != nil || len(o.Sample(1, rng)) != m.ZSize() {
		t.Errorf("classes without anchors: %v", err)
	}
	for _, bad := range []string{"{", `{"names":["a"],"mean":[],"std":[]}`, `{"names":["a"],"mean":[[1]],"std":[[1]]}`,
		`{"names":["a"],"mean":[[1,2,3]],"std":[[1,1,1]],"anchors":[[[1,2]]],"spread":[[1,1,1]]}`,
		`{"names":["a"],"mean":[[1,2,3]],"std":[[1,1,1]],"anchors":[[]],"spread":[[1,1,1]]}`,
		`{"names":["a"],"mean":[[1,2,3]],"std":[[1,1,1]],"anchors":[[[1,2,3]]]}`} {
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
	f.Add(`{"names":["a"],"mean":[[1,2]],"std":[[0.5,1]],"anchors":[[[1,2],[0,0]]],"spread":[[0.1,0.1]]}`, 2)
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
			if c.Anchors != nil && (len(c.Anchors[i]) == 0 || len(c.Spread[i]) != z) {
				t.Fatalf("class %d accepted with %d anchors and a spread of %d values", i, len(c.Anchors[i]), len(c.Spread[i]))
			}
		}
	})
}

func dist(a, b []float32) float64 {
	var d float64
	for k := range a {
		e := float64(a[k]) - float64(b[k])
		d += e * e
	}
	return math.Sqrt(d)
}

// With a score, the anchors are the candidates whose decodings score best.
func TestClassesScoredAnchors(t *testing.T) {
	m := NewModel(tinyModel(t, 3))
	rng := rand.New(rand.NewPCG(2, 2))
	var items []sketch.Item
	for i := range 2 * (MaxAnchors + 30) {
		word, n := "long", 20+i%17
		if i%2 == 0 {
			word, n = "short", 4+i%5
		}
		items = append(items, sketch.Item{Word: word, Drawing: randomDrawing(n, rng)})
	}
	calls := 0
	length := func(class string, d sketch.Drawing) (float64, error) {
		calls++
		return float64(len(d)), nil
	}
	c, err := FitClassesWith(m, items, FitOptions{Score: length})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Fatal("the score was never asked")
	}
	greedyLen := func(zs [][]float32) float64 {
		ds, err := m.Decode(zs, vae.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var n float64
		for _, d := range ds {
			n += float64(len(d))
		}
		return n / float64(len(ds))
	}
	chosen := 0
	for i, name := range c.Names {
		if len(c.Anchors[i]) == 0 || len(c.Anchors[i]) > MaxAnchors {
			t.Fatalf("%s: %d anchors", name, len(c.Anchors[i]))
		}
		if len(c.Anchors[i]) < MaxAnchors {
			continue // fewer candidates nearest their own class than anchors: all are kept
		}
		chosen++
		var all [][]float32
		for _, it := range items {
			if it.Word == name {
				z, err := m.Encode([]sketch.Drawing{it.Drawing})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, z[0])
			}
		}
		if a, b := greedyLen(c.Anchors[i]), greedyLen(all); a > b {
			t.Errorf("%s: the anchors decode to %.1f points on average, all drawings to %.1f: the shortest should be chosen", name, a, b)
		}
	}
	if chosen == 0 {
		t.Error("no class had more candidates than anchors: nothing was chosen")
	}
}

// SampleAny draws from every class, each about as often, and each draw is one of that class's
// anchors widened by its spread.
func TestSampleAny(t *testing.T) {
	c := Classes{Names: []string{"a", "b", "c"}}
	for i := range c.Names {
		a := []float32{float32(10 * i), 0}
		c.Mean = append(c.Mean, a)
		c.Std = append(c.Std, []float32{1, 1})
		c.Anchors = append(c.Anchors, [][]float32{a})
		c.Spread = append(c.Spread, []float32{0.1, 0.1})
	}
	rng := rand.New(rand.NewPCG(1, 1))
	count := map[int]int{}
	for range 300 {
		z := c.SampleAny(rng)
		i, d := c.Nearest(z)
		if d > 1 {
			t.Fatalf("a draw %v lies %v from the nearest class", z, d)
		}
		count[i]++
	}
	for i := range c.Names {
		if count[i] < 70 || count[i] > 130 {
			t.Errorf("class %s drawn %d times of 300", c.Names[i], count[i])
		}
	}
}
