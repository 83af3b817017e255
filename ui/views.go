package ui

import (
	"fmt"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

// thumbSize is the minimum size of a compact view (a corner's thumbnail).
var thumbSize = fyne.NewSize(40, 30)

// background is a full-size view's rounded backing of size s.
func background(c color.Color, s fyne.Size) *canvas.Rectangle {
	bg := canvas.NewRectangle(c)
	bg.CornerRadius = 6
	bg.Resize(s)
	return bg
}

// PianoRoll draws a melody as note bars on a 16th-step grid beside a keyboard strip that names
// the notes, with an optional playhead. Compact piano rolls (the corner thumbnails) leave out the
// grid and the keyboard.
type PianoRoll struct {
	widget.BaseWidget
	mel      melody.Melody
	playhead float64 // in steps; negative hides it
	compact  bool
	color    color.NRGBA
}

// NewPianoRoll returns an empty piano roll drawing its notes in c.
func NewPianoRoll(compact bool, c color.NRGBA) *PianoRoll {
	p := &PianoRoll{compact: compact, color: c, playhead: -1}
	p.ExtendBaseWidget(p)
	return p
}

// SetMelody shows m.
func (p *PianoRoll) SetMelody(m melody.Melody) {
	p.mel = m
	p.Refresh()
}

// SetPlayhead moves the playhead to step (fractional); a negative step hides it.
func (p *PianoRoll) SetPlayhead(step float64) {
	if step == p.playhead {
		return
	}
	p.playhead = step
	p.Refresh()
}

// MinSize is part of fyne.Widget.
func (p *PianoRoll) MinSize() fyne.Size {
	if p.compact {
		return thumbSize
	}
	return fyne.NewSize(320, 180)
}

// CreateRenderer is part of fyne.Widget.
func (p *PianoRoll) CreateRenderer() fyne.WidgetRenderer {
	r := &rollRenderer{roll: p}
	r.build(p.Size())
	return r
}

type rollRenderer struct {
	roll    *PianoRoll
	objects []fyne.CanvasObject

	// What build drew, so that a moving playhead only moves a line and recolours two notes.
	builtMel  melody.Melody
	builtSize fyne.Size
	notes     []melody.Note
	rects     []*canvas.Rectangle
	head      *canvas.Line
	stepW     float32
	x0        float32 // where the steps begin: right of the keyboard strip
}

// noteNames are the pitch classes' names, with sharps.
var noteNames = [12]string{"C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B"}

// noteName names MIDI pitch p, with middle C (60) as C4.
func noteName(p int) string { return fmt.Sprintf("%s%d", noteNames[p%12], p/12-1) }

// keyboardWidth is the width of the piano roll's keyboard strip in a roll of width w.
func keyboardWidth(w float32) float32 { return min(40, w*0.12) }

// keyboard draws the strip of keys for pitches lo..hi, rows of height rowH, width keyW: every
// key named where the rows are tall enough to read, else only the Cs.
func keyboard(lo, hi int, rowH, keyW float32) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	size := min(theme.CaptionTextSize(), rowH*0.85)
	for q := lo; q <= hi; q++ {
		y := float32(hi-q) * rowH
		key := canvas.NewRectangle(color.NRGBA{0xe8, 0xe6, 0xe0, 0xff})
		ink := color.NRGBA{0x30, 0x30, 0x38, 0xff}
		if isBlackKey(q) {
			key.FillColor, ink = color.NRGBA{0x24, 0x25, 0x2c, 0xff}, color.NRGBA{0xd0, 0xd0, 0xd8, 0xff}
		}
		key.Move(fyne.NewPos(0, y+0.5))
		key.Resize(fyne.NewSize(keyW-2, rowH-1))
		objs = append(objs, key)
		if rowH >= 9 || q%12 == 0 {
			t := canvas.NewText(noteName(q), ink)
			t.TextSize = size
			t.Move(fyne.NewPos(3, y+(rowH-size)/2-1))
			objs = append(objs, t)
		}
	}
	return objs
}

