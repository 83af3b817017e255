package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// stroke drags over c through the points, as the driver reports a drag: each event carries the
// move since the previous one, the first from where the pointer went down.
func stroke(c *HandCanvas, pts ...fyne.Position) {
	for i := 1; i < len(pts); i++ {
		d := pts[i].Subtract(pts[i-1])
		c.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pts[i]}, Dragged: fyne.Delta{DX: d.X, DY: d.Y}})
	}
	c.DragEnd()
}

func TestHandCanvasStrokes(t *testing.T) {
	c := NewHandCanvas()
	changes := 0
	c.OnChange = func() { changes++ }
	stroke(c, fyne.NewPos(10, 10), fyne.NewPos(50, 10), fyne.NewPos(50.5, 10.5), fyne.NewPos(50, 60))
	c.Tapped(&fyne.PointEvent{Position: fyne.NewPos(30, 30)})
	stroke(c, fyne.NewPos(0, 0), fyne.NewPos(5, 5))
	want := [][][2]float32{{{10, 10}, {50, 10}, {50, 60}}, {{30, 30}}, {{0, 0}, {5, 5}}}
	if got := c.Lines(); !slices.EqualFunc(got, want, func(a, b [][2]float32) bool { return slices.Equal(a, b) }) {
		t.Fatalf("lines %v, want %v (a move under a pixel adds no point)", got, want)
	}
	c.UndoStroke()
	if len(c.Lines()) != 2 {
		t.Errorf("after UndoStroke: %d lines, want 2", len(c.Lines()))
	}
	c.Clear()
	if !c.Empty() || changes != 5 {
		t.Errorf("after Clear: empty %v, %d changes reported, want 5", c.Empty(), changes)
	}
}

// TestDrawCorner draws a corner through the corner menu's dialog: the corner gets the drawing as
// sketch.FromHand makes it, and is named; Cancel keeps the sheet, an empty sheet says so.
func TestDrawCorner(t *testing.T) {
	f := newFixture(t)
	f.w.tabs.SelectIndex(1)
	tab := f.w.sketch.paletteTab
	before := tab.pal.Corners()[palette.BottomRight].Z

	var draw *fyne.MenuItem
	for _, it := range tab.cornerMenu(palette.BottomRight).Items {
		if it.Label == "Draw…" {
			draw = it
		}
	}
	if draw == nil {
		t.Fatal("the sketch corner menu has no Draw… item")
	}
	for _, it := range f.w.melody.cornerMenu(palette.BottomRight).Items {
		if it.Label == "Draw…" {
			t.Error("the melody corner menu offers Draw…")
		}
	}

	open := func() (fyne.CanvasObject, *HandCanvas) {
		draw.Action()
		dlg := f.w.win.Canvas().Overlays().Top()
		for _, o := range test.LaidOutObjects(dlg) {
			if c, ok := o.(*HandCanvas); ok {
				return dlg, c
			}
		}
		t.Fatal("the Draw dialog has no sheet")
		return nil, nil
	}

	dlg, sheet := open()
	test.Tap(findButton(t, dlg, "Use it"))
	if top := f.w.win.Canvas().Overlays().Top(); top == nil || findLabelled(top, "Nothing drawn") == false {
		t.Fatal("using an empty sheet did not say that nothing was drawn")
	}
	f.w.win.Canvas().Overlays().Remove(f.w.win.Canvas().Overlays().Top())

	dlg, sheet = open()
	body := []fyne.Position{{X: 40, Y: 60}, {X: 200, Y: 60}, {X: 200, Y: 140}, {X: 40, Y: 140}, {X: 40, Y: 60}}
	stroke(sheet, body...)
	test.Tap(findButton(t, dlg, "Cancel"))
	dlg, sheet = open()
	if len(sheet.Lines()) != 1 {
		t.Fatalf("after Cancel the sheet holds %d strokes, want the one drawn", len(sheet.Lines()))
	}
	stroke(sheet, fyne.NewPos(60, 140), fyne.NewPos(60, 180))
	want, err := sketch.FromHand(sheet.Lines())
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, dlg, "Use it"))
	f.settle()
	c := tab.pal.Corners()[palette.BottomRight]
	if !slices.Equal(c.Item, want) || slices.Equal(c.Z, before) {
		t.Errorf("the corner holds %v (z changed: %v), want the hand drawing %v", c.Item, !slices.Equal(c.Z, before), want)
	}
	if got := tab.pad.labels[palette.BottomRight]; got != "Drawn" {
		t.Errorf("corner named %q, want Drawn", got)
	}
	if !sheet.Empty() {
		t.Error("the sheet was not cleared after its drawing was used")
	}
}

// findLabelled reports whether a label or text under o reads s.
func findLabelled(o fyne.CanvasObject, s string) bool {
	for _, obj := range test.LaidOutObjects(o) {
		if l, ok := obj.(*widget.Label); ok && l.Text == s {
			return true
		}
	}
	return false
}
