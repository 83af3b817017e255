package ui

import (
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"

	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

func (v *SketchView) show(d sketch.Drawing) { v.SetDrawing(d) }

// sketchTab is the sketch palette; its result can replay its strokes in drawing order.
type sketchTab struct {
	*paletteTab[sketch.Drawing]
	replay      *fyne.Animation
	replayShown palette.Point // the point whose drawing replayed itself last
	replayGen   int           // bumped by each replay and stop: older animations stop drawing
	restGen     int           // bumped by each result: older rest timers do nothing
}

func sketchKind(note string) kind[sketch.Drawing] {
	var sheet *HandCanvas // one for the tab, made when first needed
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
		open: openDrawings,
		draw: func(win fyne.Window, done func(sketch.Drawing)) {
			if sheet == nil {
				sheet = NewHandCanvas()
			}
			drawCorner(win, sheet, done)
		},
		exporters: sketchExporters,
		modelNote: note,
		settings:  sketchSettings,
	}
}

// sketchSettings are the sketch palette's starting settings. Greedy decoding of Sketch-RNN
// tends to go round one loop; sampling at a low temperature draws clean sheep, and a fixed seed
// keeps the same drawing for the same point, corners and settings. 0 on the slider is greedy.
var sketchSettings = palette.Settings{Temperature: 0.2, Seed: 1}

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
	skipped := ""
	if len(lineErrs) > 0 {
		skipped = fmt.Sprintf(" (%d malformed lines skipped, the first at line %d)", len(lineErrs), lineErrs[0].Line)
	}
	choose(win, "Choose a drawing", len(ds),
		func(i int) string { return fmt.Sprintf("Drawing %d of %d%s", i+1, len(ds), skipped) },
		func(i int) (sketch.Drawing, error) { return ds[i], nil },
		NewSketchView(false, color.NRGBA{0x2b, 0x2d, 0x3a, 0xff}), done)
}

// replayRest is how long the puck must rest on a result before its drawing replays itself.
const replayRest = 300 * time.Millisecond

func (s *sketchTab) build() fyne.CanvasObject {
	replay := newKeyButton(s.keys, "Replay strokes", theme.MediaReplayIcon(), s.startReplay)
	// When no newer result follows for a moment (the puck came to rest), the drawing draws itself
	// again, stroke by stroke, once per point. A timer rather than the pad's release decides,
	// as the last drag events may come after the release.
	s.onDecoded = func(r palette.Result[sketch.Drawing]) {
		s.stopReplay() // the view shows the new drawing whole
		s.restGen++
		gen, do := s.restGen, runOnUI // read runOnUI here, on Fyne's thread
		time.AfterFunc(replayRest, func() {
			do(func() {
				if gen == s.restGen && s.replayShown != r.Point {
					s.replayShown = r.Point
					s.startReplay()
				}
			})
		})
	}
	return s.paletteTab.build(replay)
}

// startReplay draws the current result again, point by point, in the order it was drawn.
func (s *sketchTab) startReplay() {
	if !s.hasCurrent {
		return
	}
	s.stopReplay()
	v := s.result.(*SketchView)
	n, gen := len(s.current), s.replayGen
	s.replay = fyne.NewAnimation(time.Duration(min(n*12, 2500))*time.Millisecond, func(f float32) {
		if gen != s.replayGen {
			return // a newer replay or result took over
		}
		if f >= 1 {
			v.SetShown(-1)
		} else {
			v.SetShown(int(f * float32(n)))
		}
		s.win.Canvas().Refresh(v)
	})
	s.replay.Curve = fyne.AnimationLinear
	s.replay.Start()
}

// stopReplay ends a replay in progress and shows the drawing whole.
func (s *sketchTab) stopReplay() {
	s.replayGen++
	if s.replay != nil {
		s.replay.Stop()
	}
	s.result.(*SketchView).SetShown(-1)
}
