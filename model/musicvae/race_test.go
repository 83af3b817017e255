//go:build race

package musicvae

// raceEnabled skips the slowest graph comparisons under -race (each compiles a Gorgonia graph
// for seconds); plain `go test` runs them.
const raceEnabled = true
