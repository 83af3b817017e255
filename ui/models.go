package ui

import (
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/palette/standin"
	"github.com/latentpalette/palette/model/sketch"
)

// melodyModel returns the model the melody palette decodes with, and a note for the status line.
func melodyModel() (palette.Model[melody.Melody], string) {
	return standin.Melody{}, "Stand-in melody model: the trained MusicVAE is not bundled yet"
}

// sketchModel returns the model the sketch palette decodes with, and a note for the status line.
func sketchModel() (palette.Model[sketch.Drawing], string) {
	return standin.Sketch{}, "Stand-in sketch model: the trained Sketch-RNN is not bundled yet"
}

// sketchExporters are the formats a drawing can be exported to.
var sketchExporters = []exporter[sketch.Drawing]{}
