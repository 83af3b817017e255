package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

// A file played in (POP909's notes sit off its tick grid) is read on the grid found in its
// notes, and the command says so on stderr, naming the file; a file written on the grid says
// nothing.
func TestMelodyImportNotices(t *testing.T) {
	dir := t.TempDir()
	model, _ := writeTestModel(t, dir)
	played := shared.Data(t, "pop909/test/819.mid")
	out := filepath.Join(dir, "out.mid")
	status, stdout, stderr := runCmd(t, "melody", "reconstruct", played, "--bar", "8", "-o", out, "--model", model)
	if status != 0 || !strings.Contains(stdout, "wrote") {
		t.Fatalf("status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if want := played + ": the notes are off the file's 16th-note grid"; !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one line starting %q", stderr, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}

	onGrid := writeTune(t, dir, "a.mid", 60)
	status, _, stderr = runCmd(t, "melody", "reconstruct", onGrid, "-o", out, "--model", model)
	if status != 0 || stderr != "" {
		t.Errorf("a file on its grid: status %d, stderr %q, want 0 and nothing", status, stderr)
	}
}
