//go:build noopenblas

package nn

// Exps replaces each x by exp(x) (to 3e-7 relative; clamped to exp(-87)..exp(88); NaN stays).
func Exps(xs []float32) { expsGo(xs) }

// Sigmoids sets y[i] to the logistic function of x[i]; y may be x, and must be as long.
func Sigmoids(y, x []float32) { sigmoidsGo(y, x) }

// Tanhs sets y[i] to tanh(x[i]); y may be x, and must be as long.
func Tanhs(y, x []float32) { tanhsGo(y, x) }
