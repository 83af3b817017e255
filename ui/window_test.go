package ui

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
	_ "github.com/latentpalette/palette/internal/locale" // before Fyne reads the locale
	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/palette/standin"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// spyModel records the latent vectors it is asked to decode.
type spyModel[T any] struct {
	palette.Model[T]
	mu sync.Mutex
	zs [][]float32
}

func (s *spyModel[T]) Decode(zs [][]float32, opts vae.DecodeOptions) ([]T, error) {
	s.mu.Lock()
	s.zs = append(s.zs, zs...)
	s.mu.Unlock()
	return s.Model.Decode(zs, opts)
}

func (s *spyModel[T]) last() []float32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.zs) == 0 {
		return nil
	}
	return s.zs[len(s.zs)-1]
}

type fixture struct {
	w      *window
	queue  chan func() // callbacks for Fyne's thread, run by the test's goroutine
	mspy   *spyModel[melody.Melody]
	sspy   *spyModel[sketch.Drawing]
	dspy   *spyModel[drums.Pattern]
	tmp    string
	player Player
	// chooseSave answers the window's save dialogs (options.chooseSavePath); tests set it before
	// an export. nil shows the real dialog.
	chooseSave func(win fyne.Window, name, ext string, done func(path string))
}

func newFixture(t *testing.T) *fixture { t.Helper(); return newFixtureWith(t, "") }

// newFixtureWith builds the window with a session file (none if session is ""); mods change the
// window's options.
func newFixtureWith(t *testing.T, session string, mods ...func(*options)) *fixture {
	t.Helper()
	f := &fixture{queue: make(chan func(), 4096), tmp: t.TempDir()}
	a := test.NewTempApp(t)
	f.mspy = &spyModel[melody.Melody]{Model: standin.Melody{}}
	f.sspy = &spyModel[sketch.Drawing]{Model: standin.Sketch{}}
	f.dspy = &spyModel[drums.Pattern]{Model: standin.Drums{}}
	p, err := newAudioPlayer(true)
	if err != nil {
		t.Fatal(err)
	}
	f.player = p
	o := options{player: p, melodyModel: f.mspy, sketchModel: f.sspy, drumsModel: f.dspy, notes: modelNotes{"spy", "spy", "spy"}, session: session}
	o.runOnUI = func(fn func()) { f.queue <- fn }
	o.chooseSavePath = func(win fyne.Window, name, ext string, done func(string)) {
		if f.chooseSave == nil {
			showSaveDialog(win, name, ext, done)
			return
		}
		f.chooseSave(win, name, ext, done)
	}
	for _, m := range mods {
		m(&o)
	}
	f.w = newWindow(a, o)
	f.w.win.Resize(fyne.NewSize(1100, 750))
	t.Cleanup(f.w.win.Close)
	f.settle()
	return f
}

// settle runs the UI callbacks until the palettes are idle and none is left, and has the session
// writer write what it holds (at once, not after its quiet moment).
func (f *fixture) settle() {
	for {
		f.w.melody.loads.Wait()
		f.w.sketch.loads.Wait()
		f.w.drums.loads.Wait()
		f.w.melody.pal.Wait()
		f.w.sketch.pal.Wait()
		f.w.drums.pal.Wait()
		select {
		case fn := <-f.queue:
			fn()
		default:
			if f.w.saver != nil {
				f.w.saver.flush()
			}
			return
		}
	}
}

// until runs UI callbacks as they come until cond holds, for work outside the palettes.
func (f *fixture) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case fn := <-f.queue:
			fn()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// padPos returns the absolute canvas position of (u, v) on pad.
func padPos(pad *Pad, u, v float64) fyne.Position {
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(pad)
	o, side := square(pad.Size())
	return abs.Add(o).AddXY(float32(u)*side, float32(v)*side)
}

// pointerSlack is how far apart, in pad units, the test driver may place a pointer event and
// the position AbsolutePositionForObject reports (a few pixels: it counts padding differently).
const pointerSlack = 0.01

