package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
	"github.com/latentpalette/palette/model/vae"
)

func (v *SketchView) show(d sketch.Drawing) { v.SetDrawing(d) }

// sketchTab is the sketch palette; its result can replay its strokes in drawing order. It may
// offer several models (choices), of one subject or of several classes.
type sketchTab struct {
	*paletteTab[sketch.Drawing]
	choices     []sketchChoice
	chosen      int
	cur         *sketchChoice // the chosen model, which the tab's kind reads
	replay      *fyne.Animation
	replayShown palette.Point // the point whose drawing replayed itself last
	replayGen   int           // bumped by each replay and stop: older animations stop drawing
	restGen     int           // bumped by each result: older rest timers do nothing
}

// sketchChoice is a sketch model the palette can draw with and what it knows.
type sketchChoice struct {
	label   string // in the model picker and the session
	model   palette.Model[sketch.Drawing]
	classes sketchrnn.Classes // none named: a model of one subject, or a file that does not say
	note    string            // the status line
}

// sketchKind is the sketch palette over the model cur points to (the tab may change it).
func sketchKind(cur *sketchChoice) kind[sketch.Drawing] {
	var sheet *HandCanvas // one for the tab, made when first needed
	k := kind[sketch.Drawing]{
		name:     "Sketch",
		noun:     "drawing",
		fileExts: []string{".ndjson", ".jsonl", ".npz", ".npy"},
		newView: func(compact bool, c color.NRGBA) view[sketch.Drawing] {
			if !compact {
				c = color.NRGBA{0x2b, 0x2d, 0x3a, 0xff} // ink on the paper background
			}
			return NewSketchView(compact, c)
		},
		read: readDrawings,
		draw: func(win fyne.Window, do func(func()), done func(sketch.Drawing)) {
			if sheet == nil {
				sheet = NewHandCanvas()
			}
			vae, _ := cur.model.(*sketchrnn.Model) // a trained Sketch-RNN continues drawings; stand-ins do not
			drawCorner(win, sheet, knowsHint(cur.classes.Names), vae, do, done)
		},
		exporters: sketchExporters,
		settings:  sketchSettings,
	}
	setSketchModel(&k, *cur)
	return k
}

// setSketchModel makes k the kind of c's model: its status line and, for a model of several
// classes placed in its latent space, Random by class and the class on each tile.
func setSketchModel(k *kind[sketch.Drawing], c sketchChoice) {
	k.modelNote = c.note
	k.classes, k.classZ, k.where = nil, nil, nil
	if classes := c.classes; len(classes.Names) > 1 && len(classes.Mean) == len(classes.Names) {
		k.classes = classes.Names
		k.classZ = classes.Sample
		k.where = func(z []float32) string { return classWhere(classes, z) }
	}
}

// sketchExamples are the corners a sketch model starts with: when it knows several classes,
// four of them, each drawn by the model from the class's first (best-judged) anchor at
// temperature 0.2; else, or when the model cannot draw them, the four sheep.
func sketchExamples(c sketchChoice) (items [4]sketch.Drawing, names [4]string) {
	ex := examples.Drawings()
	for i, e := range ex {
		items[i], names[i] = e.Item, e.Name
	}
	idx, ok := examples.ClassCorners(c.classes.Names)
	if !ok || c.model == nil || len(c.classes.Anchors) != len(c.classes.Names) {
		return items, names
	}
	zs := make([][]float32, 4)
	for k, i := range idx {
		if len(c.classes.Anchors[i]) == 0 {
			return items, names
		}
		zs[k] = c.classes.Anchors[i][0]
	}
	ds, err := c.model.Decode(zs, vae.DecodeOptions{Temperature: 0.2, Seed: 1})
	if err != nil || len(ds) != 4 {
		return items, names
	}
	for k, i := range idx {
		if len(ds[k]) == 0 {
			return items, names
		}
		items[k], names[k] = ds[k], titleCase(c.classes.Names[i])
	}
	return items, names
}

// modelPicker is the choice of model, when there is one to make.
func (s *sketchTab) modelPicker() fyne.CanvasObject {
	if len(s.choices) < 2 {
		return nil
	}
	labels := make([]string, len(s.choices))
	for i, c := range s.choices {
		labels[i] = c.label
	}
	sel := newKeySelect(s.keys, labels, func(v string) {
		if i := slices.Index(labels, v); i >= 0 {
			s.switchModel(i)
		}
	})
	sel.SetSelected(labels[s.chosen])
	return container.NewHBox(widget.NewLabel("Model"), sel)
}

