//go:build !noopenblas

package nn

/*
#cgo CFLAGS: -O3
#include <stdint.h>
#include <string.h>

// The loops are expsGo's arithmetic (fastmath.go), without branches, so that GCC vectorizes
// them; it compiles each once per instruction set and picks the one the CPU has at start-up.
// NaNs are clamped like any number and put back at the end, so the lanes never diverge.
static inline float exp_lane(float x) {
	float c = x > -87.0f ? x : -87.0f; // NaN becomes -87 here...
	c = c < 88.0f ? c : 88.0f;
	float n = (c * 1.442695f + 12582912.0f) - 12582912.0f; // round(c / ln 2)
	float r = c - n * 0.693145751953125f - n * 1.428606765330187e-06f;
	float r2 = r * r;
	float p = (1 + r) + r2 * (0.5f + r * (1.0f / 6)) + r2 * r2 * ((1.0f / 24 + r * (1.0f / 120)) + r2 * (1.0f / 720));
	int32_t bits = ((int32_t)n + 127) << 23;
	float s;
	memcpy(&s, &bits, sizeof s);
	float e = p * s;
	return x == x ? e : x; // ...and comes back here
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void exps(float *x, long n) {
	for (long i = 0; i < n; i++) {
		x[i] = exp_lane(x[i]);
	}
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void sigmoids(float *x, long n) {
	for (long i = 0; i < n; i++) {
		x[i] = 1 / (1 + exp_lane(-x[i]));
	}
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void tanhs(float *x, long n) {
	for (long i = 0; i < n; i++) {
		x[i] = 2 / (1 + exp_lane(-2 * x[i])) - 1;
	}
}
*/
import "C"

import "unsafe"

// cgoMin is the shortest slice handed to C: below it a cgo call costs more than it saves.
const cgoMin = 64

// Exps replaces each x by exp(x) (to 3e-7 relative; clamped to exp(-87)..exp(88); NaN stays).
func Exps(xs []float32) {
	if len(xs) < cgoMin {
		expsGo(xs)
		return
	}
	C.exps((*C.float)(unsafe.Pointer(&xs[0])), C.long(len(xs)))
}

// Sigmoids sets y[i] to the logistic function of x[i]; y may be x, and must be as long.
func Sigmoids(y, x []float32) {
	apply(y, x, sigmoidsGo, func(p *C.float, n C.long) { C.sigmoids(p, n) })
}

// Tanhs sets y[i] to tanh(x[i]); y may be x, and must be as long.
func Tanhs(y, x []float32) { apply(y, x, tanhsGo, func(p *C.float, n C.long) { C.tanhs(p, n) }) }

// apply runs an activation: the Go loop for short slices, else the C loop, in place on y.
func apply(y, x []float32, goLoop func(y, x []float32), cLoop func(*C.float, C.long)) {
	y = y[:len(x)]
	if len(x) < cgoMin {
		goLoop(y, x)
		return
	}
	copy(y, x) // the C loops work in place
	cLoop((*C.float)(unsafe.Pointer(&y[0])), C.long(len(y)))
}