// checkDecode asserts that the pad and the palette are at (u, v) (within tol), and that tab's
// last decode asked for the blend at exactly that point and shows its result.
func checkDecode[T any](t *testing.T, tab *paletteTab[T], spy *spyModel[T], u, v, tol float64) {
	t.Helper()
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol+1e-9 }
	pu, pv := tab.pad.Point()
	pt := tab.pal.Point()
	if pu != pt.U || pv != pt.V || !near(pu, u) || !near(pv, v) {
		t.Fatalf("pad at (%.3f, %.3f), palette at (%.3f, %.3f), want (%.3f, %.3f)", pu, pv, pt.U, pt.V, u, v)
	}
	var zs [4][]float32
	for i, c := range tab.pal.Corners() {
		zs[i] = c.Z
	}
	if want := palette.Blend(zs, pt, tab.pal.Settings().Spherical); !slices.Equal(spy.last(), want) {
		t.Fatalf("the last decode was not at the pad's point")
	}
	r, ok := tab.pal.Result()
	if !ok || r.Point != pt || !tab.hasCurrent {
		t.Fatalf("no result shown for the point %v", pt)
	}
}

func TestDragDecodesAtPoint(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		tab    int
		u, v   float64
		dx, dy float32
	}{
		{"melody", 0, 0.4, 0.7, 6, -3},
		{"melody far corner", 0, 0.97, 0.02, 1, 1},
		{"sketch", 1, 0.6, 0.35, -4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.w.tabs.SelectIndex(tt.tab)
			f.settle()
			if tt.tab == 0 {
				test.Drag(f.w.win.Canvas(), padPos(f.w.melody.pad, tt.u, tt.v), tt.dx, tt.dy)
				f.settle()
				checkDecode(t, f.w.melody.paletteTab, f.mspy, tt.u, tt.v, pointerSlack)
				if !slices.Equal(f.w.melody.result.(*PianoRoll).mel, f.w.melody.current) {
					t.Error("the piano roll does not show the result")
				}
			} else {
				test.Drag(f.w.win.Canvas(), padPos(f.w.sketch.pad, tt.u, tt.v), tt.dx, tt.dy)
				f.settle()
				checkDecode(t, f.w.sketch.paletteTab, f.sspy, tt.u, tt.v, pointerSlack)
				if !slices.Equal(f.w.sketch.result.(*SketchView).d, f.w.sketch.current) {
					t.Error("the sketch view does not show the result")
				}
			}
		})
	}
}

func TestTapAndArrowKeys(t *testing.T) {
	f := newFixture(t)
	pad := f.w.melody.pad
	o, side := square(pad.Size())
	test.TapAt(pad, o.AddXY(0.5*side, 0.25*side)) // TapAt is relative to the pad: exact
	f.settle()
	checkDecode(t, f.w.melody.paletteTab, f.mspy, 0.5, 0.25, 1e-6)
	keys := []struct {
		key  fyne.KeyName
		u, v float64
	}{
		{fyne.KeyRight, 0.5 + padNudge, 0.25},
		{fyne.KeyDown, 0.5 + padNudge, 0.25 + padNudge},
		{fyne.KeyLeft, 0.5, 0.25 + padNudge},
		{fyne.KeyUp, 0.5, 0.25},
	}
	for _, k := range keys {
		pad.TypedKey(&fyne.KeyEvent{Name: k.key})
		f.settle()
		checkDecode(t, f.w.melody.paletteTab, f.mspy, k.u, k.v, 1e-6)
	}
	for range 40 { // the puck stops at the edge
		pad.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	}
	f.settle()
	checkDecode(t, f.w.melody.paletteTab, f.mspy, 0, 0.25, 1e-6)
}

// findButton returns the button labelled label under o.
func findButton(t *testing.T, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == label {
			return b
		}
		if b, ok := obj.(*keyButton); ok && b.Text == label {
			return &b.Button
		}
	}
	t.Fatalf("no button %q", label)
	return nil
}

