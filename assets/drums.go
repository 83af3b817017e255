package assets

import _ "embed"

// DrumsModel is the trained drum VAE (a safetensors checkpoint of model/musicvae in Magenta's
// drums_2bar layout), the model the drum palette and the drum commands use unless given another.
//
//go:embed drums.safetensors
var DrumsModel []byte
