package ui

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/model/melody"
)

func (p *PianoRoll) show(m melody.Melody) { p.SetMelody(m) }

// melodyTab is the melody palette with its transport: play, loop, tempo, instrument.
type melodyTab struct {
	*paletteTab[melody.Melody]
	player     Player
	play       *widget.Button
	tempo      float64
	instrument string
	warned     bool // the user has been told once that audio is unavailable
	anim       *fyne.Animation
	lastTick   time.Time
}

func melodyKind(m *melodyTab, note string) kind[melody.Melody] {
	return kind[melody.Melody]{
		name:     "Melody",
		noun:     "melody",
		fileExts: []string{".mid", ".midi"},
		newView: func(compact bool, c color.NRGBA) view[melody.Melody] {
			return NewPianoRoll(compact, c)
		},
		open:  openMIDI,
		known: knownSteps,
		exporters: []exporter[melody.Melody]{
			{label: "MIDI", ext: ".mid", writer: func() func(io.Writer, []melody.Melody) error {
				opt := melody.WriteOptions{BPM: m.tempo, TrackName: "Latent Palette"}
				return func(w io.Writer, ms []melody.Melody) error { return melody.WriteMIDI(w, melody.Concat(ms...), opt) }
			}},
			{label: "WAV", ext: ".wav", writer: func() func(io.Writer, []melody.Melody) error {
				opt := audio.RenderOptions{Instrument: m.instrument, BPM: m.tempo, Loops: 2}
				return func(w io.Writer, ms []melody.Melody) error {
					o := opt
					if len(ms) > 1 {
						o.Loops = 1 // several melodies play one after another, each once
					}
					return audio.WriteWAV(w, melody.Concat(ms...), o)
				}
			}},
		},
		modelNote: note,
	}
}

// openMIDI reads a MIDI file and asks which 2 bars to use.
func openMIDI(path string, win fyne.Window, done func(melody.Melody)) {
	f, err := os.Open(path)
	if err != nil {
		dialog.ShowError(fmt.Errorf("could not open %s: %w", path, err), win)
		return
	}
	defer f.Close()
	segs, err := melody.ReadMIDI(f)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s is not a MIDI file the palette can use: %w\n\nChoose a Standard MIDI File with a melody", path, err), win)
		return
	}
	bars := melody.BarCount(segs)
	if bars == 0 {
		dialog.ShowError(fmt.Errorf("%s has no notes to use: choose a MIDI file with a melody", path), win)
		return
	}
	n := max(1, bars-1)
	choose(win, "Choose 2 bars", n,
		func(i int) string { return fmt.Sprintf("Bars %d–%d of %d", i+1, i+2, bars) },
		func(i int) (melody.Melody, error) { return melody.WindowAt(segs, i) },
		NewPianoRoll(false, colAccent), done)
}

// build adds the transport above the palette's controls.
func (m *melodyTab) build() fyne.CanvasObject {
	m.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), m.togglePlay)
	m.play.Importance = widget.HighImportance
	loop := widget.NewCheck("Loop", func(on bool) { m.player.SetLoop(on) })
	loop.SetChecked(true)
	bar := widget.NewCheck("Change on the bar", func(on bool) { m.player.SetBarQuantize(on) })
	tempoLabel := widget.NewLabel("")
	tempo := widget.NewSlider(audio.MinBPM, audio.MaxBPM)
	tempo.Step = 1
	tempo.OnChanged = func(x float64) {
		m.tempo = x
		tempoLabel.SetText(fmt.Sprintf("%.0f BPM", x))
		m.player.SetTempo(x)
	}
	tempo.SetValue(m.tempo)
	inst := widget.NewSelect(m.player.Instruments(), func(name string) {
		m.instrument = name
		if err := m.player.SetInstrument(name); err != nil {
			dialog.ShowError(fmt.Errorf("instrument %s: %w", name, err), m.win)
		}
	})
	inst.SetSelected(m.instrument)
	transport := container.NewVBox(
		container.NewHBox(m.play, loop, bar),
		container.NewBorder(nil, nil, widget.NewLabel("Tempo"), container.NewHBox(tempoLabel, inst), tempo),
	)
	m.onResult = func(mel melody.Melody) { m.player.SetMelody(mel) }
	m.anim = fyne.NewAnimation(time.Second, func(float32) { m.tick() })
	m.anim.RepeatCount = fyne.AnimationRepeatForever
	m.anim.Curve = fyne.AnimationLinear
	return m.paletteTab.build(transport)
}

// playheadFrame is how often the playhead moves: every frame would repaint the window 60 times
// a second, which costs a core where OpenGL runs in software.
const playheadFrame = time.Second / 30

// tick moves the playhead to the player's step while playing.
func (m *melodyTab) tick() {
	if now := time.Now(); now.Sub(m.lastTick) >= playheadFrame {
		m.lastTick = now
	} else {
		return
	}
	step, playing := m.player.Step()
	roll := m.result.(*PianoRoll)
	if !playing {
		roll.SetPlayhead(-1)
		m.stopped()
		return
	}
	roll.SetPlayhead(step)
}

func (m *melodyTab) togglePlay() {
	if _, playing := m.player.Step(); playing || m.play.Text == "Stop" {
		m.player.Stop()
		m.stopped()
		m.result.(*PianoRoll).SetPlayhead(-1)
		return
	}
	if m.hasCurrent {
		m.player.SetMelody(m.current)
	}
	if err := m.player.Play(); err != nil && !m.warned {
		m.warned = true
		m.status.SetText(err.Error())
	}
	m.play.SetText("Stop")
	m.play.SetIcon(theme.MediaStopIcon())
	m.anim.Start()
}

func (m *melodyTab) stopped() {
	if m.play.Text == "Play" {
		return
	}
	m.play.SetText("Play")
	m.play.SetIcon(theme.MediaPlayIcon())
	m.anim.Stop()
}

// knownSteps says in how many of its steps the model's reconstruction of a melody matches it.
func knownSteps(item, recon melody.Melody) string {
	same := 0
	for i := range min(len(item), len(recon)) {
		if item[i] == recon[i] {
			same++
		}
	}
	return fmt.Sprintf("model: %d/%d steps", same, len(item))
}