func TestExportWritesValidFiles(t *testing.T) {
	f := newFixture(t)
	test.Drag(f.w.win.Canvas(), padPos(f.w.melody.pad, 0.3, 0.6), 1, 1)
	f.w.tabs.SelectIndex(1)
	f.settle()
	test.Drag(f.w.win.Canvas(), padPos(f.w.sketch.pad, 0.7, 0.2), 1, 1)
	f.w.tabs.SelectIndex(0)
	f.settle()
	mel := f.w.melody.current

	tests := []struct {
		tab    int
		button string
		ext    string
		check  func(t *testing.T, data []byte)
	}{
		{0, "MIDI", ".mid", func(t *testing.T, data []byte) {
			segs, err := melody.ReadMIDI(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			// ReadMIDI starts a melody at its first note: compare the notes, shifted.
			got, want := melody.Concat(segs...).Notes(), mel.Notes()
			if len(got) == 0 || len(got) != len(want) {
				t.Fatalf("read back %v, want %v", got, want)
			}
			for i := range got {
				if got[i].Pitch != want[i].Pitch || got[i].Start-got[0].Start != want[i].Start-want[0].Start {
					t.Fatalf("note %d read back as %v, want %v", i, got[i], want[i])
				}
			}
		}},
		{0, "WAV", ".wav", func(t *testing.T, data []byte) {
			if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
				t.Fatalf("not a WAV file: % x", data[:min(len(data), 16)])
			}
			if ch, rate := binary.LittleEndian.Uint16(data[22:]), binary.LittleEndian.Uint32(data[24:]); ch != 2 || rate != 44100 {
				t.Errorf("%d channels at %d Hz", ch, rate)
			}
			if len(data) < 44+4*44100*8 { // two passes of 2 bars at 120 BPM: 8 s
				t.Errorf("only %d bytes of audio", len(data))
			}
		}},
		{1, "PNG", ".png", func(t *testing.T, data []byte) {
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != exportStyle.Size || b.Dy() != exportStyle.Size {
				t.Errorf("image is %v", b)
			}
			inked := 0
			for y := 0; y < img.Bounds().Dy(); y += 2 {
				for x := 0; x < img.Bounds().Dx(); x += 2 {
					if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
						inked++
					}
				}
			}
			if inked < 100 {
				t.Errorf("only %d inked pixels: the drawing is missing", inked)
			}
		}},
		{1, "SVG", ".svg", func(t *testing.T, data []byte) {
			// Well-formed XML with an <svg> root and at least one <path>.
			dec := xml.NewDecoder(bytes.NewReader(data))
			var root string
			paths := 0
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if se, ok := tok.(xml.StartElement); ok {
					if root == "" {
						root = se.Name.Local
					}
					if se.Name.Local == "path" {
						paths++
					}
				}
			}
			if root != "svg" || paths == 0 {
				t.Errorf("root <%s> with %d paths", root, paths)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.button, func(t *testing.T) {
			path := filepath.Join(f.tmp, "out"+tt.ext)
			f.chooseSave = func(_ fyne.Window, name, ext string, done func(string)) {
				if ext != tt.ext || !strings.HasSuffix(name, tt.ext) {
					t.Errorf("save dialog for %q (%s)", name, ext)
				}
				done(path)
			}
			tab := f.w.melody.paletteTab.content
			status := f.w.melody.status
			if tt.tab == 1 {
				tab, status = f.w.sketch.content, f.w.sketch.status
			}
			f.w.tabs.SelectIndex(tt.tab)
			status.SetText("")
			test.Tap(findButton(t, tab, tt.button))
			f.until(t, "the export", func() bool { return strings.HasPrefix(status.Text, "Saved") })
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, data)
			if tmp, _ := filepath.Glob(filepath.Join(f.tmp, ".*")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

func TestExportFailureShowsDialog(t *testing.T) {
	f := newFixture(t)
	test.Drag(f.w.win.Canvas(), padPos(f.w.melody.pad, 0.3, 0.6), 1, 1)
	f.settle()
	path := filepath.Join(f.tmp, "no-such-folder", "out.mid")
	f.chooseSave = func(_ fyne.Window, _, _ string, done func(string)) { done(path) }
	test.Tap(findButton(t, f.w.melody.content, "MIDI"))
	f.until(t, "the error dialog", func() bool { return f.w.win.Canvas().Overlays().Top() != nil })
	if _, err := os.Stat(path); err == nil {
		t.Error("a file was written")
	}
}

func TestDropGoesToNearestCorner(t *testing.T) {
	f := newFixture(t)
	mel, err := melody.FromNotes([]melody.Note{{Pitch: 72, Start: 0, End: 8}, {Pitch: 67, Start: 8, End: 16}, {Pitch: 64, Start: 16, End: 32}}, melody.WindowSteps)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.tmp, "dropped.mid")
	if err := atomicfile.Write(path, func(w io.Writer) error { return melody.WriteMIDI(w, mel, melody.WriteOptions{}) }); err != nil {
		t.Fatal(err)
	}
	f.w.dropped(padPos(f.w.melody.pad, 0.9, 0.8), []fyne.URI{storage.NewFileURI(path)})
	f.settle()
	c := f.w.melody.pal.Corners()[palette.BottomRight]
	if !slices.Equal(c.Item.Notes(), mel.Notes()) {
		t.Errorf("bottom-right corner holds %v, want the dropped melody %v", c.Item.Notes(), mel.Notes())
	}
	if got := f.w.melody.pad.labels[palette.BottomRight]; got != "dropped" {
		t.Errorf("corner label %q, want the file's name", got)
	}
	f.w.melody.pal.Undo(palette.BottomRight) // the name comes back with the item
	f.settle()
	if got := f.w.melody.pad.labels[palette.BottomRight]; got != "Arpeggios" {
		t.Errorf("after undo the label is %q", got)
	}
}

func TestKeepPinsResult(t *testing.T) {
	f := newFixture(t)
	test.TapAt(f.w.melody.pad, fyne.NewPos(100, 300))
	f.settle()
	test.Tap(findButton(t, f.w.melody.content, "Keep"))
	test.TapAt(f.w.melody.pad, fyne.NewPos(300, 100))
	f.settle()
	kept := f.w.melody.pal.Pinned()
	if len(kept) != 1 || len(f.w.melody.pinned.Objects) != 1 {
		t.Fatalf("%d results kept, %d shown", len(kept), len(f.w.melody.pinned.Objects))
	}
	if slices.Equal(f.w.melody.current, kept[0].Item) {
		t.Fatal("the test needs two different results")
	}
	// Tapping a kept result shows it again.
	var b *keptButton
	for _, o := range test.LaidOutObjects(f.w.melody.pinned) {
		if k, ok := o.(*keptButton); ok {
			b = k
		}
	}
	if b == nil {
		t.Fatal("no button on the kept result")
	}
	test.Tap(b)
	if !slices.Equal(f.w.melody.current, kept[0].Item) {
		t.Error("tapping the kept result did not bring it back")
	}
	box := f.w.melody.pinned.Objects[0].(*fyne.Container).Objects[0].(*canvas.Rectangle)
	if box.StrokeWidth == 0 || !strings.HasPrefix(f.w.melody.point.Text, "kept 1 of 1 · not the puck's") {
		t.Errorf("the kept result shown is not marked (frame %v, point %q)", box.StrokeWidth, f.w.melody.point.Text)
	}
	f.w.melody.moveTo(0.5, 0.5) // a result of the puck's again: the mark goes
	f.settle()
	if box.StrokeWidth != 0 || !strings.HasPrefix(f.w.melody.point.Text, "u 0.50") {
		t.Errorf("after a move the kept result is still marked (frame %v, point %q)", box.StrokeWidth, f.w.melody.point.Text)
	}
	// A right click offers to remove it.
	test.TapSecondary(b)
	if f.w.win.Canvas().Overlays().Top() == nil {
		t.Error("no menu on a right click")
	}
	for _, it := range b.menu.Items {
		if it.Label == "Remove" {
			it.Action()
		}
	}
	if n, shown := len(f.w.melody.pal.Pinned()), len(f.w.melody.pinned.Objects); n != 0 || shown != 0 {
		t.Errorf("after Remove: %d kept, %d shown", n, shown)
	}
}

func TestOpenMIDIChoosesBars(t *testing.T) {
	f := newFixture(t)
	var notes []melody.Note
	for i := range 16 { // four bars of quarter notes rising from C4
		notes = append(notes, melody.Note{Pitch: 60 + i, Start: 4 * i, End: 4*i + 4})
	}
	four, err := melody.FromNotes(notes, 4*melody.StepsPerBar)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.tmp, "four-bars.mid")
	if err := atomicfile.Write(path, func(w io.Writer) error { return melody.WriteMIDI(w, four, melody.WriteOptions{}) }); err != nil {
		t.Fatal(err)
	}
	f.w.melody.loadCorner(palette.TopLeft, path)
	f.settle() // the file is read in the background
	top, slider := chooseDialog(t, f.w.win)
	if slider == nil || slider.Max != 2 { // windows start at bars 1, 2 and 3
		t.Fatalf("slider %+v, want one over 3 windows", slider)
	}
	slider.SetValue(2)
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	got := f.w.melody.pal.Corners()[palette.TopLeft].Item.Notes()
	if len(got) != 8 || got[0].Pitch != 68 || got[0].Start != 0 {
		t.Errorf("top-left holds %v, want bars 3 and 4 (8 notes from G#4)", got)
	}
}

// chooseDialog returns the dialog on top, which must be there, and its slider, if any.
func chooseDialog(t *testing.T, win fyne.Window) (fyne.CanvasObject, *widget.Slider) {
	t.Helper()
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog to choose from")
	}
	var slider *widget.Slider
	for _, o := range test.LaidOutObjects(top) {
		if s, ok := o.(*widget.Slider); ok {
			slider = s
		}
	}
	return top, slider
}

func TestBadFileShowsDialog(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.tmp, "notes.txt")
	if err := os.WriteFile(path, []byte("not music"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tab := range []int{0, 1} {
		f.w.tabs.SelectIndex(tab)
		before := f.w.melody.pal.Corners()
		f.w.dropped(padPos(f.w.melody.pad, 0.1, 0.1), []fyne.URI{storage.NewFileURI(path)})
		f.settle()
		top := f.w.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("tab %d: no dialog for a file that is neither MIDI nor drawings", tab)
		}
		f.w.win.Canvas().Overlays().Remove(top)
		if after := f.w.melody.pal.Corners(); !slices.Equal(after[0].Item, before[0].Item) {
			t.Errorf("tab %d: the corner changed", tab)
		}
	}
}

// TestOpenSharedFiles opens real files into corners: a Nottingham tune (whose chord track the
// importer must skip) and a sheep from sketch-rnn's npz, through the choose dialog.
func TestOpenSharedFiles(t *testing.T) {
	tune := shared.Data(t, "nottingham/full/test/ashover25.mid")
	sheep := shared.Data(t, "sketch/aaron_sheep.npz")
	f := newFixture(t)

	f.w.melody.loadCorner(palette.TopRight, tune)
	f.settle() // the file is read in the background
	top := f.w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog to choose the bars of a whole tune")
	}
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	if c := f.w.melody.pal.Corners()[palette.TopRight]; len(c.Item.Notes()) < 4 {
		t.Errorf("the tune's first bars hold %d notes", len(c.Item.Notes()))
	}

	f.w.tabs.SelectIndex(1)
	f.w.sketch.loadCorner(palette.BottomLeft, sheep)
	f.settle() // the file is read in the background
	top = f.w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog to choose a drawing")
	}
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	if c := f.w.sketch.pal.Corners()[palette.BottomLeft]; len(c.Item) < 10 || f.w.sketch.pad.labels[palette.BottomLeft] != "aaron_sheep" {
		t.Errorf("the corner holds a drawing of %d points named %q", len(c.Item), f.w.sketch.pad.labels[palette.BottomLeft])
	}
}

