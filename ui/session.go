package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// The window keeps each palette's corners and kept results in a session file in the app's
// storage folder, written whenever they change, so that what the user made is there again
// when the app starts next time.

// sessionName is the session file's name in the app's storage folder.
const sessionName = "session.json"

// sessionVersion is written in every session file; a file of another version is set aside.
const sessionVersion = 1

// maxKept bounds the kept results a session file may hold.
const maxKept = 1000

// tabSession is one palette's part of the session: its corners, their names, its kept results.
type tabSession[T any] struct {
	Names   [4]string `json:"names"`
	Corners [4]T      `json:"corners"`
	Kept    []T       `json:"kept"`
	// History is each corner's items and names that Undo goes back to, oldest first, at most
	// maxHistory each; Settings and Point are the model's settings and the puck's position. They
	// are absent from files of earlier versions: the tab starts with its own settings then.
	History  [4][]namedItem[T] `json:"history,omitempty"`
	Settings *tabSettings      `json:"settings,omitempty"`
	Point    *palette.Point    `json:"point,omitempty"`
	// Path is the tab's path over the pad (see path.go); absent when there is none.
	Path palette.Path `json:"path,omitempty"`
}

type session struct {
	Version int                         `json:"version"`
	Melody  *tabSession[melody.Melody]  `json:"melody,omitempty"`
	Sketch  *tabSession[sketch.Drawing] `json:"sketch,omitempty"`
	Drums   *tabSession[drums.Pattern]  `json:"drums,omitempty"` // absent from files of earlier versions
	// The transport and the window: 0, "" and an absent tab leave the defaults.
	Tempo      float64 `json:"tempo,omitempty"`
	Instrument string  `json:"instrument,omitempty"`
	Tab        int     `json:"tab,omitempty"`
	// SketchModel is the label of the sketch palette's model when it offers several.
	SketchModel string `json:"sketch_model,omitempty"`
}

// validMelody accepts what a melody palette can hold: 2 bars of the 90 event classes.
func validMelody(m melody.Melody) error {
	if len(m) != melody.WindowSteps {
		return fmt.Errorf("a melody of %d steps, not %d", len(m), melody.WindowSteps)
	}
	return m.Validate()
}

// validDrums accepts what a drum palette can hold: 2 bars of hits with velocities up to 127 and
// timing offsets within half a step.
func validDrums(p drums.Pattern) error {
	if len(p) != drums.WindowSteps {
		return fmt.Errorf("a groove of %d steps, not %d", len(p), drums.WindowSteps)
	}
	return p.Validate()
}

// check reports the first item of t that valid refuses.
func (t *tabSession[T]) check(name string, valid func(T) error) error {
	if len(t.Path) > 0 {
		if err := t.Path.Validate(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(t.Kept) > maxKept {
		return fmt.Errorf("%s: %d kept results, more than %d", name, len(t.Kept), maxKept)
	}
	if err := t.checkState(name, valid); err != nil {
		return err
	}
	for i, c := range t.Corners {
		if err := valid(c); err != nil {
			return fmt.Errorf("%s corner %d: %w", name, i+1, err)
		}
	}
	for i, k := range t.Kept {
		if err := valid(k); err != nil {
			return fmt.Errorf("%s kept result %d: %w", name, i+1, err)
		}
	}
	return nil
}

// readSession reads a session file; every item in it is checked, and a file with anything wrong
// is refused whole.
func readSession(r io.Reader) (*session, error) {
	var s session
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not a session file: %w", err)
	}
	if s.Version != sessionVersion {
		return nil, fmt.Errorf("session file version %d, this app reads %d", s.Version, sessionVersion)
	}
	if s.Melody != nil {
		if err := s.Melody.check("melody", validMelody); err != nil {
			return nil, err
		}
	}
	if s.Sketch != nil {
		if err := s.Sketch.check("sketch", sketch.Drawing.Validate); err != nil {
			return nil, err
		}
	}
	if s.Drums != nil {
		if err := s.Drums.check("drums", validDrums); err != nil {
			return nil, err
		}
	}
	if err := s.checkWindow(); err != nil {
		return nil, err
	}
	return &s, nil
}

// loadSession reads the session file at path. No file is no session and no error. A file that
// cannot be read is renamed to path+".bad" (so that nothing the user made is overwritten) and
// the error says so.
func loadSession(path string) (*session, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s, err := readSession(f)
	f.Close()
	if err != nil {
		if rerr := os.Rename(path, path+".bad"); rerr != nil {
			return nil, fmt.Errorf("%s: %w (and it could not be set aside: %v)", path, err, rerr)
		}
		return nil, fmt.Errorf("%s: %w; it is kept as %s.bad", path, err, path)
	}
	return s, nil
}

// snapshot is the tab's part of the session as it stands, or nil while a corner has no item
// (its file failed to encode, say): a session is never saved with a hole in it.
func (t *paletteTab[T]) snapshot() *tabSession[T] {
	s := &tabSession[T]{}
	for i, c := range t.pal.Corners() {
		if !c.Set {
			return nil
		}
		s.Corners[i] = c.Item
		s.Names[i] = c.Name
	}
	for _, r := range t.pal.Pinned() {
		s.Kept = append(s.Kept, r.Item)
	}
	t.snapshotState(s)
	if t.space != nil {
		s.Path = t.space.path.path
	}
	return s
}

// saveSession hands the window's session, as it stands, to the session writer, which writes it
// in the background once no newer change has come for a moment (sessionDelay): the window calls
// it after every change of corners, kept results, settings, the puck, the tab or the transport.
// It takes copies of the state and returns at once; errors go to the status lines.
func (w *window) saveSession() {
	if w.saver == nil {
		return
	}
	s := session{Version: sessionVersion, Melody: w.melody.snapshot(), Sketch: w.sketch.snapshot(), Drums: w.drums.snapshot(),
		Tempo: w.melody.tr.tempo, Instrument: w.melody.instrument, Tab: w.tabs.SelectedIndex()}
	if len(w.sketch.choices) > 1 {
		s.SketchModel = w.sketch.choices[w.sketch.chosen].label
	}
	if s.Melody == nil || s.Sketch == nil || s.Drums == nil {
		return
	}
	w.saver.put(&s)
}

// sessionFailed shows a failed session write on every tab's status line.
func (w *window) sessionFailed(err error) {
	for _, l := range []*widget.Label{w.melody.status, w.sketch.status, w.drums.status} {
		l.SetText("Could not save the session: " + err.Error())
	}
}
