// Package audio plays melodies: a looping sequencer that turns a Melody into a stream of synth
// voices, the oto player that sends it to the sound card, and offline rendering to WAV.
package audio

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

// Tempo limits, in quarter notes per minute.
const (
	MinBPM     = 40
	MaxBPM     = 240
	DefaultBPM = 120
)

// Quantize says where a new melody or tempo takes effect while playing, as launch quantization
// does in a DAW.
type Quantize int32

const (
	NextStep Quantize = iota // at the next 16th step
	NextBar                  // at the next bar line (every 16 steps of the melody)
)

// Config is how a Sequencer starts.
type Config struct {
	SampleRate int     // 44100 or 48000; 0 means 44100
	BPM        float64 // 0 means DefaultBPM
	Instrument string  // a synth instrument name; "" means the first
	Quantize   Quantize
	Metronome  bool
	// Loops, when positive, plays the melody that many times, lets the notes ring out and ends
	// the stream: an offline render. Zero loops until Stop (or SetLoop(false)), and the stream
	// never ends.
	Loops int
}

// Errors of the control methods.
var (
	ErrTempo      = fmt.Errorf("tempo must be %d to %d BPM", MinBPM, MaxBPM)
	ErrInstrument = errors.New("unknown instrument")
	ErrEmpty      = errors.New("melody has no steps")
)

// Sequencer plays a melody on an instrument, looping it, as a stream. Its control methods may be
// called from any goroutine while one goroutine pulls the stream; changes are picked up at
// step boundaries, so the stream never blocks on the caller.
type Sequencer struct {
	sampleRate float64

	// The control side: written by the Set methods under mu, taken by the stream at a boundary.
	mu      sync.Mutex
	pend    pending
	dirty   atomic.Bool
	quant   atomic.Int32
	metro   atomic.Bool
	loop    atomic.Bool
	step    atomic.Int64 // the step now sounding, -1 when stopped
	histMu  sync.Mutex
	hist    [64]mark // the latest step changes, for StepAt
	histN   int
	playing atomic.Bool // what Play and Stop last asked for

	// The stream side: touched only by the goroutine that pulls the stream.
	mel      melody.Melody
	inst     synth.Instrument
	stepLen  float64 // frames per 16th step
	origin   int64   // frame where the current tempo's step grid started
	k        int64   // boundaries since origin
	t        int64   // frames streamed
	next     int64   // frame of the next step boundary
	pos      int     // the melody step that starts at next
	running  bool
	loops    int // passes to play when positive
	passes   int
	finished bool
	voices   []synth.Voice
	cur      synth.Voice // the voice of the sounding melody note, nil in a rest
	curPitch int
	seed     uint64
	scratch  []stream.Frame
	fadeStop int // frames over which Stop fades the voices
	switched bool
}

// mark records that the stream reached step at frame, steps then lasting stepLen frames.
type mark struct {
	frame   int64
	step    int
	stepLen float64
}

// publish makes step the current one, from the current frame on.
func (s *Sequencer) publish(step int) {
	s.step.Store(int64(step))
	s.histMu.Lock()
	s.hist[s.histN%len(s.hist)] = mark{s.t, step, s.stepLen}
	s.histN++
	s.histMu.Unlock()
}

// StepAt returns the step that sounded at frame f of the stream, -1 when stopped; for a frame
// further back than the last 64 step changes it returns the oldest it knows.
func (s *Sequencer) StepAt(f int64) int {
	return s.markAt(f).step
}

// PositionAt is StepAt with the fraction of the step that had passed at frame f: 10.25 is a
// quarter into step 10. A playhead drawn here glides instead of jumping step by step.
func (s *Sequencer) PositionAt(f int64) float64 {
	m := s.markAt(f)
	if m.step < 0 {
		return -1
	}
	frac := 0.0
	if m.stepLen > 0 && f > m.frame {
		frac = min(float64(f-m.frame)/m.stepLen, 0.999)
	}
	return float64(m.step) + frac
}

// markAt finds the newest step change at or before frame f (or the oldest one kept).
func (s *Sequencer) markAt(f int64) mark {
	s.histMu.Lock()
	defer s.histMu.Unlock()
	found := mark{step: -1}
	for i := 1; i <= min(s.histN, len(s.hist)); i++ {
		found = s.hist[(s.histN-i)%len(s.hist)]
		if found.frame <= f {
			break
		}
	}
	return found
}

// pending holds the changes the stream has not yet taken.
type pending struct {
	mel        melody.Melody
	bpm        float64
	inst       *synth.Instrument
	play, stop bool
}

