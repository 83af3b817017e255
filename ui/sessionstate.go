package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/model/palette"
)

// maxHistory bounds the Undo steps a session keeps of each corner.
const maxHistory = 32

// maxTemperature is the temperature slider's top.
const maxTemperature = 1.5

// namedItem is a corner's item with its name, as saved.
type namedItem[T any] struct {
	Name string `json:"name"`
	Item T      `json:"item"`
}

// tabSettings are a tab's model settings, as saved.
type tabSettings struct {
	Temperature float64 `json:"temperature"`
	Seed        int64   `json:"seed"`
	Spherical   bool    `json:"spherical"`
}

// checkState checks the history, the settings and the point of a saved tab.
func (t *tabSession[T]) checkState(name string, valid func(T) error) error {
	for i, h := range t.History {
		if len(h) > maxHistory {
			return fmt.Errorf("%s corner %d: %d undo steps, more than %d", name, i+1, len(h), maxHistory)
		}
		for j, n := range h {
			if err := valid(n.Item); err != nil {
				return fmt.Errorf("%s corner %d, undo step %d: %w", name, i+1, j+1, err)
			}
		}
	}
	if s := t.Settings; s != nil && !(s.Temperature >= 0 && s.Temperature <= maxTemperature) {
		return fmt.Errorf("%s: temperature %v, not within 0..%v", name, s.Temperature, maxTemperature)
	}
	if p := t.Point; p != nil && !(p.U >= 0 && p.U <= 1 && p.V >= 0 && p.V <= 1) {
		return fmt.Errorf("%s: the puck at (%v, %v), outside the pad", name, p.U, p.V)
	}
	return nil
}

// checkWindow checks the transport's and the window's part of a session.
func (s *session) checkWindow() error {
	if s.Tempo != 0 && !(s.Tempo >= audio.MinBPM && s.Tempo <= audio.MaxBPM) {
		return fmt.Errorf("tempo %v BPM, not within %v..%v", s.Tempo, audio.MinBPM, audio.MaxBPM)
	}
	if s.Instrument != "" && !slices.Contains(synth.Names(), s.Instrument) {
		return fmt.Errorf("instrument %q, not one of %v", s.Instrument, synth.Names())
	}
	if s.Tab < 0 || s.Tab > drumsTabIndex {
		return fmt.Errorf("tab %d, not 0..%d", s.Tab, drumsTabIndex)
	}
	return nil
}

// snapshotState adds the corners' histories, the settings and the point to s.
func (t *paletteTab[T]) snapshotState(s *tabSession[T]) {
	for i := range 4 {
		h := t.pal.History(i)
		h = h[max(0, len(h)-maxHistory):]
		for _, n := range h {
			s.History[i] = append(s.History[i], namedItem[T]{n.Name, n.Item})
		}
	}
	set := t.pal.Settings()
	s.Settings = &tabSettings{Temperature: set.Temperature, Seed: set.Seed, Spherical: set.Spherical}
	pt := t.pal.Point()
	s.Point = &pt
}

// restore puts a saved tab back: its corners with their names and histories (one batch for the
// model), its settings and the puck. The kept results are added by the caller.
func (t *paletteTab[T]) restore(s *tabSession[T]) {
	var corners [4]palette.Named[T]
	var hist [4][]palette.Named[T]
	for i := range 4 {
		corners[i] = palette.Named[T]{Item: s.Corners[i], Name: s.Names[i]}
		for _, n := range s.History[i] {
			hist[i] = append(hist[i], palette.Named[T]{Item: n.Item, Name: n.Name})
		}
	}
	if st := s.Settings; st != nil {
		t.pal.SetSettings(palette.Settings{Temperature: st.Temperature, Seed: st.Seed, Spherical: st.Spherical})
	}
	t.pal.Restore(corners, hist)
	if p := s.Point; p != nil {
		t.pad.SetPoint(p.U, p.V)
		t.pal.MoveTo(*p)
	}
}

// sessionDelay is how long the session writer waits for the changes to settle: a drag of the
// puck or the tempo makes one write, not one per step.
const sessionDelay = 400 * time.Millisecond

// sessionWriter writes the newest session handed to it, in the background and at most once per
// sessionDelay of quiet; the JSON is made there too, off Fyne's thread.
type sessionWriter struct {
	path   string
	write  func(path string, s *session) error
	failed func(error) // called on Fyne's thread
	do     func(func())

	mu      sync.Mutex
	latest  *session
	closed  bool
	flushes []chan struct{} // flush calls waiting for the write
	kick    chan struct{}
	done    chan struct{}
}

// writeSessionFile writes s to path as JSON, whole or not at all.
func writeSessionFile(path string, s *session) error {
	return atomicfile.Write(path, func(f io.Writer) error { return json.NewEncoder(f).Encode(s) })
}

func newSessionWriter(path string, write func(string, *session) error, failed func(error), do func(func())) *sessionWriter {
	if write == nil {
		write = writeSessionFile
	}
	w := &sessionWriter{path: path, write: write, failed: failed, do: do, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go w.run()
	return w
}

// put hands over the newest session; it never waits.
func (w *sessionWriter) put(s *session) {
	w.mu.Lock()
	w.latest = s
	w.mu.Unlock()
	w.poke()
}

// flush writes what is pending at once and waits until it is written.
func (w *sessionWriter) flush() {
	ack := make(chan struct{})
	w.mu.Lock()
	w.flushes = append(w.flushes, ack)
	w.mu.Unlock()
	w.poke()
	<-ack
}

// close writes what is pending at once and stops the writer.
func (w *sessionWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.poke()
	<-w.done
}

func (w *sessionWriter) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// urgent reports whether a flush or close waits: no quiet moment is waited for then.
func (w *sessionWriter) urgent() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed || len(w.flushes) > 0
}

func (w *sessionWriter) run() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		<-w.kick
		// Wait for a quiet moment: every new session starts the wait again.
		for !w.urgent() {
			timer.Reset(sessionDelay)
			select {
			case <-w.kick:
				timer.Stop()
				continue
			case <-timer.C:
			}
			break
		}
		w.mu.Lock()
		s, closed, acks := w.latest, w.closed, w.flushes
		w.latest, w.flushes = nil, nil
		w.mu.Unlock()
		if s != nil {
			if err := w.write(w.path, s); err != nil && w.failed != nil && !closed {
				w.do(func() { w.failed(err) })
			}
		}
		for _, a := range acks {
			close(a)
		}
		if closed {
			return
		}
	}
}
