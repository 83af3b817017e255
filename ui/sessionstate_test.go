package ui

import (
	"math"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/latentpalette/palette/model/palette"
)

// TestSessionRoundTrip: every setting the session keeps is there again at the next start: the
// tempo, the instrument, each tab's temperature, seed, spherical blend and puck, the selected tab,
// each corner's undo history with its names, the corners and the kept results.
func TestSessionRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	m := f.w.melody
	m.tr.tempos[0].SetValue(97)
	inst := findObject(t, m.content, "instrument list", isInstruments)
	inst.SetSelected("pad")
	m.temp.SetValue(0.35)
	m.temp.OnChangeEnded(0.35)
	s := m.pal.Settings()
	s.Seed = 1234
	m.pal.SetSettings(s)
	findObject(t, m.content, "Spherical blend", func(c *keyCheck) bool { return c.Text == "Spherical blend" }).SetChecked(true)
	ex := m.examples
	m.pal.SetNamedCorner(palette.TopLeft, ex[1], "one")
	m.pal.SetNamedCorner(palette.TopLeft, ex[2], "two")
	m.pal.SetNamedCorner(palette.BottomRight, ex[0], "three")
	m.pad.SetPoint(0.3, 0.7)
	m.moveTo(0.3, 0.7)
	f.settle()
	m.pin()
	f.w.sketch.pad.SetPoint(0.8, 0.15)
	f.w.sketch.moveTo(0.8, 0.15)
	d := f.w.drums
	d.temp.SetValue(0.8)
	d.temp.OnChangeEnded(0.8)
	d.moveTo(0.1, 0.9)
	f.settle()
	d.pin()
	f.w.tabs.SelectIndex(drumsTabIndex)
	f.settle()
	wantM, wantD := m.snapshot(), d.snapshot()
	f.w.saver.flush()

	g := newFixtureWith(t, path)
	gm, gd := g.w.melody, g.w.drums
	if gm.tr.tempo != 97 || gm.tr.tempos[0].Value != 97 || gd.tr.tempos[1].Value != 97 {
		t.Errorf("tempo %v (sliders %v, %v), want 97", gm.tr.tempo, gm.tr.tempos[0].Value, gd.tr.tempos[1].Value)
	}
	if sel := findObject(t, gm.content, "instrument list", isInstruments); gm.instrument != "pad" || sel.Selected != "pad" {
		t.Errorf("instrument %q (list %q), want pad", gm.instrument, sel.Selected)
	}
	want := palette.Settings{Temperature: 0.35, Seed: 1234, Spherical: true}
	if got := gm.pal.Settings(); got != want || math.Abs(gm.temp.Value-0.35) > 1e-9 || gm.tempLabel.Text != "0.35" {
		t.Errorf("melody settings %+v (slider %v, %q), want %+v", got, gm.temp.Value, gm.tempLabel.Text, want)
	}
	if c := findObject(t, gm.content, "Spherical blend", func(c *keyCheck) bool { return c.Text == "Spherical blend" }); !c.Checked {
		t.Error("Spherical blend is not checked")
	}
	if got := gd.pal.Settings(); got.Temperature != 0.8 || got.Spherical || math.Abs(gd.temp.Value-0.8) > 1e-9 {
		t.Errorf("drum settings %+v (slider %v), want temperature 0.8", got, gd.temp.Value)
	}
	for _, tt := range []struct {
		name string
		pad  *Pad
		pal  palette.Point
		want palette.Point
	}{
		{"melody", gm.pad, gm.pal.Point(), palette.Point{U: 0.3, V: 0.7}},
		{"sketch", g.w.sketch.pad, g.w.sketch.pal.Point(), palette.Point{U: 0.8, V: 0.15}},
		{"drums", gd.pad, gd.pal.Point(), palette.Point{U: 0.1, V: 0.9}},
	} {
		u, v := tt.pad.Point()
		if tt.pal != tt.want || u != tt.want.U || v != tt.want.V {
			t.Errorf("%s puck at %v (pad %v, %v), want %v", tt.name, tt.pal, u, v, tt.want)
		}
	}
	if r, ok := gm.pal.Result(); !ok || r.Point != (palette.Point{U: 0.3, V: 0.7}) || !slices.Equal(gm.current, r.Item) {
		t.Error("the restored melody palette shows no result at the restored point")
	}
	if i := g.w.tabs.SelectedIndex(); i != drumsTabIndex {
		t.Errorf("tab %d selected, want the drums (%d)", i, drumsTabIndex)
	}
	gotM, gotD := gm.snapshot(), gd.snapshot()
	if gotM.Names != wantM.Names || gotM.Names[palette.TopLeft] != "two" || gotM.Names[palette.BottomRight] != "three" {
		t.Errorf("melody corners named %q, want %q", gotM.Names, wantM.Names)
	}
	for i := range 4 {
		if len(gotM.History[i]) != len(wantM.History[i]) {
			t.Fatalf("corner %d: %d undo steps, want %d", i+1, len(gotM.History[i]), len(wantM.History[i]))
		}
		for j, h := range gotM.History[i] {
			if w := wantM.History[i][j]; h.Name != w.Name || !slices.Equal(h.Item, w.Item) {
				t.Errorf("corner %d undo step %d: %q, want %q", i+1, j+1, h.Name, w.Name)
			}
		}
	}
	if n := len(gotM.History[palette.TopLeft]); n != 2 || gotM.History[palette.TopLeft][0].Name != "Lullaby" {
		t.Errorf("top-left history %d steps", n)
	}
	if len(gotM.Kept) != 1 || !slices.Equal(gotM.Kept[0], wantM.Kept[0]) || len(gotD.Kept) != 1 || !slices.Equal(gotD.Kept[0], wantD.Kept[0]) {
		t.Error("the kept results differ")
	}
	gm.pal.Undo(palette.TopLeft) // the restored history works: back to "one", with its item
	g.settle()
	if c := gm.pal.Corners()[palette.TopLeft]; c.Name != "one" || !slices.Equal(c.Item, ex[1]) || gm.pad.labels[palette.TopLeft] != "one" {
		t.Errorf("after Undo the corner is %q (label %q)", c.Name, gm.pad.labels[palette.TopLeft])
	}
}

