package ui

import (
	"image/color"
	"io"

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

// exportStyle is how exported drawings look: dark ink on white, at a size that prints well.
var exportStyle = sketch.Options{Size: 768, LineWidth: 5, Color: color.NRGBA{0x2b, 0x2d, 0x3a, 0xff}, Background: color.White}

// sketchExporters are the formats a drawing can be exported to.
var sketchExporters = []exporter[sketch.Drawing]{
	{label: "PNG", ext: ".png", write: func(w io.Writer, d sketch.Drawing) error { return sketch.WritePNG(w, d, exportStyle) }},
	{label: "SVG", ext: ".svg", write: func(w io.Writer, d sketch.Drawing) error { return sketch.WriteSVG(w, d, exportStyle) }},
}
