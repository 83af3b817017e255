package melody

import (
	"fmt"
	"io"
	"math"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// TicksPerQuarter is the time division WriteMIDI uses: 120 ticks per 16th, so every step is exact.
const TicksPerQuarter = 480

const ticksPerStep = TicksPerQuarter / StepsPerQuarter

// WriteOptions are the settings of a written MIDI file. The zero value is usable.
type WriteOptions struct {
	BPM       float64 // tempo in quarter notes per minute, 4..1000; 0 means 120
	Velocity  uint8   // note-on velocity, 1..127; 0 means 80
	Program   uint8   // General MIDI program, 0..127 (0 is Acoustic Grand Piano)
	TrackName string  // the name of the melody track; "" means "Melody"
	Channel   uint8   // MIDI channel 0..15 (shown as 1..16); 9 is the drum channel, which ReadMIDI ignores
	Key       KeyLock // when not off, a key signature (KeyLock.Signature) and a text event naming the scale
}

func (o WriteOptions) withDefaults() (WriteOptions, error) {
	if o.BPM == 0 {
		o.BPM = 120
	}
	if o.Velocity == 0 {
		o.Velocity = 80
	}
	if o.TrackName == "" {
		o.TrackName = "Melody"
	}
	switch {
	case math.IsNaN(o.BPM) || o.BPM < 4 || o.BPM > 1000:
		return o, fmt.Errorf("melody: tempo %v BPM is outside 4..1000", o.BPM)
	case o.Velocity > 127:
		return o, fmt.Errorf("melody: velocity %d is outside 1..127", o.Velocity)
	case o.Program > 127:
		return o, fmt.Errorf("melody: program %d is outside 0..127", o.Program)
	case o.Channel > 15:
		return o, fmt.Errorf("melody: channel %d is outside 0..15", o.Channel)
	}
	return o, nil
}

// WriteMIDI writes m as a Standard MIDI File of type 1 at TicksPerQuarter: a first track with
// the tempo, a 4/4 time signature and the track name, and a second track with the name, a
// program change and the notes, each step exactly one 16th. Both tracks end at the end of m, so
// trailing rests are kept. To write several melodies one after another (the windows of an
// interpolation), pass Concat(windows...).
func WriteMIDI(w io.Writer, m Melody, opt WriteOptions) error {
	opt, err := opt.withDefaults()
	if err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("melody: %w", err)
	}
	end := uint32(len(m) * ticksPerStep)

	var conductor smf.Track
	conductor.Add(0, smf.MetaTrackSequenceName(opt.TrackName))
	conductor.Add(0, smf.MetaTempo(opt.BPM))
	conductor.Add(0, smf.MetaTimeSig(4, 4, 24, 8)) // 4/4, a metronome click every quarter
	if !opt.Key.Off() {
		sf, minor := opt.Key.Signature()
		conductor.Add(0, smf.MetaKey(0, !minor, uint8(max(sf, -sf)), sf < 0)) // the first argument is unused
		conductor.Add(0, smf.MetaText("key: "+opt.Key.String()))
	}
	conductor.Close(end)

	var tr smf.Track
	tr.Add(0, smf.MetaTrackSequenceName(opt.TrackName))
	tr.Add(0, midi.ProgramChange(opt.Channel, opt.Program))
	var at uint32 // tick of the last event
	event := func(tick uint32, msg midi.Message) {
		tr.Add(tick-at, msg)
		at = tick
	}
	for _, n := range m.Notes() {
		event(uint32(n.Start*ticksPerStep), midi.NoteOn(opt.Channel, uint8(n.Pitch), opt.Velocity))
		event(uint32(n.End*ticksPerStep), midi.NoteOff(opt.Channel, uint8(n.Pitch)))
	}
	tr.Close(end - at)

	s := smf.NewSMF1()
	s.TimeFormat = smf.MetricTicks(TicksPerQuarter)
	if err := s.Add(conductor); err != nil {
		return fmt.Errorf("melody: %w", err)
	}
	if err := s.Add(tr); err != nil {
		return fmt.Errorf("melody: %w", err)
	}
	b, err := s.Bytes()
	if err != nil {
		return fmt.Errorf("melody: encode MIDI: %w", err)
	}
	_, err = w.Write(b)
	return err
}
