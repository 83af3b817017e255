package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
)

// chooseSavePath asks where to save a file named name (ext is its extension); done gets the
// path. Tests replace it to bypass the dialog.
var chooseSavePath = showSaveDialog

// exportFolderKey is the preference that remembers the folder of the last export.
const exportFolderKey = "exportFolder"

// showSaveDialog asks for a file name and a folder, and for leave to replace an existing file,
// without opening the file. Fyne's save dialog (dialog.NewFileSave, v2.7.1) opens the chosen
// file through storage.Writer, which empties it, before its callback runs: an export that then
// failed would leave the user's file empty. Here the folder comes from Fyne's folder dialog,
// which opens nothing, and the export writes beside the file and renames over it.
func showSaveDialog(win fyne.Window, name, ext string, done func(path string)) {
	prefs := fyne.CurrentApp().Preferences()
	dir := prefs.String(exportFolderKey)
	if !isDir(dir) { // never exported, or the folder has gone
		dir = defaultExportFolder()
	}
	file := widget.NewEntry()
	file.SetText(name)
	file.Validator = func(s string) error {
		if s = strings.TrimSpace(s); s == "" || s == "." || s == ".." || strings.ContainsAny(s, `/\`) {
			return errors.New("type a file name, without a folder")
		}
		return nil
	}
	folder := widget.NewLabel(dir)
	folder.Truncation = fyne.TextTruncateEllipsis
	browse := widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("the folder dialog failed: %w", err), win)
				return
			}
			if l != nil {
				dir = l.Path()
				folder.SetText(dir)
			}
		}, win)
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
		d.Show()
	})
	items := []*widget.FormItem{
		widget.NewFormItem("File name", file),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, browse, folder)),
	}
	d := dialog.NewForm("Export", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		name := strings.TrimSpace(file.Text)
		if filepath.Ext(name) == "" {
			name += ext
		}
		prefs.SetString(exportFolderKey, dir)
		confirmReplace(win, filepath.Join(dir, name), done)
	}, win)
	file.OnSubmitted = func(string) { d.Submit() } // Enter saves, as in a file dialog
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	d.Show()
	win.Canvas().Focus(file)
}

// confirmReplace calls done(path) for a new file, and for an existing one once the user agrees
// to replace it.
func confirmReplace(win fyne.Window, path string, done func(path string)) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		done(path)
	case err != nil:
		dialog.ShowError(fmt.Errorf("cannot save to %s: %w\n\nChoose another folder or name", path, err), win)
	case info.IsDir():
		dialog.ShowError(fmt.Errorf("%s is a folder: choose another name", path), win)
	default:
		d := dialog.NewConfirm("Replace the file?",
			filepath.Base(path)+" already exists. Replace it? It keeps its contents until the new file is complete.",
			func(ok bool) {
				if ok {
					done(path)
				}
			}, win)
		d.SetConfirmText("Replace")
		d.SetDismissText("Cancel")
		d.Show()
	}
}

// defaultExportFolder is where the first export goes: the user's Documents folder if there is
// one, else the home folder.
func defaultExportFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
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
