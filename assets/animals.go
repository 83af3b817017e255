package assets

import _ "embed"

// AnimalsModel is the Sketch-RNN VAE of ten animals (bear, bird, dog, dolphin, hedgehog, monkey,
// parrot, rabbit, sheep, tiger), trained on drawings sampled from Magenta's pretrained decoders
// of those classes; its metadata places each class in its latent space (palette sketch classes)
// and it is scaled to the 0-255 box of hand drawings. palette --model builtin:animals.
//
//go:embed animals.safetensors
var AnimalsModel []byte
