package drums

import (
	"fmt"
	"io"
	"math"
	"sort"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// TicksPerQuarter is the time division WriteMIDI uses: 120 ticks a step, so offsets keep their
// microtiming to a 120th of a 16th.
const TicksPerQuarter = 480

const (
	ticksPerStep = TicksPerQuarter / StepsPerQuarter
	noteTicks    = ticksPerStep / 2 // a 32nd: drums only care when a note starts
	maxLoops     = 1024
)

// WriteOptions are the settings of a written MIDI file. The zero value is usable.
type WriteOptions struct {
	BPM       float64 // tempo in quarter notes per minute, 4..1000; 0 means 120
	TrackName string  // "" means "Drums"
	Loops     int     // how many times the pattern is written, one after another, 1..1024; 0 means 1
}

// WriteMIDI writes p as a Standard MIDI File of type 0 at TicksPerQuarter: a track name, the
// tempo, a 4/4 time signature and a General MIDI drum part on channel 10, each hit on its class's
// pitch (Class.Pitch) for a 32nd with its velocity (clamped to 1..127) and moved by its offset.
// An offset is kept within -60..+59 ticks of its step, so that ReadMIDI puts the hit back on it;
// a hit of the first step cannot start before the file does. The track ends at the end of p
// (times Loops), so trailing rests are kept.
func WriteMIDI(w io.Writer, p Pattern, opt WriteOptions) error {
	if opt.BPM == 0 {
		opt.BPM = 120
	}
	if opt.TrackName == "" {
		opt.TrackName = "Drums"
	}
	if opt.Loops == 0 {
		opt.Loops = 1
	}
	switch {
	case math.IsNaN(opt.BPM) || opt.BPM < 4 || opt.BPM > 1000:
		return fmt.Errorf("drums: tempo %v BPM is outside 4..1000", opt.BPM)
	case opt.Loops < 1 || opt.Loops > maxLoops:
		return fmt.Errorf("drums: %d loops is outside 1..%d", opt.Loops, maxLoops)
	}

	type event struct {
		tick uint32
		on   bool
		key  uint8
		vel  uint8
	}
	var evs []event
	for c := range Class(NumClasses) {
		key := uint8(c.Pitch())
		prevOff := -1 // index of the class's last note-off, cut short if the next hit comes sooner
		for n := range opt.Loops * len(p) {
			s := p[n%len(p)]
			v := s.Velocity[c]
			if v == 0 {
				continue
			}
			off := float64(s.Offset[c])
			if math.IsNaN(off) {
				off = 0
			}
			d := min(max(int(math.Round(off*ticksPerStep)), -ticksPerStep/2), ticksPerStep/2-1)
			at := uint32(max(n*ticksPerStep+d, 0))
			if prevOff >= 0 {
				evs[prevOff].tick = min(evs[prevOff].tick, at)
			}
			evs = append(evs, event{at, true, key, min(v, 127)}, event{at + noteTicks, false, key, 0})
			prevOff = len(evs) - 1
		}
	}
	// Note-offs first within a tick, so a hit that follows its class's note-off is not cut.
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].tick != evs[j].tick {
			return evs[i].tick < evs[j].tick
		}
		return !evs[i].on && evs[j].on
	})

	var tr smf.Track
	tr.Add(0, smf.MetaTrackSequenceName(opt.TrackName))
	tr.Add(0, smf.MetaTempo(opt.BPM))
	tr.Add(0, smf.MetaTimeSig(4, 4, 24, 8)) // 4/4, a metronome click every quarter
	var at uint32
	for _, e := range evs {
		msg := midi.NoteOff(drumChannel, e.key)
		if e.on {
			msg = midi.NoteOn(drumChannel, e.key, e.vel)
		}
		tr.Add(e.tick-at, msg)
		at = e.tick
	}
	end := uint32(opt.Loops * len(p) * ticksPerStep)
	tr.Close(max(end, at) - at)

	s := smf.New()
	s.TimeFormat = smf.MetricTicks(TicksPerQuarter)
	if err := s.Add(tr); err != nil {
		return fmt.Errorf("drums: %w", err)
	}
	b, err := s.Bytes()
	if err != nil {
		return fmt.Errorf("drums: encode MIDI: %w", err)
	}
	_, err = w.Write(b)
	return err
}
