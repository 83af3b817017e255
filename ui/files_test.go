package ui

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/sketch"
)

// topOverlay returns the dialog on top of the window, failing the test if there is none.
func (f *fixture) topOverlay(t *testing.T) fyne.CanvasObject {
	t.Helper()
	top := f.w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	return top
}

// overlayText joins the labels of the dialog on top, in lower case, to tell which dialog it is.
func (f *fixture) overlayText() string {
	top := f.w.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return strings.ToLower(b.String())
}

// TestExportOverExistingFile exports through the real save dialog onto a file that exists: the
// file keeps its bytes until the new ones are complete, and keeps them all if the export fails.
func TestExportOverExistingFile(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name    string
		write   func(w io.Writer) error
		want    string // the file's contents after the export
		failure bool
	}{
		{"failed export keeps the old bytes", func(w io.Writer) error {
			io.WriteString(w, "partial")
			return boom
		}, "old drawing", true},
		{"successful export replaces them", func(w io.Writer) error {
			_, err := io.WriteString(w, "new drawing")
			return err
		}, "new drawing", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fyne.CurrentApp().Preferences().SetString(exportFolderKey, f.tmp)
			path := filepath.Join(f.tmp, "sheep.txt")
			if err := os.WriteFile(path, []byte("old drawing"), 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			f.w.tabs.SelectIndex(1)
			test.TapAt(f.w.sketch.pad, fyne.NewPos(100, 100))
			f.settle()

			var during []byte // what the file held while the new contents were written
			e := exporter[sketch.Drawing]{label: "Text", ext: ".txt", writer: func() func(io.Writer, []sketch.Drawing) error {
				return func(w io.Writer, _ []sketch.Drawing) error {
					during, _ = os.ReadFile(path)
					return tt.write(w)
				}
			}}
			f.w.sketch.status.SetText("")
			f.w.sketch.export(e)

			// The dialog asks for a name (the extension is added) and the folder is the last one.
			form := f.topOverlay(t)
			var entry *widget.Entry
			for _, o := range test.LaidOutObjects(form) {
				if en, ok := o.(*widget.Entry); ok {
					entry = en
				}
			}
			if entry == nil || entry.Text != "palette-drawing.txt" || !strings.Contains(f.overlayText(), strings.ToLower(f.tmp)) {
				t.Fatalf("the save dialog offers %v in %q", entry, f.overlayText())
			}
			entry.SetText("sheep")
			test.Tap(findButton(t, form, "Save"))
			confirm := f.topOverlay(t)
			if !strings.Contains(f.overlayText(), "sheep.txt already exists") {
				t.Fatalf("no question before replacing the file: %q", f.overlayText())
			}
			if got, _ := os.ReadFile(path); string(got) != "old drawing" {
				t.Fatalf("the dialog changed the file before the export: it holds %q", got)
			}
			test.Tap(findButton(t, confirm, "Replace"))
			f.until(t, "the export", func() bool {
				return strings.HasPrefix(f.w.sketch.status.Text, "Saved") || strings.Contains(f.overlayText(), "could not save")
			})

			if string(during) != "old drawing" {
				t.Errorf("while the export wrote, the file held %q, want the old bytes", during)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("the file holds %q, want %q", got, tt.want)
			}
			if failed := strings.Contains(f.overlayText(), "could not save"); failed != tt.failure {
				t.Errorf("error dialog shown %v, want %v (status %q)", failed, tt.failure, f.w.sketch.status.Text)
			}
			after, _ := os.Stat(path)
			if replaced := !os.SameFile(before, after); replaced == tt.failure {
				t.Errorf("the file was replaced by another (renamed over it): %v, want %v", replaced, !tt.failure)
			}
			if entries, _ := os.ReadDir(f.tmp); len(entries) != 1 {
				t.Errorf("%d files in the folder, want 1 (no temporary left)", len(entries))
			}
		})
	}
}

func TestConfirmReplace(t *testing.T) {
	f := newFixture(t)
	file := filepath.Join(f.tmp, "exists.png")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		answer string // the button to tap in the dialog, "" if none is expected
		done   bool
	}{
		{"new file", filepath.Join(f.tmp, "new.png"), "", true},
		{"existing file, replaced", file, "Replace", true},
		{"existing file, cancelled", file, "Cancel", false},
		{"a folder", f.tmp, "OK", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			confirmReplace(f.w.win, tt.path, func(p string) { called = p == tt.path })
			if tt.answer != "" {
				test.Tap(findButton(t, f.topOverlay(t), tt.answer))
			}
			if called != tt.done {
				t.Errorf("done called %v, want %v", called, tt.done)
			}
			if top := f.w.win.Canvas().Overlays().Top(); top != nil {
				t.Errorf("a dialog is left open: %q", f.overlayText())
			}
			if got, _ := os.ReadFile(file); string(got) != "x" {
				t.Errorf("the existing file now holds %q", got)
			}
		})
	}
}
