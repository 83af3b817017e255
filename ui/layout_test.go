package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// clipped lists the shown widgets and containers under o (o's parent at the absolute position
// at) that are smaller than they ask to be or reach outside a canvas of size c. Content in a
// scroll container may be larger than the scroller: only the scroller itself is checked.
func clipped(o fyne.CanvasObject, at fyne.Position, c fyne.Size, path string, out *[]string) {
	if !o.Visible() {
		return
	}
	pos, size := at.Add(o.Position()), o.Size()
	name := fmt.Sprintf("%s/%T", path, o)
	if l, ok := o.(*widget.Label); ok {
		name += fmt.Sprintf("(%q)", l.Text)
	}
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *container.Scroll:
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	default:
		return // a canvas primitive draws what it is given
	}
	const slack = 0.5
	if m := o.MinSize(); size.Width+slack < m.Width || size.Height+slack < m.Height {
		*out = append(*out, fmt.Sprintf("%s: %.0fx%.0f, needs %.0fx%.0f", name, size.Width, size.Height, m.Width, m.Height))
	}
	if pos.X < -slack || pos.Y < -slack || pos.X+size.Width > c.Width+slack || pos.Y+size.Height > c.Height+slack {
		*out = append(*out, fmt.Sprintf("%s: at %.0f,%.0f size %.0fx%.0f, outside the %.0fx%.0f window", name, pos.X, pos.Y, size.Width, size.Height, c.Width, c.Height))
	}
	if _, ok := o.(*Pad); ok {
		return // the pad lays out its tiles itself, a quarter of its side each
	}
	for _, ch := range children {
		clipped(ch, pos, c, name, out)
	}
}

// TestLayoutHolds: at the window's minimum size, at 1920x1080 and at 4K, on every tab and with a
// kept result, no widget is squeezed below its minimum size or reaches outside the window.
func TestLayoutHolds(t *testing.T) {
	f := newFixture(t)
	c := f.w.win.Canvas()
	minimum := minWindow(f.w)
	t.Logf("the window's minimum size: %.0fx%.0f", minimum.Width, minimum.Height)
	for _, size := range []fyne.Size{minimum, fyne.NewSize(1920, 1080), fyne.NewSize(3840, 2160)} {
		for tab := range 3 {
			f.w.tabs.SelectIndex(tab)
			f.w.win.Resize(size)
			f.settle()
			var bad []string
			clipped(f.w.win.Content(), fyne.NewPos(0, 0), c.Size(), "", &bad)
			for _, b := range bad {
				t.Errorf("%.0fx%.0f, tab %d: %s", size.Width, size.Height, tab, b)
			}
		}
	}
}

// minWindow is the window's minimum size: its content's and the padding around it.
func minWindow(w *window) fyne.Size {
	return w.win.Content().MinSize().AddWidthHeight(2*theme.Padding(), 2*theme.Padding())
}

// TestKeepMovesNothing: the first kept result takes the place saved for it; no control moves.
func TestKeepMovesNothing(t *testing.T) {
	f := newFixture(t)
	f.w.win.Resize(minWindow(f.w))
	f.settle()
	positions := func() map[fyne.CanvasObject]fyne.Position {
		m := map[fyne.CanvasObject]fyne.Position{}
		for _, o := range test.LaidOutObjects(f.w.melody.content) {
			if _, ok := o.(fyne.Widget); ok {
				m[o] = fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			}
		}
		return m
	}
	before := positions()
	test.TapAt(f.w.melody.pad, fyne.NewPos(100, 300))
	f.settle()
	test.Tap(findButton(t, f.w.melody.content, "Keep"))
	f.settle()
	if len(f.w.melody.pinned.Objects) != 1 {
		t.Fatal("nothing kept")
	}
	moved := 0
	for o, p := range positions() {
		if q, ok := before[o]; ok && q != p {
			moved++
			t.Errorf("%T moved from %v to %v", o, q, p)
		}
	}
	if len(before) < 10 {
		t.Fatalf("only %d widgets found", len(before))
	}
}

// TestMenusInsideWindow: a corner's menu opened at the bottom edge, and the "All kept…" menu,
// lie inside the window.
func TestMenusInsideWindow(t *testing.T) {
	f := newFixture(t)
	c := f.w.win.Canvas()
	f.w.win.Resize(minWindow(f.w))
	f.settle()
	inside := func(what string) {
		t.Helper()
		top := c.Overlays().Top()
		if top == nil {
			t.Fatalf("%s: no menu shown", what)
		}
		var bad []string
		for _, o := range test.WidgetRenderer(top.(fyne.Widget)).Objects() {
			clipped(o, top.Position(), c.Size(), what, &bad)
		}
		for _, b := range bad {
			t.Error(b)
		}
		c.Overlays().Remove(top)
	}
	size := c.Size()
	f.w.melody.showCornerMenu(3, fyne.NewPos(size.Width-5, size.Height-5))
	inside("the corner menu at the bottom right")
	o, side := square(f.w.melody.pad.Size())
	tp, ts := tileRect(3, o, side)
	test.TapSecondaryAt(f.w.melody.pad, tp.AddXY(ts.Width-4, ts.Height-4))
	inside("the corner menu on a right click")
	test.Tap(findButton(t, f.w.melody.content, "All kept…"))
	inside("the All kept… menu")
}
