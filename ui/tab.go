package ui

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/model/palette"
)

// view shows one item: a corner thumbnail or the result.
type view[T any] interface {
	fyne.CanvasObject
	show(item T)
}

// exporter writes an item in one file format.
type exporter[T any] struct {
	label string // the button's text
	ext   string // with the dot
	// writer returns the function that writes one item, or several one after another (the kept
	// results), with the settings of the moment (tempo, instrument) bound: writer runs on Fyne's
	// thread, the function it returns in the background.
	writer func() func(w io.Writer, items []T) error
}

// kind is what a palette holds (melodies or drawings) and how the window shows, reads and
// writes it.
type kind[T any] struct {
	name     string   // the tab's name
	noun     string   // "melody", "drawing"
	fileExts []string // files a corner can be opened from
	newView  func(compact bool, c color.NRGBA) view[T]
	// read reads a file a corner is opened from into its items, in the background (see open.go).
	read func(path string) (*choice[T], error)
	// audition plays an item in the dialog that asks which one to use (on), or stops (off);
	// nil where items do not play.
	audition func(item T, on bool)
	// draw lets the user make one by hand (do runs a callback on Fyne's thread); nil if not offered.
	draw      func(win fyne.Window, do func(func()), done func(T))
	exporters []exporter[T]
	modelNote string           // says which model decodes, for the status line
	settings  palette.Settings // what the tab starts with: temperature and seed
	// known says how well the model knows a corner, from its item and the model's greedy
	// reconstruction of it ("model: 26/32"); nil shows nothing.
	known func(item, recon T) string
	// classes are the classes the model places in its latent space (a multi-class sketch
	// model), classZ draws a vector of class i and where names the class a vector lies
	// nearest; nil for a model of one subject.
	classes []string
	classZ  func(i int, rng *rand.Rand) []float32
	where   func(z []float32) string
}

// paletteTab is one palette in the window: the pad, its corners, the result and the controls.
type paletteTab[T any] struct {
	win    fyne.Window
	kind   kind[T]
	pal    *palette.Palette[T]
	pad    *Pad
	thumbs [4]view[T]
	known  [4]*canvas.Text // how well the model knows each corner
	result view[T]
	status *widget.Label
	point  *widget.Label

	topRight     fyne.CanvasObject // beside the grid's controls, above the pad (the sketch model picker)
	examples     [4]T              // the corners the palette first came with, and their names
	exampleNames [4]string
	onChange     func() // after the corners or the kept results changed
	current      T
	hasCurrent   bool
	onResult     func(T)                   // after the result view shows a new result or a kept one
	onDecoded    func(r palette.Result[T]) // after the result view shows a new result
	content      fyne.CanvasObject
	temp         *keySlider
	tempLabel    *widget.Label
	pinned       *fyne.Container
	keptHint     *fyne.Container   // says what the empty row of kept results is for
	resultFooter fyne.CanvasObject // under the result view (the drum grid's hint); nil for none
	keys         *keyRoute         // where the tab's controls send the transport keys
	loads        sync.WaitGroup    // files being read for corners, in the background (open.go)
	space        *space[T]         // the grid and the path over the pad (grid.go, path.go)
	// clock is the transport a path plays along with (melodies, drums); nil for none.
	clock     func() (bpm, step float64, playing bool)
	savedPath palette.Path // the path of a saved session, for spaceArea
	hooks                  // the window's: runOnUI, chooseSavePath, chooseOpenPath (window.go)
}

