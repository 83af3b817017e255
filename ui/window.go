// Package ui is Latent Palette's Fyne front end: the window, the latent pad, the corner tiles,
// the result views and the dialogs. It draws and reports; the palette logic lives in model/.
package ui

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// Title is the window title; the smoke test finds the window by it.
const Title = "Latent Palette"

// window is the main window's state: the three palettes and the tabs that hold them.
type window struct {
	win         fyne.Window
	tabs        *container.AppTabs
	melody      *melodyTab
	sketch      *sketchTab
	drums       *drumsTab
	sessionPath string         // where the session is saved; "" saves nothing
	saver       *sessionWriter // writes the session in the background; nil for none
	keys        *keyRoute
}

// The tabs, in order.
const (
	melodyTabIndex = iota
	sketchTabIndex
	drumsTabIndex
)

// NewMainWindowWith builds the main window around the caller's models; each palette needs one.
func NewMainWindowWith(a fyne.App, m Models) (fyne.Window, error) {
	notes, err := m.check()
	if err != nil {
		return nil, err
	}
	a.Settings().SetTheme(studioTheme{})
	var player Player
	p, err := newAudioPlayer(false)
	if err == nil {
		player = p
	}
	var session string
	if root := a.Storage().RootURI(); root != nil && root.Scheme() == "file" {
		session = filepath.Join(root.Path(), sessionName)
	}
	w := newWindow(a, options{player: player, melodyModel: m.Melody, sketchModel: m.Sketch, sketchChoices: m.sketchChoices(notes.sketch), drumsModel: m.Drums, notes: notes, session: session})
	if err != nil {
		dialog.ShowError(fmt.Errorf("the audio engine did not start: %w\n\nThe palette works without sound; export WAV files to listen", err), w.win)
	}
	return w.win, nil
}

// options are what the window is built around; tests give their own.
type options struct {
	player      Player // nil: no sound, no playhead
	melodyModel palette.Model[melody.Melody]
	sketchModel palette.Model[sketch.Drawing]
	// sketchChoices are the sketch models the sketch palette offers, sketchModel's first
	// (Models.sketchChoices); nil offers sketchModel alone, knowing no classes.
	sketchChoices []sketchChoice
	drumsModel    palette.Model[drums.Pattern]
	notes         modelNotes // which models decode, for the status lines
	session       string     // the session file to restore and keep up to date; "" for none
	// writeSession writes the session file (in the session writer's goroutine); nil writes it
	// whole or not at all with atomicfile. Tests hold it up to see that the window does not wait.
	writeSession func(path string, s *session) error
	hooks        // how callbacks reach Fyne's thread and how the user picks files; nil fields: the real ones
}

// hooks are the window's ways to Fyne's thread and to the file dialogs; tests pass their own
// in options, and a nil field is the real one. The window's tabs hold them (see newPaletteTab).
type hooks struct {
	// runOnUI runs f on Fyne's thread; every callback from a palette or a background goroutine
	// goes through it. Real: fyne.Do. Tests queue the callbacks and run them on their goroutine.
	runOnUI func(f func())
	// chooseSavePath asks where to save a file named name (ext is its extension); done gets the
	// path. Real: showSaveDialog. Tests answer with a path of theirs, bypassing the dialog.
	chooseSavePath func(win fyne.Window, name, ext string, done func(path string))
	// chooseOpenPath asks for a file with one of exts; done gets its path. Real: showOpenDialog.
	chooseOpenPath func(win fyne.Window, exts []string, done func(path string))
}

// orReal returns h with the real behaviour wherever h leaves a field nil.
func (h hooks) orReal() hooks {
	if h.runOnUI == nil {
		h.runOnUI = fyne.Do
	}
	if h.chooseSavePath == nil {
		h.chooseSavePath = showSaveDialog
	}
	if h.chooseOpenPath == nil {
		h.chooseOpenPath = showOpenDialog
	}
	return h
}

