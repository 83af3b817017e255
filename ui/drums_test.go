package ui

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
)

// showDrums selects the Drums tab.
func (f *fixture) showDrums() *drumsTab {
	f.w.tabs.SelectIndex(drumsTabIndex)
	f.settle()
	return f.w.drums
}

func TestDrumsTabDecodesAtPoint(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	if d.cornerName(0) != "Rock" || d.cornerName(3) != "Half-time" || d.pad.labels[1] != "Funk" {
		t.Errorf("corners named %q, want the example grooves", d.pad.labels)
	}
	test.Drag(f.w.win.Canvas(), padPos(d.pad, 0.35, 0.65), 4, -2)
	f.settle()
	checkDecode(t, d.paletteTab, f.dspy, 0.35, 0.65, pointerSlack)
	grid := d.result.(*DrumGrid)
	if !slices.Equal(grid.pat, d.current) || d.current.Hits() == 0 {
		t.Errorf("the grid shows %d hits, the result has %d", grid.pat.Hits(), d.current.Hits())
	}
	if !strings.Contains(d.hint.Text, "drag the puck into that corner") {
		t.Errorf("off a corner the hint says %q", d.hint.Text)
	}
	for i, k := range d.known {
		if !strings.HasPrefix(k.Text, "model: ") {
			t.Errorf("corner %d says %q, want how many steps the model knows", i, k.Text)
		}
	}
}

