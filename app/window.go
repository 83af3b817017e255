package main

import (
	"os"
	"strings"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/latentpalette/palette/ui"
)

// runWindow opens the Latent Palette window and blocks until it is closed.
func runWindow() error {
	fixLocale()
	a := fyneapp.NewWithID("org.latentpalette.palette")
	w := ui.NewMainWindow(a)
	w.ShowAndRun()
	return nil
}

// fixLocale gives Fyne a locale it can parse. Many Linux machines run with LANG=C or none,
// and Fyne then logs an error about the locale "C" on every start.
func fixLocale() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			os.Setenv(k, "en_US.UTF-8")
			continue
		}
		return
	}
	os.Setenv("LANG", "en_US.UTF-8")
}
