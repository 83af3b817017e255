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
)

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
	file.Validator = func(s string) error { _, _, err := savePath(s, dir); return err }
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
		folder, name, err := savePath(file.Text, dir)
		if err != nil {
			dialog.ShowError(err, win)
			return
		}
		if filepath.Ext(name) == "" {
			name += ext
		}
		prefs.SetString(exportFolderKey, folder)
		confirmReplace(win, filepath.Join(folder, name), done)
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

// typedPath reads a path typed into a dialog: spaces around it go, a leading ~ is the home
// folder, and a relative path is taken from the folder dir.
func typedPath(s, dir string) string {
	s = strings.TrimSpace(s)
	if s == "~" || strings.HasPrefix(s, "~/") || strings.HasPrefix(s, "~"+string(filepath.Separator)) {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, s[1:])
		}
	}
	if s != "" && !filepath.IsAbs(s) {
		s = filepath.Join(dir, s)
	}
	return filepath.Clean(s)
}

// savePath splits what was typed in the export dialog's name field, a file name (saved in dir)
// or a whole path, into the folder and the file's name; the folder must exist.
func savePath(typed, dir string) (folder, name string, err error) {
	t := strings.TrimSpace(typed)
	if t == "" || strings.HasSuffix(t, "/") || strings.HasSuffix(t, string(filepath.Separator)) {
		return "", "", errors.New("type a file name, or a whole path")
	}
	p := typedPath(t, dir)
	folder, name = filepath.Dir(p), filepath.Base(p)
	if name == "." || name == ".." || name == string(filepath.Separator) {
		return "", "", errors.New("type a file name, or a whole path")
	}
	if !isDir(folder) {
		return "", "", fmt.Errorf("there is no folder %s", folder)
	}
	return folder, name, nil
}

// openFolderKey is the preference that remembers the folder of the last file opened.
const openFolderKey = "openFolder"

// showOpenDialog asks for a file with one of exts: its path typed (or pasted) in a field, a name
// from the last folder, or picked with Fyne's file dialog, opened as large as the window. done
// gets the path of an existing file.
func showOpenDialog(win fyne.Window, exts []string, done func(path string)) {
	prefs := fyne.CurrentApp().Preferences()
	dir := prefs.String(openFolderKey)
	if !isDir(dir) {
		dir = defaultExportFolder()
	}
	file := widget.NewEntry()
	file.SetPlaceHolder(filepath.Join(dir, "name"+exts[0]))
	file.Validator = func(s string) error { return openable(typedPath(s, dir)) }
	browse := widget.NewButtonWithIcon("Browse…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("the open dialog failed: %w", err), win)
				return
			}
			if r != nil {
				file.SetText(r.URI().Path())
				r.Close()
			}
		}, win)
		d.SetFilter(storage.NewExtensionFileFilter(exts))
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
		d.Resize(win.Canvas().Size().SubtractWidthHeight(40, 40)) // as many rows as fit
		d.Show()
	})
	hint := widget.NewLabel("Type or paste a path (~ is your home folder), a name in " + dir + ", or browse.")
	hint.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		widget.NewFormItem("File", container.NewBorder(nil, nil, nil, browse, file)),
		widget.NewFormItem("", hint),
	}
	d := dialog.NewForm("Open a file", "Open", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		path := typedPath(file.Text, dir)
		prefs.SetString(openFolderKey, filepath.Dir(path))
		done(path)
	}, win)
	file.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(min(720, win.Canvas().Size().Width-40), d.MinSize().Height))
	d.Show()
	win.Canvas().Focus(file)
}

// openable says why path cannot be opened as a file, or nil.
func openable(path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("there is no file %s", path)
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%s is a folder: type a file's name", path)
	}
	return nil
}
