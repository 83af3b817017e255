package midiport

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/latentpalette/palette/model/melody"
)

// PlayOptions say how Play sends a melody.
type PlayOptions struct {
	BPM      float64 // quarter notes per minute, 4..1000
	Loops    int     // times through the melody, at least 1
	Channel  uint8   // MIDI channel 0..15
	Velocity uint8   // note-on velocity; 0 means 100
	// LeadIn is the time from the call to the first step (for a recorder to get ready); 0 means
	// 100 ms.
	LeadIn time.Duration
	// SendClock sends a MIDI clock with the notes: Start on the first step, 24 clocks per quarter
	// note, Stop at the end (or when stopped).
	SendClock bool
}

// Lookahead is how far ahead of its time Play hands a message to the port: far enough that a
// busy machine does not make a note late (a stop drops what is queued, see Out.Cancel).
const Lookahead = 500 * time.Millisecond

// Event is one scheduled message.
type Event struct {
	At  time.Duration // from the first step
	Msg []byte
}

// Schedule lists the messages of loops of m in time order: each note's on at its step and its
// off where it ends (an off before an on at the same time), and the clock if asked for.
func Schedule(m melody.Melody, opt PlayOptions) ([]Event, time.Duration, error) {
	if !(opt.BPM >= 4 && opt.BPM <= 1000) {
		return nil, 0, fmt.Errorf("midiport: tempo %v BPM is outside 4..1000", opt.BPM)
	}
	if opt.Loops < 1 || opt.Channel > 15 || opt.Velocity > 127 {
		return nil, 0, fmt.Errorf("midiport: loops %d, channel %d, velocity %d (want 1 or more, 0..15, 0..127)", opt.Loops, opt.Channel, opt.Velocity)
	}
	if err := m.Validate(); err != nil {
		return nil, 0, fmt.Errorf("midiport: %w", err)
	}
	vel := opt.Velocity
	if vel == 0 {
		vel = 100
	}
	step := StepDuration(opt.BPM)
	at := func(s int) time.Duration { return time.Duration(float64(s) * float64(step)) }
	type ev struct {
		Event
		order int // offs (0) before clocks (1) before ons (2) at the same time
	}
	var evs []ev
	notes := m.Notes()
	for l := range opt.Loops {
		base := l * len(m)
		for _, n := range notes {
			evs = append(evs,
				ev{Event{at(base + n.Start), NoteOn(opt.Channel, uint8(n.Pitch), vel)}, 2},
				ev{Event{at(base + n.End), NoteOff(opt.Channel, uint8(n.Pitch))}, 0})
		}
	}
	end := at(opt.Loops * len(m))
	if opt.SendClock {
		evs = append(evs, ev{Event{0, Start}, 1})
		ticks := opt.Loops * len(m) * 24 / melody.StepsPerQuarter
		for k := range ticks {
			evs = append(evs, ev{Event{time.Duration(float64(k) * float64(step) * melody.StepsPerQuarter / 24), Clock}, 1})
		}
		evs = append(evs, ev{Event{end, Stop}, 1})
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].At != evs[j].At {
			return evs[i].At < evs[j].At
		}
		return evs[i].order < evs[j].order
	})
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = e.Event
	}
	return out, end, nil
}

// StepDuration is the length of a 16th note at bpm.
func StepDuration(bpm float64) time.Duration {
	return time.Duration(float64(time.Minute) / bpm / melody.StepsPerQuarter)
}

// Play sends loops of m out of o, each message on its time of the port's clock, and returns
// when the last has gone out or ctx is done. Either way nothing is left sounding: on a stop
// what is scheduled is dropped and every sounding note gets its note-off, then all notes off
// (controller 123) on the channel; a note that ends as the stop comes may get two note-offs. It returns the port time of the first step.
func Play(ctx context.Context, o Out, m melody.Melody, opt PlayOptions) (time.Duration, error) {
	evs, end, err := Schedule(m, opt)
	if err != nil {
		return 0, err
	}
	lead := opt.LeadIn
	if lead <= 0 {
		lead = 100 * time.Millisecond
	}
	t0 := o.Now() + lead
	sounding := map[uint8]time.Duration{} // pitch -> when its off is scheduled
	stop := func() error {
		now := o.Cancel()
		var first error
		send := func(msg []byte) {
			if err := o.SendAt(now, msg); err != nil && first == nil {
				first = err
			}
		}
		for p, off := range sounding {
			if off >= now {
				send(NoteOff(opt.Channel, p))
			}
		}
		send(AllNotesOff(opt.Channel))
		if opt.SendClock {
			send(Stop)
		}
		return first
	}
	for _, e := range evs {
		if wait := t0 + e.At - Lookahead - o.Now(); wait > 0 {
			select {
			case <-ctx.Done():
				return t0, stop()
			case <-time.After(wait):
			}
		}
		if ctx.Err() != nil {
			return t0, stop()
		}
		if err := o.SendAt(t0+e.At, e.Msg); err != nil {
			stop()
			return t0, err
		}
		switch e.Msg[0] & 0xf0 {
		case 0x90:
			sounding[e.Msg[1]] = end + time.Hour // until its off is scheduled
		case 0x80:
			sounding[e.Msg[1]] = t0 + e.At
		}
	}
	// Wait for the end to go out (the port plays from its queue).
	if wait := t0 + end - o.Now(); wait > 0 {
		select {
		case <-ctx.Done():
			return t0, stop()
		case <-time.After(wait):
		}
	}
	return t0, o.SendAt(o.Now(), AllNotesOff(opt.Channel))
}
