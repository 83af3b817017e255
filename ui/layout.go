package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// atLeast lays its objects over the whole space and asks for at least min: a slider that
// keeps a usable length, a label that keeps the width of its longest text, a row that keeps its
// height while empty.
type atLeast struct{ min fyne.Size }

func (l atLeast) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(s)
	}
}

func (l atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := l.min
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// sliderMinWidth is the shortest a slider gets: room to aim at a value.
const sliderMinWidth = 120

// textWidth is the width a label needs for the longest of texts, with the label's padding.
func textWidth(texts ...string) float32 {
	var w float32
	for _, s := range texts {
		w = max(w, fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	return w + 2*theme.InnerPadding()
}

// splitLayout gives the first object (the pad) a square as tall as the space, at most 60% of the
// width, and never so wide that the second (the side panel) gets less than it needs; the second
// gets the rest.
type splitLayout struct{}

func (splitLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	side := max(a.Width, min(s.Height, s.Width*0.6, s.Width-b.Width))
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(side, s.Height))
	objs[1].Move(fyne.NewPos(side, 0))
	objs[1].Resize(fyne.NewSize(s.Width-side, s.Height))
}

func (splitLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}

// showMenu opens menu m at at (on canvas c), moved up and left as far as it takes to lie inside
// the window: Fyne places a pop-up menu before it knows the menu's size.
func showMenu(m *fyne.Menu, c fyne.Canvas, at fyne.Position) {
	p := widget.NewPopUpMenu(m, c)
	size, area := p.MinSize(), c.Size()
	at.X = max(0, min(at.X, area.Width-size.Width))
	at.Y = max(0, min(at.Y, area.Height-size.Height))
	p.ShowAtPosition(at)
}
