package palette

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func unitCornerSet() [4]Corner[[]float32] {
	var cs [4]Corner[[]float32]
	for i, z := range unitCorners {
		cs[i] = Corner[[]float32]{Item: []float32{z[0] + 100, z[1] + 100}, Z: z, Set: true} // own items differ from decodes
	}
	return cs
}

func TestGridPoints(t *testing.T) {
	for n := MinGridSize; n <= MaxGridSize; n++ {
		pts := GridPoints(n)
		if len(pts) != n*n {
			t.Fatalf("n=%d: %d points", n, len(pts))
		}
		for i := range 4 {
			at := []int{0, n - 1, n * (n - 1), n*n - 1}[i]
			if pts[at] != CornerPoint(i) {
				t.Errorf("n=%d: cell %d is %v, want corner %d %v", n, at, pts[at], i, CornerPoint(i))
			}
		}
		// Row by row from the top, left to right.
		for k := 1; k < len(pts); k++ {
			a, b := pts[k-1], pts[k]
			if !(b.V > a.V || (b.V == a.V && b.U > a.U)) {
				t.Fatalf("n=%d: cell %d %v does not follow %v", n, k, b, a)
			}
		}
	}
}

func TestCheckGridSize(t *testing.T) {
	for _, tc := range []struct {
		n  int
		ok bool
	}{{2, false}, {3, true}, {7, true}, {11, true}, {12, false}, {-1, false}} {
		if err := CheckGridSize(tc.n); (err == nil) != tc.ok {
			t.Errorf("CheckGridSize(%d) = %v", tc.n, err)
		}
	}
}

func TestDecodePoints(t *testing.T) {
	m := &vecModel{size: 2}
	pts := GridPoints(5)
	var calls []int
	items, err := DecodePoints(m, unitCornerSet(), pts, Settings{}, 5, func(done int, items []float32s) bool {
		calls = append(calls, done)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{5, 10, 15, 20, 25}; !equalInts(calls, want) {
		t.Errorf("progress %v, want %v", calls, want)
	}
	for k, pt := range pts {
		want := []float32{float32(pt.U), float32(pt.V)}
		if c := onCorner(pt); c >= 0 {
			want = []float32{want[0] + 100, want[1] + 100} // the corner's own item
		}
		if math.Abs(float64(items[k][0]-want[0])) > 1e-6 || math.Abs(float64(items[k][1]-want[1])) > 1e-6 {
			t.Errorf("cell %d at %v: %v, want %v", k, pt, items[k], want)
		}
	}
	if m.decodes != 5 {
		t.Errorf("%d model calls, want 5 (one per batch)", m.decodes)
	}

	// Cancelling after the second batch stops there.
	items, err = DecodePoints(m, unitCornerSet(), pts, Settings{}, 5, func(done int, _ []float32s) bool { return done < 10 })
	if !errors.Is(err, ErrCancelled) || len(items) != 10 {
		t.Errorf("cancelled: %d items, %v", len(items), err)
	}
	// A corner without an item is refused; a model error is returned.
	cs := unitCornerSet()
	cs[2].Set = false
	if _, err := DecodePoints(m, cs, pts, Settings{}, 0, nil); err == nil {
		t.Error("an empty corner was accepted")
	}
	m.fail = errors.New("boom")
	if _, err := DecodePoints(m, unitCornerSet(), pts, Settings{}, 0, nil); err == nil {
		t.Error("a failing model gave no error")
	}
}

type float32s = []float32

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGridDecoderNewestWins starts a grid, asks for another while the first decodes, and checks
// that only the newest one's updates arrive after it was asked for, and that it finishes.
func TestGridDecoderNewestWins(t *testing.T) {
	m := &vecModel{size: 2, gate: make(chan struct{})}
	var mu sync.Mutex
	var ups []GridUpdate[[]float32]
	g := NewGridDecoder[[]float32](m, func(u GridUpdate[[]float32]) {
		mu.Lock()
		ups = append(ups, u)
		mu.Unlock()
	})
	defer g.Close()
	first := g.Request(unitCornerSet(), 3, Settings{})
	m.gate <- struct{}{} // the first row of the first grid
	second := g.Request(unitCornerSet(), 4, Settings{})
	go func() {
		for range 100 {
			select {
			case m.gate <- struct{}{}:
			case <-time.After(2 * time.Second):
				return
			}
		}
	}()
	g.Wait()
	mu.Lock()
	defer mu.Unlock()
	last := ups[len(ups)-1]
	if last.Seq != second || !last.Finished() || last.Size != 4 || len(last.Items) != 16 {
		t.Fatalf("last update %+v, want grid %d finished with 16 cells", last, second)
	}
	sawSecond := false
	for _, u := range ups {
		if u.Seq == second {
			sawSecond = true
		} else if sawSecond {
			t.Errorf("an update of request %d came after request %d's", u.Seq, second)
		}
		if u.Seq == first && u.Done > 6 {
			t.Errorf("the first grid went on after the second was asked for: %d cells", u.Done)
		}
	}
}

func TestGridDecoderBadSize(t *testing.T) {
	got := make(chan GridUpdate[[]float32], 4)
	g := NewGridDecoder[[]float32](&vecModel{size: 2}, func(u GridUpdate[[]float32]) { got <- u })
	defer g.Close()
	g.Request(unitCornerSet(), 12, Settings{})
	g.Wait()
	if u := <-got; u.Err == nil {
		t.Errorf("size 12: %+v, want an error", u)
	}
}
