package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestTypedPaths: the open and export dialogs take a name in the folder on show, a whole path,
// or a path from the home folder (~); the export dialog refuses a folder that is not there.
func TestTypedPaths(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder")
	}
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, want string }{
		{"song.mid", filepath.Join(dir, "song.mid")},
		{"  song.mid ", filepath.Join(dir, "song.mid")},
		{"sub/song.mid", filepath.Join(sub, "song.mid")},
		{sub + "/x.mid", filepath.Join(sub, "x.mid")},
		{"~/x.mid", filepath.Join(home, "x.mid")},
		{"~", home},
		{"../x.mid", filepath.Join(filepath.Dir(dir), "x.mid")},
	} {
		if got := typedPath(tt.in, dir); got != tt.want {
			t.Errorf("typedPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, folder, name, err string }{
		{"song.mid", dir, "song.mid", ""},
		{sub + "/take 2.mid", sub, "take 2.mid", ""},
		{"", "", "", "type a file name"},
		{"sub/", "", "", "type a file name"},
		{"/no/such/folder/x.mid", "", "", "there is no folder /no/such/folder"},
	} {
		folder, name, err := savePath(tt.in, dir)
		if folder != tt.folder || name != tt.name || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("savePath(%q) = %q, %q, %v; want %q, %q, %q", tt.in, folder, name, err, tt.folder, tt.name, tt.err)
		}
	}
}

// TestOpenDialogTypedPath: a path typed into the open dialog and Enter open that file.
func TestOpenDialogTypedPath(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("")
	w.Resize(fyne.NewSize(900, 700))
	dir := t.TempDir()
	path := filepath.Join(dir, "tune.mid")
	if err := os.WriteFile(path, []byte("MThd"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got string
	showOpenDialog(w, []string{".mid"}, func(p string) { got = p })
	e, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok {
		t.Fatalf("the focus is on %T, not the path field", w.Canvas().Focused())
	}
	test.Type(e, "  "+path)
	if err := e.Validate(); err != nil {
		t.Fatalf("%s refused: %v", path, err)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got != path {
		t.Errorf("opened %q, want %q", got, path)
	}
	if got := openable(dir); got == nil || !strings.Contains(got.Error(), "is a folder") {
		t.Errorf("openable(folder) = %v", got)
	}
}

// FuzzTypedPath: any typed text gives a clean path without a panic; a name without a separator
// stays in the folder.
func FuzzTypedPath(f *testing.F) {
	for _, s := range []string{"song.mid", "~/a", "~", "../..", "/abs/x", " x ", "a/../../b", "\x00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := typedPath(s, "/base/dir")
		if p != filepath.Clean(p) {
			t.Errorf("typedPath(%q) = %q, not clean", s, p)
		}
		if n := strings.TrimSpace(s); n != "" && !strings.ContainsAny(n, "/~") && n != "." && n != ".." && filepath.Dir(p) != "/base/dir" {
			t.Errorf("typedPath(%q) = %q, outside the folder", s, p)
		}
		savePath(s, "/base/dir")
	})
}