// NewSequencer returns a stopped sequencer with an empty 2-bar melody.
func NewSequencer(c Config) (*Sequencer, error) {
	if c.SampleRate == 0 {
		c.SampleRate = 44100
	}
	if c.SampleRate < 8000 || c.SampleRate > 192000 {
		return nil, fmt.Errorf("sample rate %d Hz is not supported", c.SampleRate)
	}
	if c.BPM == 0 {
		c.BPM = DefaultBPM
	}
	if err := checkTempo(c.BPM); err != nil {
		return nil, err
	}
	inst := synth.Instruments()[0]
	if c.Instrument != "" {
		var err error
		if inst, err = lookup(c.Instrument); err != nil {
			return nil, err
		}
	}
	s := &Sequencer{
		sampleRate: float64(c.SampleRate),
		mel:        make(melody.Melody, melody.WindowSteps),
		inst:       inst,
		loops:      max(0, c.Loops),
		fadeStop:   int(0.02 * float64(c.SampleRate)),
	}
	s.stepLen = stepFrames(c.BPM, s.sampleRate)
	s.quant.Store(int32(c.Quantize))
	s.metro.Store(c.Metronome)
	s.loop.Store(true)
	s.step.Store(-1)
	return s, nil
}

func checkTempo(bpm float64) error {
	if math.IsNaN(bpm) || bpm < MinBPM || bpm > MaxBPM {
		return fmt.Errorf("%g BPM: %w", bpm, ErrTempo)
	}
	return nil
}

func lookup(name string) (synth.Instrument, error) {
	in, ok := synth.Lookup(name)
	if !ok {
		return in, fmt.Errorf("%q: %w (have %v)", name, ErrInstrument, synth.Names())
	}
	return in, nil
}

// stepFrames is the length of a 16th note in frames.
func stepFrames(bpm, sampleRate float64) float64 {
	return sampleRate * 60 / bpm / melody.StepsPerQuarter
}

// SampleRate returns the stream's sample rate in Hz.
func (s *Sequencer) SampleRate() int { return int(s.sampleRate) }

func (s *Sequencer) change(f func(p *pending)) {
	s.mu.Lock()
	f(&s.pend)
	s.mu.Unlock()
	s.dirty.Store(true)
}

// SetMelody plays m from the next step (or bar) on, at the same position in the loop, as the
// puck is dragged: a note both melodies hold there keeps sounding, a note only m holds there
// starts at that step. The newest melody wins; m is copied.
func (s *Sequencer) SetMelody(m melody.Melody) error {
	if len(m) == 0 {
		return ErrEmpty
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("set melody: %w", err)
	}
	m = append(melody.Melody(nil), m...)
	s.change(func(p *pending) { p.mel = m })
	return nil
}

// SetTempo changes the tempo from the next step (or bar) on.
func (s *Sequencer) SetTempo(bpm float64) error {
	if err := checkTempo(bpm); err != nil {
		return err
	}
	s.change(func(p *pending) { p.bpm = bpm })
	return nil
}

// SetInstrument plays the notes that start from the next step (or bar) on with the named
// instrument; notes already sounding keep theirs.
func (s *Sequencer) SetInstrument(name string) error {
	in, err := lookup(name)
	if err != nil {
		return err
	}
	s.change(func(p *pending) { p.inst = &in })
	return nil
}

// SetQuantize chooses where later changes take effect.
func (s *Sequencer) SetQuantize(q Quantize) { s.quant.Store(int32(q)) }

// SetMetronome turns the click on every beat on or off.
func (s *Sequencer) SetMetronome(on bool) { s.metro.Store(on) }

// SetLoop chooses whether the melody loops; without looping, playing stops at its end.
func (s *Sequencer) SetLoop(on bool) { s.loop.Store(on) }

// Play starts the melody from its first step, at once; it does nothing while playing.
func (s *Sequencer) Play() {
	if s.playing.Swap(true) {
		return
	}
	s.change(func(p *pending) { p.play = true })
}

// Stop fades out what sounds, at once, and stops.
func (s *Sequencer) Stop() {
	s.playing.Store(false)
	s.change(func(p *pending) { p.play, p.stop = false, true })
}

// Playing reports whether the sequencer plays (or was just asked to).
func (s *Sequencer) Playing() bool { return s.playing.Load() }

// Step returns the melody step the stream is at, or -1 when stopped. The stream runs ahead of
// the loudspeaker by the output's buffer; Player.Step accounts for that.
func (s *Sequencer) Step() int { return int(s.step.Load()) }

