package ui

import (
	"errors"
	"fmt"
	"image/color"
	"io"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// Models are the models a window decodes with (app loads the bundled weights into them, or the
// files named on its command line). The tests use the stand-ins of model/palette/standin.
type Models struct {
	Melody     palette.Model[melody.Melody]
	MelodyName string // shown in the status line, e.g. the checkpoint's file name
	Sketch     palette.Model[sketch.Drawing]
	SketchName string
	// SketchClasses are what the sketch model knows (app reads them from the model file:
	// palette sketch classes). With several classes placed in its latent space, Random draws
	// from a chosen class, the corners start with four classes and each tile names its class.
	SketchClasses sketchrnn.Classes
	// SketchLabel names the sketch model in the sketch palette's model picker ("" : SketchName),
	// and MoreSketches are the other models it offers (the built-in ones, say): the picker shows
	// when there are any, and the session remembers the choice by its label.
	SketchLabel  string
	MoreSketches []SketchModel
	Drums        palette.Model[drums.Pattern]
	DrumsName    string
}

// SketchModel is a sketch model the sketch palette can switch to.
type SketchModel struct {
	Label   string // in the picker: "Ten animals"
	Name    string // in the status line: "built-in animals (z 128, decoder 256)"
	Model   palette.Model[sketch.Drawing]
	Classes sketchrnn.Classes
}

// sketchChoices are the models of the sketch palette's picker, the one it starts with first.
func (m Models) sketchChoices(note string) []sketchChoice {
	label := m.SketchLabel
	if label == "" {
		label = m.SketchName
	}
	out := []sketchChoice{{label: label, model: m.Sketch, classes: m.SketchClasses, note: note}}
	for _, s := range m.MoreSketches {
		if s.Model != nil {
			out = append(out, sketchChoice{label: s.Label, model: s.Model, classes: s.Classes, note: "Sketch model: " + s.Name + ", decoded with Gorgonia"})
		}
	}
	return out
}

// modelNotes say, for each palette's status line, which model decodes.
type modelNotes struct{ melody, sketch, drums string }

// check refuses a missing model and says, for each palette's status line, which model decodes.
func (m Models) check() (modelNotes, error) {
	for _, c := range []struct {
		missing bool
		what    string
	}{{m.Melody == nil, "melody"}, {m.Sketch == nil, "sketch"}, {m.Drums == nil, "drum"}} {
		if c.missing {
			return modelNotes{}, fmt.Errorf("no %s model: this build has none built in; name a checkpoint with palette window --%s-model FILE", c.what, c.what)
		}
	}
	return modelNotes{
		melody: "Melody model: " + m.MelodyName + ", decoded with Gorgonia",
		sketch: "Sketch model: " + m.SketchName + ", decoded with Gorgonia",
		drums:  "Drum model: " + m.DrumsName + ", decoded with Gorgonia",
	}, nil
}

// SketchVAE returns the palette's sketch model over w, which must have an encoder: the model
// itself (it is a palette.Model), once checked.
func SketchVAE(w *sketchrnn.Weights) (palette.Model[sketch.Drawing], error) {
	if !w.Config.Conditional() {
		return nil, errors.New("this sketch model has no encoder (a decoder-only .gen.json?): the palette needs a VAE checkpoint")
	}
	return sketchrnn.NewModel(w), nil
}

// exportStyle is how exported drawings look: dark ink on white, at a size that prints well.
var exportStyle = sketch.Options{Size: 768, LineWidth: 5, Color: color.NRGBA{0x2b, 0x2d, 0x3a, 0xff}, Background: color.White}

// sketchExporters are the formats a drawing can be exported to.
// Several drawings (the kept ones) make a sheet of rows of sheetColumns.
var sketchExporters = []exporter[sketch.Drawing]{
	{label: "PNG", ext: ".png", writer: func() func(io.Writer, []sketch.Drawing) error {
		return func(w io.Writer, ds []sketch.Drawing) error {
			if len(ds) == 1 {
				return sketch.WritePNG(w, ds[0], exportStyle)
			}
			return sketch.WriteSheetPNG(w, sheetRows(ds), sheetStyle)
		}
	}},
	{label: "SVG", ext: ".svg", writer: func() func(io.Writer, []sketch.Drawing) error {
		return func(w io.Writer, ds []sketch.Drawing) error {
			if len(ds) == 1 {
				return sketch.WriteSVG(w, ds[0], exportStyle)
			}
			return sketch.WriteSheetSVG(w, sheetRows(ds), sheetStyle)
		}
	}},
}

// sheetColumns is how many drawings a row of an exported sheet holds.
const sheetColumns = 5

// sheetStyle is how the drawings of an exported sheet look: smaller cells than a single export.
var sheetStyle = sketch.Options{Size: 256, LineWidth: 2.5, Color: exportStyle.Color, Background: color.White}

// sheetRows cuts ds into rows of sheetColumns.
func sheetRows(ds []sketch.Drawing) [][]sketch.Drawing {
	var rows [][]sketch.Drawing
	for len(ds) > 0 {
		n := min(len(ds), sheetColumns)
		rows = append(rows, ds[:n])
		ds = ds[n:]
	}
	return rows
}
