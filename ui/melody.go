package ui

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/melody"
)

func (p *PianoRoll) show(m melody.Melody) { p.SetMelody(m) }

// melodyTab is the melody palette with its part of the transport and its instrument.
type melodyTab struct {
	*paletteTab[melody.Melody]
	tr         *transport
	part       *part
	instrument string
	midi       *midiPlayer // the live MIDI out (midiout.go); nil: none
	keyLock    *keyLock    // the key lock (keylock.go)
}

func melodyKind(m *melodyTab, note string) kind[melody.Melody] {
	return kind[melody.Melody]{
		name:     "Melody",
		noun:     "melody",
		fileExts: []string{".mid", ".midi"},
		newView: func(compact bool, c color.NRGBA) view[melody.Melody] {
			return NewPianoRoll(compact, c)
		},
		read:     readMIDI,
		audition: func(item melody.Melody, on bool) { m.audition(item, on) },
		known:    knownSteps,
		exporters: []exporter[melody.Melody]{
			{label: "MIDI", ext: ".mid", writer: func() func(io.Writer, []melody.Melody) error {
				opt := melody.WriteOptions{BPM: m.tr.tempo, TrackName: "Latent Palette", Key: m.keyLock.lock(), Program: gmProgram(m.instrument)}
				return func(w io.Writer, ms []melody.Melody) error { return melody.WriteMIDI(w, melody.Concat(ms...), opt) }
			}},
			{label: "WAV", ext: ".wav", writer: func() func(io.Writer, []melody.Melody) error {
				opt := audio.RenderOptions{Instrument: m.instrument, BPM: m.tr.tempo}
				return func(w io.Writer, ms []melody.Melody) error {
					o := opt
					o.Loops = wavLoops(len(ms))
					return audio.WriteWAV(w, melody.Concat(ms...), o)
				}
			}},
		},
		modelNote: note,
	}
}

// wavLoops is how often an exported WAV file plays its n items round: one result twice, to hear
// its loop; several (the kept results) one after another, each once.
func wavLoops(n int) int {
	if n > 1 {
		return 1
	}
	return 2
}

// readMIDI reads a MIDI file's melody for a corner: its 2-bar windows, bar by bar.
func readMIDI(path string) (*choice[melody.Melody], error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not open %s: %w", path, err)
	}
	defer f.Close()
	imp, err := melody.Import(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a MIDI file the palette can use: %w\n\nChoose a Standard MIDI File with a melody", path, err)
	}
	segs := imp.Segments
	bars := melody.BarCount(segs)
	if bars == 0 {
		return nil, fmt.Errorf("%s has no notes to use: choose a MIDI file with a melody", path)
	}
	c := &choice[melody.Melody]{title: "Choose 2 bars", n: max(1, bars-1),
		label: func(i int) string { return fmt.Sprintf("Bars %d–%d of %d", i+1, i+2, bars) },
		get:   func(i int) (melody.Melody, error) { return melody.WindowAt(segs, i) },
	}
	if len(imp.Notices) > 0 {
		c.notice = importNote(path, imp)
	}
	return c, nil
}

// audition plays a melody in the dialog that asks for 2 bars (on), through the transport, or
// gives the transport back what it played before (off).
func (m *melodyTab) audition(item melody.Melody, on bool) {
	m.part.audition(on, func() { m.tr.player.SetMelody(item) })
}

// importNote says what the melody import of the file at path did: the track it took the
// melody from, and its notices (a grid found in the playing, no steady beat), a line each.
func importNote(path string, imp melody.Imported) string {
	track := fmt.Sprintf("track %d", imp.Track)
	if imp.TrackName != "" {
		track += fmt.Sprintf(" (%q)", imp.TrackName)
	}
	lines := []string{fmt.Sprintf("%s: the melody of %s, channel %d", filepath.Base(path), track, imp.Channel)}
	for _, n := range imp.Notices {
		lines = append(lines, n.Msg)
	}
	return strings.Join(lines, "\n")
}

// build adds the transport and the instrument above the palette's controls.
func (m *melodyTab) build() fyne.CanvasObject {
	m.part = m.tr.newPart(m.status, func(on bool) {
		switch {
		case !on:
			m.tr.player.SetMelody(make(melody.Melody, melody.WindowSteps)) // rests: the drums may play on
		case m.hasCurrent:
			m.tr.player.SetMelody(m.current)
		}
	}, m.result.(*PianoRoll).SetPlayhead)
	inst := newKeySelect(m.keys, m.tr.player.Instruments(), func(name string) {
		m.instrument = name
		if err := m.tr.player.SetInstrument(name); err != nil {
			dialog.ShowError(fmt.Errorf("instrument %s: %w", name, err), m.win)
		}
		m.tr.changed()
	})
	inst.SetSelected(m.instrument)
	m.onResult = func(melody.Melody) { m.part.changed() }
	m.clock = m.tr.clock // a path plays along with the transport
	return m.paletteTab.build(container.NewVBox(m.part.controls(inst), m.dawControls()))
}

// knownSteps says in how many of its steps the model's reconstruction of an item matches it: a
// melody's events, or the sets of drums a groove hits ("model: 26/32", short enough for the
// smallest corner tile).
func knownSteps(item, recon melody.Melody) string {
	same := 0
	for i := range min(len(item), len(recon)) {
		if item[i] == recon[i] {
			same++
		}
	}
	return fmt.Sprintf("model: %d/%d", same, len(item))
}

// gmProgram is the General MIDI program of the built-in instrument called name (a MIDI file
// plays back with the sound the palette played), or 0, the piano.
func gmProgram(name string) uint8 {
	in, _ := synth.Lookup(name)
	return in.Program
}