// TestSketchReplaysWhenSettled: the drawing replays its strokes once the results stop coming
// (the puck came to rest), once per point.
func TestSketchReplaysWhenSettled(t *testing.T) {
	f := newFixture(t)
	f.w.tabs.SelectIndex(1)
	s := f.w.sketch
	o, side := square(s.pad.Size())
	at := func(p palette.Point, u, v float64) bool { return math.Abs(p.U-u) < 1e-6 && math.Abs(p.V-v) < 1e-6 }

	test.TapAt(s.pad, o.AddXY(0.3*side, 0.6*side))
	f.settle()
	f.until(t, "the replay at (0.3, 0.6)", func() bool { return at(s.replayShown, 0.3, 0.6) })
	first := s.replay

	// A drag whose results keep coming faster than replayRest replays only where it stops.
	for i := range 5 {
		s.pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: o.AddXY(float32(0.5+0.05*float64(i))*side, 0.2*side)}})
		f.settle()
	}
	s.pad.DragEnd()
	f.until(t, "the replay at (0.7, 0.2)", func() bool { return at(s.replayShown, 0.7, 0.2) })
	if s.replay == first {
		t.Error("no new replay")
	}
	if r := test.WidgetRenderer(s.result.(*SketchView)); r == nil {
		t.Fatal("no renderer")
	}
}