// TestSessionWritesInBackground: while the session file's write is held up, the window goes on
// (saving never waits for the disk), the changes made meanwhile are written together, once
// things are quiet, and the last one wins.
func TestSessionWritesInBackground(t *testing.T) {
	var mu sync.Mutex
	var writes []*session
	var holding atomic.Bool
	hold := make(chan struct{})
	write := func(_ string, s *session) error {
		if holding.Load() {
			<-hold
		}
		mu.Lock()
		writes = append(writes, s)
		mu.Unlock()
		return nil
	}
	f := newFixtureWith(t, filepath.Join(t.TempDir(), sessionName), func(o *options) { o.writeSession = write })
	holding.Store(true)
	mu.Lock()
	writes = nil
	mu.Unlock()
	f.w.melody.moveTo(0.2, 0.2)
	time.Sleep(2 * sessionDelay) // the writer takes this session and waits in write
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			f.w.melody.pad.SetPoint(float64(i)/50, 0.5) // what a drag does, 50 steps of it
			f.w.melody.moveTo(float64(i)/50, 0.5)
			f.w.saveSession()
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the window waited for the session file to be written")
	}
	close(hold)
	f.settle()
	mu.Lock()
	defer mu.Unlock()
	if len(writes) < 1 || len(writes) > 3 {
		t.Fatalf("%d writes for 50 changes, want the first and one or two more", len(writes))
	}
	if p := writes[len(writes)-1].Melody.Point; p == nil || p.U != 49.0/50 {
		t.Errorf("the last write has the puck at %v, want u 0.98", p)
	}
}

// isInstruments picks the instrument list among the drop-down lists.
func isInstruments(s *keySelect) bool { return slices.Contains(s.Options, "pad") }

// TestFirstStartHint: at the first start each pad says how to play until its puck first moves;
// a start that restores a session says nothing.
func TestFirstStartHint(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	for _, p := range []*Pad{f.w.melody.pad, f.w.sketch.pad, f.w.drums.pad} {
		if p.Hint() != firstHint {
			t.Fatalf("a pad's hint is %q at the first start", p.Hint())
		}
	}
	f.w.melody.pad.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	f.settle()
	if h := f.w.melody.pad.Hint(); h != "" {
		t.Errorf("the hint %q stays after the first move", h)
	}
	if f.w.sketch.pad.Hint() != firstHint {
		t.Error("a move on the melody pad took the sketch pad's hint")
	}
	g := newFixtureWith(t, path)
	if h := g.w.melody.pad.Hint(); h != "" {
		t.Errorf("the hint %q at a start with a session", h)
	}
}
