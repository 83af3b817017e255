package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// choice is what a file offers a corner: n items to choose one from (the 2-bar windows of a MIDI
// file, the drawings of a data file), read in the background; the window asks which one.
type choice[T any] struct {
	title string
	n     int
	label func(i int) string
	get   func(i int) (T, error)
	// notice, when not "", is shown once the chosen item is in the corner (what the import
	// changed or guessed).
	notice string
}

// loadCorner reads path into corner i (a file dropped on it, or opened from its menu): the file
// is read in the background, then the window asks which of its items to use.
func (t *paletteTab[T]) loadCorner(i int, path string) {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	t.status.SetText("Reading " + filepath.Base(path) + "…")
	t.loads.Add(1)
	go func() {
		defer t.loads.Done()
		var c *choice[T]
		err := safely(func() (err error) { c, err = t.kind.read(path); return err })
		t.runOnUI(func() {
			t.status.SetText(t.kind.modelNote)
			if err != nil {
				dialog.ShowError(errors.New(oneLine(err.Error())), t.win)
				return
			}
			choose(t.win, c, t.kind.newView(false, colAccent), t.kind.audition, func(item T) {
				t.pal.SetNamedCorner(i, item, name)
				if c.notice != "" {
					dialog.ShowInformation("Imported with changes", c.notice, t.win)
				}
			})
		})
	}()
}

// maxMessage bounds an error message shown in a dialog.
const maxMessage = 300

// oneLine keeps a message short enough for a dialog: its first two lines (the error and the
// advice that follows it), each cut at maxMessage bytes.
func oneLine(s string) string {
	lines := strings.SplitN(s, "\n", 4)
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if len(l) > maxMessage {
			cut := maxMessage
			for cut > 0 && !utf8.RuneStart(l[cut]) {
				cut--
			}
			l = l[:cut] + "…"
		}
		out = append(out, l)
		if len(out) == 2 {
			break
		}
	}
	return strings.Join(out, "\n\n")
}

// choose shows a dialog to pick one of c's items with a slider and a preview; listen, when not
// nil, plays the item shown while its Play button is on. done gets the chosen item. A file of
// one item needs no asking.
func choose[T any](win fyne.Window, c *choice[T], preview view[T], listen func(item T, on bool), done func(T)) {
	if c.n == 1 {
		if it, err := c.get(0); err == nil {
			done(it)
			return
		}
	}
	cur, playing := 0, false
	text := widget.NewLabel("")
	var play *widget.Button
	show := func(i int) {
		cur = i
		text.SetText(c.label(i))
		if it, err := c.get(i); err == nil {
			preview.show(it)
			if playing {
				listen(it, true)
			}
		}
	}
	stop := func() {
		if playing {
			playing = false
			listen(*new(T), false)
			play.SetText("Play")
			play.SetIcon(theme.MediaPlayIcon())
		}
	}
	slider := widget.NewSlider(0, float64(max(c.n-1, 1)))
	slider.OnChanged = func(x float64) { show(int(x)) }
	show(0)
	bottom := container.NewVBox(text, slider)
	if listen != nil {
		play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), func() {
			if playing {
				stop()
				return
			}
			if it, err := c.get(cur); err == nil {
				playing = true
				listen(it, true)
				play.SetText("Stop")
				play.SetIcon(theme.MediaStopIcon())
			}
		})
		bottom = container.NewVBox(container.NewBorder(nil, nil, play, nil, text), slider)
	}
	content := container.NewBorder(nil, bottom, nil, nil, preview)
	d := dialog.NewCustomConfirm(c.title, "Use it", "Cancel", content, func(ok bool) {
		stop()
		if !ok {
			return
		}
		it, err := c.get(cur)
		if err != nil {
			dialog.ShowError(err, win)
			return
		}
		done(it)
	}, win)
	d.Resize(fyne.NewSize(520, 420))
	d.Show()
}

// userPath makes an error of writing path name path, not the temporary file beside it that the
// write went to first (atomicfile writes there and renames it over path).
func userPath(err error, path string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path != path {
		return fmt.Errorf("%s: %s: %w", path, pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", path, le.Err)
	}
	return err
}
