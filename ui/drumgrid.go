package ui

import (
	"image/color"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/drums"
)

// drumNames label the grid's rows, kick at the top.
var drumNames = [drums.NumClasses]string{"Kick", "Snare", "Closed hat", "Open hat", "Low tom", "Mid tom", "High tom", "Crash", "Ride"}

// DrumGrid draws a drum pattern as a step grid: a row per drum, kick at the top, a column per
// 16th with lines at the beats and the bar, each hit as bright as its velocity, and an optional
// playhead. The full-size grid names its rows and numbers the beats, and reports a click on a
// cell to OnTapped; compact grids (corner thumbnails, kept patterns) leave all that out.
type DrumGrid struct {
	widget.BaseWidget
	OnTapped func(step int, c drums.Class) // nil: clicks do nothing

	pat      drums.Pattern
	playhead float64 // in steps; negative hides it
	compact  bool
	color    color.NRGBA
	footer   float32 // height left free below a compact grid (for a corner tile's caption)
}

// NewDrumGrid returns an empty grid drawing its hits in c.
func NewDrumGrid(compact bool, c color.NRGBA) *DrumGrid {
	g := &DrumGrid{compact: compact, color: c, playhead: -1}
	g.ExtendBaseWidget(g)
	return g
}

func (g *DrumGrid) show(p drums.Pattern) { g.SetPattern(p) }

// SetPattern shows p.
func (g *DrumGrid) SetPattern(p drums.Pattern) {
	g.pat = p
	g.Refresh()
}

// SetPlayhead moves the playhead to step (fractional); a negative step hides it.
func (g *DrumGrid) SetPlayhead(step float64) {
	if step == g.playhead {
		return
	}
	g.playhead = step
	g.Refresh()
}

// steps is how many columns the grid shows: the pattern's steps, at least 2 bars.
func (g *DrumGrid) steps() int { return max(len(g.pat), drums.WindowSteps) }

// gridArea is where the cells lie in a grid of size s: after the row names and below the beat
// numbers, when the grid shows them.
func (g *DrumGrid) gridArea(s fyne.Size) (fyne.Position, fyne.Size) {
	if g.compact {
		return fyne.Position{}, fyne.NewSize(s.Width, max(0, s.Height-g.footer))
	}
	left := fyne.MeasureText(drumNames[drums.ClosedHat], theme.CaptionTextSize(), fyne.TextStyle{}).Width + 14
	top := theme.CaptionTextSize() + 8
	return fyne.NewPos(left, top), fyne.NewSize(max(0, s.Width-left-4), max(0, s.Height-top-4))
}

// cellAt returns the step and drum of the cell at pos, and false outside the cells.
func (g *DrumGrid) cellAt(pos fyne.Position) (int, drums.Class, bool) {
	o, a := g.gridArea(g.Size())
	x, y := pos.X-o.X, pos.Y-o.Y
	if a.Width <= 0 || a.Height <= 0 || x < 0 || y < 0 || x >= a.Width || y >= a.Height {
		return 0, 0, false
	}
	return int(x / a.Width * float32(g.steps())), drums.Class(y / a.Height * drums.NumClasses), true
}

// Tapped reports the cell clicked.
func (g *DrumGrid) Tapped(e *fyne.PointEvent) {
	if g.OnTapped == nil || g.compact {
		return
	}
	if step, c, ok := g.cellAt(e.Position); ok {
		g.OnTapped(step, c)
	}
}

