package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/melody"
)

// The melody grid and path keep to the key lock: with --fit the corners move into the key, and
// every note of the written file is in the scale; a scale that does not exist is a usage error.
func TestMelodyGridPathKeyLock(t *testing.T) {
	dir := t.TempDir()
	lock, err := melody.ParseKeyLock("E", "blues")
	if err != nil {
		t.Fatal(err)
	}
	corners := []string{"--corners", "example:lullaby", "example:jig", "example:low-riff", "example:arpeggios"}
	for _, args := range [][]string{
		{"melody", "grid", "--size", "4"},
		{"melody", "path", "--path", "0,0 1,0 1,1", "--bars", "6"},
	} {
		out := filepath.Join(dir, args[1]+".mid")
		cmd := append(append(append([]string{}, args...), corners...), "--key", "E", "--scale", "blues", "--fit", "-o", out)
		status, _, stderr := runCmd(t, cmd...)
		if status != 0 {
			t.Fatalf("%s: status %d: %s", args[1], status, stderr)
		}
		notes := 0
		for _, e := range readMelody(t, out) {
			if p, ok := melody.Pitch(e); ok {
				notes++
				if !lock.InScale(p) {
					t.Errorf("%s: pitch %d is not in E blues", args[1], p)
				}
			}
		}
		if notes < 10 {
			t.Errorf("%s: only %d notes", args[1], notes)
		}
		bad := append(append(append([]string{}, args...), corners...), "--key", "E", "--scale", "lydian-ish", "-o", filepath.Join(dir, "bad.mid"))
		status, _, stderr = runCmd(t, bad...)
		if status != 2 || !strings.Contains(stderr, `unknown scale "lydian-ish"`) {
			t.Errorf("%s with a bad scale: status %d, %q", args[1], status, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "bad.mid")); err == nil {
			t.Errorf("%s with a bad scale wrote a file", args[1])
		}
	}
}
