// Package ui is Latent Palette's Fyne front end: the window, the latent pad, the corner tiles,
// the result views and the dialogs. It draws and reports; the palette logic lives in model/.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Title is the window title; the smoke test finds the window by it.
const Title = "Latent Palette"

// NewMainWindow builds the main window of the app.
func NewMainWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(Title)
	w.SetContent(container.NewAppTabs(
		container.NewTabItem("Melody", widget.NewLabel("Melody palette")),
		container.NewTabItem("Sketch", widget.NewLabel("Sketch palette")),
	))
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { a.Quit() })
	w.Resize(fyne.NewSize(1100, 750))
	w.CenterOnScreen()
	return w
}
