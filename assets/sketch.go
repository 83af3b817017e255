package assets

import _ "embed"

// SketchModel is the trained Sketch-RNN VAE (a safetensors checkpoint of model/sketchrnn, its
// config and scale factor in the metadata), the model palette uses for drawings unless given
// another.
//
//go:embed sketch.safetensors
var SketchModel []byte