// newPaletteTab builds a tab over model m; extra controls (the transport, for melodies) go
// above the shared ones. It starts with the example corners, named, or with a saved session's
// corners and kept results.
func newPaletteTab[T any](win fyne.Window, keys *keyRoute, h hooks, k kind[T], m palette.Model[T], examples [4]T, exampleNames [4]string, saved *tabSession[T]) *paletteTab[T] {
	t := &paletteTab[T]{win: win, keys: keys, hooks: h, kind: k, examples: examples, exampleNames: exampleNames}
	corners, names := examples, exampleNames
	if saved != nil {
		corners, names = saved.Corners, saved.Names
	}
	do := h.runOnUI // the palette's worker calls back through it
	t.pal = palette.New(m, palette.Options[T]{
		OnResult:    func(r palette.Result[T]) { do(func() { t.showResult(r) }) },
		OnCorners:   func(c [4]palette.Corner[T]) { do(func() { t.showCorners(c) }) },
		OnError:     func(err error) { do(func() { t.showError(err) }) },
		RandomSeed:  1,
		Settings:    k.settings,
		Reconstruct: k.known != nil,
	})
	var tiles [4]fyne.CanvasObject
	for i := range 4 {
		t.thumbs[i] = k.newView(true, colCorner[i])
		menu := newKeyButton(t.keys, "", theme.MoreVerticalIcon(), nil)
		menu.Importance = widget.LowImportance
		menu.OnTapped = func() {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(menu)
			t.showCornerMenu(i, pos.AddXY(0, menu.Size().Height))
		}
		t.known[i] = canvas.NewText("", colMuted)
		t.known[i].TextSize = theme.CaptionTextSize()
		tiles[i] = container.NewStack(t.thumbs[i], container.NewBorder(container.NewHBox(layout.NewSpacer(), menu),
			container.NewHBox(layout.NewSpacer(), t.known[i]), nil, nil))
	}
	t.pad = NewPad(tiles)
	for i, n := range names {
		t.pad.SetLabel(i, n)
	}
	t.pad.OnMoved = func(u, v float64) { t.moveTo(u, v) }
	t.pad.OnCornerMenu = t.showCornerMenu
	t.result = k.newView(false, colAccent)
	t.status = widget.NewLabel(k.modelNote)
	t.status.Truncation = fyne.TextTruncateEllipsis
	t.point = widget.NewLabel("")
	t.point.Alignment = fyne.TextAlignTrailing
	t.point.Truncation = fyne.TextTruncateEllipsis
	t.pinned = container.NewHBox()
	if saved != nil {
		t.restore(saved)
	} else {
		t.pal.SetNamedCorners(corners, names)
	}
	if saved != nil {
		for _, item := range saved.Kept {
			t.keep(item)
		}
		t.savedPath = saved.Path
	}
	return t
}

// changed tells the window that the corners, the kept results, the settings or the puck changed.
func (t *paletteTab[T]) changed() {
	if t.onChange != nil {
		t.onChange()
	}
}

// build lays the tab out around extra controls (nil for none).
func (t *paletteTab[T]) build(extra fyne.CanvasObject) fyne.CanvasObject {
	t.temp = newKeySlider(t.keys, 0, 1.5)
	t.temp.Step = 0.05
	t.temp.Value = t.pal.Settings().Temperature
	t.tempLabel = widget.NewLabel("")
	t.setTempLabel(t.temp.Value)
	t.temp.OnChanged = func(x float64) { t.setTempLabel(x) }
	t.temp.OnChangeEnded = func(x float64) {
		s := t.pal.Settings()
		s.Temperature = x
		t.pal.SetSettings(s)
		t.changed()
	}
	seed := newKeyButton(t.keys, "New seed", theme.ViewRefreshIcon(), func() {
		s := t.pal.Settings()
		s.Seed = rand.Int64()
		if s.Temperature == 0 {
			s.Temperature = 0.5
			t.temp.SetValue(0.5)
		}
		t.pal.SetSettings(s)
		t.changed()
	})
	slerp := newKeyCheck(t.keys, "Spherical blend", func(on bool) {
		s := t.pal.Settings()
		s.Spherical = on
		t.pal.SetSettings(s)
		t.changed()
	})
	slerp.Checked = t.pal.Settings().Spherical
	pin := newKeyButton(t.keys, "Keep", theme.ContentAddIcon(), t.pin)
	var exports []fyne.CanvasObject
	for _, e := range t.kind.exporters {
		exports = append(exports, newKeyButton(t.keys, e.label, theme.DocumentSaveIcon(), func() { t.export(e) }))
	}
	var kept *keyButton
	kept = newKeyButton(t.keys, "All kept…", theme.DocumentSaveIcon(), func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(kept)
		showMenu(t.exportKeptMenu(), t.win.Canvas(), pos.AddXY(0, kept.Size().Height))
	})
	exports = append(exports, kept)

	heading := func(s string) fyne.CanvasObject {
		l := canvas.NewText(strings.ToUpper(s), colMuted)
		l.TextSize = theme.CaptionTextSize()
		l.TextStyle.Bold = true
		return l
	}
	model := container.NewVBox(
		heading("Model"),
		container.NewBorder(nil, nil, widget.NewLabel("Temperature"),
			container.New(atLeast{fyne.NewSize(textWidth("0 (greedy)", "1.50"), 0)}, t.tempLabel),
			container.New(atLeast{fyne.NewSize(sliderMinWidth, 0)}, t.temp)),
		container.NewHBox(seed, slerp),
	)
	// The row of kept results has its height from the start, so that the first Keep moves nothing.
	keptHint := canvas.NewText("Kept results show here: tap one to show it again", colMuted)
	keptHint.TextSize = theme.CaptionTextSize()
	t.keptHint = container.NewCenter(keptHint)
	cell := t.kind.newView(true, colAccent).MinSize().AddWidthHeight(2*theme.Padding(), 2*theme.Padding())
	keptRow := container.New(atLeast{fyne.NewSize(0, max(keptBoxSize.Height, cell.Height))}, t.keptHint, container.NewHScroll(t.pinned))
	t.showKeptHint()
	save := container.NewVBox(heading("Keep and export"), container.NewHBox(append([]fyne.CanvasObject{pin}, exports...)...), keptRow)
	var controls *fyne.Container
	if extra != nil {
		controls = container.NewVBox(extra, widget.NewSeparator(), model, widget.NewSeparator(), save)
	} else {
		controls = container.NewVBox(model, widget.NewSeparator(), save)
	}
	resultTitle := container.NewBorder(nil, nil, heading("Result"), nil, t.point) // the point takes the rest
	var result fyne.CanvasObject = t.result
	if t.resultFooter != nil {
		result = container.NewBorder(nil, t.resultFooter, nil, nil, t.result)
	}
	right := container.NewBorder(resultTitle, controls, nil, nil, result)
	statusBar := container.NewBorder(nil, nil, nil, nil, t.status)
	t.content = container.NewBorder(nil, statusBar, nil, nil,
		container.New(&splitLayout{}, container.NewPadded(t.spaceArea()), container.NewPadded(right)))
	return t.content
}

