package assets

import _ "embed"

// MelodyModel is the trained melody VAE (a safetensors checkpoint of model/musicvae, its config
// and training notes in the metadata), the model palette uses unless given another.
//
//go:embed melody.safetensors
var MelodyModel []byte
