package palette_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/vae"
)

// numbers is a model of one-number items: the vector is the number, repeated.
type numbers struct{ fail func(x int) bool }

func (numbers) ZSize() int { return 2 }
func (m numbers) Encode(items []int) ([][]float32, error) {
	zs := make([][]float32, len(items))
	for i, x := range items {
		if m.fail != nil && m.fail(x) {
			return nil, errors.New("cannot encode")
		}
		zs[i] = []float32{float32(x), float32(x)}
	}
	return zs, nil
}
func (numbers) Decode(zs [][]float32, _ vae.DecodeOptions) ([]int, error) {
	out := make([]int, len(zs))
	for i, z := range zs {
		out[i] = int(z[0] + 0.5)
	}
	return out, nil
}

type recorder struct {
	mu     sync.Mutex
	errs   []error
	labels [4]string
}

func newNumbers(t *testing.T, m numbers) (*palette.Palette[int], *recorder) {
	r := &recorder{}
	p := palette.New[int](m, palette.Options[int]{
		OnCorners: func(c [4]palette.Corner[int]) {
			r.mu.Lock()
			for i := range c {
				r.labels[i] = c[i].Name
			}
			r.mu.Unlock()
		},
		OnError: func(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() },
	})
	t.Cleanup(p.Close)
	return p, r
}

func names(p *palette.Palette[int]) (items [4]int, ns [4]string) {
	for i, c := range p.Corners() {
		items[i], ns[i] = c.Item, c.Name
	}
	return
}

// TestNamesTravelWithItems: a corner's name is set with its item, only when the item is encoded,
// and Undo brings back the item and its name together.
func TestNamesTravelWithItems(t *testing.T) {
	p, r := newNumbers(t, numbers{fail: func(x int) bool { return x < 0 }})
	p.SetNamedCorners([4]int{1, 2, 3, 4}, [4]string{"a", "b", "c", "d"})
	p.SetNamedCorner(0, 10, "ten")
	p.SetNamedCorner(0, -1, "bad") // fails to encode: neither item nor name changes
	p.Wait()
	if items, ns := names(p); items != [4]int{10, 2, 3, 4} || ns != [4]string{"ten", "b", "c", "d"} {
		t.Fatalf("corners %v %q", items, ns)
	}
	if len(r.errs) != 1 {
		t.Errorf("%d errors, want the failed encode's", len(r.errs))
	}
	if r.labels != [4]string{"ten", "b", "c", "d"} {
		t.Errorf("OnCorners named them %q", r.labels)
	}
	p.Random(1)
	p.Wait()
	if _, ns := names(p); ns[1] != "Random" {
		t.Errorf("Random named the corner %q", ns[1])
	}
	if h := p.History(0); len(h) != 1 || h[0] != (palette.Named[int]{Item: 1, Name: "a"}) {
		t.Errorf("corner 1's history %v", h)
	}
	p.Undo(0)
	p.Undo(1)
	p.Wait()
	if items, ns := names(p); items != [4]int{1, 2, 3, 4} || ns != [4]string{"a", "b", "c", "d"} {
		t.Errorf("after Undo: %v %q", items, ns)
	}
}

// TestRestore puts back corners with their histories; Undo walks back through them.
func TestRestore(t *testing.T) {
	p, _ := newNumbers(t, numbers{})
	p.SetNamedCorners([4]int{9, 9, 9, 9}, [4]string{"x", "x", "x", "x"})
	hist := [4][]palette.Named[int]{{{Item: 5, Name: "five"}, {Item: 6, Name: "six"}}, nil, {{Item: 7, Name: "seven"}}, nil}
	p.Restore([4]palette.Named[int]{{Item: 1, Name: "a"}, {Item: 2, Name: "b"}, {Item: 3, Name: "c"}, {Item: 4, Name: "d"}}, hist)
	p.Wait()
	if items, ns := names(p); items != [4]int{1, 2, 3, 4} || ns != [4]string{"a", "b", "c", "d"} {
		t.Fatalf("restored %v %q", items, ns)
	}
	for i := range 4 {
		if got := p.History(i); !slices.Equal(got, hist[i]) && (len(got) != 0 || len(hist[i]) != 0) {
			t.Errorf("corner %d's history %v, want %v", i+1, got, hist[i])
		}
	}
	p.Undo(0)
	p.Wait()
	c := p.Corners()[0]
	if c.Item != 6 || c.Name != "six" || c.Z[0] != 6 {
		t.Errorf("after Undo corner 1 is %d %q z %v", c.Item, c.Name, c.Z)
	}
	p.Undo(0)
	p.Undo(0)
	p.Undo(0) // nothing left: no change
	p.Wait()
	if c := p.Corners()[0]; c.Item != 5 || c.Name != "five" || p.CanUndo(0) {
		t.Errorf("after undoing all: corner 1 is %d %q", c.Item, c.Name)
	}
}
