package ui

import (
	"errors"
	"sync"
	"time"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// Player plays the melody palette's result and the drum palette's, together on one step grid.
// Its methods are safe to call from any goroutine and never wait for the audio; Step is read on
// every frame for the playhead.
type Player interface {
	SetMelody(m melody.Melody) error
	// SetDrums plays p along with the melody, bar-aligned; an empty p ends the drum part.
	SetDrums(p drums.Pattern) error
	SetTempo(bpm float64) error
	SetLoop(loop bool)
	// SetBarQuantize makes a new melody or tempo start at the next bar instead of the next step.
	SetBarQuantize(on bool)
	SetInstrument(name string) error
	Instruments() []string
	// Play starts playing; an error says the sound is unavailable (the playhead still runs).
	Play() error
	Stop()
	// Step returns the step the listener hears (negative before the first) and whether it plays.
	Step() (float64, bool)
	Close() error
}

// audioPlayer is the audio engine's player behind the Player interface. Where there is no
// sound card the engine plays silently; audioPlayer keeps its one-line notice for the UI.
type audioPlayer struct {
	*audio.Player
	mu     sync.Mutex
	notice string // the engine's own words, with the device error
	bpm    float64
	step   int       // the step Step saw last
	stepAt time.Time // when it saw it first
}

var errAudioUnavailable = errors.New("audio unavailable: no sound device was found, so the playhead runs silently; export a WAV file to listen")

// newAudioPlayer starts the engine's player; offline skips the sound card (for tests).
func newAudioPlayer(offline bool) (*audioPlayer, error) {
	p := &audioPlayer{bpm: audio.DefaultBPM, step: -1}
	ap, err := audio.NewPlayer(audio.PlayerOptions{
		Config:  audio.Config{BPM: audio.DefaultBPM},
		Offline: offline,
		Log: func(msg string) {
			p.mu.Lock()
			p.notice = msg
			p.mu.Unlock()
		},
	})
	if err != nil {
		return nil, err
	}
	p.Player = ap
	return p, nil
}

func (p *audioPlayer) Instruments() []string { return synth.Names() }

func (p *audioPlayer) SetBarQuantize(on bool) {
	if on {
		p.SetQuantize(audio.NextBar)
	} else {
		p.SetQuantize(audio.NextStep)
	}
}

func (p *audioPlayer) Play() error {
	p.Player.Play()
	if p.Available() {
		return nil
	}
	return errAudioUnavailable
}

func (p *audioPlayer) SetTempo(bpm float64) error {
	if err := p.Player.SetTempo(bpm); err != nil {
		return err
	}
	p.mu.Lock()
	p.bpm = bpm
	p.mu.Unlock()
	return nil
}

// Step adds to the engine's whole step the time since it began, so the playhead glides.
func (p *audioPlayer) Step() (float64, bool) {
	s, playing := p.Player.Step(), p.Playing()
	if s < 0 {
		return -1, playing
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if s != p.step {
		p.step, p.stepAt = s, now
	}
	frac := now.Sub(p.stepAt).Seconds() * p.bpm * melody.StepsPerQuarter / 60
	return float64(s) + min(frac, 0.99), playing
}

// noPlayer stands in when the audio engine could not start: nothing plays.
type noPlayer struct{}

var errNoEngine = errors.New("the audio engine is not running: export a WAV file to listen")

func (noPlayer) SetMelody(melody.Melody) error { return nil }
func (noPlayer) SetDrums(drums.Pattern) error  { return nil }
func (noPlayer) SetTempo(float64) error        { return nil }
func (noPlayer) SetLoop(bool)                  {}
func (noPlayer) SetBarQuantize(bool)           {}
func (noPlayer) SetInstrument(string) error    { return nil }
func (noPlayer) Instruments() []string         { return synth.Names() }
func (noPlayer) Play() error                   { return errNoEngine }
func (noPlayer) Stop()                         {}
func (noPlayer) Step() (float64, bool)         { return -1, false }
func (noPlayer) Close() error                  { return nil }
