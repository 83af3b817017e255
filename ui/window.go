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
	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// Title is the window title; the smoke test finds the window by it.
const Title = "Latent Palette"

// window is the main window's state: the two palettes and the tabs that hold them.
type window struct {
	win         fyne.Window
	tabs        *container.AppTabs
	melody      *melodyTab
	sketch      *sketchTab
	sessionPath string // where the corners and kept results are saved; "" saves nothing
}

// NewMainWindow builds the main window of the app with the built-in models.
func NewMainWindow(a fyne.App) fyne.Window { return NewMainWindowWith(a, Models{}) }

// NewMainWindowWith builds the main window around models of the caller's choice.
func NewMainWindowWith(a fyne.App, m Models) fyne.Window {
	a.Settings().SetTheme(studioTheme{})
	var player Player
	p, err := newAudioPlayer(false)
	if err == nil {
		player = p
	}
	m, mnote, snote := m.withDefaults()
	var session string
	if root := a.Storage().RootURI(); root != nil && root.Scheme() == "file" {
		session = filepath.Join(root.Path(), sessionName)
	}
	w := newWindow(a, options{player: player, melodyModel: m.Melody, melodyNote: mnote, sketchModel: m.Sketch, sketchNote: snote, session: session})
	if err != nil {
		dialog.ShowError(fmt.Errorf("the audio engine did not start: %w\n\nThe palette works without sound; export WAV files to listen", err), w.win)
	}
	return w.win
}

// options are what the window is built around; tests give their own.
type options struct {
	player                 Player // nil: no sound, no playhead
	melodyModel            palette.Model[melody.Melody]
	sketchModel            palette.Model[sketch.Drawing]
	melodyNote, sketchNote string // which models decode, for the status line
	session                string // the session file to restore and keep up to date; "" for none
}

func newWindow(a fyne.App, o options) *window {
	player := o.player
	if player == nil {
		player = noPlayer{}
	}
	w := &window{win: a.NewWindow(Title), sessionPath: o.session}
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
	w.melody = &melodyTab{player: player, tempo: audio.DefaultBPM, instrument: synth.Names()[0]}
	w.melody.paletteTab = newPaletteTab(w.win, melodyKind(w.melody, o.melodyNote), o.melodyModel, mcorners, mnames, saved.Melody)

	var scorners [4]sketch.Drawing
	var snames [4]string
	for i, e := range examples.Drawings() {
		scorners[i], snames[i] = e.Item, e.Name
	}
	w.sketch = &sketchTab{paletteTab: newPaletteTab(w.win, sketchKind(o.sketchNote), o.sketchModel, scorners, snames, saved.Sketch)}
	w.melody.onChange = w.saveSession
	w.sketch.onChange = w.saveSession

	w.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Melody", theme.MediaMusicIcon(), w.melody.build()),
		container.NewTabItemWithIcon("Sketch", theme.DocumentCreateIcon(), w.sketch.build()),
	)
	w.tabs.OnSelected = func(*container.TabItem) { w.focusPad() }
	w.win.SetContent(w.tabs)
	w.focusPad() // the arrow keys move the puck from the start
	if err != nil {
		dialog.ShowError(fmt.Errorf("the example melodies could not be loaded: %w\n\nOpen MIDI files in the corners instead", err), w.win)
	}
	if sessionErr != nil {
		dialog.ShowError(fmt.Errorf("the last session could not be restored: %w\n\nThe palettes start with the examples", sessionErr), w.win)
	}

	w.win.SetOnDropped(w.dropped)
	w.win.Canvas().SetOnTypedKey(w.typedKey)
	w.melody.pad.OnKey = w.typedKey
	w.sketch.pad.OnKey = w.typedKey
	w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { a.Quit() })
	w.win.SetOnClosed(func() {
		player.Close()
		w.melody.pal.Close()
		w.sketch.pal.Close()
	})
	w.win.Resize(fyne.NewSize(1100, 750))
	w.win.CenterOnScreen()
	return w
}

// focusPad gives the keyboard to the pad of the palette on show.
func (w *window) focusPad() {
	if w.tabs.SelectedIndex() == 0 {
		w.win.Canvas().Focus(w.melody.pad)
	} else {
		w.win.Canvas().Focus(w.sketch.pad)
	}
}

// typedKey handles the window's keys: the space bar plays and stops the melody.
func (w *window) typedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeySpace && w.tabs.SelectedIndex() == 0 {
		w.melody.togglePlay()
	}
}

// dropped sends files dropped on the window to the nearest corner of the palette on show.
func (w *window) dropped(pos fyne.Position, uris []fyne.URI) {
	if w.tabs.SelectedIndex() == 0 {
		w.melody.drop(pos, uris)
	} else {
		w.sketch.drop(pos, uris)
	}
}
