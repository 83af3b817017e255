package main

import (
	"io"
	"os"

	_ "github.com/latentpalette/palette/internal/locale" // before Fyne reads the locale
)

// runWindow opens the Latent Palette window with the built-in models and blocks until it is closed.
func runWindow() error { return runWindowCmd(nil, io.Discard, os.Stderr) }
