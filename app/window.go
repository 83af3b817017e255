package main

import (
	fyneapp "fyne.io/fyne/v2/app"

	_ "github.com/latentpalette/palette/internal/locale" // before Fyne reads the locale
	"github.com/latentpalette/palette/ui"
)

// runWindow opens the Latent Palette window and blocks until it is closed.
func runWindow() error {
	a := fyneapp.NewWithID("org.latentpalette.palette")
	w := ui.NewMainWindow(a)
	w.ShowAndRun()
	return nil
}
