package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

func TestPitchRange(t *testing.T) {
	n := func(ps ...int) []melody.Note {
		var notes []melody.Note
		for i, p := range ps {
			notes = append(notes, melody.Note{Pitch: p, Start: i, End: i + 1})
		}
		return notes
	}
	tests := []struct {
		notes   []melody.Note
		minRows int
		lo, hi  int
	}{
		{nil, 14, 59, 72},           // no notes: around middle C
		{n(60), 8, 56, 63},          // one note, widened to 8 rows
		{n(60, 84), 8, 59, 85},      // wide enough already: one row of margin
		{n(64, 65, 67), 14, 59, 72}, // widened on both sides
		{n(21, 108), 14, 20, 109},   // the whole range
	}
	for _, tt := range tests {
		lo, hi := pitchRange(tt.notes, tt.minRows)
		if lo != tt.lo || hi != tt.hi || hi-lo+1 < tt.minRows {
			t.Errorf("pitchRange(%v, %d) = %d..%d, want %d..%d", tt.notes, tt.minRows, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestPianoRollPlayhead(t *testing.T) {
	test.NewTempApp(t)
	m, _ := melody.FromNotes([]melody.Note{{Pitch: 60, Start: 0, End: 8}, {Pitch: 64, Start: 8, End: 16}}, 32)
	p := NewPianoRoll(false, colAccent)
	p.Resize(fyne.NewSize(320, 160))
	p.SetMelody(m)
	r := test.WidgetRenderer(p).(*rollRenderer)
	for _, tt := range []struct {
		step float64
		lit  int // the note drawn lit, -1 none
	}{{-1, -1}, {2.5, 0}, {8, 1}, {20, -1}} {
		p.SetPlayhead(tt.step)
		for i, rect := range r.rects {
			if lit := rect.FillColor != p.color; lit != (i == tt.lit) {
				t.Errorf("step %v: note %d lit %v", tt.step, i, lit)
			}
		}
		if r.head.Hidden != (tt.step < 0) || (tt.step >= 0 && r.head.Position1.X != r.x0+float32(tt.step)*(320-r.x0)/32) {
			t.Errorf("step %v: playhead hidden %v at x %v", tt.step, r.head.Hidden, r.head.Position1.X)
		}
	}
}

func TestSketchViewReplay(t *testing.T) {
	test.NewTempApp(t)
	d := sketch.FromStrokes([][][2]float32{{{0, 0}, {10, 0}, {10, 10}}, {{20, 20}, {30, 30}}})
	v := NewSketchView(false, colAccent)
	v.Resize(fyne.NewSize(200, 200))
	v.SetDrawing(d)
	lines := func() int {
		n := 0
		for _, o := range test.WidgetRenderer(v).Objects() {
			if _, ok := o.(*canvas.Line); ok {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct{ shown, lines int }{{-1, 3}, {0, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}} {
		v.SetShown(tt.shown)
		if got := lines(); got != tt.lines {
			t.Errorf("SetShown(%d): %d lines, want %d", tt.shown, got, tt.lines)
		}
	}
}

// TestSketchCornersShowExamples: the sketch palette opens with the example sheep in its corners,
// each named on the pad and drawn in its thumbnail.
func TestSketchCornersShowExamples(t *testing.T) {
	f := newFixture(t)
	for i, e := range examples.Drawings() {
		v := f.w.sketch.thumbs[i].(*SketchView)
		if !slices.Equal(v.d, e.Item) || f.w.sketch.pad.labels[i] != e.Name {
			t.Errorf("corner %d shows %d points named %q, want %s", i, len(v.d), f.w.sketch.pad.labels[i], e.Name)
		}
		lines := 0
		for _, o := range test.WidgetRenderer(v).Objects() {
			if _, ok := o.(*canvas.Line); ok {
				lines++
			}
		}
		if want := len(e.Item) - len(e.Item.Strokes()); lines != want {
			t.Errorf("%s: thumbnail draws %d lines, want %d", e.Name, lines, want)
		}
	}
}

// TestPianoRollKeyboard: the piano roll names its rows on a keyboard strip, each note's row by the
// note's name, left of the first step; the thumbnails have none.
func TestPianoRollKeyboard(t *testing.T) {
	test.NewTempApp(t)
	for p, want := range map[int]string{60: "C4", 61: "C♯4", 69: "A4", 71: "B4", 72: "C5", 21: "A0", 127: "G9"} {
		if got := noteName(p); got != want {
			t.Errorf("noteName(%d) = %q, want %q", p, got, want)
		}
	}
	m, _ := melody.FromNotes([]melody.Note{{Pitch: 62, Start: 0, End: 8}, {Pitch: 66, Start: 8, End: 16}}, 32)
	p := NewPianoRoll(false, colAccent)
	p.Resize(fyne.NewSize(400, 240))
	p.SetMelody(m)
	r := test.WidgetRenderer(p).(*rollRenderer)
	labels := map[string]*canvas.Text{}
	for _, o := range r.Objects() {
		if txt, ok := o.(*canvas.Text); ok {
			labels[txt.Text] = txt
		}
	}
	for i, name := range []string{"D4", "F♯4"} {
		l, rect := labels[name], r.rects[i]
		if l == nil {
			t.Fatalf("no %s on the keyboard (labels %v)", name, len(labels))
		}
		if mid := rect.Position().Y + rect.Size().Height/2; l.Position().Y > mid || l.Position().Y+l.TextSize+2 < mid {
			t.Errorf("%s at y %v, its note's row at %v", name, l.Position().Y, mid)
		}
		if l.Position().X+fyne.MeasureText(name, l.TextSize, l.TextStyle).Width > r.x0 || rect.Position().X < r.x0 {
			t.Errorf("%s at x %v overlaps the steps, which begin at %v (note at %v)", name, l.Position().X, r.x0, rect.Position().X)
		}
	}
	thumb := NewPianoRoll(true, colAccent)
	thumb.Resize(fyne.NewSize(80, 60))
	thumb.SetMelody(m)
	for _, o := range test.WidgetRenderer(thumb).Objects() {
		if _, ok := o.(*canvas.Text); ok {
			t.Error("a thumbnail draws note names")
		}
	}
}
