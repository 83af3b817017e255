package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/oto/v2"

	"github.com/latentpalette/palette/audio/stream"
)

// DefaultBuffer is the output latency the player asks the sound card for.
const DefaultBuffer = 50 * time.Millisecond

// PlayerOptions configure a Player.
type PlayerOptions struct {
	Config
	Buffer time.Duration // output buffer; 0 means DefaultBuffer
	// Log receives the one-line notice when there is no sound card; nil writes it to stderr.
	Log func(msg string)
	// Offline skips the sound card: a clock pulls the stream in real time and drops it, so
	// everything but the sound works. Where no device can be opened the player does this anyway.
	Offline bool
}

// Player plays a Sequencer through the sound card. Its control methods (the Sequencer's Play,
// Stop, SetMelody, SetDrums, SetTempo, SetInstrument, SetQuantize, SetMetronome and SetLoop, and
// its own Step and Position) are safe to call from any goroutine; none of them waits for the
// audio.
type Player struct {
	*Sequencer
	buffer    time.Duration
	pulled    atomic.Int64 // frames handed to the output
	out       oto.Player   // nil when offline
	available bool
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// The process has at most one oto context (oto supports no more), opened on first use.
var device struct {
	once   sync.Once
	ctx    *oto.Context
	rate   int
	err    error
	notice sync.Once
	told   atomic.Bool // the notice has been given
}

// ErrUnavailable says there is no sound card to play on.
var ErrUnavailable = errors.New("audio unavailable")

func openDevice(sampleRate int, buffer time.Duration) (*oto.Context, int, error) {
	device.once.Do(func() {
		quietALSA()
		ctx, ready, err := oto.NewContextWithOptions(&oto.NewContextOptions{
			SampleRate: sampleRate, ChannelCount: 2, Format: oto.FormatFloat32LE, BufferSize: buffer,
		})
		if err == nil {
			select {
			case <-ready:
				err = ctx.Err()
			case <-time.After(3 * time.Second):
				err = errors.New("the sound card did not answer within 3 s")
			}
		}
		if err != nil {
			device.err = fmt.Errorf("%w: %v", ErrUnavailable, err)
			return
		}
		device.ctx, device.rate = ctx, sampleRate
	})
	return device.ctx, device.rate, device.err
}

// NewPlayer starts a stopped player. Without a sound card it says "audio unavailable" once per
// process (through o.Log) and runs offline; the error is only for a bad configuration.
func NewPlayer(o PlayerOptions) (*Player, error) {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.SampleRate == 0 {
		o.SampleRate = 44100
	}
	o.Loops = 0
	var ctx *oto.Context
	if !o.Offline {
		var rate int
		var err error
		ctx, rate, err = openDevice(o.SampleRate, o.Buffer)
		if err != nil {
			device.notice.Do(func() {
				device.told.Store(true)
				msg := fmt.Sprintf("%v; playing silently (WAV export still works)", err)
				if o.Log != nil {
					o.Log(msg)
				} else {
					fmt.Fprintln(os.Stderr, "palette: "+msg)
				}
			})
		} else {
			o.SampleRate = rate // one context, one rate
		}
	}
	seq, err := NewSequencer(o.Config)
	if err != nil {
		return nil, err
	}
	p := &Player{Sequencer: seq, buffer: o.Buffer, done: make(chan struct{})}
	master := Master(o.SampleRate, seq)
	if ctx != nil {
		p.out = ctx.NewPlayer(&pcmReader{s: master, pulled: &p.pulled})
		if bs, ok := p.out.(oto.BufferSizeSetter); ok {
			bs.SetBufferSize(int(o.Buffer.Seconds()*float64(o.SampleRate)) * 8)
		}
		p.out.Play()
		p.available = true
		return p, nil
	}
	p.wg.Add(1)
	go p.clock(master)
	return p, nil
}

// Available reports whether the player sounds through a sound card.
func (p *Player) Available() bool { return p.available }

// Step returns the melody step the listener hears now, or -1 when stopped: the sequencer's
// position less what still waits in the output buffers.
func (p *Player) Step() int { return p.StepAt(p.heard()) }

// Position is Step with the fraction of the step heard so far (10.25 is a quarter into step
// 10), or -1 when stopped: where the UI draws a gliding playhead.
func (p *Player) Position() float64 { return p.PositionAt(p.heard()) }

// heard returns the frame of the stream the loudspeaker plays now.
func (p *Player) heard() int64 {
	f := p.pulled.Load()
	if p.out != nil {
		f -= int64(p.out.UnplayedBufferSize()/8) + int64(p.buffer.Seconds()*p.sampleRate)
	}
	return f
}

// Close stops the sound and releases the output; the player is unusable afterwards.
func (p *Player) Close() error {
	var err error
	p.closeOnce.Do(func() {
		p.Stop()
		close(p.done)
		if p.out != nil {
			err = p.out.Close()
		}
		p.wg.Wait()
	})
	return err
}

// clock pulls the stream at the pace a sound card would, for a machine without one.
func (p *Player) clock(s stream.Streamer) {
	defer p.wg.Done()
	const tick = 10 * time.Millisecond
	buf := make([]stream.Frame, int(p.sampleRate*tick.Seconds()*4))
	start := time.Now()
	var dropped int64 // frames never pulled because the machine stalled
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		due := int64(time.Since(start).Seconds()*p.sampleRate) - dropped - p.pulled.Load()
		if most := int64(p.sampleRate / 4); due > most {
			// After a stall, carry on from now rather than race through the backlog,
			// as a sound card would (with a glitch).
			dropped += due - most
			due = most
		}
		for due > 0 {
			n, _ := s.Stream(buf[:min(int64(len(buf)), due)])
			if n == 0 {
				return
			}
			p.pulled.Add(int64(n))
			due -= int64(n)
		}
	}
}

// pcmReader is the stream as oto reads it: interleaved little-endian float32 frames.
type pcmReader struct {
	s      stream.Streamer
	buf    []stream.Frame
	pulled *atomic.Int64
}

func (r *pcmReader) Read(b []byte) (int, error) {
	frames := len(b) / 8
	if frames == 0 {
		return 0, io.ErrShortBuffer
	}
	if cap(r.buf) < frames {
		r.buf = make([]stream.Frame, frames)
	}
	n, ok := r.s.Stream(r.buf[:frames])
	for i, f := range r.buf[:n] {
		binary.LittleEndian.PutUint32(b[8*i:], math.Float32bits(float32(f[0])))
		binary.LittleEndian.PutUint32(b[8*i+4:], math.Float32bits(float32(f[1])))
	}
	r.pulled.Add(int64(n))
	if !ok {
		return 8 * n, io.EOF
	}
	return 8 * n, nil
}
