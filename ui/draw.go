package ui

import (
	"errors"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// HandCanvas is a sheet to draw on with the mouse (or a pen, or a finger): each drag is one
// stroke. It only keeps the strokes as they were drawn, in its own pixels; sketch.FromHand
// makes a drawing of them.
type HandCanvas struct {
	widget.BaseWidget
	lines    [][][2]float32
	drawing  bool   // a drag is adding to the last line
	OnChange func() // after a stroke is added, removed or cleared
}

// NewHandCanvas returns an empty sheet.
func NewHandCanvas() *HandCanvas {
	c := &HandCanvas{}
	c.ExtendBaseWidget(c)
	return c
}

// Lines returns the strokes drawn so far, oldest first.
func (c *HandCanvas) Lines() [][][2]float32 { return c.lines }

// Empty reports whether nothing has been drawn.
func (c *HandCanvas) Empty() bool { return len(c.lines) == 0 }

// Clear removes every stroke.
func (c *HandCanvas) Clear() {
	c.lines, c.drawing = nil, false
	c.changed()
}

// UndoStroke removes the last stroke.
func (c *HandCanvas) UndoStroke() {
	if n := len(c.lines); n > 0 {
		c.lines, c.drawing = c.lines[:n-1], false
		c.changed()
	}
}

func (c *HandCanvas) changed() {
	c.Refresh()
	if c.OnChange != nil {
		c.OnChange()
	}
}

// Dragged adds the pointer's position to the stroke in progress, or starts one. Points closer
// than a pixel to the previous one add nothing.
func (c *HandCanvas) Dragged(e *fyne.DragEvent) {
	p := [2]float32{e.Position.X, e.Position.Y}
	if !c.drawing {
		// The drag began where the pointer went down, one move before this event.
		start := [2]float32{p[0] - e.Dragged.DX, p[1] - e.Dragged.DY}
		c.lines = append(c.lines, [][2]float32{start})
		c.drawing = true
		defer c.changed()
	}
	line := &c.lines[len(c.lines)-1]
	if last := (*line)[len(*line)-1]; abs32(p[0]-last[0]) < 1 && abs32(p[1]-last[1]) < 1 {
		return
	}
	*line = append(*line, p)
	c.Refresh()
}

// DragEnd finishes the stroke.
func (c *HandCanvas) DragEnd() { c.drawing = false }

// Tapped puts a dot: an eye, say.
func (c *HandCanvas) Tapped(e *fyne.PointEvent) {
	c.lines = append(c.lines, [][2]float32{{e.Position.X, e.Position.Y}})
	c.drawing = false
	c.changed()
}

// MinSize is part of fyne.Widget.
func (c *HandCanvas) MinSize() fyne.Size { return fyne.NewSize(360, 300) }

// CreateRenderer is part of fyne.Widget.
func (c *HandCanvas) CreateRenderer() fyne.WidgetRenderer {
	r := &handRenderer{c: c}
	r.build(c.Size())
	return r
}

func abs32(x float32) float32 { return max(x, -x) }

type handRenderer struct {
	c       *HandCanvas
	objects []fyne.CanvasObject
}

var inkColor = color.NRGBA{0x2b, 0x2d, 0x3a, 0xff}

func (r *handRenderer) build(s fyne.Size) {
	r.objects = append(r.objects[:0], background(color.NRGBA{0xf6, 0xf1, 0xe7, 0xff}, s))
	for _, line := range r.c.lines {
		if len(line) == 1 { // a dot
			d := canvas.NewCircle(inkColor)
			d.Resize(fyne.NewSize(4, 4))
			d.Move(fyne.NewPos(line[0][0]-2, line[0][1]-2))
			r.objects = append(r.objects, d)
			continue
		}
		for i := 1; i < len(line); i++ {
			l := canvas.NewLine(inkColor)
			l.StrokeWidth = 3
			l.Position1 = fyne.NewPos(line[i-1][0], line[i-1][1])
			l.Position2 = fyne.NewPos(line[i][0], line[i][1])
			r.objects = append(r.objects, l)
		}
	}
}

func (r *handRenderer) Layout(s fyne.Size)           { r.build(s) }
func (r *handRenderer) MinSize() fyne.Size           { return r.c.MinSize() }
func (r *handRenderer) Refresh()                     { r.build(r.c.Size()); canvas.Refresh(r.c) }
func (r *handRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *handRenderer) Destroy()                     {}

// drawCorner asks the user to draw a corner by hand on sheet (kept between openings, so that a
// drawing survives Cancel) and gives done the drawing, scaled and simplified as the model's
// data were (sketch.FromHand). The sheet is cleared once its drawing is used. do runs a
// callback on Fyne's thread (the tab's hooks.runOnUI).
// knows names what the model was trained on; m, when not nil, continues a drawing.
func drawCorner(win fyne.Window, sheet *HandCanvas, knows string, m *sketchrnn.Model, do func(func()), done func(sketch.Drawing)) {
	undo := widget.NewButtonWithIcon("Undo stroke", theme.ContentUndoIcon(), sheet.UndoStroke)
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), sheet.Clear)
	enable := func() {
		if sheet.Empty() {
			undo.Disable()
			clear.Disable()
		} else {
			undo.Enable()
			clear.Enable()
		}
	}
	sheet.OnChange = enable
	enable()
	hint := widget.NewLabel("Drag to draw a stroke, tap for a dot. " + knows)
	hint.Wrapping = fyne.TextWrapWord
	buttons := container.NewHBox(undo, clear)
	if more := continueButton(win, sheet, m, do); more != nil {
		buttons.Add(more)
	}
	content := container.NewBorder(hint, buttons, nil, nil, sheet)
	d := dialog.NewCustomConfirm("Draw a corner", "Use it", "Cancel", content, func(ok bool) {
		sheet.OnChange = nil
		if !ok {
			return
		}
		dr, err := sketch.FromHand(sheet.Lines())
		if errors.Is(err, sketch.ErrEmptyDrawing) {
			dialog.ShowInformation("Nothing drawn", "Draw on the sheet first, then choose Use it.", win)
			return
		}
		if err != nil {
			dialog.ShowError(err, win)
			return
		}
		sheet.Clear()
		done(dr)
	}, win)
	d.Resize(fyne.NewSize(480, 460))
	d.Show()
}
