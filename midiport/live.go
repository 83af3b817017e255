package midiport

import (
	"sort"
	"sync"
	"time"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// DrumChannel is General MIDI's drum channel (channel 10, 9 counted from 0).
const DrumChannel = 9

// liveAhead is how far ahead of its time Live schedules a step: far enough for the goroutine
// to be late now and then, near enough that a new melody is heard at the next step.
const liveAhead = 40 * time.Millisecond

// LiveOptions are how a Live player starts.
type LiveOptions struct {
	BPM       float64 // 0 means 120
	Channel   uint8   // the melody's channel, 0..15
	Velocity  uint8   // 0 means 100
	SendClock bool    // send a MIDI clock (start, 24 per quarter note, stop) while playing
}

// Live loops a melody and a drum groove out of a port as the window's player does: melody on its
// channel, drums on channel 10, one step grid, changes taking effect at the next step (or the
// next bar with bar quantize). Its methods may be called from any goroutine. Nothing is left
// sounding: Stop and Close send a note-off for every sounding note and all notes off, and a
// melody that changes while a note is held ends that note.
type Live struct {
	out Out

	mu       sync.Mutex
	cond     *sync.Cond
	opt      LiveOptions
	mel      melody.Melody // the melody playing
	newMel   melody.Melody // the melody to switch to at the next boundary; nil: none
	pat      drums.Pattern // nil: no drums
	newPat   drums.Pattern
	patSet   bool
	newBPM   float64
	barQuant bool
	loop     bool
	playing  bool
	closed   bool
	gen      int // bumped by Play and Stop: the loop goroutine of another generation ends

	sounding int                        // the melody pitch sounding, -1 for none (the loop goroutine's)
	on       map[[2]uint8]time.Duration // channel and pitch of each note sent -> when its off goes out (maxOff: not yet)
	batch    []Event                    // a step's messages, sent in time order by flush
	done     chan struct{}
}

// NewLive returns a stopped live player on o; Close it to stop its goroutine (o stays open).
func NewLive(o Out, opt LiveOptions) *Live {
	if opt.BPM == 0 {
		opt.BPM = 120
	}
	if opt.Velocity == 0 {
		opt.Velocity = 100
	}
	l := &Live{out: o, opt: opt, mel: make(melody.Melody, melody.WindowSteps), loop: true, sounding: -1, on: map[[2]uint8]time.Duration{}}
	l.cond = sync.NewCond(&l.mu)
	l.done = make(chan struct{})
	go l.run()
	return l
}

// SetMelody plays m from the next step (or bar); an empty m is silence.
func (l *Live) SetMelody(m melody.Melody) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(m) == 0 {
		m = make(melody.Melody, melody.WindowSteps)
	}
	l.newMel = append(melody.Melody(nil), m...)
}

// SetDrums plays p along with the melody on channel 10; an empty p ends the drum part.
func (l *Live) SetDrums(p drums.Pattern) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.newPat, l.patSet = append(drums.Pattern(nil), p...), true
}

// SetTempo changes the tempo from the next step (or bar).
func (l *Live) SetTempo(bpm float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.newBPM = bpm
}

// SetChannel moves the melody to channel c (0..15) from the next note on; the note sounding on
// the old channel is ended.
func (l *Live) SetChannel(c uint8) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c > 15 || c == l.opt.Channel {
		return
	}
	l.silenceLocked() // the step scheduled ahead on the old channel is dropped too
	l.opt.Channel = c
}

// SetBarQuantize makes changes wait for the next bar line instead of the next step.
func (l *Live) SetBarQuantize(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.barQuant = on
}

// SetLoop says whether the melody loops; without it, Live stops at the end of the melody.
func (l *Live) SetLoop(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loop = on
}

// Play starts from step 0 after a short lead-in.
func (l *Live) Play() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.playing {
		return
	}
	l.playing = true
	l.gen++
	l.cond.Broadcast()
}

// Stop stops and silences everything sounding.
func (l *Live) Stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopLocked()
}

func (l *Live) stopLocked() {
	if !l.playing {
		return
	}
	l.playing = false
	l.gen++
	l.silenceLocked()
	l.cond.Broadcast()
}

// silenceLocked drops what is scheduled and ends what sounds; l.mu is held.
func (l *Live) silenceLocked() {
	now := l.out.Cancel()
	for k, off := range l.on {
		if off >= now { // its off was dropped, or never sent
			l.out.SendAt(now, NoteOff(k[0], k[1]))
		}
	}
	clear(l.on)
	l.sounding = -1
	l.out.SendAt(now, AllNotesOff(l.opt.Channel))
	l.out.SendAt(now, AllNotesOff(DrumChannel))
	if l.opt.SendClock {
		l.out.SendAt(now, Stop)
	}
}

// Playing reports whether Live plays.
func (l *Live) Playing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.playing
}

