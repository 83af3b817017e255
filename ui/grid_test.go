package ui

import (
	"bytes"
	"fmt"
	"image/gif"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"gitlab.com/gomidi/midi/v2/smf"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// gridOn turns tab's grid on at size n and runs the UI until every cell is in.
func gridOn[T any](t *testing.T, f *fixture, tab *paletteTab[T], n int) *space[T] {
	t.Helper()
	s := tab.space
	s.sizeSel.SetSelected(sizeLabel(n))
	s.toggle.SetChecked(true)
	f.until(t, "the grid to fill", func() bool { return len(s.items) == n*n && !s.progress.Visible() })
	return s
}

func sizeLabel(n int) string { return fmt.Sprintf("%d×%d", n, n) }

// expectedGrid decodes tab's grid as the grid must show it.
func expectedGrid[T any](t *testing.T, tab *paletteTab[T], n int) []T {
	t.Helper()
	want, err := palette.DecodePoints(tab.pal.Model(), tab.pal.Corners(), palette.GridPoints(n), tab.pal.Settings(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func cellButton[T any](t *testing.T, s *space[T], k int) *keptButton {
	t.Helper()
	for _, o := range test.LaidOutObjects(s.cellBox.Objects[k]) {
		if b, ok := o.(*keptButton); ok {
			return b
		}
	}
	t.Fatalf("no button in cell %d", k)
	return nil
}

func TestGridFillsAndCellsPlayKeepAndBecomeCorners(t *testing.T) {
	f := newFixture(t)
	tab := f.w.melody.paletteTab
	s := tab.space
	s.sizeSel.SetSelected("5×5")
	s.toggle.SetChecked(true)
	if !s.progress.Visible() {
		t.Error("no progress shown while the grid fills")
	}
	f.until(t, "the grid to fill", func() bool { return len(s.items) == 25 && !s.progress.Visible() })
	want := expectedGrid(t, tab, 5)
	for k := range want {
		if !slices.Equal(s.items[k], want[k]) {
			t.Fatalf("cell %d is %v, want %v", k, s.items[k], want[k])
		}
	}
	// The corner cells are the corners' own melodies; the cells differ from each other.
	cs := tab.pal.Corners()
	for i, k := range []int{0, 4, 20, 24} {
		if !slices.Equal(s.items[k], cs[i].Item) {
			t.Errorf("corner cell %d is not corner %d's melody", k, i)
		}
	}
	distinct := map[string]bool{}
	for _, it := range s.items {
		distinct[fmt.Sprint(it)] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d different cells of 25", len(distinct))
	}

	// A tap plays the cell: it becomes the result, and the puck goes to it.
	test.Tap(cellButton(t, s, 7))
	if !slices.Equal(tab.current, s.items[7]) {
		t.Error("tapping cell 7 did not make it the result")
	}
	if u, v := tab.pad.Point(); u != 0.5 || v != 0.25 {
		t.Errorf("the puck is at (%v, %v), want cell 7's (0.5, 0.25)", u, v)
	}
	// Keep, then Use as corner (top right) from the cell's menu.
	menu := s.cellMenu(12, palette.Point{U: 0.5, V: 0.5}, "Cell 3,3")
	for _, it := range menu.Items {
		if it.Label == "Keep" {
			it.Action()
		}
	}
	if kept := tab.pal.Pinned(); len(kept) != 1 || !slices.Equal(kept[0].Item, s.items[12]) {
		t.Errorf("Keep kept %d results", len(kept))
	}
	centre := slices.Clone(s.items[12])
	for _, it := range menu.Items {
		if it.Label == "Use as corner" {
			it.ChildMenu.Items[1].Action()
		}
	}
	f.settle()
	if !slices.Equal(tab.pal.Corners()[1].Item, centre) {
		t.Error("Use as corner did not put the cell in the top-right corner")
	}
	// The new corner makes a new grid, whose top-right cell is that melody.
	f.until(t, "the new grid", func() bool { return len(s.items) == 25 && slices.Equal(s.items[4], centre) })
}

func TestGridNewestRequestWins(t *testing.T) {
	f := newFixture(t)
	s := f.w.sketch.space
	s.sizeSel.SetSelected("11×11")
	s.toggle.SetChecked(true)
	s.sizeSel.SetSelected("3×3") // while the 11×11 grid decodes
	f.until(t, "the 3×3 grid", func() bool { return s.size == 3 && len(s.items) == 9 && !s.progress.Visible() })
	f.settle()
	if len(s.views) != 9 || len(s.items) != 9 {
		t.Errorf("%d views, %d items after asking for 3×3", len(s.views), len(s.items))
	}
}

func TestGridExports(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	var saved string
	f.chooseSave = func(_ fyne.Window, name, _ string, done func(string)) {
		saved = filepath.Join(dir, name)
		done(saved)
	}
	written := func() bool { _, err := os.Stat(saved); return saved != "" && err == nil }

	s := gridOn(t, f, f.w.melody.paletteTab, 3)
	s.export(gridExporters[melody.Melody](3, 100)[0])
	f.until(t, "the grid's MIDI file", written)
	b, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := smf.ReadFrom(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	markers := 0
	for _, ev := range mf.Tracks[0] {
		var text string
		if ev.Message.GetMetaMarker(&text) {
			markers++
		}
	}
	if markers != 9 {
		t.Errorf("%d markers in the grid's MIDI file, want 9", markers)
	}

	saved = ""
	ss := gridOn(t, f, f.w.sketch.paletteTab, 4)
	ss.export(gridExporters[sketch.Drawing](4, 120)[1])
	f.until(t, "the grid's SVG sheet", written)
	if b, _ := os.ReadFile(saved); !bytes.Contains(b, []byte("<svg")) {
		t.Error("the sheet is not an SVG")
	}
}

// recordPath records a path through the pad's own callback, as a drag would.
func recordPath[T any](tab *paletteTab[T], pts ...palette.Point) {
	p := &tab.space.path
	p.rec.SetChecked(true)
	for _, pt := range pts {
		tab.pad.SetPoint(pt.U, pt.V)
		tab.pad.OnMoved(pt.U, pt.V)
	}
	p.rec.SetChecked(false)
}

func TestPathRecordsPlaysAndExports(t *testing.T) {
	f := newFixture(t)
	tab := f.w.melody.paletteTab
	p := &tab.space.path
	test.Tap(findButton(t, tab.content, "Clear path"))
	p.play.SetChecked(true)
	if p.play.Checked {
		t.Error("Play path started without a path")
	}
	f.w.win.Canvas().Overlays().Top().Hide()

	recordPath(tab, palette.Point{U: 0, V: 0}, palette.Point{U: 0.5, V: 0}, palette.Point{U: 1, V: 1})
	f.settle()
	if len(p.path) != 4 || p.path[1] != (palette.Point{U: 0, V: 0}) || p.path[3] != (palette.Point{U: 1, V: 1}) {
		t.Fatalf("recorded %v, want the start and the three moves", p.path)
	}
	p.barsSel.SetSelected("8 bars")
	p.play.SetChecked(true)
	f.until(t, "the path's windows", func() bool { return len(p.windows) == 4 })
	if !slices.Equal(tab.current, p.windows[0]) {
		t.Error("playback did not start with the first window")
	}
	if u, v := tab.pad.Point(); u != p.path[0].U || v != p.path[0].V {
		t.Errorf("the puck is at (%v, %v), not at the path's start", u, v)
	}
	want, err := palette.DecodePoints(tab.pal.Model(), tab.pal.Corners(), p.path.Even(4), tab.pal.Settings(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !slices.Equal(p.windows[k], want[k]) {
			t.Errorf("window %d differs from the decode at its point", k)
		}
	}
	p.play.SetChecked(false)

	dir := t.TempDir()
	var saved string
	f.chooseSave = func(_ fyne.Window, name, _ string, done func(string)) {
		saved = filepath.Join(dir, name)
		done(saved)
	}
	p.export(tab, pathExporters(tab.kind.exporters, 120)[0]) // MIDI
	f.until(t, "the path's MIDI file", func() bool { _, err := os.Stat(saved); return saved != "" && err == nil })
	b, _ := os.ReadFile(saved)
	ms, err := melody.ReadMIDI(bytes.NewReader(b))
	if err != nil || len(melody.Concat(ms...)) < 4*melody.WindowSteps-melody.StepsPerBar {
		t.Errorf("the path's MIDI file reads as %d steps (%v), want 8 bars", len(melody.Concat(ms...)), err)
	}
}

func TestSketchPathExportsGIF(t *testing.T) {
	f := newFixture(t)
	tab := f.w.sketch.paletteTab
	recordPath(tab, palette.Point{U: 0, V: 0}, palette.Point{U: 1, V: 0}, palette.Point{U: 1, V: 1})
	dir := t.TempDir()
	var saved string
	f.chooseSave = func(_ fyne.Window, name, _ string, done func(string)) {
		saved = filepath.Join(dir, name)
		done(saved)
	}
	tab.space.path.export(tab, pathExporters[sketch.Drawing](nil, 120)[0])
	f.until(t, "the GIF", func() bool { _, err := os.Stat(saved); return saved != "" && err == nil })
	fh, err := os.Open(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	g, err := gif.DecodeAll(fh)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != pathFrames || g.Delay[0] != frameDelay {
		t.Errorf("%d frames with delay %d, want %d and %d", len(g.Image), g.Delay[0], pathFrames, frameDelay)
	}
}

// TestPathFollowsTheTransport: with the transport playing, the next window comes just before
// each pass of the 2-bar loop ends, not on a timer.
func TestPathFollowsTheTransport(t *testing.T) {
	f := newFixture(t)
	tab := f.w.drums.paletteTab
	var mu sync.Mutex
	step, reads := 3.0, 0
	tab.clock = func() (float64, float64, bool) {
		mu.Lock()
		defer mu.Unlock()
		reads++
		return 30, step, true // 30 BPM: the timer alone would wait 16 s a window
	}
	// setStep sets the step and waits until the playback has read it twice.
	setStep := func(s float64) {
		mu.Lock()
		step, reads = s, 0
		mu.Unlock()
		for {
			mu.Lock()
			n := reads
			mu.Unlock()
			if n >= 2 {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	recordPath(tab, palette.Point{U: 0, V: 0}, palette.Point{U: 1, V: 1})
	p := &tab.space.path
	p.barsSel.SetSelected("8 bars")
	p.play.SetChecked(true)
	f.until(t, "the path's windows", func() bool { return len(p.windows) == 4 && p.k == 0 })
	time.Sleep(100 * time.Millisecond)
	f.settle()
	if p.k != 0 {
		t.Fatalf("window %d before the loop's end", p.k)
	}
	for want := 1; want <= 4; want++ {
		setStep(31)
		f.until(t, fmt.Sprintf("window %d", want%4), func() bool { return p.k == want%4 })
		if !slices.Equal(tab.current, p.windows[p.k]) {
			t.Fatalf("window %d is not the result", p.k)
		}
		setStep(0.5) // the next pass
	}
	p.play.SetChecked(false)
}

// TestPathKeptInSession: a recorded path is saved with the session and is there at the next start;
// a path outside the unit square in a session file is refused with the file.
func TestPathKeptInSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	recordPath(f.w.drums.paletteTab, palette.Point{U: 0.1, V: 0.2}, palette.Point{U: 0.9, V: 0.7})
	f.settle()
	want := f.w.drums.space.path.path

	g := newFixtureWith(t, path)
	got := g.w.drums.space.path.path
	if len(got) != 3 || !slices.Equal(got, want) {
		t.Fatalf("restored path %v, want %v", got, want)
	}
	if len(g.w.melody.space.path.path) != 0 {
		t.Error("the melody tab got a path it never had")
	}
	// Cleared, it is gone from the session too.
	test.Tap(findButton(t, g.w.drums.content, "Clear path"))
	g.settle()
	if h := newFixtureWith(t, path); len(h.w.drums.space.path.path) != 0 {
		t.Error("a cleared path came back")
	}

	bad := `{"version":1,"drums":{"names":["a","b","c","d"],"corners":[],"kept":[],"path":[{"U":0,"V":0},{"U":2,"V":0}]}}`
	if _, err := readSession(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "outside the unit square") {
		t.Errorf("a path outside the square: %v", err)
	}
}