func (t *paletteTab[T]) setTempLabel(x float64) {
	if x == 0 {
		t.tempLabel.SetText("0 (greedy)")
		return
	}
	t.tempLabel.SetText(fmt.Sprintf("%.2f", x))
}

func (t *paletteTab[T]) moveTo(u, v float64) {
	t.pal.MoveTo(palette.Point{U: u, V: v})
	t.spaceMoved(u, v)
	t.changed() // the session keeps the puck
}

// formatLatency shows a decode time to a useful precision.
func formatLatency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}

func (t *paletteTab[T]) showResult(r palette.Result[T]) {
	t.current, t.hasCurrent = r.Item, true
	t.result.show(r.Item)
	t.markKept(nil)
	t.point.SetText(fmt.Sprintf("u %.2f  v %.2f", r.Point.U, r.Point.V))
	if r.Own {
		t.status.SetText(fmt.Sprintf("%s · on a corner: its own %s, as loaded", t.kind.modelNote, t.kind.noun))
	} else {
		t.status.SetText(fmt.Sprintf("%s · decoded in %s", t.kind.modelNote, formatLatency(r.Latency)))
	}
	if t.onResult != nil {
		t.onResult(r.Item)
	}
	if t.onDecoded != nil {
		t.onDecoded(r)
	}
	t.spaceResult(r)
}

func (t *paletteTab[T]) showCorners(c [4]palette.Corner[T]) {
	for i := range c {
		if c[i].Set {
			t.thumbs[i].show(c[i].Item)
			t.pad.SetLabel(i, c[i].Name)
		}
		if t.kind.known != nil || t.kind.where != nil {
			var says []string
			if t.kind.known != nil && c[i].HasRecon {
				says = append(says, t.kind.known(c[i].Item, c[i].Recon))
			}
			if t.kind.where != nil && c[i].Set && len(c[i].Z) > 0 {
				says = append(says, t.kind.where(c[i].Z))
			}
			t.known[i].Text = strings.Join(says, " · ")
			t.known[i].Refresh()
		}
	}
	t.changed()
}

func (t *paletteTab[T]) showError(err error) {
	if errors.Is(err, palette.ErrNoResult) {
		dialog.ShowInformation("No result yet", "Move the puck on the pad first, then use its result.", t.win)
		return
	}
	dialog.ShowError(fmt.Errorf("%w\n\nTry another file or corner; the palette keeps working with the corners it has", err), t.win)
}

func (t *paletteTab[T]) showCornerMenu(i int, at fyne.Position) {
	showMenu(t.cornerMenu(i), t.win.Canvas(), at)
}