// TestStartingSettings: the sketch palette starts sampling at a low temperature with a fixed seed
// (greedy Sketch-RNN draws loops), the melody palette greedily; each slider and its label say so,
// and the sketch slider still goes down to greedy.
func TestStartingSettings(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		got   tempControls
		temp  float64
		label string
	}{
		{"melody", controlsOf(f.w.melody.paletteTab), 0, "0 (greedy)"},
		{"sketch", controlsOf(f.w.sketch.paletteTab), 0.2, "0.20"},
	}
	for _, tt := range tests {
		got := tt.got
		if got.settings.Temperature != tt.temp || got.slider != tt.temp || got.label != tt.label {
			t.Errorf("%s: temperature %v, slider at %v labelled %q; want %v labelled %q",
				tt.name, got.settings.Temperature, got.slider, got.label, tt.temp, tt.label)
		}
		if got.result != got.settings {
			t.Errorf("%s: the first result was decoded with %+v, want %+v", tt.name, got.result, got.settings)
		}
	}

	// The same point decodes to the same drawing again: the seed is fixed.
	f.w.tabs.SelectIndex(1)
	s := f.w.sketch
	o, side := square(s.pad.Size())
	test.TapAt(s.pad, o.AddXY(0.3*side, 0.7*side))
	f.settle()
	first := slices.Clone(s.current)
	test.TapAt(s.pad, o.AddXY(0.8*side, 0.1*side))
	f.settle()
	test.TapAt(s.pad, o.AddXY(0.3*side, 0.7*side))
	f.settle()
	if !slices.Equal(s.current, first) {
		t.Error("the same point, corners and settings drew a different drawing")
	}

	// Sliding to 0 decodes greedily.
	s.temp.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(0, s.temp.Size().Height/2)}})
	s.temp.DragEnd()
	f.settle()
	if got := s.pal.Settings().Temperature; got != 0 || s.tempLabel.Text != "0 (greedy)" {
		t.Errorf("after sliding to the left end: temperature %v labelled %q", got, s.tempLabel.Text)
	}
	if r, _ := s.pal.Result(); r.Settings.Temperature != 0 {
		t.Errorf("the result after sliding to 0 was decoded at temperature %v", r.Settings.Temperature)
	}
}

