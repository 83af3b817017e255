// Package shared finds the project's shared data folder (../shared/data from the module root)
// for tests and benchmarks, which skip with a message when it is absent.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the module root: the nearest folder above the working directory holding go.mod.
func Root() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Data returns the path of rel inside ../shared/data, or skips tb when it is not there.
func Data(tb testing.TB, rel string) string {
	tb.Helper()
	root, ok := Root()
	if !ok {
		tb.Skip("shared data: no go.mod above the working directory")
	}
	p := filepath.Join(root, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data %s is absent (it lives in ../shared/data beside the project): %v", rel, err)
	}
	return p
}
