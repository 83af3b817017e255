package assets

import _ "embed"

// MelodyModel is the shipped melody VAE (safetensors; config and training data in its metadata),
// trained by `palette train melody` on the Nottingham Music Database.
//
//go:embed melody.safetensors
var MelodyModel []byte
