// Package audio plays melodies and drum grooves: a looping sequencer that turns a Melody and a
// drum Pattern into a stream of synth voices, the oto player that sends it to the sound card,
// and offline rendering to WAV.
package audio

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// Tempo limits, in quarter notes per minute.
const (
	MinBPM     = 40
	MaxBPM     = 240
	DefaultBPM = 120
)

// Quantize says where a new melody, drum pattern or tempo takes effect while playing, as launch
// quantization does in a DAW.
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
	ErrNoDrums    = errors.New("drum pattern has no steps")
)

// Sequencer plays a melody on an instrument, and a drum pattern on the drum machine along with
// it, looping them, as a stream. Both parts run on one step grid from Play on: one tempo, and
// loops that start together (a drum loop of another length than the melody's loops on its own,
// bar-aligned, as clips do in a DAW). Its control methods may be called from any goroutine
// while one goroutine pulls the stream; changes are picked up at step boundaries, so the stream
// never blocks on the caller.
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

	// The drum part, also the stream side's alone.
	pat     drums.Pattern                 // nil: no drum part
	beat    int64                         // steps since Play: the drum step at next is beat mod len(pat)
	hits    []drumHit                     // hits of the step now sounding still to start, in frame order
	kit     [drums.NumClasses]synth.Voice // each class's latest hit: the next one cuts it
	early   bool                          // the early hits of the step at next are in hits
	dseed   uint64
	fadeCut int // frames over which a hit cuts the one before it
}

// drumHit is a drum hit due at frame at.
type drumHit struct {
	at       int64
	class    drums.Class
	velocity uint8
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
	pat        drums.Pattern
	patSet     bool // pat is new, even if empty
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
		fadeCut:    int(0.005 * float64(c.SampleRate)),
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

// SetDrums plays p along with the melody from the next step (or bar) on, at the same position in
// the loop; an empty p ends the drum part (the hits already sounding ring out). The newest
// pattern wins; p is copied.
func (s *Sequencer) SetDrums(p drums.Pattern) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("set drums: %w", err)
	}
	p = append(drums.Pattern(nil), p...)
	s.change(func(pd *pending) { pd.pat, pd.patSet = p, true })
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
		s.halt(false)
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
		if p.patSet {
			s.pat, p.pat, p.patSet = p.pat, nil, false
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
	s.dirty.Store(p.stop || p.play || p.mel != nil || p.patSet || p.bpm != 0 || p.inst != nil)
}

// start begins playing from the first step at the current frame.
func (s *Sequencer) start() {
	s.running, s.finished = true, false
	s.pos, s.passes, s.beat, s.early = 0, 0, 0, false
	s.origin, s.k, s.next = s.t, 0, s.t
}

// halt stops playing and fades every voice out; with ringOut (the end of the last pass) the
// drum hits ring on, as a struck drum does.
func (s *Sequencer) halt(ringOut bool) {
	s.running = false
	for _, v := range s.voices {
		if !ringOut || !slices.Contains(s.kit[:], v) {
			v.FadeOut(s.fadeStop)
		}
	}
	s.cur, s.curPitch = nil, 0
	s.hits, s.kit = s.hits[:0], [drums.NumClasses]synth.Voice{}
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
			s.halt(true)
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
	s.drumStep()
	if s.metro.Load() && s.pos%melody.StepsPerQuarter == 0 {
		s.voices = append(s.voices, synth.Click(s.pos%melody.StepsPerBar == 0, s.sampleRate))
	}
	s.publish(s.pos)
	s.pos++
	s.beat++
	s.k++
	s.next = s.origin + int64(math.Round(float64(s.k)*s.stepLen))
}

// drumStep schedules the drum hits of the step that starts now: those on the grid or late (a
// positive offset) from now on, and those of the next step that come early (a negative offset),
// which sound before its boundary. Early hits of the first step after Play, or of a step whose
// predecessor had no pattern, sound on the grid; those of the first step after the last pass
// are not played.
func (s *Sequencer) drumStep() {
	if len(s.pat) == 0 {
		s.early = false
		return
	}
	n := int64(len(s.pat))
	now := s.pat[s.beat%n]
	for c, v := range now.Velocity {
		if off := float64(now.Offset[c]); v > 0 && !(off < 0 && s.early) {
			s.schedule(s.t+int64(math.Round(max(0, off)*s.stepLen)), drums.Class(c), v)
		}
	}
	last := s.pos == len(s.mel)-1 && (!s.loop.Load() || s.loops > 0 && s.passes+1 >= s.loops)
	s.early = !last
	if last {
		return
	}
	next := s.pat[(s.beat+1)%n]
	for c, v := range next.Velocity {
		if off := float64(next.Offset[c]); v > 0 && off < 0 {
			s.schedule(s.t+int64(math.Round((1+off)*s.stepLen)), drums.Class(c), v)
		}
	}
}

// schedule adds a hit, after those due at the same frame or before.
func (s *Sequencer) schedule(at int64, c drums.Class, velocity uint8) {
	i := len(s.hits)
	for i > 0 && s.hits[i-1].at > at {
		i--
	}
	s.hits = slices.Insert(s.hits, i, drumHit{at, c, velocity})
}

// strike starts the first scheduled hit. A drum machine has one voice per drum: a new hit cuts
// the one before it, and a closed hat chokes an open one.
func (s *Sequencer) strike() {
	h := s.hits[0]
	s.hits = append(s.hits[:0], s.hits[1:]...)
	s.cut(h.class)
	if h.class == drums.ClosedHat {
		s.cut(drums.OpenHat)
	}
	s.dseed++
	v := synth.NewDrum(h.class, h.velocity, s.sampleRate, s.dseed)
	s.kit[h.class] = v
	s.voices = append(s.voices, v)
}

// cut fades out the sounding hit of class c, if any.
func (s *Sequencer) cut(c drums.Class) {
	if v := s.kit[c]; v != nil {
		v.FadeOut(s.fadeCut)
		s.kit[c] = nil
	}
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
		if len(s.hits) > 0 && s.hits[0].at <= s.t {
			s.strike()
			continue
		}
		if s.finished && s.loops > 0 && len(s.voices) == 0 {
			return n, n > 0
		}
		seg := len(buf) - n
		if s.running {
			seg = min(seg, int(s.next-s.t))
		}
		if len(s.hits) > 0 {
			seg = min(seg, int(s.hits[0].at-s.t))
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
