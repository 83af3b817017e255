package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/latentpalette/palette/model/melody"
)

// TestKeptRowIsThePalettesList: the row of kept results shows the palette's list in its order;
// removing one from the middle leaves the row and the palette agreeing, and each cell still shows
// (and removes) its own result.
func TestKeptRowIsThePalettesList(t *testing.T) {
	f := newFixture(t)
	m := f.w.melody
	var kept []melody.Melody
	for _, u := range []float64{0.1, 0.45, 0.9} {
		m.moveTo(u, 0.3)
		f.settle()
		m.pin()
		kept = append(kept, m.current)
	}
	tap := func(i int) {
		for _, o := range test.LaidOutObjects(m.pinned.Objects[i]) {
			if b, ok := o.(*keptButton); ok {
				test.Tap(b)
				return
			}
		}
		t.Fatalf("no button in cell %d", i)
	}
	agree := func(want []melody.Melody) {
		t.Helper()
		pinned := m.pal.Pinned()
		if len(pinned) != len(want) || len(m.pinned.Objects) != len(want) {
			t.Fatalf("%d kept, %d cells, want %d", len(pinned), len(m.pinned.Objects), len(want))
		}
		for i := range want {
			if !slices.Equal(pinned[i].Item, want[i]) {
				t.Errorf("the palette's kept result %d is not the one kept", i+1)
			}
			tap(i)
			if !slices.Equal(m.current, want[i]) {
				t.Errorf("cell %d shows another result", i+1)
			}
		}
	}
	agree(kept)
	var remove *fyne.MenuItem
	for _, o := range test.LaidOutObjects(m.pinned.Objects[1]) {
		if b, ok := o.(*keptButton); ok {
			remove = b.menu.Items[1]
		}
	}
	remove.Action()
	agree([]melody.Melody{kept[0], kept[2]})
}
