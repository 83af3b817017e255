package main

import (
	"os"
	"syscall"

	"github.com/latentpalette/palette/model/nn"
)

// useFasterBLAS restarts the process with OPENBLAS_CORETYPE set when OpenBLAS mistook this CPU
// for a Prescott (see nn.BetterCoreType): OpenBLAS reads the variable only when it loads, before
// any Go code runs, so the process must start again. The same process id carries on; when the
// exec fails, this one carries on with the slow kernels. PALETTE_KEEP_BLAS=1 turns it off.
func useFasterBLAS() {
	ct := nn.BetterCoreType()
	if ct == "" || os.Getenv("PALETTE_KEEP_BLAS") != "" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, append(os.Environ(), "OPENBLAS_CORETYPE="+ct))
}