// Close stops, silences and ends the goroutine; the port stays open.
func (l *Live) Close() {
	l.mu.Lock()
	l.stopLocked()
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
	<-l.done
}

// run is the loop goroutine: it waits for Play, then schedules step after step until Stop.
func (l *Live) run() {
	defer close(l.done)
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		for !l.playing && !l.closed {
			l.cond.Wait()
		}
		if l.closed {
			return
		}
		l.playSteps(l.gen)
	}
}

// playSteps schedules steps from step 0 until the generation changes; l.mu is held, and let go
// while it waits.
func (l *Live) playSteps(gen int) {
	at := l.out.Now() + liveAhead
	pos, beat := 0, 0
	if l.opt.SendClock {
		l.send(at, Start)
	}
	first := true
	for l.gen == gen && !l.closed {
		boundary := first || (!l.barQuant || pos%melody.StepsPerBar == 0)
		first = false
		if boundary {
			l.takeChanges(at)
		}
		if pos >= len(l.mel) {
			if !l.loop {
				l.stopLocked()
				return
			}
			pos = 0
		}
		step := StepDuration(l.opt.BPM)
		l.melodyStep(at, l.mel[pos])
		if len(l.pat) > 0 {
			l.drumStep(at, step, l.pat[beat%len(l.pat)])
		}
		if l.opt.SendClock {
			for k := range 24 / melody.StepsPerQuarter {
				l.send(at+step*time.Duration(k)/(24/melody.StepsPerQuarter), Clock)
			}
		}
		l.flush()
		for k, off := range l.on {
			if off < at-time.Second { // long gone out
				delete(l.on, k)
			}
		}
		pos++
		beat++
		at += step
		// Sleep until the next step is due to be scheduled (or a Stop wakes us). The port's
		// clock may run slower than the wall clock (a JACK server that is late), so the timer is
		// set again until the port's time has come.
		for l.gen == gen && !l.closed {
			wait := at - liveAhead - l.out.Now()
			if wait <= 0 {
				break
			}
			timer := time.AfterFunc(wait, func() {
				l.mu.Lock()
				l.cond.Broadcast()
				l.mu.Unlock()
			})
			l.cond.Wait()
			timer.Stop()
		}
	}
}

// takeChanges applies a new melody, groove or tempo at a boundary; l.mu is held. A held note of
// the old melody ends there.
func (l *Live) takeChanges(at time.Duration) {
	if l.newMel != nil {
		if l.sounding >= 0 {
			l.noteOff(at, l.opt.Channel, uint8(l.sounding))
			l.sounding = -1
		}
		l.mel, l.newMel = l.newMel, nil
	}
	if l.patSet {
		l.pat, l.newPat, l.patSet = l.newPat, nil, false
	}
	if l.newBPM >= 4 && l.newBPM <= 1000 {
		l.opt.BPM = l.newBPM
	}
	l.newBPM = 0
}

// melodyStep sends what event e does at time at.
func (l *Live) melodyStep(at time.Duration, e int) {
	switch p, on := melody.Pitch(e); {
	case on:
		if l.sounding >= 0 {
			l.noteOff(at, l.opt.Channel, uint8(l.sounding))
		}
		l.noteOn(at, l.opt.Channel, uint8(p), l.opt.Velocity)
		l.sounding = p
	case e == melody.NoteOff && l.sounding >= 0:
		l.noteOff(at, l.opt.Channel, uint8(l.sounding))
		l.sounding = -1
	}
}

// drumStep sends a step's hits on channel 10, each a note half a step long.
func (l *Live) drumStep(at, step time.Duration, s drums.Step) {
	for c := range drums.Class(drums.NumClasses) {
		if s.Hit(c) {
			p := uint8(c.Pitch())
			l.noteOn(at, DrumChannel, p, s.Velocity[c])
			l.noteOff(at+step/2, DrumChannel, p)
		}
	}
}

const maxOff = time.Duration(1<<63 - 1)

func (l *Live) noteOn(at time.Duration, ch, p, vel uint8) {
	l.send(at, NoteOn(ch, p, vel))
	l.on[[2]uint8{ch, p}] = maxOff
}

func (l *Live) noteOff(at time.Duration, ch, p uint8) {
	l.send(at, NoteOff(ch, p))
	l.on[[2]uint8{ch, p}] = at
}

// send adds a message to the step's batch.
func (l *Live) send(at time.Duration, msg []byte) { l.batch = append(l.batch, Event{at, msg}) }

// flush sends the batch in time order (the port wants its messages in order).
func (l *Live) flush() {
	sort.SliceStable(l.batch, func(i, j int) bool { return l.batch[i].At < l.batch[j].At })
	for _, e := range l.batch {
		l.out.SendAt(e.At, e.Msg)
	}
	l.batch = l.batch[:0]
}
