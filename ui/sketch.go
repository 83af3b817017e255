package ui

import (
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/sketch"
)

func (v *SketchView) show(d sketch.Drawing) { v.SetDrawing(d) }

// sketchTab is the sketch palette; its result can replay its strokes in drawing order.
type sketchTab struct {
	*paletteTab[sketch.Drawing]
	replay *fyne.Animation
}

func sketchKind(note string) kind[sketch.Drawing] {
	return kind[sketch.Drawing]{
		name:     "Sketch",
		noun:     "drawing",
		fileExts: []string{".ndjson", ".jsonl", ".npz", ".npy"},
		newView: func(compact bool, c color.NRGBA) view[sketch.Drawing] {
			if !compact {
				c = color.NRGBA{0x2b, 0x2d, 0x3a, 0xff} // ink on the paper background
			}
			return NewSketchView(compact, c)
		},
		open:      openDrawings,
		exporters: sketchExporters,
		modelNote: note,
	}
}

// openDrawings reads a drawing file (Quick, Draw! NDJSON, sketch-rnn npz or npy) and asks
// which drawing to use.
func openDrawings(path string, win fyne.Window, done func(sketch.Drawing)) {
	ds, err := sketch.Load(path)
	var lineErrs sketch.LineErrors
	if err != nil && !(errors.As(err, &lineErrs) && len(ds) > 0) {
		dialog.ShowError(fmt.Errorf("could not read drawings from %s: %w\n\nChoose a Quick, Draw! .ndjson or a sketch-rnn .npz file", path, err), win)
		return
	}
	if len(ds) == 0 {
		dialog.ShowError(fmt.Errorf("%s holds no drawings: choose another file", path), win)
		return
	}
	choose(win, "Choose a drawing", len(ds),
		func(i int) string { return fmt.Sprintf("Drawing %d of %d", i+1, len(ds)) },
		func(i int) (sketch.Drawing, error) { return ds[i], nil },
		NewSketchView(false, color.NRGBA{0x2b, 0x2d, 0x3a, 0xff}), done)
}

func (s *sketchTab) build() fyne.CanvasObject {
	replay := widget.NewButtonWithIcon("Replay strokes", theme.MediaReplayIcon(), s.startReplay)
	return s.paletteTab.build(replay)
}

// startReplay draws the current result again, point by point, in the order it was drawn.
func (s *sketchTab) startReplay() {
	if !s.hasCurrent {
		return
	}
	if s.replay != nil {
		s.replay.Stop()
	}
	v := s.result.(*SketchView)
	n := len(s.current)
	s.replay = fyne.NewAnimation(time.Duration(min(n*12, 2500))*time.Millisecond, func(f float32) {
		v.SetShown(int(f * float32(n)))
		if f >= 1 {
			v.SetShown(-1)
		}
	})
	s.replay.Curve = fyne.AnimationLinear
	s.replay.Start()
}
