//go:build !noopenblas

package nn

/*
#cgo LDFLAGS: -lopenblas
#cgo CFLAGS: -O3
#include <cblas.h>

// small_gemm adds a[m,k]·w[k,n] to y[m,n] (row-major) for a few rows m: it streams w once, row by
// row, while the m rows of y stay in cache. OpenBLAS's sgemm packs all of w first, which for
// m = 2..8 and a w of megabytes costs three times the memory traffic of this loop. GCC compiles
// the loop once per instruction set and picks the one the CPU has when the program starts.
__attribute__((target_clones("avx512f", "avx2", "default")))
static void small_gemm(int m, int k, int n, const float *a, const float *w, float *y) {
	for (int i = 0; i < k; i++) {
		const float *wr = w + (long)i * n;
		for (int r = 0; r < m; r++) {
			const float x = a[(long)r * k + i];
			if (x == 0) {
				continue;
			}
			float *yr = y + (long)r * n;
			for (int j = 0; j < n; j++) {
				yr[j] += x * wr[j];
			}
		}
	}
}
*/
import "C"

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// openBLAS is gonum's pure-Go BLAS with the four float32 routines Gorgonia and tensor call
// (Sgemm, Sgemv, Sger, Sdot) handed to OpenBLAS. Build with -tags noopenblas to leave it out.
type openBLAS struct{ gonum.Implementation }

func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" {
		// One thread is as fast for these sizes, and an idle second thread spins on a shared core.
		C.openblas_set_num_threads(1)
	}
	var b openBLAS
	G.Use(b)
	blas32.Use(b)
}

// BLAS names the BLAS in use, with the CPU kernels OpenBLAS picked.
func BLAS() string { return "openblas (" + C.GoString(C.openblas_get_corename()) + ")" }

// BLASHint says how to speed up the BLAS on this machine, or "". OpenBLAS picks its kernels when
// the library loads, before any Go code runs, and on some virtual CPUs it falls back to the
// ancient Prescott ones (2x slower here); only the environment can change that.
func BLASHint() string {
	if strings.EqualFold(C.GoString(C.openblas_get_corename()), "prescott") && os.Getenv("OPENBLAS_CORETYPE") == "" {
		return "OpenBLAS took this CPU for a Prescott and uses slow kernels: set OPENBLAS_CORETYPE=Haswell (or SkylakeX)"
	}
	return ""
}

// BetterCoreType names the OpenBLAS kernels to ask for through OPENBLAS_CORETYPE when OpenBLAS
// misdetected this CPU as a Prescott (as it does on virtual CPUs that hide their model) although
// the CPU and the OS support AVX2 or AVX-512; "" when there is nothing to gain, or when
// OPENBLAS_CORETYPE is already set (never override a machine's own choice). The kernels give
// the same results to float32 rounding (checked by the model tests under each setting).
func BetterCoreType() string {
	if os.Getenv("OPENBLAS_CORETYPE") != "" || !strings.EqualFold(C.GoString(C.openblas_get_corename()), "prescott") {
		return ""
	}
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512CD:
		return "SkylakeX"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "Haswell"
	}
	return ""
}

// smallGemm adds a[m,k]·w[k,n] to y[m,n] when m is small enough for the streaming kernel
// (2 to 8 rows) and reports whether it did.
func smallGemm(y, a, w []float32, m, k, n int) bool {
	if m < 2 || m > 8 || len(a) < m*k || len(w) < k*n || len(y) < m*n || k == 0 || n == 0 {
		return false
	}
	C.small_gemm(C.int(m), C.int(k), C.int(n), (*C.float)(unsafe.Pointer(&a[0])), (*C.float)(unsafe.Pointer(&w[0])), (*C.float)(unsafe.Pointer(&y[0])))
	return true
}

func transpose(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

func (b openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 || len(a) == 0 || len(bb) == 0 || len(c) == 0 {
		b.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
		return
	}
	C.cblas_sgemm(C.CblasRowMajor, transpose(tA), transpose(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&bb[0])), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

func (b openBLAS) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if m == 0 || n == 0 || len(a) == 0 || len(x) == 0 || len(y) == 0 || incX < 0 || incY < 0 {
		b.Implementation.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	C.cblas_sgemv(C.CblasRowMajor, transpose(tA), C.blasint(m), C.blasint(n),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&x[0])), C.blasint(incX),
		C.float(beta), (*C.float)(unsafe.Pointer(&y[0])), C.blasint(incY))
}

func (b openBLAS) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	if m == 0 || n == 0 || len(a) == 0 || len(x) == 0 || len(y) == 0 || incX < 0 || incY < 0 {
		b.Implementation.Sger(m, n, alpha, x, incX, y, incY, a, lda)
		return
	}
	C.cblas_sger(C.CblasRowMajor, C.blasint(m), C.blasint(n), C.float(alpha),
		(*C.float)(unsafe.Pointer(&x[0])), C.blasint(incX),
		(*C.float)(unsafe.Pointer(&y[0])), C.blasint(incY),
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda))
}

func (b openBLAS) Sdot(n int, x []float32, incX int, y []float32, incY int) float32 {
	if n == 0 || len(x) == 0 || len(y) == 0 || incX < 0 || incY < 0 {
		return b.Implementation.Sdot(n, x, incX, y, incY)
	}
	return float32(C.cblas_sdot(C.blasint(n), (*C.float)(unsafe.Pointer(&x[0])), C.blasint(incX),
		(*C.float)(unsafe.Pointer(&y[0])), C.blasint(incY)))
}
