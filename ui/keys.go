package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The window's transport keys, the space bar (play, stop) and the arrow keys (move the puck), work
// whatever has the keyboard focus, except a text field: a click on a checkbox, a slider, a button
// or a list gives it the focus (Fyne does so on every tap), and a key typed then goes to that
// widget alone. Fyne's window shortcuts need a modifier, so the controls of the palettes are
// built from the widgets below, which hand the transport keys to the window before their own
// handling sees them. Text fields (the file dialogs' names) are plain entries and keep every key.

// keyRoute is where the widgets of one window send the keys they do not keep.
type keyRoute struct {
	// handle acts on a transport key and reports whether it did; nil until the window is built.
	handle func(*fyne.KeyEvent) bool
}

// key hands e to the window; true if the window used it.
func (k *keyRoute) key(e *fyne.KeyEvent) bool { return k != nil && k.handle != nil && k.handle(e) }

// rune reports whether r belongs to a transport key: the space bar arrives twice, as a key
// (acted on) and as a rune (dropped here, so that no widget toggles on it).
func (k *keyRoute) rune(r rune) bool { return r == ' ' && k != nil && k.handle != nil }

// typedKey hands e to the window, and to own (the widget's own handling) if the window did not
// use it: every widget below overrides TypedKey with it.
func (k *keyRoute) typedKey(e *fyne.KeyEvent, own func(*fyne.KeyEvent)) {
	if !k.key(e) {
		own(e)
	}
}

// typedRune drops the space bar's rune (see rune) and gives every other rune to own.
func (k *keyRoute) typedRune(r rune, own func(rune)) {
	if !k.rune(r) {
		own(r)
	}
}

// isTransportKey reports whether e is one of the keys the window keeps for itself.
func isTransportKey(e *fyne.KeyEvent) bool {
	switch e.Name {
	case fyne.KeySpace, fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown:
		return true
	}
	return false
}

// keyButton is a button that leaves the transport keys to the window.
type keyButton struct {
	widget.Button
	keys *keyRoute
}

func newKeyButton(k *keyRoute, label string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{keys: k}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey is part of fyne.Focusable.
func (b *keyButton) TypedKey(e *fyne.KeyEvent) { b.keys.typedKey(e, b.Button.TypedKey) }

// TypedRune is part of fyne.Focusable.
func (b *keyButton) TypedRune(r rune) { b.keys.typedRune(r, b.Button.TypedRune) }

// keyCheck is a checkbox that leaves the transport keys to the window.
type keyCheck struct {
	widget.Check
	keys *keyRoute
}

func newKeyCheck(k *keyRoute, label string, changed func(bool)) *keyCheck {
	c := &keyCheck{keys: k}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey is part of fyne.Focusable.
func (c *keyCheck) TypedKey(e *fyne.KeyEvent) { c.keys.typedKey(e, c.Check.TypedKey) }

// TypedRune is part of fyne.Focusable.
func (c *keyCheck) TypedRune(r rune) { c.keys.typedRune(r, c.Check.TypedRune) }

// keySlider is a slider that leaves the transport keys to the window: the arrows move the puck,
// not the slider's value.
type keySlider struct {
	widget.Slider
	keys *keyRoute
}

func newKeySlider(k *keyRoute, lo, hi float64) *keySlider {
	s := &keySlider{keys: k}
	s.Min, s.Max, s.Step, s.Orientation = lo, hi, 1, widget.Horizontal
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey is part of fyne.Focusable.
func (s *keySlider) TypedKey(e *fyne.KeyEvent) { s.keys.typedKey(e, s.Slider.TypedKey) }

// TypedRune is part of fyne.Focusable.
func (s *keySlider) TypedRune(r rune) { s.keys.typedRune(r, s.Slider.TypedRune) }

// keySelect is a drop-down list that leaves the transport keys to the window.
type keySelect struct {
	widget.Select
	keys *keyRoute
}

func newKeySelect(k *keyRoute, options []string, changed func(string)) *keySelect {
	s := &keySelect{keys: k}
	s.Options, s.OnChanged = options, changed
	s.PlaceHolder = "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey is part of fyne.Focusable.
func (s *keySelect) TypedKey(e *fyne.KeyEvent) { s.keys.typedKey(e, s.Select.TypedKey) }

// TypedRune is part of fyne.Focusable.
func (s *keySelect) TypedRune(r rune) { s.keys.typedRune(r, s.Select.TypedRune) }
