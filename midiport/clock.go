package midiport

import (
	"context"
	"time"

	"github.com/latentpalette/palette/model/melody"
)

// ClocksPerStep is the MIDI clocks in a 16th note (24 per quarter note).
const ClocksPerStep = 24 / melody.StepsPerQuarter

// ClockFollower reads an incoming MIDI clock: the clocks (24 per quarter note) give the tempo
// and the position, Start goes to the top, Continue goes on, Stop stops, and a song position
// pointer moves the position (in 16th notes, as MIDI counts it) so the loop lands on the
// host's bar.
type ClockFollower struct {
	running bool
	pos     int64 // clocks since the song's start at the last clock, -1 before the first
	last    time.Duration
	ivals   [24]time.Duration // the latest intervals between clocks
	n       int               // intervals held (at most 24)
	next    int
	haveClk bool
}

// NewClockFollower returns a stopped follower at the song's start.
func NewClockFollower() *ClockFollower { return &ClockFollower{pos: -1} }

// Feed takes one message at its time and reports whether it began a new 16th step while
// running (the clock that lands on a step boundary).
func (c *ClockFollower) Feed(e Event) (newStep bool) {
	if len(e.Msg) == 0 {
		return false
	}
	switch e.Msg[0] {
	case 0xf8: // clock
		if c.haveClk {
			if d := e.At - c.last; d > 0 && d < 2*time.Second {
				c.ivals[c.next] = d
				c.next = (c.next + 1) % len(c.ivals)
				c.n = min(c.n+1, len(c.ivals))
			} else {
				c.n, c.next = 0, 0 // a gap: the tempo starts again
			}
		}
		c.last, c.haveClk = e.At, true
		if !c.running {
			return false
		}
		c.pos++
		return c.pos%ClocksPerStep == 0
	case 0xfa: // start
		c.running, c.pos = true, -1
	case 0xfb: // continue
		c.running = true
	case 0xfc: // stop
		c.running = false
	case 0xf2: // song position pointer: 16th notes, 14 bits
		if len(e.Msg) == 3 {
			c.pos = (int64(e.Msg[1]&0x7f)|int64(e.Msg[2]&0x7f)<<7)*ClocksPerStep - 1
		}
	}
	return false
}

// Running reports whether the clock's transport runs (after Start or Continue, before Stop).
func (c *ClockFollower) Running() bool { return c.running }

// Step is the 16th step of the song at the last clock (-1 before the first after Start).
func (c *ClockFollower) Step() int64 {
	if c.pos < 0 {
		return -1
	}
	return c.pos / ClocksPerStep
}

// BPM is the tempo of the latest clocks (up to a quarter note of them), 0 before two.
func (c *ClockFollower) BPM() float64 {
	if c.n == 0 {
		return 0
	}
	var sum time.Duration
	for i := range c.n {
		sum += c.ivals[i]
	}
	return float64(time.Minute) / (float64(sum) / float64(c.n) * 24)
}

// FollowOptions say how Follow plays.
type FollowOptions struct {
	Channel  uint8 // 0..15
	Velocity uint8 // 0 means 100
	// Loops ends Follow after this many passes of the melody (0: until ctx is done or the clock
	// stops after having run).
	Loops int
	// Latency is added to each step's clock time: the clock arrives a period late, and a fixed
	// delay keeps the notes evenly spaced. 0 means 25 ms.
	Latency time.Duration
}

// Follow plays m on an incoming MIDI clock: it waits for Start (or Continue), then sends each
// 16th step of m (looped, step = song position mod len(m), so the loop starts on the host's bar)
// when the clock reaches it, at the host's tempo, following its changes at the next clock. A
// Stop from the host ends the sounding note. It returns when ctx is done, after Loops passes,
// or when the clock stops after running; nothing is left sounding.
func Follow(ctx context.Context, io InOut, m melody.Melody, opt FollowOptions, onStep func(step int64, bpm float64)) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if opt.Velocity == 0 {
		opt.Velocity = 100
	}
	if opt.Latency <= 0 {
		opt.Latency = 25 * time.Millisecond
	}
	c := NewClockFollower()
	sounding, lastOff := -1, -1
	var lastOffAt time.Duration
	played, ran := 0, false
	off := func(at time.Duration) {
		if sounding >= 0 {
			io.SendAt(at, NoteOff(opt.Channel, uint8(sounding)))
			lastOff, lastOffAt, sounding = sounding, at, -1
		}
	}
	// silence drops what is scheduled and ends what sounds, or would have ended later.
	silence := func() error {
		now := io.Cancel()
		if sounding >= 0 {
			io.SendAt(now, NoteOff(opt.Channel, uint8(sounding)))
		}
		if lastOff >= 0 && lastOffAt >= now {
			io.SendAt(now, NoteOff(opt.Channel, uint8(lastOff)))
		}
		sounding, lastOff = -1, -1
		return io.SendAt(now, AllNotesOff(opt.Channel))
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return silence()
		case <-tick.C:
		}
		for _, e := range io.Receive() {
			wasRunning := c.Running()
			if !c.Feed(e) {
				if wasRunning && !c.Running() { // the host stopped
					if err := silence(); err != nil || (ran && opt.Loops == 0) {
						return err
					}
				}
				continue
			}
			ran = true
			step := c.Step()
			at := e.At + opt.Latency
			pos := int(step % int64(len(m)))
			if pos == 0 && step > 0 {
				played++
				if opt.Loops > 0 && played >= opt.Loops {
					off(at)
					return io.SendAt(at, AllNotesOff(opt.Channel))
				}
			}
			switch p, on := melody.Pitch(m[pos]); {
			case on:
				off(at)
				io.SendAt(at, NoteOn(opt.Channel, uint8(p), opt.Velocity))
				sounding = p
			case m[pos] == melody.NoteOff:
				off(at)
			}
			if onStep != nil {
				onStep(step, c.BPM())
			}
		}
	}
}
