//go:build unix

package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A replaced file keeps its owner and group (checked where the test may give files away: root).
func TestWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another owner; skipped")
	}
	path := filepath.Join(t.TempDir(), "owned.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 1234 || st.Gid != 5678 {
		t.Errorf("owner %d:%d, want 1234:5678", st.Uid, st.Gid)
	}
}

// Only a regular file is replaced: a directory, named pipe or device at the path, or a folder
// that does not exist, is a *TargetError, and the thing at the path is left as it was.
func TestWriteReplacesOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.Mkdir(p("folder"), 0o755)
	if err := syscall.Mkfifo(p("pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	targets := []string{p("folder"), p("pipe"), p("missing/x")}
	if syscall.Mknod(p("null"), syscall.S_IFCHR|0o666, 1<<8|3) == nil { // like /dev/null; root only
		targets = append(targets, p("null"))
	}
	for _, path := range targets {
		before, _ := os.Lstat(path)
		err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		var te *TargetError
		if !errors.As(err, &te) || Check(path) == nil {
			t.Errorf("%s: Write = %v, want a *TargetError", filepath.Base(path), err)
		}
		if after, _ := os.Lstat(path); before != nil && (after == nil || after.Mode().Type() != before.Mode().Type()) {
			t.Errorf("%s was replaced", filepath.Base(path))
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(targets)-1 {
		t.Errorf("%d entries in the folder, want %d (no temporary files)", len(entries), len(targets)-1)
	}
}
