package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/ui"
)

func init() {
	register(command{name: "window", summary: "open the window with models of your own: [--melody-model FILE] [--sketch-model FILE]", run: runWindowCmd})
}

// runWindowCmd opens the window like palette with no arguments, with the models the flags name
// instead of the built-in ones (a checkpoint still training, say).
func runWindowCmd(args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("window", flag.ContinueOnError)
	fs.SetOutput(stderr)
	melodyPath := fs.String("melody-model", "", "a melody VAE checkpoint (.safetensors) for the melody palette (default: the built-in model)")
	sketchPath := fs.String("sketch-model", "", "a sketch VAE checkpoint (.safetensors) for the sketch palette (default: the built-in model)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v (palette window --help shows the flags)", err)
	}
	if fs.NArg() > 0 {
		return usagef("palette window takes no arguments besides its flags, got %q", fs.Arg(0))
	}
	var models ui.Models
	if *melodyPath != "" {
		f, err := os.Open(*melodyPath)
		if err != nil {
			return usageError{err}
		}
		w, _, err := musicvae.Load(f)
		f.Close()
		if err != nil {
			return usagef("--melody-model %s: %v", *melodyPath, err)
		}
		models.Melody = ui.MusicVAE(musicvae.NewModel(w))
		models.MelodyName = fmt.Sprintf("%s (z %d, decoder %v)", filepath.Base(*melodyPath), w.Config.ZSize, w.Config.DecoderSizes)
	}
	if *sketchPath != "" {
		w, err := loadSketchModel(*sketchPath)
		if err != nil {
			return err
		}
		m, err := ui.SketchVAE(w)
		if err != nil {
			return usagef("--sketch-model %s: %v", *sketchPath, err)
		}
		models.Sketch = m
		models.SketchName = fmt.Sprintf("%s (z %d, decoder %d)", filepath.Base(*sketchPath), w.Config.ZSize, w.Config.DecSize)
	}
	a := fyneapp.NewWithID("org.latentpalette.palette")
	ui.NewMainWindowWith(a, models).ShowAndRun()
	return nil
}
