//go:build noopenblas

package nn

// BLAS names the BLAS in use: gonum's pure Go, the default of Gorgonia and blas32.
func BLAS() string { return "gonum" }

// BLASHint says how to speed up the BLAS on this machine, or "".
func BLASHint() string { return "" }

// BetterCoreType is "": there is no OpenBLAS in this build.
func BetterCoreType() string { return "" }

// smallGemm leaves every product to gonum in this build.
func smallGemm(y, a, w []float32, m, k, n int) bool { return false }
