// Package synth is the engine's synthesizer: oscillators, filters and envelopes as streams, and
// the instruments (piano, pluck, pad, chip) that compose them into voices.
package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// ADSR shapes a note's loudness: Attack and Release are ramp lengths in seconds, Decay is the
// time constant in seconds of the fall from full level to Sustain (a level in [0, 1]).
type ADSR struct {
	Attack, Decay, Sustain, Release float64
}

// minRamp is the shortest attack or release: shorter ramps click.
const minRamp = 0.001

type stage int

const (
	attack stage = iota
	decay
	release
	done
)

// Envelope multiplies a source by an ADSR curve. Release starts the release ramp from wherever
// the level is, so a note cut short still ends smoothly; the stream ends when the ramp does.
type Envelope struct {
	src   stream.Streamer
	stage stage
	level float64

	attackStep float64 // level added per frame while attacking
	sustain    float64
	decayCoef  float64 // per-frame approach towards sustain
	relFrames  int     // length of the release ramp
	relFrom    float64 // level when the release began
	relAt      int     // frames into the release
}

// NewEnvelope wraps src, running at sampleRate, in the envelope a.
func NewEnvelope(a ADSR, sampleRate float64, src stream.Streamer) *Envelope {
	e := &Envelope{
		src:        src,
		attackStep: 1 / (max(a.Attack, minRamp) * sampleRate),
		sustain:    a.Sustain,
		decayCoef:  1,
		relFrames:  int(max(a.Release, minRamp) * sampleRate),
	}
	if a.Decay > 0 {
		e.decayCoef = math.Exp(-1 / (a.Decay * sampleRate))
	}
	return e
}

// Release starts the release ramp (a note-off); it does nothing once releasing.
func (e *Envelope) Release() {
	if e.stage < release {
		e.stage, e.relFrom, e.relAt = release, e.level, 0
	}
}

// FadeOut releases over at most frames frames: how a stolen voice gets out of the way quickly.
func (e *Envelope) FadeOut(frames int) {
	frames = max(frames, 1)
	if e.stage < release {
		e.relFrames = frames
		e.Release()
		return
	}
	if left := e.relFrames - e.relAt; left > frames {
		// Continue from the current level with a shorter ramp.
		e.relFrom = e.level
		e.relFrames, e.relAt = frames, 0
	}
}

// Done reports whether the release has finished.
func (e *Envelope) Done() bool { return e.stage == done }

// Stream fills buf with the enveloped source.
func (e *Envelope) Stream(buf []stream.Frame) (int, bool) {
	if e.stage == done {
		return 0, false
	}
	n, ok := e.src.Stream(buf)
	for i := range buf[:n] {
		switch e.stage {
		case attack:
			e.level += e.attackStep
			if e.level >= 1 {
				e.level, e.stage = 1, decay
			}
		case decay:
			e.level = e.sustain + (e.level-e.sustain)*e.decayCoef
		case release:
			e.relAt++
			u := 1 - float64(e.relAt)/float64(e.relFrames)
			if u <= 0 {
				clear(buf[i:n])
				e.stage, e.level = done, 0
				return i, i > 0
			}
			// A squared ramp: falls fast at first like a damped string, and meets zero flat.
			e.level = e.relFrom * u * u
		}
		buf[i][0] *= e.level
		buf[i][1] *= e.level
	}
	if !ok {
		e.stage = done
	}
	return n, ok || n > 0
}
