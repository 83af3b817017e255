package ui

import (
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// midiPlayer is the window's player with a live MIDI output beside the sound: while its port
// is on, what the player plays goes out of the virtual port "Latent Palette" too (the melody
// on its channel, the drums on channel 10), on the same tempo, loop and bar settings. The port
// is off until turned on (Enable), so a window without JACK works as before.
type midiPlayer struct {
	Player
	open func(name string) (midiport.Out, error) // midiport.Open; tests give their own

	mu      sync.Mutex
	out     midiport.Out
	live    *midiport.Live
	channel uint8
	clock   bool // send a MIDI clock while playing
	// What the player was last told, to start a port in step with it.
	mel     melody.Melody
	pat     drums.Pattern
	bpm     float64
	loop    bool
	bar     bool
	playing bool
}

func newMIDIPlayer(p Player) *midiPlayer {
	return &midiPlayer{Player: p, open: midiport.Open, bpm: 120, loop: true}
}

// Enable opens the port (on) or closes it (off); it returns why no port could be made.
func (p *midiPlayer) Enable(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !on {
		p.closeLocked()
		return nil
	}
	if p.out != nil {
		return nil
	}
	out, err := p.open(midiport.DefaultName)
	if err != nil {
		return err
	}
	p.out = out
	p.startLive()
	return nil
}

// startLive starts the live player on the open port, in step with the player; p.mu is held.
func (p *midiPlayer) startLive() {
	p.live = midiport.NewLive(p.out, midiport.LiveOptions{BPM: p.bpm, Channel: p.channel, SendClock: p.clock})
	p.live.SetLoop(p.loop)
	p.live.SetBarQuantize(p.bar)
	if p.mel != nil {
		p.live.SetMelody(p.mel)
	}
	if p.pat != nil {
		p.live.SetDrums(p.pat)
	}
	if p.playing {
		p.live.Play()
	}
}

// SetClockOut sends a MIDI clock (start, 24 per quarter note, stop) with the notes, so that a
// DAW can follow the palette's tempo; a port that is on starts again with it.
func (p *midiPlayer) SetClockOut(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == p.clock {
		return
	}
	p.clock = on
	if p.live != nil {
		p.live.Close()
		p.startLive()
	}
}

func (p *midiPlayer) closeLocked() {
	if p.live != nil {
		p.live.Close() // all notes off
		p.live = nil
	}
	if p.out != nil {
		p.out.Close()
		p.out = nil
	}
}

// PortName names the open port, "" when it is off.
func (p *midiPlayer) PortName() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.out == nil {
		return ""
	}
	return p.out.Name()
}

// SetChannel moves the melody to MIDI channel c (0..15).
func (p *midiPlayer) SetChannel(c uint8) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.channel = c
	if p.live != nil {
		p.live.SetChannel(c)
	}
}

// withLive runs f on the live player when the port is on, after recording the state with rec.
func (p *midiPlayer) withLive(rec func(), f func(*midiport.Live)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec()
	if p.live != nil {
		f(p.live)
	}
}

func (p *midiPlayer) SetMelody(m melody.Melody) error {
	err := p.Player.SetMelody(m)
	if err == nil {
		p.withLive(func() { p.mel = append(melody.Melody(nil), m...) }, func(l *midiport.Live) { l.SetMelody(m) })
	}
	return err
}

func (p *midiPlayer) SetDrums(d drums.Pattern) error {
	err := p.Player.SetDrums(d)
	if err == nil {
		p.withLive(func() { p.pat = append(drums.Pattern{}, d...) }, func(l *midiport.Live) { l.SetDrums(d) })
	}
	return err
}

func (p *midiPlayer) SetTempo(bpm float64) error {
	err := p.Player.SetTempo(bpm)
	if err == nil {
		p.withLive(func() { p.bpm = bpm }, func(l *midiport.Live) { l.SetTempo(bpm) })
	}
	return err
}

func (p *midiPlayer) SetLoop(on bool) {
	p.Player.SetLoop(on)
	p.withLive(func() { p.loop = on }, func(l *midiport.Live) { l.SetLoop(on) })
}

func (p *midiPlayer) SetBarQuantize(on bool) {
	p.Player.SetBarQuantize(on)
	p.withLive(func() { p.bar = on }, func(l *midiport.Live) { l.SetBarQuantize(on) })
}

// Play starts the sound and the port; the sound's error (no sound card) does not stop the port.
func (p *midiPlayer) Play() error {
	err := p.Player.Play()
	p.withLive(func() { p.playing = true }, func(l *midiport.Live) { l.Play() })
	return err
}

func (p *midiPlayer) Stop() {
	p.Player.Stop()
	p.withLive(func() { p.playing = false }, func(l *midiport.Live) { l.Stop() })
}

// Close silences and closes the port, then the sound.
func (p *midiPlayer) Close() error {
	p.mu.Lock()
	p.closeLocked()
	p.mu.Unlock()
	return p.Player.Close()
}

// midiOutControls is the MIDI out row of the melody tab: the port on or off and the melody's
// channel. A port that cannot be made is said once in a dialog; later tries say it in the row.
func (m *melodyTab) midiOutControls() fyne.CanvasObject {
	mp := m.midi
	state := widget.NewLabel("")
	var told bool
	var on *keyCheck
	on = newKeyCheck(m.keys, "MIDI out", func(v bool) {
		if mp == nil {
			return
		}
		err := mp.Enable(v)
		switch {
		case err != nil:
			on.SetChecked(false)
			state.SetText("no port")
			if !told {
				told = true
				dialog.ShowError(fmt.Errorf("%w\n\nThe palette plays on without MIDI out. Start JACK (jackd, or PipeWire with its JACK layer) and turn MIDI out on again", err), m.win)
			}
		case v:
			// The back end alone ("JACK"): the port's full name would widen the panel.
			kind, _, _ := strings.Cut(mp.PortName(), ":")
			state.SetText(kind)
		default:
			state.SetText("")
		}
	})
	channels := make([]string, 16)
	for i := range channels {
		channels[i] = fmt.Sprintf("Ch %d", i+1)
	}
	ch := newKeySelect(m.keys, channels, func(s string) {
		var c int
		if _, err := fmt.Sscanf(s, "Ch %d", &c); err == nil && mp != nil {
			mp.SetChannel(uint8(c - 1))
		}
	})
	ch.SetSelected("Ch 1")
	clock := newKeyCheck(m.keys, "Clock out", func(v bool) {
		if mp != nil {
			mp.SetClockOut(v)
		}
	})
	if mp == nil {
		on.Disable()
		ch.Disable()
		clock.Disable()
	}
	return container.NewHBox(on, ch, clock, state)
}

// dawControls are the rows the melody tab adds for playing into a DAW: MIDI out and key lock.
func (m *melodyTab) dawControls() fyne.CanvasObject {
	return container.NewVBox(m.midiOutControls(), m.keyLockControls())
}