// writeDrumFile writes p as a drum MIDI file in dir.
func writeDrumFile(t *testing.T, dir, name string, p drums.Pattern) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := atomicfile.Write(path, func(w io.Writer) error { return drums.WriteMIDI(w, p, drums.WriteOptions{BPM: 96}) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// performance is 4 bars of a played groove: soft and loud hits off the grid.
func performance() drums.Pattern {
	p := make(drums.Pattern, 4*drums.StepsPerBar)
	for i := range p {
		if i%2 == 0 {
			p[i].Velocity[drums.ClosedHat] = uint8(50 + 4*(i%8))
			p[i].Offset[drums.ClosedHat] = 0.1
		}
		if i%8 == 0 {
			p[i].Velocity[drums.Kick] = 110
		}
		if i%8 == 4 {
			p[i].Velocity[drums.Snare] = uint8(90 + i/4)
			p[i].Offset[drums.Snare] = -0.15
		}
	}
	p[40].Velocity[drums.Crash] = 127 // bar 3 starts with a crash
	return p
}

// recordingPlayer records what the window asks the player to play.
type recordingPlayer struct {
	Player
	mu     sync.Mutex
	drums  drums.Pattern
	melody melody.Melody
}

func (r *recordingPlayer) SetDrums(p drums.Pattern) error {
	r.mu.Lock()
	r.drums = slices.Clone(p)
	r.mu.Unlock()
	return r.Player.SetDrums(p)
}

func (r *recordingPlayer) SetMelody(m melody.Melody) error {
	r.mu.Lock()
	r.melody = slices.Clone(m)
	r.mu.Unlock()
	return r.Player.SetMelody(m)
}

// TestOpenDrumMIDI loads 2 bars of a drum file into a corner through the choose dialog; with
// the puck on the corner the grid shows them and the player plays them as the file has them,
// velocities and timing.
func TestOpenDrumMIDI(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	rec := &recordingPlayer{Player: f.player}
	d.tr.player = rec
	perf := performance()
	path := writeDrumFile(t, f.tmp, "played.mid", perf)

	d.loadCorner(palette.TopRight, path)
	f.settle() // the file is read in the background
	top, slider := chooseDialog(t, f.w.win)
	if slider == nil || slider.Max != 3 { // 2 bars from bar 1, 2, 3 or 4
		t.Fatalf("slider %+v, want one over 4 starting bars", slider)
	}
	slider.SetValue(2)
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	want := perf[32:64]
	c := d.pal.Corners()[palette.TopRight]
	if len(c.Item) != drums.WindowSteps || c.Item.Hits() != want.Hits() {
		t.Fatalf("the corner holds %d steps with %d hits, want bars 3 and 4 (%d hits)", len(c.Item), c.Item.Hits(), want.Hits())
	}
	for i := range want {
		for k := range drums.NumClasses {
			g, w := c.Item[i], want[i]
			if g.Velocity[k] != w.Velocity[k] || abs32(g.Offset[k]-w.Offset[k]) > 0.01 {
				t.Fatalf("step %d %s: velocity %d offset %.3f, want %d %.3f", i, drums.Class(k), g.Velocity[k], g.Offset[k], w.Velocity[k], w.Offset[k])
			}
		}
	}
	if d.pad.labels[palette.TopRight] != "played" {
		t.Errorf("corner label %q, want the file's name", d.pad.labels[palette.TopRight])
	}

	d.moveTo(1, 0)
	f.settle()
	test.Tap(d.part.play)
	defer d.part.toggle()
	rec.mu.Lock()
	played := rec.drums
	rec.mu.Unlock()
	if !slices.Equal(played, c.Item) || !slices.Equal(d.result.(*DrumGrid).pat, c.Item) {
		t.Error("on the corner the player and the grid do not have the file's groove as loaded")
	}
}

// dialogText returns the text of the dialog on top, or "".
func dialogText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var s []string
	for _, o := range test.LaidOutObjects(top) {
		switch l := o.(type) {
		case *widget.Label:
			s = append(s, l.Text)
		case *widget.RichText:
			s = append(s, l.String())
		}
	}
	return strings.Join(s, "\n")
}

// TestDrumFileErrors: a MIDI file without drums, and a file that is not MIDI, each give a dialog
// that says so and leave the corner as it was; an odd meter is imported with a notice.
func TestDrumFileErrors(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	mel, err := melody.FromNotes([]melody.Note{{Pitch: 72, Start: 0, End: 8}, {Pitch: 67, Start: 8, End: 32}}, melody.WindowSteps)
	if err != nil {
		t.Fatal(err)
	}
	tune := filepath.Join(f.tmp, "tune.mid")
	if err := atomicfile.Write(tune, func(w io.Writer) error { return melody.WriteMIDI(w, mel, melody.WriteOptions{}) }); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(f.tmp, "notes.txt")
	if err := os.WriteFile(text, []byte("not music"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{tune, "No drum track:"},
		{text, "not a MIDI file the palette can use"},
	} {
		before := d.pal.Corners()[palette.BottomLeft].Item
		f.w.dropped(padPos(d.pad, 0.1, 0.9), []fyne.URI{storage.NewFileURI(tt.path)})
		f.settle()
		if got := dialogText(f.w.win); !strings.Contains(got, tt.want) {
			t.Errorf("%s: dialog %q, want %q", filepath.Base(tt.path), got, tt.want)
		}
		f.w.win.Canvas().Overlays().Remove(f.w.win.Canvas().Overlays().Top())
		if after := d.pal.Corners()[palette.BottomLeft].Item; !slices.Equal(after, before) {
			t.Errorf("%s: the corner changed", filepath.Base(tt.path))
		}
	}
}

// TestGridClickEditsCorner: with the puck on a corner a click on the grid adds or removes a hit
// in that corner's groove (undoable); off a corner it changes nothing.
func TestGridClickEditsCorner(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	grid := d.result.(*DrumGrid)
	cell := func(step int, c drums.Class) fyne.Position {
		o, a := grid.gridArea(grid.Size())
		return o.AddXY((float32(step)+0.5)*a.Width/drums.WindowSteps, (float32(c)+0.5)*a.Height/drums.NumClasses)
	}
	bossa := slices.Clone(d.pal.Corners()[palette.BottomLeft].Item)
	if bossa[2].Hit(drums.Snare) {
		t.Fatal("the test needs a step without a snare")
	}

	d.moveTo(0.5, 0.5)
	f.settle()
	test.TapAt(grid, cell(2, drums.Snare))
	f.settle()
	if !slices.Equal(d.pal.Corners()[palette.BottomLeft].Item, bossa) || d.pal.CanUndo(palette.BottomLeft) {
		t.Error("a click on a blend changed a corner")
	}
	if !strings.Contains(d.status.Text, "drag the puck into a corner") {
		t.Errorf("status %q, want how to edit", d.status.Text)
	}

	d.moveTo(0, 1) // the bottom-left corner
	f.settle()
	if d.editing != palette.BottomLeft || !strings.Contains(d.hint.Text, `Editing "Bossa nova"`) {
		t.Fatalf("on the corner: editing %d, hint %q", d.editing, d.hint.Text)
	}
	test.TapAt(grid, cell(2, drums.Snare))
	f.settle()
	got := d.pal.Corners()[palette.BottomLeft].Item
	if got[2].Velocity[drums.Snare] != drums.DefaultVelocity || got.Hits() != bossa.Hits()+1 {
		t.Fatalf("after a click the corner has snare velocity %d at step 3 and %d hits, want %d and %d",
			got[2].Velocity[drums.Snare], got.Hits(), drums.DefaultVelocity, bossa.Hits()+1)
	}
	if r, _ := d.pal.Result(); !r.Own || !slices.Equal(r.Item, got) || !slices.Equal(grid.pat, got) {
		t.Error("the grid does not show the edited groove")
	}
	if d.pad.labels[palette.BottomLeft] != "Bossa nova (edited)" {
		t.Errorf("label %q", d.pad.labels[palette.BottomLeft])
	}
	kick := slices.IndexFunc(got, func(s drums.Step) bool { return s.Hit(drums.Kick) })
	test.TapAt(grid, cell(kick, drums.Kick)) // a second click removes a hit
	f.settle()
	if got := d.pal.Corners()[palette.BottomLeft].Item; got[kick].Hit(drums.Kick) || got.Hits() != bossa.Hits() {
		t.Errorf("the kick at step %d is still there", kick+1)
	}
	if d.pad.labels[palette.BottomLeft] != "Bossa nova (edited)" {
		t.Errorf("after two edits the label is %q", d.pad.labels[palette.BottomLeft])
	}
	for range 2 {
		d.pal.Undo(palette.BottomLeft) // the name comes back with the groove
	}
	f.settle()
	if !slices.Equal(d.pal.Corners()[palette.BottomLeft].Item, bossa) || d.pad.labels[palette.BottomLeft] != "Bossa nova" {
		t.Errorf("two undos did not bring the groove back (label %q)", d.pad.labels[palette.BottomLeft])
	}
}

// TestDrumExports writes the groove as MIDI and WAV and all kept grooves as one MIDI file, and
// reads them back.
func TestDrumExports(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	var kept []drums.Pattern
	for _, p := range [][2]float64{{0.2, 0.3}, {0.8, 0.6}} {
		d.moveTo(p[0], p[1])
		f.settle()
		d.pin()
		kept = append(kept, d.current)
	}
	export := func(name string, run func()) []byte {
		t.Helper()
		path := filepath.Join(f.tmp, name)
		f.chooseSave = func(_ fyne.Window, _, _ string, done func(string)) { done(path) }
		d.status.SetText("")
		run()
		f.until(t, "the export of "+name, func() bool { return strings.HasPrefix(d.status.Text, "Saved") })
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	readBack := func(data []byte) drums.Pattern {
		t.Helper()
		im, err := drums.ReadMIDI(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if im.BPM != d.tr.tempo {
			t.Errorf("tempo %v, want %v", im.BPM, d.tr.tempo)
		}
		return im.Pattern
	}
	same := func(got, want drums.Pattern) bool {
		if len(got) < len(want) {
			return false
		}
		for i := range want {
			if got[i].Velocity != want[i].Velocity {
				return false
			}
		}
		return true
	}

	if got := readBack(export("groove.mid", func() { test.Tap(findButton(t, d.content, "MIDI")) })); !same(got, d.current) {
		t.Errorf("read back %v, want %v", got, d.current)
	}
	wav := export("groove.wav", func() { test.Tap(findButton(t, d.content, "WAV")) })
	if len(wav) < 44 || string(wav[:4]) != "RIFF" || string(wav[8:12]) != "WAVE" || binary.LittleEndian.Uint16(wav[22:]) != 2 {
		t.Fatalf("not a stereo WAV file: % x", wav[:min(len(wav), 24)])
	}
	if len(wav) < 44+4*44100*8 { // two passes of 2 bars at 120 BPM: 8 s
		t.Errorf("only %d bytes of audio", len(wav))
	}
	var all []byte
	all = export("kept.mid", func() {
		for _, it := range d.exportKeptMenu().Items {
			if it.Label == "All kept as MIDI…" {
				it.Action()
			}
		}
	})
	if got := readBack(all); !same(got, slices.Concat(kept...)) {
		t.Errorf("read back %d steps, want the 2 kept grooves one after another", len(got))
	}
}

// TestDrumsPlayWithMelody: the Drums tab's Play plays the groove on the melody's player and
// tempo; the melody keeps playing when the drums stop, and the player stops with the last part.
func TestDrumsPlayWithMelody(t *testing.T) {
	f := newFixture(t)
	rec := &recordingPlayer{Player: f.player}
	f.w.melody.tr.player = rec
	d := f.showDrums()
	d.moveTo(0.4, 0.4)
	f.settle()
	playing := func() bool { _, on := rec.Step(); return on }

	d.tr.tempos[1].SetValue(100) // the Drums tab's tempo slider
	if f.w.melody.tr.tempos[0].Value != 100 || d.tr.tempo != 100 {
		t.Errorf("the melody's tempo slider is at %v after the drums' moved to 100", f.w.melody.tr.tempos[0].Value)
	}
	f.w.typedKey(&fyne.KeyEvent{Name: fyne.KeySpace}) // on the Drums tab: the drums
	if !playing() || !d.part.on || f.w.melody.part.on || !slices.Equal(rec.drums, d.current) {
		t.Fatalf("after space on the Drums tab: playing %v, drums on %v, melody on %v", playing(), d.part.on, f.w.melody.part.on)
	}
	if slices.ContainsFunc(rec.melody, func(e int) bool { return e != melody.NoEvent }) {
		t.Error("the melody sounds though only the drums were started")
	}
	test.Tap(f.w.melody.part.play)
	if !f.w.melody.part.on || !slices.Equal(rec.melody, f.w.melody.current) {
		t.Error("the melody did not join the drums")
	}
	d.moveTo(0.7, 0.2) // a new groove while playing goes to the player
	f.settle()
	if !slices.Equal(rec.drums, d.current) {
		t.Error("the player did not get the new groove")
	}
	test.Tap(d.part.play)
	if !playing() || len(rec.drums) != 0 || d.part.play.Text != "Play" {
		t.Errorf("after stopping the drums: playing %v, drum part %d steps, button %q", playing(), len(rec.drums), d.part.play.Text)
	}
	test.Tap(f.w.melody.part.play)
	if playing() {
		t.Error("the player plays on with no part on")
	}
}

// TestDrumFileNotice: a groove in 3/4 is imported bar by bar, and the window says what the
// import noticed once the corner is set.
func TestDrumFileNotice(t *testing.T) {
	f := newFixture(t)
	d := f.showDrums()
	// A type-0 file at 4 ticks a quarter (a tick a step): 3/4, then a kick, hat, snare and kick
	// a quarter apart on channel 10.
	track := []byte{
		0, 0xff, 0x58, 4, 3, 2, 24, 8,
		0, 0x99, 36, 100,
		4, 0x99, 42, 80,
		4, 0x99, 38, 112,
		4, 0x99, 36, 100,
		0, 0xff, 0x2f, 0,
	}
	file := append([]byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x04MTrk\x00\x00\x00"), byte(len(track)))
	path := filepath.Join(f.tmp, "waltz.mid")
	if err := os.WriteFile(path, append(file, track...), 0o644); err != nil {
		t.Fatal(err)
	}
	d.loadCorner(palette.TopLeft, path)
	f.settle() // the file is read in the background
	top, slider := chooseDialog(t, f.w.win)
	if slider == nil || slider.Max != 1 { // two bars of 12 steps
		t.Fatalf("slider %+v, want one over 2 starting bars", slider)
	}
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	if got := dialogText(f.w.win); !strings.Contains(got, "3/4") {
		t.Errorf("after the import the window says %q, want the notice about 3/4", got)
	}
	if c := d.pal.Corners()[palette.TopLeft].Item; c.Hits() != 4 || !c[8].Hit(drums.Snare) || !c[12].Hit(drums.Kick) {
		t.Errorf("the corner holds %d hits, want the 4 of the file on their steps", c.Hits())
	}
}
