package synth

import (
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// Voice is one sounding note: a stream that ends after Release has faded it out.
type Voice interface {
	stream.Streamer
	// Release starts the note's release (a note-off).
	Release()
	// FadeOut releases within frames frames, to make room for another note.
	FadeOut(frames int)
}

// Instrument makes voices of one sound.
type Instrument struct {
	Name        string
	Description string
	// Program is the General MIDI program nearest to the sound (0-based: 0 is Acoustic Grand
	// Piano), for MIDI files and ports that play what the built-in synth plays.
	Program uint8
	// New starts a note of MIDI pitch at sampleRate; seed varies what is random in the sound.
	New func(pitch int, sampleRate float64, seed uint64) Voice
}

// Instruments lists the built-in instruments; the first is the default.
func Instruments() []Instrument {
	return []Instrument{
		{"piano", "soft piano: struck-string partials that fade, the highs first", 0, newPiano}, // Acoustic Grand Piano
		{"pluck", "plucked string (Karplus-Strong): soft pick, warm ring", 24, newPluck},        // Acoustic Guitar (nylon)
		{"pad", "warm pad: three detuned saws under a slowly opening low-pass", 89, newPad},     // Pad 2 (warm)
		{"chip", "chip lead: a square wave, as an 8-bit console plays it", 80, newChip},         // Lead 1 (square)
	}
}

// Lookup returns the instrument called name.
func Lookup(name string) (Instrument, bool) {
	for _, in := range Instruments() {
		if in.Name == name {
			return in, true
		}
	}
	return Instrument{}, false
}

// Names lists the instruments' names in order.
func Names() []string {
	var names []string
	for _, in := range Instruments() {
		names = append(names, in.Name)
	}
	return names
}

// t60 is how long a struck or plucked note of pitch p rings: low strings longer.
func t60(p int, low, high float64) float64 {
	u := math.Max(0, math.Min(1, float64(p-36)/60))
	return low * math.Pow(high/low, u)
}

func newPiano(p int, sr float64, _ uint64) Voice {
	tone := NewPartials(Frequency(p), sr, t60(p, 6, 1.2), 0.35)
	return NewEnvelope(ADSR{Attack: 0.002, Sustain: 1, Release: 0.25}, sr, stream.Gain(1.0, tone))
}

func newPluck(p int, sr float64, seed uint64) Voice {
	str := NewPluck(Frequency(p), sr, t60(p, 4, 1), 0.55, seed^uint64(p))
	return NewEnvelope(ADSR{Attack: 0.001, Sustain: 1, Release: 0.12}, sr, str)
}

func newPad(p int, sr float64, seed uint64) Voice {
	f := Frequency(p)
	const cents = 0.006 // a detune of about ±10 cents: chorus, not out of tune
	var saws stream.Mixer
	saws.Add(
		NewOsc(Saw, f, sr, 0, 0.4, 0),
		NewOsc(Saw, f*(1-cents), sr, 0.33, 0.3, -0.7),
		NewOsc(Saw, f*(1+cents), sr, 0.67, 0.3, 0.7),
	)
	// The cutoff opens from the fundamental to a few harmonics up: warm, never buzzy.
	lp := NewLowPass(1.2*f, math.Min(3.5*f, 6000), 0.25, 0.8, sr, &saws)
	return NewEnvelope(ADSR{Attack: 0.04, Decay: 0.4, Sustain: 0.8, Release: 0.35}, sr, stream.Gain(0.6, lp))
}

func newChip(p int, sr float64, _ uint64) Voice {
	f := Frequency(p)
	sq := NewOsc(Square, f, sr, 0, 0.24, 0)
	// A gentle low-pass takes the fizz off the top, as a console's output filter did.
	lp := NewLowPass(math.Min(10*f, 7000), math.Min(10*f, 7000), 0, 0.7, sr, sq)
	return NewEnvelope(ADSR{Attack: 0.003, Decay: 0.15, Sustain: 0.75, Release: 0.05}, sr, lp)
}

// Click is the metronome's tick: a short sine blip, higher on the first beat of a bar.
func Click(accent bool, sampleRate float64) Voice {
	f, g := 1000.0, 0.25
	if accent {
		f, g = 1500, 0.35
	}
	e := NewEnvelope(ADSR{Attack: 0.0005, Decay: 0.006, Sustain: 0, Release: 0.02}, sampleRate,
		NewOsc(Sine, f, sampleRate, 0, g, 0))
	return &autoRelease{Envelope: e, left: int(0.01 * sampleRate)}
}

// autoRelease releases its envelope by itself after left frames.
type autoRelease struct {
	*Envelope
	left int
}

func (a *autoRelease) Stream(buf []stream.Frame) (int, bool) {
	if a.left > 0 && a.left < len(buf) {
		n, _ := a.Envelope.Stream(buf[:a.left])
		a.left = 0
		a.Release()
		m, ok := a.Envelope.Stream(buf[n:])
		return n + m, ok || n+m > 0
	}
	a.left -= len(buf)
	if a.left <= 0 {
		a.Release()
	}
	return a.Envelope.Stream(buf)
}