// pitchRange returns the lowest and highest pitch rows to show for notes.
func pitchRange(notes []melody.Note, minRows int) (lo, hi int) {
	lo, hi = 127, 0
	for _, n := range notes {
		lo, hi = min(lo, n.Pitch), max(hi, n.Pitch)
	}
	if len(notes) == 0 {
		lo, hi = 60, 71
	}
	lo, hi = lo-1, hi+1
	for hi-lo+1 < minRows {
		lo--
		if hi-lo+1 < minRows {
			hi++
		}
	}
	return lo, hi
}

func isBlackKey(p int) bool {
	switch p % 12 {
	case 1, 3, 6, 8, 10:
		return true
	}
	return false
}

func (r *rollRenderer) build(s fyne.Size) {
	p := r.roll
	r.objects = r.objects[:0]
	steps := max(len(p.mel), melody.WindowSteps)
	notes := p.mel.Notes()
	minRows := 14
	if p.compact {
		minRows = 8
	}
	lo, hi := pitchRange(notes, minRows)
	rows := float32(hi - lo + 1)
	var x0 float32
	if !p.compact {
		x0 = keyboardWidth(s.Width)
	}
	rowH, stepW := s.Height/rows, (s.Width-x0)/float32(steps)
	if !p.compact {
		r.objects = append(r.objects, background(colPanel, s))
		r.objects = append(r.objects, keyboard(lo, hi, rowH, x0)...)
		for q := lo; q <= hi; q++ {
			if isBlackKey(q) {
				row := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0x30})
				row.Move(fyne.NewPos(x0, float32(hi-q)*rowH))
				row.Resize(fyne.NewSize(s.Width-x0, rowH))
				r.objects = append(r.objects, row)
			}
		}
		for i := 1; i < steps; i++ {
			var a uint8
			switch {
			case i%melody.StepsPerBar == 0:
				a = 0x50
			case i%melody.StepsPerQuarter == 0:
				a = 0x20
			default:
				continue
			}
			l := canvas.NewLine(color.NRGBA{0xff, 0xff, 0xff, a})
			l.StrokeWidth = 1
			l.Position1, l.Position2 = fyne.NewPos(x0+float32(i)*stepW, 0), fyne.NewPos(x0+float32(i)*stepW, s.Height)
			r.objects = append(r.objects, l)
		}
	}
	r.notes, r.rects = notes, r.rects[:0]
	for _, n := range notes {
		rect := canvas.NewRectangle(p.color)
		rect.CornerRadius = min(3, rowH/3)
		gap := min(1.5, stepW/4)
		rect.Move(fyne.NewPos(x0+float32(n.Start)*stepW+gap/2, float32(hi-n.Pitch)*rowH+rowH*0.1))
		rect.Resize(fyne.NewSize(float32(n.End-n.Start)*stepW-gap, rowH*0.8))
		r.objects = append(r.objects, rect)
		r.rects = append(r.rects, rect)
	}
	r.head = canvas.NewLine(colText)
	r.head.StrokeWidth = 2
	r.objects = append(r.objects, r.head)
	r.builtMel, r.builtSize, r.stepW, r.x0 = p.mel, s, stepW, x0
	r.placeHead()
}

// placeHead moves the playhead line and lights the note under it.
func (r *rollRenderer) placeHead() {
	p := r.roll
	lit := mix(p.color, color.NRGBA{0xff, 0xff, 0xff, 0xff}, 0.6)
	for i, n := range r.notes {
		c := p.color
		if p.playhead >= float64(n.Start) && p.playhead < float64(n.End) {
			c = lit
		}
		if r.rects[i].FillColor != c {
			r.rects[i].FillColor = c
			r.rects[i].Refresh()
		}
	}
	r.head.Hidden = p.playhead < 0
	x := r.x0 + float32(p.playhead)*r.stepW
	r.head.Position1, r.head.Position2 = fyne.NewPos(x, 0), fyne.NewPos(x, r.builtSize.Height)
	r.head.Refresh()
}

