package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// chooseSavePath asks where to save a file named name; done gets the chosen path. Tests
// replace it to bypass the native dialog.
var chooseSavePath = func(win fyne.Window, name, ext string, done func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the save dialog failed: %w", err), win)
			return
		}
		if w == nil {
			return // cancelled
		}
		// The dialog opened (and emptied) the file; we write beside it and rename over it.
		path := w.URI().Path()
		w.Close()
		done(path)
	}, win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	d.Show()
}

// chooseOpenPath asks for a file with one of exts; done gets its path.
var chooseOpenPath = func(win fyne.Window, exts []string, done func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("the open dialog failed: %w", err), win)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		done(path)
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Show()
}

// writeFileAtomic writes path through write: into a temporary file beside it, then renamed over
// path, so that a failure never leaves a partial file. (app/atomic.go does the same for the
// command line; it lives in package main, out of reach.)
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// choose shows a dialog to pick one of n items (the bars of a MIDI file, the drawings of a
// data file) with a slider and a preview; done gets the chosen item.
func choose[T any](win fyne.Window, title string, n int, label func(i int) string, get func(i int) (T, error),
	preview view[T], done func(T)) {
	if n == 1 {
		if it, err := get(0); err == nil {
			done(it)
			return
		}
	}
	cur := 0
	text := widget.NewLabel("")
	show := func(i int) {
		cur = i
		text.SetText(label(i))
		if it, err := get(i); err == nil {
			preview.show(it)
		}
	}
	slider := widget.NewSlider(0, float64(max(n-1, 1)))
	slider.OnChanged = func(x float64) { show(int(x)) }
	show(0)
	content := container.NewBorder(nil, container.NewVBox(text, slider), nil, nil, preview)
	d := dialog.NewCustomConfirm(title, "Use it", "Cancel", content, func(ok bool) {
		if !ok {
			return
		}
		it, err := get(cur)
		if err != nil {
			dialog.ShowError(err, win)
			return
		}
		done(it)
	}, win)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}
