package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// padNudge is how far an arrow key moves the puck.
const padNudge = 1.0 / 32

// Pad is the latent pad: a square with a corner tile in each corner and a puck the user drags,
// taps or nudges with the arrow keys. It only draws and reports: OnMoved gets the new (u, v).
type Pad struct {
	widget.BaseWidget

	OnMoved      func(u, v float64)
	OnCornerMenu func(corner int, at fyne.Position) // absolute position for a pop-up menu
	OnKey        func(*fyne.KeyEvent)               // keys the pad does not use itself

	u, v    float64
	tiles   [4]fyne.CanvasObject
	labels  [4]string
	focused bool
	hint    string // shown under the puck until the user first moves it
}

// NewPad returns a pad with its puck at the centre; tiles are the corner thumbnails.
func NewPad(tiles [4]fyne.CanvasObject) *Pad {
	p := &Pad{u: 0.5, v: 0.5, tiles: tiles}
	p.ExtendBaseWidget(p)
	return p
}

// Point returns the puck's position.
func (p *Pad) Point() (u, v float64) { return p.u, p.v }

// SetPoint moves the puck without calling OnMoved.
func (p *Pad) SetPoint(u, v float64) {
	p.u, p.v = clamp01(u), clamp01(v)
	p.Refresh()
}

// SetLabel sets the name shown on corner i.
func (p *Pad) SetLabel(i int, s string) {
	p.labels[i] = s
	p.Refresh()
}

// square is the pad's square inside a widget of size s: as large as fits, centred.
func square(s fyne.Size) (fyne.Position, float32) {
	side := min(s.Width, s.Height)
	return fyne.NewPos((s.Width-side)/2, (s.Height-side)/2), side
}

// tileRect is corner i's tile inside the square at o of side side.
func tileRect(i int, o fyne.Position, side float32) (fyne.Position, fyne.Size) {
	t := side * 0.25
	m := side * 0.03
	x, y := o.X+m, o.Y+m
	if i&1 == 1 {
		x = o.X + side - m - t
	}
	if i>>1 == 1 {
		y = o.Y + side - m - t
	}
	return fyne.NewPos(x, y), fyne.NewSize(t, t)
}

// pointAt converts a position in the widget to (u, v).
func (p *Pad) pointAt(pos fyne.Position) (float64, float64) {
	o, side := square(p.Size())
	if side <= 0 {
		return p.u, p.v
	}
	return clamp01(float64((pos.X - o.X) / side)), clamp01(float64((pos.Y - o.Y) / side))
}

// cornerAt returns the corner whose tile holds pos (in the widget), or -1.
func (p *Pad) cornerAt(pos fyne.Position) int {
	o, side := square(p.Size())
	for i := range 4 {
		tp, ts := tileRect(i, o, side)
		if pos.X >= tp.X && pos.X <= tp.X+ts.Width && pos.Y >= tp.Y && pos.Y <= tp.Y+ts.Height {
			return i
		}
	}
	return -1
}

// nearestCorner returns the corner of the pad closest to pos (in the widget).
func (p *Pad) nearestCorner(pos fyne.Position) int {
	u, v := p.pointAt(pos)
	i := 0
	if u >= 0.5 {
		i |= 1
	}
	if v >= 0.5 {
		i |= 2
	}
	return i
}

// SetHint shows s under the puck until the user first moves it (a first start's "drag the dot").
func (p *Pad) SetHint(s string) {
	p.hint = s
	p.Refresh()
}

// Hint is the hint on show, "" when none.
func (p *Pad) Hint() string { return p.hint }

func (p *Pad) moveTo(u, v float64) {
	u, v = clamp01(u), clamp01(v)
	if u == p.u && v == p.v {
		return
	}
	p.u, p.v, p.hint = u, v, ""
	p.Refresh()
	if p.OnMoved != nil {
		p.OnMoved(u, v)
	}
}

// Dragged moves the puck under the pointer: a drag may start anywhere on the pad.
func (p *Pad) Dragged(e *fyne.DragEvent) { p.moveTo(p.pointAt(e.Position)) }

// DragEnd is part of fyne.Draggable.
func (p *Pad) DragEnd() {}

// Tapped jumps the puck to the tap and takes the keyboard focus for the arrow keys.
func (p *Pad) Tapped(e *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(p); c != nil {
		c.Focus(p)
	}
	p.moveTo(p.pointAt(e.Position))
}

// TappedSecondary opens the menu of the corner under the pointer.
func (p *Pad) TappedSecondary(e *fyne.PointEvent) {
	if i := p.cornerAt(e.Position); i >= 0 && p.OnCornerMenu != nil {
		p.OnCornerMenu(i, e.AbsolutePosition)
	}
}

// FocusGained is part of fyne.Focusable.
func (p *Pad) FocusGained() { p.focused = true; p.Refresh() }

// FocusLost is part of fyne.Focusable.
func (p *Pad) FocusLost() { p.focused = false; p.Refresh() }

// TypedRune is part of fyne.Focusable. The space bar comes as a key too: TypedKey passes it on.
func (p *Pad) TypedRune(rune) {}

// TypedKey nudges the puck with the arrow keys and hands other keys to OnKey.
func (p *Pad) TypedKey(e *fyne.KeyEvent) {
	if !p.nudge(e.Name) && p.OnKey != nil {
		p.OnKey(e)
	}
}

// nudge moves the puck one step for an arrow key and reports whether key was one.
func (p *Pad) nudge(key fyne.KeyName) bool {
	switch key {
	case fyne.KeyLeft:
		p.moveTo(p.u-padNudge, p.v)
	case fyne.KeyRight:
		p.moveTo(p.u+padNudge, p.v)
	case fyne.KeyUp:
		p.moveTo(p.u, p.v-padNudge)
	case fyne.KeyDown:
		p.moveTo(p.u, p.v+padNudge)
	default:
		return false
	}
	return true
}

// MinSize keeps the pad usable.
func (p *Pad) MinSize() fyne.Size { return fyne.NewSize(360, 360) }

// CreateRenderer is part of fyne.Widget.
func (p *Pad) CreateRenderer() fyne.WidgetRenderer {
	r := &padRenderer{pad: p}
	r.bg = canvas.NewRaster(padBackground)
	r.frame = canvas.NewRectangle(color.Transparent)
	r.frame.StrokeWidth = 1.5
	r.frame.CornerRadius = 10
	for i := range r.grid {
		r.grid[i] = canvas.NewLine(color.NRGBA{0xff, 0xff, 0xff, 0x12})
		r.grid[i].StrokeWidth = 1
	}
	for i := range 4 {
		r.tileBg[i] = canvas.NewRectangle(withAlpha(colBackground, 0xe0))
		r.tileBg[i].StrokeColor = colCorner[i]
		r.tileBg[i].StrokeWidth = 2
		r.tileBg[i].CornerRadius = 8
		r.names[i] = canvas.NewText("", withAlpha(colCorner[i], 0xff))
		r.names[i].TextSize = theme.CaptionTextSize()
		r.names[i].TextStyle.Bold = true
	}
	r.cross[0] = canvas.NewLine(color.NRGBA{0xff, 0xff, 0xff, 0x30})
	r.cross[1] = canvas.NewLine(color.NRGBA{0xff, 0xff, 0xff, 0x30})
	r.halo = canvas.NewCircle(color.NRGBA{0xff, 0xff, 0xff, 0x20})
	r.puck = canvas.NewCircle(colAccent)
	r.puck.StrokeColor = colText
	r.puck.StrokeWidth = 3
	r.objects = []fyne.CanvasObject{r.bg}
	for _, l := range r.grid {
		r.objects = append(r.objects, l)
	}
	r.objects = append(r.objects, r.cross[0], r.cross[1])
	for i := range 4 {
		r.objects = append(r.objects, r.tileBg[i])
		if p.tiles[i] != nil {
			r.objects = append(r.objects, p.tiles[i])
		}
		r.objects = append(r.objects, r.names[i])
	}
	r.hintBg = canvas.NewRectangle(withAlpha(colBackground, 0xd8))
	r.hintBg.CornerRadius = 6
	r.hint = canvas.NewText("", colText)
	r.objects = append(r.objects, r.frame, r.halo, r.puck, r.hintBg, r.hint)
	r.Refresh()
	return r
}

// padBackground fills the square with the corner colours, blended and darkened.
func padBackground(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		v := float64(y) / float64(max(1, h-1))
		for x := range w {
			u := float64(x) / float64(max(1, w-1))
			img.SetNRGBA(x, y, mix(colPanel, cornerBlend(u, v), 0.22))
		}
	}
	return img
}

type padRenderer struct {
	pad     *Pad
	bg      *canvas.Raster
	frame   *canvas.Rectangle
	grid    [14]*canvas.Line
	cross   [2]*canvas.Line
	tileBg  [4]*canvas.Rectangle
	names   [4]*canvas.Text
	halo    *canvas.Circle
	puck    *canvas.Circle
	hint    *canvas.Text
	hintBg  *canvas.Rectangle
	objects []fyne.CanvasObject
}

func (r *padRenderer) Layout(s fyne.Size) {
	o, side := square(s)
	r.bg.Move(o)
	r.bg.Resize(fyne.NewSize(side, side))
	r.frame.Move(o)
	r.frame.Resize(fyne.NewSize(side, side))
	for i := range 7 {
		f := side * float32(i+1) / 8
		r.grid[i].Position1 = fyne.NewPos(o.X+f, o.Y)
		r.grid[i].Position2 = fyne.NewPos(o.X+f, o.Y+side)
		r.grid[7+i].Position1 = fyne.NewPos(o.X, o.Y+f)
		r.grid[7+i].Position2 = fyne.NewPos(o.X+side, o.Y+f)
	}
	for i := range 4 {
		tp, ts := tileRect(i, o, side)
		r.tileBg[i].Move(tp)
		r.tileBg[i].Resize(ts)
		pad := ts.Width * 0.08
		if t := r.pad.tiles[i]; t != nil {
			t.Move(tp.AddXY(pad, pad))
			t.Resize(ts.SubtractWidthHeight(2*pad, 2*pad+theme.CaptionTextSize()))
		}
		r.names[i].Move(fyne.NewPos(tp.X+pad, tp.Y+ts.Height-pad-theme.CaptionTextSize()-2))
	}
	r.layoutPuck(o, side)
}

func (r *padRenderer) layoutPuck(o fyne.Position, side float32) {
	x, y := o.X+float32(r.pad.u)*side, o.Y+float32(r.pad.v)*side
	r.cross[0].Position1, r.cross[0].Position2 = fyne.NewPos(o.X, y), fyne.NewPos(o.X+side, y)
	r.cross[1].Position1, r.cross[1].Position2 = fyne.NewPos(x, o.Y), fyne.NewPos(x, o.Y+side)
	const pr, hr = 11, 22
	r.puck.Move(fyne.NewPos(x-pr, y-pr))
	r.puck.Resize(fyne.NewSize(2*pr, 2*pr))
	r.halo.Move(fyne.NewPos(x-hr, y-hr))
	r.halo.Resize(fyne.NewSize(2*hr, 2*hr))
	// The hint: centred under the puck, kept inside the square.
	ts := fyne.MeasureText(r.hint.Text, r.hint.TextSize, r.hint.TextStyle)
	const padX, padY = 10, 5
	bw, bh := ts.Width+2*padX, ts.Height+2*padY
	bx := min(max(x-bw/2, o.X+4), o.X+side-bw-4)
	by := y + hr + 6
	if by+bh > o.Y+side-4 {
		by = y - hr - 6 - bh
	}
	r.hintBg.Move(fyne.NewPos(bx, by))
	r.hintBg.Resize(fyne.NewSize(bw, bh))
	r.hint.Move(fyne.NewPos(bx+padX, by+padY))
}

func (r *padRenderer) MinSize() fyne.Size { return r.pad.MinSize() }

func (r *padRenderer) Refresh() {
	r.puck.FillColor = cornerBlend(r.pad.u, r.pad.v)
	r.halo.FillColor = withAlpha(cornerBlend(r.pad.u, r.pad.v), 0x40)
	if r.pad.focused {
		r.frame.StrokeColor = colAccent
	} else {
		r.frame.StrokeColor = colPanelLine
	}
	for i := range 4 {
		r.names[i].Text = r.pad.labels[i]
	}
	r.hint.Text = r.pad.hint
	r.hint.Hidden, r.hintBg.Hidden = r.pad.hint == "", r.pad.hint == ""
	r.Layout(r.pad.Size())
	// The background and the tiles are not refreshed here: the raster would be regenerated on
	// every puck move, and tiles refresh themselves when their items change.
	for _, o := range []fyne.CanvasObject{r.frame, r.cross[0], r.cross[1], r.halo, r.puck, r.hintBg, r.hint} {
		o.Refresh()
	}
	for _, t := range r.names {
		t.Refresh()
	}
}

func (r *padRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *padRenderer) Destroy() {}

func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}
