package ui

import (
	"fmt"
	"image/color"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// space is what a tab shows over its pad besides the puck: the grid of decoded cells and the
// path (path.go). Its state lives here; tab.go calls spaceArea, spaceMoved and spaceResult.
type space[T any] struct {
	t *paletteTab[T]

	// The grid.
	dec      *palette.GridDecoder[T]
	toggle   *keyCheck
	sizeSel  *keySelect
	progress *widget.ProgressBar
	layer    *fyne.Container // the cells over the pad, hidden while the grid is off
	cellBox  *fyne.Container
	views    []view[T]
	size     int
	seq      uint64  // the newest grid request
	items    []T     // the newest grid's cells so far
	of       gridKey // what the shown grid was decoded from

	path pathState[T]
}

// gridKey is what a grid depends on: the corners' vectors (by identity), the settings, its size.
type gridKey struct {
	zs   [4]*float32
	s    palette.Settings
	size int
}

func (t *paletteTab[T]) keyOf(size int) gridKey {
	k := gridKey{s: t.pal.Settings(), size: size}
	for i, c := range t.pal.Corners() {
		if len(c.Z) > 0 {
			k.zs[i] = &c.Z[0]
		}
	}
	return k
}

// spaceArea is the pad with the grid and the path over it, and their controls above it.
func (t *paletteTab[T]) spaceArea() fyne.CanvasObject {
	s := &space[T]{t: t, size: 7}
	t.space = s
	s.dec = palette.NewGridDecoder(t.pal.Model(), func(u palette.GridUpdate[T]) {
		t.runOnUI(func() { s.update(u) })
	})
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	var sizes []string
	for n := palette.MinGridSize; n <= palette.MaxGridSize; n++ {
		sizes = append(sizes, fmt.Sprintf("%d×%d", n, n))
	}
	s.sizeSel = newKeySelect(t.keys, sizes, func(v string) {
		var size int
		fmt.Sscanf(v, "%d", &size)
		if size != s.size {
			s.size = size
			s.refresh()
		}
	})
	s.sizeSel.SetSelected(fmt.Sprintf("%d×%d", s.size, s.size))
	s.toggle = newKeyCheck(t.keys, "Grid", func(on bool) {
		if on {
			s.layer.Show()
			s.refresh()
		} else {
			s.layer.Hide()
			s.dec.Cancel()
			s.progress.Hide()
		}
	})
	export := newKeyButton(t.keys, "Export grid…", theme.DocumentSaveIcon(), nil)
	export.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(export)
		widget.ShowPopUpMenuAtPosition(s.exportMenu(), t.win.Canvas(), pos.AddXY(0, export.Size().Height))
	}
	s.cellBox = container.New(&cellsLayout{})
	back := canvas.NewRectangle(colPanel)
	s.layer = container.New(padSquare{}, container.NewStack(back, s.cellBox))
	s.layer.Hide()
	var gridRow fyne.CanvasObject = container.NewHBox(s.toggle, s.sizeSel, export, container.NewGridWrap(fyne.NewSize(80, s.progress.MinSize().Height), s.progress))
	if t.topRight != nil {
		gridRow = container.NewBorder(nil, nil, gridRow, t.topRight)
	}
	over := container.NewStack(t.pad, s.path.layer(t), s.layer)
	return container.NewBorder(container.NewVBox(gridRow, s.path.controls(t)), nil, nil, nil, over)
}

// refresh asks for the grid of the moment if it is shown and not already what is shown.
func (s *space[T]) refresh() {
	if !s.toggle.Checked {
		return
	}
	k := s.t.keyOf(s.size)
	if k == s.of && len(s.items) == s.size*s.size {
		return
	}
	if len(s.views) != s.size*s.size {
		s.buildCells()
	}
	s.of = k
	s.items = nil
	s.progress.SetValue(0)
	s.progress.Show()
	s.seq = s.dec.Request(s.t.pal.Corners(), s.size, k.s)
}