// cornerMenu is what can be done to corner i.
func (t *paletteTab[T]) cornerMenu(i int) *fyne.Menu {
	undo := fyne.NewMenuItem("Undo", func() { t.pal.Undo(i) })
	undo.Disabled = !t.pal.CanUndo(i)
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Open a file…", func() { t.openCorner(i) }),
		t.randomItem(i),
		fyne.NewMenuItem("Use the current result", func() { t.pal.UseResult(i) }),
		fyne.NewMenuItem("The example", func() { t.pal.SetNamedCorner(i, t.examples[i], t.exampleNames[i]) }),
	)
	if t.kind.draw != nil {
		menu.Items = append(menu.Items, fyne.NewMenuItem("Draw…", func() { t.drawCorner(i) }))
	}
	menu.Items = append(menu.Items, fyne.NewMenuItemSeparator(), undo)
	return menu
}

// randomItem is the corner menu's Random: a sample of the model, or, for a model of several
// classes, a submenu: any class (the prior) or a sample of one class.
func (t *paletteTab[T]) randomItem(i int) *fyne.MenuItem {
	item := fyne.NewMenuItem("Random", func() { t.pal.Random(i) })
	if len(t.kind.classes) < 2 {
		return item
	}
	// Any is a random class's sample: a multi-class model's prior N(0, I) scribbles.
	anyClass := func(rng *rand.Rand) []float32 { return t.kind.classZ(rng.IntN(len(t.kind.classes)), rng) }
	sub := fyne.NewMenu("", fyne.NewMenuItem("Any", func() { t.pal.RandomFrom(i, "Random", anyClass) }), fyne.NewMenuItemSeparator())
	for ci, name := range t.kind.classes {
		sub.Items = append(sub.Items, fyne.NewMenuItem(titleCase(name), func() {
			t.pal.RandomFrom(i, titleCase(name), func(rng *rand.Rand) []float32 { return t.kind.classZ(ci, rng) })
		}))
	}
	item.Action = nil
	item.ChildMenu = sub
	return item
}

// titleCase capitalises a class name for a label: "dog" → "Dog".
func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// setName names corner i anew once the corner changes asked for before are done. A corner's
// name travels with its item in the palette: prefer pal.SetNamedCorner, which sets both or,
// when the item fails to encode, neither.
func (t *paletteTab[T]) setName(i int, s string) { t.pal.Rename(i, s) }

// cornerName is corner i's name as it stands.
func (t *paletteTab[T]) cornerName(i int) string { return t.pal.Corners()[i].Name }

func (t *paletteTab[T]) openCorner(i int) {
	t.chooseOpenPath(t.win, t.kind.fileExts, func(path string) { t.loadCorner(i, path) })
}

// drawCorner lets the user draw corner i by hand.
func (t *paletteTab[T]) drawCorner(i int) {
	t.kind.draw(t.win, t.runOnUI, func(item T) { t.pal.SetNamedCorner(i, item, "Drawn") })
}

// drop sends files dropped at pos (in the window) to the corner nearest to it.
func (t *paletteTab[T]) drop(pos fyne.Position, uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(t.pad)
	i := t.pad.nearestCorner(pos.Subtract(abs))
	t.loadCorner(i, uris[0].Path())
}

func (t *paletteTab[T]) pin() {
	r, err := t.pal.Pin()
	if err != nil {
		t.showError(err)
		return
	}
	t.addKeptView(len(t.pal.Pinned())-1, r.Item)
	t.changed()
}

// keep adds item to the kept results (one restored from a saved session).
func (t *paletteTab[T]) keep(item T) {
	t.pal.AddPinned(palette.Result[T]{Item: item})
	t.addKeptView(len(t.pal.Pinned())-1, item)
}

// The row of kept results draws the palette's list of them (Pinned), in its order: a result kept
// adds a cell at the end, a result removed draws the row again, so that cell i is always the
// palette's result i.

// showKept draws the row of kept results again from the palette's list.
func (t *paletteTab[T]) showKept() {
	t.pinned.RemoveAll()
	for i, r := range t.pal.Pinned() {
		t.addKeptView(i, r.Item)
	}
	t.showKeptHint()
}

// addKeptView shows the palette's kept result i in the row of kept results; tapping it makes it
// the result.
func (t *paletteTab[T]) addKeptView(i int, item T) {
	v := t.kind.newView(true, colAccent)
	v.show(item)
	box := canvas.NewRectangle(colPanel)
	box.CornerRadius = 6
	box.SetMinSize(keptBoxSize)
	var cell *fyne.Container
	show := func() {
		t.current, t.hasCurrent = item, true
		t.result.show(item)
		t.markKept(cell)
		if t.onResult != nil {
			t.onResult(item)
		}
	}
	var use *keptButton
	use = newKeptButton(t.keys, show, func(at fyne.Position) {
		showMenu(use.menu, t.win.Canvas(), at)
	})
	cell = container.NewStack(box, use, container.NewPadded(v))
	use.menu = fyne.NewMenu("",
		fyne.NewMenuItem("Show", show),
		fyne.NewMenuItem("Remove", func() { t.removeKept(i) }),
	)
	t.pinned.Add(cell)
	t.showKeptHint()
}

