package ui

import (
	"errors"
	"sync"
	"time"

	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

// Player plays the melody palette's result. The audio engine implements it; its methods are
// safe to call from any goroutine, and Step is read on every frame for the playhead.
type Player interface {
	SetMelody(m melody.Melody)
	SetTempo(bpm float64)
	SetLoop(loop bool)
	SetInstrument(name string) error
	Instruments() []string
	Play() error
	Stop()
	// Step returns the position of the playhead in 16th steps (fractional) and whether it plays.
	Step() (float64, bool)
}

// errNoAudio is what the silent player reports when asked to play.
var errNoAudio = errors.New("audio unavailable: this build has no audio engine yet, so the playhead runs silently")

// silentPlayer keeps time like a player without making a sound: the stand-in until the audio
// engine is wired, and the fallback on machines without a sound card.
type silentPlayer struct {
	mu      sync.Mutex
	bpm     float64
	loop    bool
	steps   int
	start   time.Time
	playing bool
	now     func() time.Time
}

func newSilentPlayer() *silentPlayer {
	return &silentPlayer{bpm: 120, loop: true, steps: melody.WindowSteps, now: time.Now}
}

func (p *silentPlayer) SetMelody(m melody.Melody) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(m) > 0 {
		p.steps = len(m)
	}
}

func (p *silentPlayer) SetTempo(bpm float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.playing { // keep the playhead where it is
		pos := p.posLocked()
		p.bpm = bpm
		p.start = p.now().Add(-time.Duration(pos * p.stepDur()))
		return
	}
	p.bpm = bpm
}

func (p *silentPlayer) SetLoop(loop bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loop = loop
}

func (p *silentPlayer) SetInstrument(string) error { return nil }

func (p *silentPlayer) Instruments() []string { return synth.Names() }

func (p *silentPlayer) Play() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.playing = p.now(), true
	return errNoAudio
}

func (p *silentPlayer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.playing = false
}

func (p *silentPlayer) Step() (float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.playing {
		return -1, false
	}
	pos := p.posLocked()
	if !p.loop && pos >= float64(p.steps) {
		p.playing = false
		return -1, false
	}
	if p.loop {
		for pos >= float64(p.steps) {
			pos -= float64(p.steps)
		}
	}
	return pos, true
}

// stepDur is the length of a 16th step in nanoseconds.
func (p *silentPlayer) stepDur() float64 {
	return float64(time.Minute) / p.bpm / melody.StepsPerQuarter
}

func (p *silentPlayer) posLocked() float64 {
	return float64(p.now().Sub(p.start)) / p.stepDur()
}