// buildCells makes the size×size cells: each shows its item, plays or shows it on a tap, and
// has a menu (right click) to keep it or put it in a corner.
func (s *space[T]) buildCells() {
	n := s.size
	s.views = make([]view[T], n*n)
	objs := make([]fyne.CanvasObject, n*n)
	pts := palette.GridPoints(n)
	for k := range objs {
		v := s.t.kind.newView(true, colAccent)
		s.views[k] = v
		pt := pts[k]
		name := fmt.Sprintf("Cell %d,%d", k/n+1, k%n+1)
		var b *keptButton
		b = newKeptButton(s.t.keys, func() { s.use(k, pt) }, func(at fyne.Position) {
			widget.ShowPopUpMenuAtPosition(s.cellMenu(k, pt, name), s.t.win.Canvas(), at)
		})
		edge := canvas.NewRectangle(color.Transparent)
		edge.StrokeColor = colMuted
		edge.StrokeWidth = 0.5
		objs[k] = container.NewStack(edge, b, v)
	}
	s.cellBox.Objects = objs
	s.cellBox.Layout = &cellsLayout{n: n}
	s.cellBox.Refresh()
}

// item returns cell k's item if it has been decoded.
func (s *space[T]) item(k int) (T, bool) {
	if k < len(s.items) {
		return s.items[k], true
	}
	var zero T
	return zero, false
}

// use makes cell k's item the result: it plays (melodies, drums) or is shown large (drawings),
// and the puck goes to the cell.
func (s *space[T]) use(k int, pt palette.Point) {
	it, ok := s.item(k)
	if !ok {
		return
	}
	s.t.showItem(it)
	s.t.pad.SetPoint(pt.U, pt.V)
	s.t.point.SetText(fmt.Sprintf("u %.2f  v %.2f · grid", pt.U, pt.V))
}

// showItem makes item the result shown (and played) without decoding anything.
func (t *paletteTab[T]) showItem(item T) {
	t.current, t.hasCurrent = item, true
	t.result.show(item)
	if t.onResult != nil {
		t.onResult(item)
	}
}

func (s *space[T]) cellMenu(k int, pt palette.Point, name string) *fyne.Menu {
	t := s.t
	it, ok := s.item(k)
	verb := "Play"
	if t.kind.noun == "drawing" {
		verb = "Show large"
	}
	corner := func(i int) *fyne.MenuItem {
		return fyne.NewMenuItem(cornerNames[i], func() {
			t.pal.SetCorner(i, it)
			t.setName(i, name)
		})
	}
	use := fyne.NewMenuItem("Use as corner", nil)
	use.ChildMenu = fyne.NewMenu("", corner(0), corner(1), corner(2), corner(3))
	keep := fyne.NewMenuItem("Keep", func() {
		t.keep(it)
		t.changed()
	})
	items := []*fyne.MenuItem{fyne.NewMenuItem(verb, func() { s.use(k, pt) }), keep, use}
	for _, m := range items {
		m.Disabled = !ok
	}
	return fyne.NewMenu("", items...)
}

var cornerNames = [4]string{"Top left", "Top right", "Bottom left", "Bottom right"}

// update shows a grid decoder's report: the cells decoded so far and the progress.
func (s *space[T]) update(u palette.GridUpdate[T]) {
	if u.Seq != s.seq || !s.toggle.Checked {
		return
	}
	if u.Err != nil {
		s.progress.Hide()
		s.t.status.SetText("Grid: " + u.Err.Error())
		return
	}
	for k := len(s.items); k < u.Done && k < len(s.views); k++ {
		s.views[k].show(u.Items[k])
	}
	s.items = u.Items
	if u.Total > 0 {
		s.progress.SetValue(float64(u.Done) / float64(u.Total))
	}
	if u.Finished() {
		s.progress.Hide()
	}
}

// spaceResult follows the palette: new corners or settings make a new grid.
func (t *paletteTab[T]) spaceResult(palette.Result[T]) {
	if t.space != nil {
		t.space.refresh()
	}
}

// tempo is the tempo files are written at.
func (s *space[T]) tempo() float64 {
	if s.t.clock != nil {
		bpm, _, _ := s.t.clock()
		return bpm
	}
	return audio.DefaultBPM
}

// exportMenu offers the grid's formats.
func (s *space[T]) exportMenu() *fyne.Menu {
	menu := fyne.NewMenu("")
	for _, e := range gridExporters[T](s.size, s.tempo()) {
		menu.Items = append(menu.Items, fyne.NewMenuItem(e.label+"…", func() { s.export(e) }))
	}
	return menu
}

