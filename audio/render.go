package audio

import (
	"fmt"
	"io"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/wav"
	"github.com/latentpalette/palette/model/drums"
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

// RenderOptions choose how Render plays a melody and RenderDrums a drum pattern.
type RenderOptions struct {
	Instrument string  // "" means the first instrument; drums have their own
	BPM        float64 // 0 means DefaultBPM
	Loops      int     // passes through the melody or pattern; 0 means 1
	SampleRate int     // 0 means 44100
	Metronome  bool
}

func (o RenderOptions) sampleRate() int {
	if o.SampleRate == 0 {
		return 44100
	}
	return o.SampleRate
}

// Render returns the finite stream of m played as the player plays it: Loops passes, then the
// last notes ring out and the stream ends.
func Render(m melody.Melody, o RenderOptions) (stream.Streamer, error) {
	return renderParts(m, nil, o)
}

// RenderDrums returns the finite stream of p played on the drum machine as the player plays it:
// Loops passes, each hit at its step plus its offset, then the last hits ring out and the
// stream ends.
func RenderDrums(p drums.Pattern, o RenderOptions) (stream.Streamer, error) {
	if len(p) == 0 {
		return nil, fmt.Errorf("render: %w", ErrNoDrums)
	}
	return renderParts(make(melody.Melody, len(p)), p, o)
}

// renderParts plays m, and p along with it when p is not empty, through the master bus.
func renderParts(m melody.Melody, p drums.Pattern, o RenderOptions) (stream.Streamer, error) {
	sr := o.sampleRate()
	seq, err := NewSequencer(Config{SampleRate: sr, BPM: o.BPM, Instrument: o.Instrument,
		Metronome: o.Metronome, Loops: max(1, o.Loops)})
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if err := seq.SetMelody(m); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if len(p) > 0 {
		if err := seq.SetDrums(p); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	}
	seq.Play()
	return Master(sr, seq), nil
}

// WriteWAV renders m and writes it to w as a 16-bit PCM stereo WAV file.
func WriteWAV(w io.Writer, m melody.Melody, o RenderOptions) error {
	s, err := Render(m, o)
	if err != nil {
		return err
	}
	return wav.Encode(w, s, o.sampleRate())
}

// WriteDrumsWAV renders p and writes it to w as a 16-bit PCM stereo WAV file, ready to export.
func WriteDrumsWAV(w io.Writer, p drums.Pattern, o RenderOptions) error {
	s, err := RenderDrums(p, o)
	if err != nil {
		return err
	}
	return wav.Encode(w, s, o.sampleRate())
}
