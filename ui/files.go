package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
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

// writeFileAtomic writes path all at once or not at all (see atomicfile.Write).
var writeFileAtomic = atomicfile.Write

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
