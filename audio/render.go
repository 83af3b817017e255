package audio

import (
	"fmt"
	"io"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/wav"
	"github.com/latentpalette/palette/model/melody"
)

// The master bus: voices are mixed with headroom and a limiter keeps the peaks under -1 dBFS.
const (
	headroom = 1.0
	ceiling  = 0.891 // -1 dBFS
)

// Master is the end of every signal chain, live or offline: headroom, then the limiter.
func Master(sampleRate int, s stream.Streamer) stream.Streamer {
	return stream.NewLimiter(ceiling, float64(sampleRate), stream.Gain(headroom, s))
}

// RenderOptions choose how Render plays a melody.
type RenderOptions struct {
	Instrument string  // "" means the first instrument
	BPM        float64 // 0 means DefaultBPM
	Loops      int     // passes through the melody; 0 means 1
	SampleRate int     // 0 means 44100
	Metronome  bool
}

// Render returns the finite stream of m played as the player plays it: Loops passes, then the
// last notes ring out and the stream ends.
func Render(m melody.Melody, o RenderOptions) (stream.Streamer, error) {
	if o.SampleRate == 0 {
		o.SampleRate = 44100
	}
	seq, err := NewSequencer(Config{SampleRate: o.SampleRate, BPM: o.BPM, Instrument: o.Instrument,
		Metronome: o.Metronome, Loops: max(1, o.Loops)})
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if err := seq.SetMelody(m); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	seq.Play()
	return Master(o.SampleRate, seq), nil
}

// WriteWAV renders m and writes it to w as a 16-bit PCM stereo WAV file.
func WriteWAV(w io.Writer, m melody.Melody, o RenderOptions) error {
	s, err := Render(m, o)
	if err != nil {
		return err
	}
	if o.SampleRate == 0 {
		o.SampleRate = 44100
	}
	return wav.Encode(w, s, o.SampleRate)
}