// tempControls are a tab's settings, its temperature slider and label, and its result's settings.
type tempControls struct {
	settings, result palette.Settings
	slider           float64
	label            string
}

func controlsOf[T any](tab *paletteTab[T]) tempControls {
	r, _ := tab.pal.Result()
	return tempControls{settings: tab.pal.Settings(), result: r.Settings, slider: tab.temp.Value, label: tab.tempLabel.Text}
}

// TestCornerIsItsOwnMelody puts the puck on a corner: the result is the melody loaded there, not
// the model's reconstruction; each corner tile says how many steps the model gives back.
func TestCornerIsItsOwnMelody(t *testing.T) {
	f := newFixture(t)
	f.settle()
	tab := f.w.melody.paletteTab
	for i, k := range tab.known {
		if !strings.HasPrefix(k.Text, "model: ") || !strings.HasSuffix(k.Text, "/32") {
			t.Errorf("corner %d says %q, want how many steps the model knows", i, k.Text)
		}
	}
	tab.moveTo(1, 0)
	f.settle()
	r, ok := tab.pal.Result()
	if c := tab.pal.Corners()[palette.TopRight]; !ok || !r.Own || !slices.Equal(r.Item, c.Item) {
		t.Errorf("on the top-right corner: own %v, want the corner's own melody", r.Own)
	}
	if !strings.Contains(tab.status.Text, "its own melody") {
		t.Errorf("status %q", tab.status.Text)
	}
}