func newWindow(a fyne.App, o options) *window {
	player := o.player
	if player == nil {
		player = noPlayer{}
	}
	midi := newMIDIPlayer(player) // MIDI out beside the sound (midiout.go), off until turned on
	player = midi
	melodyModel, keyLock := withKeyLock(o.melodyModel)
	h := o.hooks.orReal()
	w := &window{win: a.NewWindow(Title), sessionPath: o.session}
	w.keys = &keyRoute{handle: w.transportKey}
	var saved session
	var sessionErr error
	if o.session != "" {
		var s *session
		if s, sessionErr = loadSession(o.session); s != nil {
			saved = *s
		}
	}

	mel, err := examples.Melodies()
	var mcorners [4]melody.Melody
	var mnames [4]string
	for i, e := range mel {
		mcorners[i], mnames[i] = e.Item, e.Name
	}
	tr := newTransport(player)
	tr.keys = w.keys
	if saved.Tempo != 0 {
		tr.tempo = saved.Tempo
	}
	w.melody = &melodyTab{tr: tr, instrument: synth.Names()[0], midi: midi, keyLock: keyLock}
	w.melody.paletteTab = newPaletteTab(w.win, w.keys, h, melodyKind(w.melody, o.notes.melody), melodyModel, mcorners, mnames, saved.Melody)

	choices := o.sketchChoices
	if len(choices) == 0 {
		choices = []sketchChoice{{label: "Sketch", model: o.sketchModel, note: o.notes.sketch}}
	}
	chosen := 0
	for i, c := range choices {
		if saved.SketchModel != "" && c.label == saved.SketchModel {
			chosen = i
		}
	}
	cur := choices[chosen]
	scorners, snames := sketchExamples(cur)
	w.sketch = &sketchTab{choices: choices, chosen: chosen, cur: &cur}
	w.sketch.paletteTab = newPaletteTab(w.win, w.keys, h, sketchKind(&cur), cur.model, scorners, snames, saved.Sketch)

	grooves, gerr := examples.Grooves()
	var dcorners [4]drums.Pattern
	var dnames [4]string
	for i, e := range grooves {
		dcorners[i], dnames[i] = e.Item, e.Name
	}
	w.drums = &drumsTab{tr: tr}
	w.drums.paletteTab = newPaletteTab(w.win, w.keys, h, drumsKind(w.drums, o.notes.drums), o.drumsModel, dcorners, dnames, saved.Drums)
	if saved.Instrument != "" {
		w.melody.instrument = saved.Instrument
	}
	tr.onChange = w.saveSession
	w.melody.onChange = w.saveSession
	w.sketch.onChange = w.saveSession
	w.drums.onChange = w.saveSession

	w.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Melody", theme.MediaMusicIcon(), w.melody.build()),
		container.NewTabItemWithIcon("Sketch", theme.DocumentCreateIcon(), w.sketch.build()),
		container.NewTabItemWithIcon("Drums", theme.GridIcon(), w.drums.build()),
	)
	w.tabs.SelectIndex(saved.Tab)
	if o.session == "" || !saved.known() { // a first start: say how to play
		for _, p := range []*Pad{w.melody.pad, w.sketch.pad, w.drums.pad} {
			p.SetHint(firstHint)
		}
	}
	w.tabs.OnSelected = func(*container.TabItem) { w.focusPad(); w.saveSession() }
	w.win.SetContent(w.tabs)
	if o.session != "" {
		w.saver = newSessionWriter(o.session, o.writeSession, w.sessionFailed, h.runOnUI)
	}
	w.focusPad() // the arrow keys move the puck from the start
	if err != nil {
		dialog.ShowError(fmt.Errorf("the example melodies could not be loaded: %w\n\nOpen MIDI files in the corners instead", err), w.win)
	}
	if gerr != nil {
		dialog.ShowError(fmt.Errorf("the example grooves could not be loaded: %w\n\nOpen drum MIDI files in the corners instead", gerr), w.win)
	}
	if sessionErr != nil {
		dialog.ShowError(fmt.Errorf("the last session could not be restored: %w\n\nThe palettes start with the examples", sessionErr), w.win)
	}

	w.win.SetOnDropped(w.dropped)
	w.win.Canvas().SetOnTypedKey(w.typedKey) // while nothing has the focus
	w.melody.pad.OnKey = w.typedKey
	w.sketch.pad.OnKey = w.typedKey
	w.drums.pad.OnKey = w.typedKey
	w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { a.Quit() })
	w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { w.shown().keep() })
	w.win.SetOnClosed(func() {
		if w.saver != nil {
			w.saveSession()
			w.saver.close() // the last changes, written now
		}
		player.Close()
		w.melody.pal.Close()
		w.sketch.pal.Close()
		w.drums.pal.Close()
	})
	w.win.Resize(fyne.NewSize(1100, 750))
	w.win.CenterOnScreen()
	return w
}

// focusPad gives the keyboard to the pad of the palette on show.
func (w *window) focusPad() { w.win.Canvas().Focus(w.shown().pad) }

// onShow is what the window's keys and drops need of the palette on show.
type onShow struct {
	pad  *Pad
	keep func() // Keep: pin the result
	drop func(pos fyne.Position, uris []fyne.URI)
	part *part // nil for the sketches, which do not play
}

// shown is the palette on show.
func (w *window) shown() onShow {
	switch w.tabs.SelectedIndex() {
	case sketchTabIndex:
		return onShow{w.sketch.pad, w.sketch.pin, w.sketch.drop, nil}
	case drumsTabIndex:
		return onShow{w.drums.pad, w.drums.pin, w.drums.drop, w.drums.part}
	}
	return onShow{w.melody.pad, w.melody.pin, w.melody.drop, w.melody.part}
}

// typedKey handles the keys typed while no widget has the focus, or passed on by the pad.
func (w *window) typedKey(e *fyne.KeyEvent) { w.transportKey(e) }

// transportKey handles the window's transport keys, whatever widget has the focus (see keys.go):
// the space bar plays and stops the melody or the drums, whichever tab is on show, and the arrow
// keys move the puck of the palette on show. It reports whether e was one of them.
func (w *window) transportKey(e *fyne.KeyEvent) bool {
	if !isTransportKey(e) {
		return false
	}
	s := w.shown()
	if e.Name == fyne.KeySpace {
		if s.part != nil {
			s.part.toggle()
		}
		return true
	}
	s.pad.nudge(e.Name)
	return true
}

// dropped sends files dropped on the window to the nearest corner of the palette on show.
func (w *window) dropped(pos fyne.Position, uris []fyne.URI) { w.shown().drop(pos, uris) }

// firstHint is shown under each pad's puck at the first start, until the puck first moves.
const firstHint = "Drag the dot, or use the arrow keys"

// known reports whether s comes from a session file (not the zero session of a first start).
func (s session) known() bool { return s.Version != 0 }
