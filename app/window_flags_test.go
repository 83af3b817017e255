package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A model flag of the window that names a missing or broken file fails with status 2 and one
// line naming the flag, before any window opens.
func TestWindowModelFlags(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "g.safetensors")
	if err := os.WriteFile(garbage, []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"melody-model", "sketch-model", "drum-model"} {
		for _, path := range []string{filepath.Join(dir, "missing.safetensors"), garbage} {
			status, _, stderr := runCmd(t, "window", "--"+flag, path)
			want := "palette window: --" + flag + ": "
			if status != 2 || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("--%s %s: status %d, stderr %q; want 2 and one line starting %q", flag, filepath.Base(path), status, stderr, want)
			}
		}
	}
}
