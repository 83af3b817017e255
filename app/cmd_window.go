package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	fyneapp "fyne.io/fyne/v2/app"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/ui"
)

func init() {
	register(command{name: "window", summary: "open the window with models of your own: [--melody-model FILE] [--sketch-model FILE] [--drum-model FILE]", run: runWindowCmd})
}

// runWindowCmd opens the window like palette with no arguments, with the models the flags name
// instead of the built-in ones (a checkpoint still training, say, or a Magenta.js checkpoint).
func runWindowCmd(args []string, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("window", flag.ContinueOnError)
	fs.SetOutput(stderr)
	melodyPath := fs.String("melody-model", "", "the melody palette's model: FILE.safetensors or a Magenta.js checkpoint directory (default: the built-in model)")
	sketchPath := fs.String("sketch-model", "", "a sketch VAE checkpoint (.safetensors) for the sketch palette (default: the built-in model)")
	drumPath := fs.String("drum-model", "", "a drum VAE checkpoint (.safetensors) for the drum palette (default: the built-in model)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("%v (palette window --help shows the flags)", err)
	}
	if fs.NArg() > 0 {
		return usagef("palette window takes no arguments besides its flags, got %q", fs.Arg(0))
	}
	models, err := windowModels(*melodyPath, *sketchPath, shippedModels())
	if err != nil {
		return err
	}
	if err := addDrumModel(&models, *drumPath); err != nil {
		return err
	}
	a := fyneapp.NewWithID("org.latentpalette.palette")
	w, err := ui.NewMainWindowWith(a, models)
	if err != nil {
		return usageError{err}
	}
	w.ShowAndRun()
	return nil
}

// shipped says which built-in models the binary holds.
type shipped struct{ melody, sketch bool }

func shippedModels() shipped {
	_, melody := builtinMelodyModel()
	_, sketch := builtinSketchModel()
	return shipped{melody, sketch}
}

// windowModels loads the window's models: the files named, else the built-in weights where the
// binary has them (has). A nil model in the result means neither: the window refuses to open.
func windowModels(melodySpec, sketchPath string, has shipped) (ui.Models, error) {
	var models ui.Models
	if has.melody || melodySpec != "" {
		w, err := loadMelodyWeights(melodySpec)
		if err != nil {
			return models, flagError("melody-model", err)
		}
		models.Melody = musicvae.NewModel(w)
		models.MelodyName = fmt.Sprintf("%s (z %d, decoder %v)", modelName(melodySpec, "built-in MusicVAE"), w.Config.ZSize, w.Config.DecoderSizes)
	}
	if has.sketch || sketchPath != "" {
		s, err := windowSketch(sketchPath)
		if err != nil {
			return models, err
		}
		models.Sketch, models.SketchName, models.SketchLabel, models.SketchClasses = s.Model, s.Name, s.Label, s.Classes
		// The built-in models the palette can switch to besides the one it starts with.
		start := strings.TrimPrefix(orDefault(sketchPath), builtinSketchPrefix)
		for _, b := range builtinSketches {
			if _, ok := b.data(); !ok || b.name == start {
				continue
			}
			if s, err := windowSketch(builtinSketchPrefix + b.name); err == nil {
				models.MoreSketches = append(models.MoreSketches, s)
			}
		}
	}
	return models, nil
}

// windowSketch loads a sketch model for the window (spec as --sketch-model: "" is the default).
func windowSketch(spec string) (ui.SketchModel, error) {
	w, err := loadSketchModel(spec)
	if err != nil {
		return ui.SketchModel{}, flagError("sketch-model", err)
	}
	m, err := ui.SketchVAE(w)
	if err != nil {
		return ui.SketchModel{}, usagef("sketch model %s: %v", spec, err)
	}
	classes, err := sketchClasses(spec, w)
	if err != nil {
		return ui.SketchModel{}, flagError("sketch-model", err)
	}
	s := ui.SketchModel{Model: m, Classes: classes, Label: filepath.Base(spec),
		Name: fmt.Sprintf("%s (z %d, decoder %d)", modelName(spec, "built-in Sketch-RNN"), w.Config.ZSize, w.Config.DecSize)}
	if spec == "" || strings.HasPrefix(spec, builtinSketchPrefix) {
		b, err := findBuiltinSketch(strings.TrimPrefix(orDefault(spec), builtinSketchPrefix))
		if err != nil {
			return ui.SketchModel{}, err
		}
		s.Label = b.label
		s.Name = fmt.Sprintf("built-in %s (z %d, decoder %d)", b.name, w.Config.ZSize, w.Config.DecSize)
	}
	return s, nil
}

// addDrumModel loads the drum palette's model: the file named, else the built-in weights where
// the binary has them (assets.DrumsModel); without either the window refuses to open.
func addDrumModel(models *ui.Models, path string) error {
	if path == "" && len(assets.DrumsModel) == 0 {
		return nil
	}
	m, err := loadDrumModel(path)
	if err != nil {
		return flagError("drum-model", err)
	}
	c := m.Weights().Config
	models.Drums = m
	models.DrumsName = fmt.Sprintf("%s (z %d, decoder %v)", modelName(path, "built-in drum VAE"), c.ZSize, c.DecoderSizes)
	return nil
}

// flagError says that the model of the window's --flag failed to load: the loaders' errors
// name the commands' --model, which the window does not have. A bad file stays a usage error.
func flagError(flag string, err error) error {
	msg := err.Error()
	for _, p := range []string{"--model: ", "model: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	e := fmt.Errorf("--%s: %s", flag, msg)
	var ue usageError
	var nr *regfile.NotRegularError
	if errors.As(err, &ue) || errors.As(err, &nr) {
		return usageError{e}
	}
	return e
}

func modelName(path, builtin string) string {
	if path == "" || path == builtinSpec {
		return builtin
	}
	return filepath.Base(path)
}
