//go:build !race

package musicvae

const raceEnabled = false