// take applies pending changes: the ones the quantization allows at this point, or all of them
// when stopped. atBoundary says the stream stands at a step boundary.
func (s *Sequencer) take(atBoundary bool) {
	if !s.dirty.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.pend
	if p.stop {
		p.stop = false
		s.halt()
	}
	if p.play {
		p.play = false
		s.start()
		atBoundary = true
	}
	due := !s.running || atBoundary && (Quantize(s.quant.Load()) == NextStep || s.pos%melody.StepsPerBar == 0)
	if due {
		if p.mel != nil {
			s.mel, p.mel = p.mel, nil
			s.pos %= len(s.mel)
			s.switched = true
		}
		if p.bpm != 0 {
			s.stepLen = stepFrames(p.bpm, s.sampleRate)
			p.bpm = 0
			if s.running {
				s.origin, s.k, s.next = s.t, 0, s.t
			}
		}
		if p.inst != nil {
			s.inst, p.inst = *p.inst, nil
		}
	}
	s.dirty.Store(p.stop || p.play || p.mel != nil || p.bpm != 0 || p.inst != nil)
}

// start begins playing from the first step at the current frame.
func (s *Sequencer) start() {
	s.running, s.finished = true, false
	s.pos, s.passes = 0, 0
	s.origin, s.k, s.next = s.t, 0, s.t
}

// halt stops playing and fades every voice out.
func (s *Sequencer) halt() {
	s.running = false
	for _, v := range s.voices {
		v.FadeOut(s.fadeStop)
	}
	s.cur, s.curPitch = nil, 0
	s.publish(-1)
}

// boundary plays the step that starts at the current frame.
func (s *Sequencer) boundary() {
	if s.pos >= len(s.mel) {
		// The loop point: every note ends here, as Melody.Notes has it.
		s.pos = 0
		s.passes++
		s.release()
		if !s.loop.Load() || s.loops > 0 && s.passes >= s.loops {
			s.halt()
			s.playing.Store(false)
			s.finished = true
			return
		}
	}
	s.take(true)
	if !s.running {
		return
	}
	switch e := s.mel[s.pos]; {
	case e == melody.NoteOff:
		s.release()
	case e >= 2:
		p, _ := melody.Pitch(e)
		s.noteOn(p)
	case s.switched:
		// A new melody took over mid-loop: sound what it has sounding here.
		if p := soundingPitch(s.mel, s.pos); p != s.curPitch {
			s.release()
			if p != 0 {
				s.noteOn(p)
			}
		}
	}
	s.switched = false
	if s.metro.Load() && s.pos%melody.StepsPerQuarter == 0 {
		s.voices = append(s.voices, synth.Click(s.pos%melody.StepsPerBar == 0, s.sampleRate))
	}
	s.publish(s.pos)
	s.pos++
	s.k++
	s.next = s.origin + int64(math.Round(float64(s.k)*s.stepLen))
}

// soundingPitch returns the pitch m has sounding at step i, or 0 in a rest.
func soundingPitch(m melody.Melody, i int) int {
	for ; i >= 0; i-- {
		if m[i] == melody.NoteOff {
			return 0
		}
		if p, ok := melody.Pitch(m[i]); ok {
			return p
		}
	}
	return 0
}

func (s *Sequencer) noteOn(p int) {
	s.release()
	s.seed++
	s.cur, s.curPitch = s.inst.New(p, s.sampleRate, s.seed), p
	s.voices = append(s.voices, s.cur)
}

func (s *Sequencer) release() {
	if s.cur != nil {
		s.cur.Release()
		s.cur, s.curPitch = nil, 0
	}
}

// Stream fills buf with the mix of the sounding voices. It ends only in a render (Config.Loops
// positive), once the last pass has rung out.
func (s *Sequencer) Stream(buf []stream.Frame) (int, bool) {
	s.take(false)
	n := 0
	for n < len(buf) {
		if s.running && s.t >= s.next {
			s.boundary()
			continue
		}
		if s.finished && s.loops > 0 && len(s.voices) == 0 {
			return n, n > 0
		}
		seg := len(buf) - n
		if s.running {
			seg = min(seg, int(s.next-s.t))
		}
		got := s.mix(buf[n : n+seg])
		if s.finished && s.loops > 0 && got < seg {
			// The last voice ended inside this segment: so does the render.
			s.t += int64(got)
			return n + got, n+got > 0
		}
		n += seg
		s.t += int64(seg)
	}
	return n, true
}

// mix sums the voices into buf, dropping those that have ended, and returns how many frames
// the longest of them filled.
func (s *Sequencer) mix(buf []stream.Frame) (filled int) {
	clear(buf)
	if cap(s.scratch) < len(buf) {
		s.scratch = make([]stream.Frame, max(len(buf), 1024))
	}
	tmp := s.scratch[:len(buf)]
	live := s.voices[:0]
	for _, v := range s.voices {
		n, ok := v.Stream(tmp)
		filled = max(filled, n)
		for i := range tmp[:n] {
			buf[i][0] += tmp[i][0]
			buf[i][1] += tmp[i][1]
		}
		if ok && n == len(tmp) {
			live = append(live, v)
		} else if v == s.cur {
			s.cur, s.curPitch = nil, 0
		}
	}
	clear(s.voices[len(live):])
	s.voices = live
	return filled
}