// switchModel makes choice i the palette's model: the corners keep their drawings, encoded
// anew (the examples, if the corners are still those, become the new model's examples), and
// the grid, Random, the tiles, the Draw dialog and the status line follow.
func (s *sketchTab) switchModel(i int) {
	if i == s.chosen || i < 0 || i >= len(s.choices) {
		return
	}
	wasExamples := true
	for k, c := range s.pal.Corners() {
		if c.Name != s.exampleNames[k] || !slices.Equal(c.Item, s.examples[k]) {
			wasExamples = false
		}
	}
	s.chosen = i
	*s.cur = s.choices[i]
	setSketchModel(&s.kind, *s.cur)
	s.status.SetText(s.kind.modelNote)
	if s.space != nil {
		s.space.dec.SetModel(s.cur.model)
	}
	s.pal.SetModel(s.cur.model)
	s.examples, s.exampleNames = sketchExamples(*s.cur)
	if wasExamples {
		s.pal.SetNamedCorners(s.examples, s.exampleNames)
	}
	s.changed()
}

// knowsHint tells the Draw dialog's user what the model knows.
func knowsHint(names []string) string {
	switch len(names) {
	case 0:
		return "Draw something like the drawings the model learned from."
	case 1:
		return "The model knows one thing: draw a " + names[0] + "."
	}
	return "The model knows " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + ": draw one of them."
}

// farFromClasses is the distance (Classes.Nearest: about 1 for a typical drawing of a class)
// beyond which a corner's tile says it is far from every class.
const farFromClasses = 2.5

// classWhere says which class a corner's vector z lies nearest, or that it lies far from all.
func classWhere(c sketchrnn.Classes, z []float32) string {
	i, d := c.Nearest(z)
	if i < 0 {
		return ""
	}
	if d > farFromClasses {
		return fmt.Sprintf("far from every class (%.1f; nearest %s)", d, c.Names[i])
	}
	return fmt.Sprintf("%s (%.1f)", c.Names[i], d)
}

// sketchSettings are the sketch palette's starting settings. Greedy decoding of Sketch-RNN
// tends to go round one loop; sampling at a low temperature draws clean sheep, and a fixed seed
// keeps the same drawing for the same point, corners and settings. 0 on the slider is greedy.
var sketchSettings = palette.Settings{Temperature: 0.2, Seed: 1}

// readDrawings reads a drawing file (Quick, Draw! NDJSON, sketch-rnn npz or npy) for a corner.
// An NDJSON file is first looked at (sniffNDJSON): one that does not begin with a drawing is
// refused after reading its head, not read whole line by line.
func readDrawings(path string) (*choice[sketch.Drawing], error) {
	if l := strings.ToLower(path); strings.HasSuffix(l, ".ndjson") || strings.HasSuffix(l, ".jsonl") {
		if err := sniffNDJSON(path); err != nil {
			return nil, err
		}
	}
	ds, err := sketch.Load(path)
	var lineErrs sketch.LineErrors
	if err != nil && !(errors.As(err, &lineErrs) && len(ds) > 0) {
		return nil, fmt.Errorf("could not read drawings from %s: %w\n\nChoose a Quick, Draw! .ndjson or a sketch-rnn .npz file", path, err)
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("%s holds no drawings: choose another file", path)
	}
	skipped := ""
	if len(lineErrs) > 0 {
		skipped = fmt.Sprintf(" (%d malformed lines skipped, the first at line %d)", len(lineErrs), lineErrs[0].Line)
	}
	return &choice[sketch.Drawing]{title: "Choose a drawing", n: len(ds),
		label: func(i int) string { return fmt.Sprintf("Drawing %d of %d%s", i+1, len(ds), skipped) },
		get:   func(i int) (sketch.Drawing, error) { return ds[i], nil },
	}, nil
}

// sniffSize is how much of an NDJSON file is read to see whether it holds drawings.
const sniffSize = 64 << 10

// sniffNDJSON refuses, after reading at most sniffSize bytes, a file whose first line is not a
// Quick, Draw! drawing (or, when the first line is longer, does not begin as a JSON object).
func sniffNDJSON(path string) error {
	f, err := regfile.Open(path)
	if err != nil {
		return fmt.Errorf("could not open %s: %w", path, err)
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, sniffSize))
	if err != nil {
		return fmt.Errorf("could not read %s: %w", path, err)
	}
	notDrawings := fmt.Errorf("%s is not a Quick, Draw! drawing file: it does not begin with a drawing\n\nChoose a Quick, Draw! .ndjson or a sketch-rnn .npz file", path)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	line, _, complete := bytes.Cut(head, []byte("\n"))
	if !complete && len(head) == sniffSize { // a long first line: it must at least open an object
		if !bytes.HasPrefix(head, []byte("{")) {
			return notDrawings
		}
		return nil
	}
	if items, err := sketch.ReadNDJSON(bytes.NewReader(line)); err != nil || len(items) == 0 {
		return notDrawings
	}
	return nil
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
		gen, do := s.restGen, s.runOnUI
		time.AfterFunc(replayRest, func() {
			do(func() {
				if gen == s.restGen && s.replayShown != r.Point {
					s.replayShown = r.Point
					s.startReplay()
				}
			})
		})
	}
	s.topRight = s.modelPicker()
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
