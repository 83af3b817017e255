package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// findObject returns the first object under o that is a T and passes ok.
func findObject[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject, what string, ok func(T) bool) T {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if x, is := obj.(T); is && ok(x) {
			return x
		}
	}
	var zero T
	t.Fatalf("no %s", what)
	return zero
}

// press types the space bar or an arrow key as the window does: to the focused widget, as a key
// and (the space bar) as a rune, or to the canvas while nothing has the focus.
func press(c fyne.Canvas, name fyne.KeyName) {
	e := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(e)
		if name == fyne.KeySpace {
			f.TypedRune(' ')
		}
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(e)
	}
}

// TestTransportKeysWithFocus: with the focus on a checkbox, a slider, a button or the instrument
// list (a click gives it), the space bar plays and stops and the arrow keys move the puck; the
// widget's own value stays.
func TestTransportKeysWithFocus(t *testing.T) {
	f := newFixture(t)
	c := f.w.win.Canvas()
	content := f.w.melody.content
	slerp := findObject(t, content, "Spherical blend", func(c *keyCheck) bool { return c.Text == "Spherical blend" })
	loop := findObject(t, content, "Loop", func(c *keyCheck) bool { return c.Text == "Loop" })
	tempo := findObject(t, content, "tempo slider", func(s *keySlider) bool { return s.Max > 10 })
	inst := findObject(t, content, "instrument list", isInstruments)
	keep := findObject(t, content, "Keep", func(b *keyButton) bool { return b.Text == "Keep" })

	for _, tt := range []struct {
		name  string
		focus fyne.Focusable
		tap   bool // a click gives the widget the focus; else the Tab key does
		value func() any
	}{
		{"Spherical blend", slerp, true, func() any { return slerp.Checked }},
		{"Loop", loop, true, func() any { return loop.Checked }},
		{"Temperature", f.w.melody.temp, true, func() any { return f.w.melody.temp.Value }},
		{"Tempo", tempo, true, func() any { return tempo.Value }},
		{"instrument", inst, false, func() any { return inst.Selected }},
		{"Keep", keep, false, func() any { return len(f.w.melody.pal.Pinned()) }},
		{"nothing", nil, false, func() any { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			switch {
			case tt.tap:
				test.Tap(tt.focus.(fyne.Tappable))
				f.settle()
			case tt.focus != nil:
				c.Focus(tt.focus)
			default:
				c.Unfocus()
			}
			if c.Focused() != tt.focus {
				t.Fatalf("the focus is on %T, not the %s", c.Focused(), tt.name)
			}
			before := tt.value()
			on := f.w.melody.part.on
			press(c, fyne.KeySpace)
			if f.w.melody.part.on == on {
				t.Errorf("space with the focus on %s did not toggle playback", tt.name)
			}
			press(c, fyne.KeySpace)
			if f.w.melody.part.on != on {
				t.Errorf("a second space did not toggle playback back")
			}
			u0, v0 := f.w.melody.pad.Point()
			press(c, fyne.KeyRight)
			press(c, fyne.KeyDown)
			f.settle()
			if u, v := f.w.melody.pad.Point(); u != u0+padNudge || v != v0+padNudge {
				t.Errorf("right, down with the focus on %s: puck (%.4f, %.4f) -> (%.4f, %.4f)", tt.name, u0, v0, u, v)
			}
			checkDecode(t, f.w.melody.paletteTab, f.mspy, u0+padNudge, v0+padNudge, 1e-6)
			if after := tt.value(); after != before {
				t.Errorf("the keys changed the %s: %v -> %v", tt.name, before, after)
			}
			press(c, fyne.KeyLeft)
			press(c, fyne.KeyUp)
			f.settle()
		})
	}
}

// TestTextFieldKeepsKeys: in a text field the space bar and the arrows edit the text.
func TestTextFieldKeepsKeys(t *testing.T) {
	f := newFixture(t)
	c := f.w.win.Canvas()
	e := widget.NewEntry()
	f.w.win.SetContent(e)
	c.Focus(e)
	u0, v0 := f.w.melody.pad.Point()
	test.Type(e, "a b")
	press(c, fyne.KeyLeft)
	f.settle()
	if e.Text != "a b" || e.CursorColumn != 2 {
		t.Errorf("entry %q, cursor at %d; want \"a b\" and 2", e.Text, e.CursorColumn)
	}
	if u, v := f.w.melody.pad.Point(); u != u0 || v != v0 || f.w.melody.part.on {
		t.Error("typing in a text field moved the puck or started playback")
	}
}
