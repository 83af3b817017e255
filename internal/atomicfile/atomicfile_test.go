package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		write   func(io.Writer) error
		want    string
		wantErr error
	}{
		{"failure keeps the old file", func(w io.Writer) error { io.WriteString(w, "partial"); return boom }, "old", boom},
		{"success replaces it", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
	}
	for _, tc := range tests {
		err := Write(path, tc.write)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tc.want {
			t.Errorf("%s: file holds %q, want %q", tc.name, got, tc.want)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("%s: %d files in the folder, want 1 (no temporary left behind)", tc.name, len(entries))
		}
	}
	if err := Write(filepath.Join(dir, "missing", "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// Replacing a file keeps its permission bits; a new file gets 0644; a symbolic link still
// points where it did, at the new content.
func TestWriteKeepsModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	private := filepath.Join(dir, "private.mid")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.mid")
	link := filepath.Join(dir, "link.mid")
	if err := os.Symlink("private.mid", link); err != nil {
		t.Fatal(err)
	}
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	for path, s := range map[string]string{private: "new", fresh: "fresh"} {
		if err := Write(path, write(s)); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]os.FileMode{private: 0o600, fresh: 0o644} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", filepath.Base(path), fi.Mode().Perm(), err, want)
		}
	}
	if err := Write(link, write("through the link")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.mid is no longer a symbolic link (%v)", err)
	}
	if b, _ := os.ReadFile(private); string(b) != "through the link" {
		t.Errorf("the link's target holds %q", b)
	}
}