func (r *rollRenderer) Layout(s fyne.Size) { r.build(s) }
func (r *rollRenderer) MinSize() fyne.Size { return r.roll.MinSize() }

func (r *rollRenderer) Refresh() {
	if r.roll.Size() == r.builtSize && slices.Equal(r.roll.mel, r.builtMel) {
		r.placeHead()
		canvas.Refresh(r.roll) // objects made by the last build may not be known to the canvas yet
		return
	}
	r.build(r.roll.Size())
	canvas.Refresh(r.roll)
}
func (r *rollRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *rollRenderer) Destroy()                     {}

// SketchView draws a drawing fitted into its box. Shown limits the drawing to its first
// points, for replaying the strokes in the order they were drawn.
type SketchView struct {
	widget.BaseWidget
	d       sketch.Drawing
	shown   int // points drawn; negative draws all
	color   color.NRGBA
	width   float32
	compact bool
}

// NewSketchView returns an empty sketch view drawing in c.
func NewSketchView(compact bool, c color.NRGBA) *SketchView {
	v := &SketchView{shown: -1, color: c, width: 3, compact: compact}
	if compact {
		v.width = 1.5
	}
	v.ExtendBaseWidget(v)
	return v
}

// SetDrawing shows d whole.
func (v *SketchView) SetDrawing(d sketch.Drawing) {
	v.d, v.shown = d, -1
	v.Refresh()
}

// SetShown draws only the first n points (negative: all).
func (v *SketchView) SetShown(n int) {
	if n == v.shown {
		return
	}
	v.shown = n
	v.Refresh()
}

// MinSize is part of fyne.Widget.
func (v *SketchView) MinSize() fyne.Size {
	if v.compact {
		return thumbSize
	}
	return fyne.NewSize(240, 240)
}

// CreateRenderer is part of fyne.Widget.
func (v *SketchView) CreateRenderer() fyne.WidgetRenderer {
	r := &sketchRenderer{view: v}
	r.build(v.Size())
	return r
}

type sketchRenderer struct {
	view    *SketchView
	objects []fyne.CanvasObject
}

func (r *sketchRenderer) build(s fyne.Size) {
	v := r.view
	r.objects = r.objects[:0]
	if !v.compact {
		r.objects = append(r.objects, background(color.NRGBA{0xf6, 0xf1, 0xe7, 0xff}, s)) // paper
	}
	b := v.d.Bounds()
	w, h := max(b.Dx(), 1), max(b.Dy(), 1)
	margin := s.Width * 0.08
	scale := min((s.Width-2*margin)/w, (s.Height-2*margin)/h)
	ox := (s.Width - w*scale) / 2
	oy := (s.Height - h*scale) / 2
	n := len(v.d)
	if v.shown >= 0 {
		n = min(n, v.shown)
	}
	var x, y float32
	down := false // whether the previous point continues a stroke
	for i, p := range v.d[:n] {
		nx, ny := x+p.DX, y+p.DY
		if down && i > 0 {
			l := canvas.NewLine(v.color)
			l.StrokeWidth = v.width
			l.Position1 = fyne.NewPos(ox+(x-b.MinX)*scale, oy+(y-b.MinY)*scale)
			l.Position2 = fyne.NewPos(ox+(nx-b.MinX)*scale, oy+(ny-b.MinY)*scale)
			r.objects = append(r.objects, l)
		}
		x, y = nx, ny
		down = !p.PenLift
	}
}

func (r *sketchRenderer) Layout(s fyne.Size)           { r.build(s) }
func (r *sketchRenderer) MinSize() fyne.Size           { return r.view.MinSize() }
func (r *sketchRenderer) Refresh()                     { r.build(r.view.Size()); canvas.Refresh(r.view) }
func (r *sketchRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *sketchRenderer) Destroy()                     {}
