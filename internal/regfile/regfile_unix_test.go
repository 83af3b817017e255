//go:build unix

package regfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Open opens regular files and refuses, without blocking, pipes, directories and devices.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(p("file"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p("pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("pipe", p("link"))
	want := map[string]string{p("pipe"): "named pipe", p("link"): "named pipe", dir: "directory"}
	if syscall.Mknod(p("null"), syscall.S_IFCHR|0o666, 1<<8|3) == nil { // root only
		want[p("null")] = "device"
	}
	for path, kind := range want {
		f, err := Open(path)
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != kind {
			t.Errorf("Open(%s) = %v, want a %s refused", filepath.Base(path), err, kind)
		}
		if f != nil {
			f.Close()
		}
	}
	if b, err := ReadFile(p("file"), 4); err != nil || string(b) != "data" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFile(p("file"), 3); err == nil {
		t.Error("ReadFile read a file beyond its limit")
	}
}
