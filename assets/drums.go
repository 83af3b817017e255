package assets

// DrumsModel is the trained drum VAE (a safetensors checkpoint of model/musicvae in Magenta's
// drums_2bar layout), the model the drum palette and the drum commands use unless given another.
// Empty until a trained model ships: then the palette uses a stand-in and the commands ask for
// --model.
var DrumsModel []byte