// Cursor shows a hand over a grid that takes clicks.
func (g *DrumGrid) Cursor() desktop.Cursor {
	if g.OnTapped != nil && !g.compact {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

// MinSize is part of fyne.Widget.
func (g *DrumGrid) MinSize() fyne.Size {
	if g.compact {
		return thumbSize
	}
	return fyne.NewSize(420, 200)
}

// CreateRenderer is part of fyne.Widget.
func (g *DrumGrid) CreateRenderer() fyne.WidgetRenderer {
	r := &gridRenderer{grid: g}
	r.build(g.Size())
	return r
}

type gridRenderer struct {
	grid    *DrumGrid
	objects []fyne.CanvasObject

	// What build drew, so that a moving playhead only moves the column it lights.
	builtPat  drums.Pattern
	builtSize fyne.Size
	head      *canvas.Rectangle
	origin    fyne.Position
	area      fyne.Size
}

// hitColor is the colour of a hit of velocity v: from a dim shade of c for a ghost note to c
// itself at full velocity.
func hitColor(c color.NRGBA, v uint8) color.NRGBA {
	return mix(mix(colPanel, c, 0.25), c, float64(v)/127)
}

func (r *gridRenderer) build(s fyne.Size) {
	g := r.grid
	r.objects = r.objects[:0]
	steps := g.steps()
	o, a := g.gridArea(s)
	cellW, rowH := a.Width/float32(steps), a.Height/drums.NumClasses
	gap := min(2, cellW/5, rowH/5)
	if !g.compact {
		r.objects = append(r.objects, background(colPanel, s))
		caption := theme.CaptionTextSize()
		for c, name := range drumNames {
			t := canvas.NewText(name, colMuted)
			t.TextSize = caption
			t.Alignment = fyne.TextAlignTrailing
			t.Move(fyne.NewPos(0, o.Y+float32(c)*rowH+(rowH-caption)/2-2))
			t.Resize(fyne.NewSize(o.X-8, caption+4))
			r.objects = append(r.objects, t)
		}
		for i := 0; i < steps; i += drums.StepsPerQuarter {
			beat := i / drums.StepsPerQuarter % (drums.StepsPerBar / drums.StepsPerQuarter)
			col := colMuted
			if beat == 0 {
				col = colText
			}
			t := canvas.NewText(strconv.Itoa(beat+1), col)
			t.TextSize = caption
			t.TextStyle.Bold = beat == 0
			t.Move(fyne.NewPos(o.X+float32(i)*cellW+gap, 2))
			r.objects = append(r.objects, t)
		}
		for i := drums.StepsPerQuarter; i < steps; i += drums.StepsPerQuarter {
			l := canvas.NewLine(color.NRGBA{0xff, 0xff, 0xff, 0x30})
			l.StrokeWidth = 1
			if i%drums.StepsPerBar == 0 {
				l.StrokeColor, l.StrokeWidth = color.NRGBA{0xff, 0xff, 0xff, 0x90}, 2
			}
			x := o.X + float32(i)*cellW
			l.Position1, l.Position2 = fyne.NewPos(x, o.Y-4), fyne.NewPos(x, o.Y+a.Height)
			r.objects = append(r.objects, l)
		}
	}
	for c := range drums.NumClasses {
		for i := range steps {
			var v uint8
			if i < len(g.pat) {
				v = g.pat[i].Velocity[c]
			}
			fill := color.NRGBA{0xff, 0xff, 0xff, 0x0d}
			switch {
			case v > 0:
				fill = hitColor(g.color, v)
			case i%drums.StepsPerQuarter == 0:
				fill.A = 0x1a // the beats stand out among the empty cells
			}
			cell := canvas.NewRectangle(fill)
			cell.CornerRadius = min(3, rowH/4)
			cell.Move(fyne.NewPos(o.X+float32(i)*cellW+gap/2, o.Y+float32(c)*rowH+gap/2))
			cell.Resize(fyne.NewSize(cellW-gap, rowH-gap))
			r.objects = append(r.objects, cell)
		}
	}
	r.head = canvas.NewRectangle(color.NRGBA{0xff, 0xff, 0xff, 0x38})
	r.objects = append(r.objects, r.head)
	r.builtPat, r.builtSize, r.origin, r.area = g.pat, s, o, a
	r.placeHead()
}

// placeHead lights the column of the step playing.
func (r *gridRenderer) placeHead() {
	g := r.grid
	r.head.Hidden = g.playhead < 0
	cellW := r.area.Width / float32(g.steps())
	r.head.Move(fyne.NewPos(r.origin.X+float32(int(g.playhead))*cellW, r.origin.Y))
	r.head.Resize(fyne.NewSize(cellW, r.area.Height))
	r.head.Refresh()
}

func (r *gridRenderer) Layout(s fyne.Size) { r.build(s) }
func (r *gridRenderer) MinSize() fyne.Size { return r.grid.MinSize() }

func (r *gridRenderer) Refresh() {
	if r.grid.Size() == r.builtSize && slices.Equal(r.grid.pat, r.builtPat) {
		r.placeHead()
		canvas.Refresh(r.grid) // objects made by the last build may not be known to the canvas yet
		return
	}
	r.build(r.grid.Size())
	canvas.Refresh(r.grid)
}
func (r *gridRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *gridRenderer) Destroy()                     {}