// markKept marks the kept result shown in cell (nil: none, the result is the puck's) with a frame,
// and says over the result view which one it is and that the puck is elsewhere.
func (t *paletteTab[T]) markKept(cell *fyne.Container) {
	shown := -1
	for i, o := range t.pinned.Objects {
		box := o.(*fyne.Container).Objects[0].(*canvas.Rectangle)
		on := o == cell
		if on {
			shown = i
		}
		if w := map[bool]float32{true: 2, false: 0}[on]; box.StrokeWidth != w {
			box.StrokeWidth, box.StrokeColor = w, colAccent
			box.Refresh()
		}
	}
	if shown >= 0 {
		pt := t.pal.Point()
		t.point.SetText(fmt.Sprintf("kept %d of %d · not the puck's (u %.2f  v %.2f)", shown+1, len(t.pinned.Objects), pt.U, pt.V))
	}
}

// keptBoxSize is the least size of a kept result's cell.
var keptBoxSize = fyne.NewSize(72, 54)

// showKeptHint shows the empty row's hint while nothing is kept.
func (t *paletteTab[T]) showKeptHint() {
	if t.keptHint == nil {
		return
	}
	if len(t.pinned.Objects) == 0 {
		t.keptHint.Show()
	} else {
		t.keptHint.Hide()
	}
}

// removeKept removes the palette's kept result i.
func (t *paletteTab[T]) removeKept(i int) {
	t.pal.Unpin(i)
	t.showKept()
	t.changed()
}

// keptButton is a kept result's button: a tap shows the result, a right click opens a menu.
type keptButton struct {
	keyButton
	menu        *fyne.Menu
	onSecondary func(at fyne.Position)
}

func newKeptButton(k *keyRoute, tap func(), secondary func(at fyne.Position)) *keptButton {
	b := &keptButton{keyButton: keyButton{keys: k}, onSecondary: secondary}
	b.OnTapped = tap
	b.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	return b
}

// TappedSecondary opens the kept result's menu where the pointer is.
func (b *keptButton) TappedSecondary(e *fyne.PointEvent) { b.onSecondary(e.AbsolutePosition) }

// export writes the current result through a save dialog.
func (t *paletteTab[T]) export(e exporter[T]) {
	if !t.hasCurrent {
		dialog.ShowInformation("Nothing to export yet", "Move the puck on the pad to make a "+t.kind.noun+" first.", t.win)
		return
	}
	t.exportItems(e, []T{t.current}, "palette-"+t.kind.noun+e.ext, "the "+t.kind.noun)
}

// exportKept writes all kept results into one file (one after another, or a sheet).
func (t *paletteTab[T]) exportKept(e exporter[T]) {
	var items []T
	for _, r := range t.pal.Pinned() {
		items = append(items, r.Item)
	}
	if len(items) == 0 {
		dialog.ShowInformation("Nothing kept yet", "Press Keep to keep a result first, then export what you kept.", t.win)
		return
	}
	t.exportItems(e, items, "palette-kept"+e.ext, "the kept results")
}

// exportKeptMenu offers the formats for all kept results.
func (t *paletteTab[T]) exportKeptMenu() *fyne.Menu {
	menu := fyne.NewMenu("")
	for _, e := range t.kind.exporters {
		menu.Items = append(menu.Items, fyne.NewMenuItem("All kept as "+e.label+"…", func() { t.exportKept(e) }))
	}
	return menu
}

// exportItems asks where to save items in e's format (name is the file name offered; what
// names them in an error) and writes them in the background, whole or not at all.
func (t *paletteTab[T]) exportItems(e exporter[T], items []T, name, what string) {
	write := e.writer()
	t.chooseSavePath(t.win, name, e.ext, func(path string) {
		go func() {
			err := safely(func() error { return atomicfile.Write(path, func(w io.Writer) error { return write(w, items) }) })
			err = userPath(err, path) // never the name of the temporary file
			t.runOnUI(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("could not save %s: %w\n\nChoose another folder or name and export again", what, err), t.win)
					return
				}
				t.status.SetText("Saved " + path)
			})
		}()
	})
}

// safely runs f, turning a panic into an error so that a bad item never takes the app down.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return f()
}