func (s *space[T]) export(e exporter[T]) {
	if !s.toggle.Checked || len(s.items) != s.size*s.size {
		dialog.ShowInformation("The grid is not ready", "Turn the grid on and let it fill, then export it.", s.t.win)
		return
	}
	s.t.exportItems(e, s.items, fmt.Sprintf("palette-grid-%dx%d%s", s.size, s.size, e.ext), "the grid")
}

// gridExporters are the formats of an n×n grid of T: melodies and grooves as one MIDI file (the
// cells in row order, a marker each) or a PNG of the cells; drawings as a PNG or SVG sheet.
func gridExporters[T any](n int, bpm float64) []exporter[T] {
	var labels []string
	for k, pt := range palette.GridPoints(n) {
		labels = append(labels, fmt.Sprintf("cell %d: row %d, column %d (u %.3f, v %.3f)", k+1, k/n+1, k%n+1, pt.U, pt.V))
	}
	mk := func(label, ext string, write func(w io.Writer, items []T) error) exporter[T] {
		return exporter[T]{label: label, ext: ext, writer: func() func(io.Writer, []T) error { return write }}
	}
	sheet := cells.SheetOptions{Cols: n, Cell: 96}
	var zero T
	switch any(zero).(type) {
	case melody.Melody:
		return []exporter[T]{
			mk("MIDI, cells in row order", ".mid", func(w io.Writer, items []T) error {
				return cells.WriteMelodies(w, any(items).([]melody.Melody), labels, melody.WriteOptions{BPM: bpm, TrackName: "Latent Palette grid"})
			}),
			mk("PNG of the cells", ".png", func(w io.Writer, items []T) error {
				img, err := cells.RenderMelodies(any(items).([]melody.Melody), sheet)
				if err != nil {
					return err
				}
				return cells.WritePNG(w, img)
			}),
		}
	case drums.Pattern:
		return []exporter[T]{
			mk("MIDI, cells in row order", ".mid", func(w io.Writer, items []T) error {
				return cells.WriteGrooves(w, any(items).([]drums.Pattern), labels, drums.WriteOptions{BPM: bpm, TrackName: "Latent Palette grid"})
			}),
			mk("PNG of the cells", ".png", func(w io.Writer, items []T) error {
				img, err := cells.RenderGrooves(any(items).([]drums.Pattern), sheet)
				if err != nil {
					return err
				}
				return cells.WritePNG(w, img)
			}),
		}
	case sketch.Drawing:
		rows := func(items []T) [][]sketch.Drawing {
			ds := any(items).([]sketch.Drawing)
			var rs [][]sketch.Drawing
			for r := 0; r+n <= len(ds); r += n {
				rs = append(rs, ds[r:r+n])
			}
			return rs
		}
		opt := sketch.Options{Size: 128, LineWidth: 2}
		return []exporter[T]{
			mk("PNG sheet", ".png", func(w io.Writer, items []T) error {
				o := opt
				o.Background = color.White
				return sketch.WriteSheetPNG(w, rows(items), o)
			}),
			mk("SVG sheet", ".svg", func(w io.Writer, items []T) error { return sketch.WriteSheetSVG(w, rows(items), opt) }),
		}
	}
	return nil
}

// padSquare lays its objects over the pad's square (see square): the grid's cells and the path
// line up with the pad under them.
type padSquare struct{}

func (padSquare) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	o, side := square(s)
	for _, obj := range objs {
		obj.Move(o)
		obj.Resize(fyne.NewSquareSize(side))
	}
}

func (padSquare) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

// cellsLayout lays n×n objects out in equal cells, row by row, whatever their own sizes: an
// 11×11 grid of thumbnails fits the pad.
type cellsLayout struct{ n int }

func (l *cellsLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	if l.n == 0 {
		return
	}
	w, h := s.Width/float32(l.n), s.Height/float32(l.n)
	for k, o := range objs {
		o.Move(fyne.NewPos(float32(k%l.n)*w, float32(k/l.n)*h))
		o.Resize(fyne.NewSize(w, h))
	}
}

func (l *cellsLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }
