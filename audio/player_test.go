package audio

import (
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// hammer calls every control method of c from several goroutines until stop is closed, and
// checks that Step stays in range.
func hammer(t *testing.T, c interface {
	SetMelody(melody.Melody) error
	SetDrums(drums.Pattern) error
	SetTempo(float64) error
	SetInstrument(string) error
	SetQuantize(Quantize)
	SetMetronome(bool)
	SetLoop(bool)
	Play()
	Stop()
	Playing() bool
	Step() int
}, stop chan struct{}) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch r.IntN(10) {
				case 0:
					m := make(melody.Melody, 16*(1+r.IntN(3)))
					for i := range m {
						m[i] = r.IntN(melody.NumClasses)
					}
					if err := c.SetMelody(m); err != nil {
						t.Error(err)
					}
				case 1:
					if err := c.SetTempo(MinBPM + r.Float64()*(MaxBPM-MinBPM)); err != nil {
						t.Error(err)
					}
				case 2:
					names := synth.Names()
					if err := c.SetInstrument(names[r.IntN(len(names))]); err != nil {
						t.Error(err)
					}
				case 3:
					c.SetQuantize(Quantize(r.IntN(2)))
				case 4:
					c.SetMetronome(r.IntN(2) == 0)
				case 5:
					c.SetLoop(r.IntN(4) != 0)
				case 6:
					c.Play()
				case 7:
					if r.IntN(4) == 0 {
						c.Stop()
					}
				case 8:
					p := make(drums.Pattern, 16*r.IntN(3)) // none, 1 bar or 2
					for i := range p {
						for k := range p[i].Velocity {
							if r.IntN(4) == 0 {
								p[i].Velocity[k] = uint8(1 + r.IntN(127))
								p[i].Offset[k] = r.Float32() - 0.5
							}
						}
					}
					if err := c.SetDrums(p); err != nil {
						t.Error(err)
					}
				default:
					if pp, ok := c.(interface{ Position() float64 }); ok {
						if pos := pp.Position(); pos < -1 || pos >= 48 {
							t.Errorf("Position() = %g, outside -1..48", pos)
						}
					}
					if s := c.Step(); s < -1 || s >= 48 {
						t.Errorf("Step() = %d, outside -1..47", s)
					}
					c.Playing()
				}
				time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond)
			}
		}()
	}
	wg.Wait()
}

// TestSequencerControlsRace pulls the stream as fast as it comes while four goroutines work the
// controls; run with -race.
func TestSequencerControlsRace(t *testing.T) {
	seq, err := NewSequencer(Config{})
	if err != nil {
		t.Fatal(err)
	}
	master := Master(44100, seq)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]stream.Frame, 256)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n, ok := master.Stream(buf); n != len(buf) || !ok {
				t.Errorf("the live stream gave %d frames, ok %v", n, ok)
				return
			}
			for _, f := range buf {
				if !(f[0] >= -ceiling-1e-9 && f[0] <= ceiling+1e-9) {
					t.Errorf("sample %v outside ±%.3f", f[0], ceiling)
					return
				}
			}
		}
	}()
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	hammer(t, seq, stop)
	<-done
}

// TestPlayerControlsRace does the same with a Player, its stream pulled by its own clock.
func TestPlayerControlsRace(t *testing.T) {
	p, err := NewPlayer(PlayerOptions{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	time.AfterFunc(300*time.Millisecond, func() { close(stop) })
	hammer(t, p, stop)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestPlayerWithoutDevice opens the sound card: where there is none (CI, this machine) the
// player says so once, keeps running offline and its playhead moves.
func TestPlayerWithoutDevice(t *testing.T) {
	var mu sync.Mutex
	var notices []string
	logf := func(msg string) { mu.Lock(); notices = append(notices, msg); mu.Unlock() }
	told := device.told.Load() // by an earlier test in this process (go test -count)
	p1, err := NewPlayer(PlayerOptions{Log: logf})
	if err != nil {
		t.Fatal(err)
	}
	defer p1.Close()
	if p1.Available() {
		t.Skip("this machine has a sound card; the no-device path is not exercised")
	}
	p2, err := NewPlayer(PlayerOptions{Log: logf})
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	mu.Lock()
	switch {
	case told && len(notices) != 0:
		t.Errorf("notices %q, want none: the process was told before", notices)
	case !told && (len(notices) != 1 || !strings.Contains(notices[0], "audio unavailable")):
		t.Errorf("notices %q, want one saying audio unavailable", notices)
	case !told:
		t.Logf("the notice: %s", notices[0])
	}
	mu.Unlock()
	if err := p2.SetTempo(MaxBPM); err != nil {
		t.Fatal(err)
	}
	if err := p2.SetMelody(tune); err != nil {
		t.Fatal(err)
	}
	if p2.Step() != -1 {
		t.Errorf("Step() = %d before Play, want -1", p2.Step())
	}
	p2.Play()
	seen := map[int]bool{}
	deadline := time.Now().Add(5 * time.Second)
	for len(seen) < 3 && time.Now().Before(deadline) {
		seen[p2.Step()] = true
		time.Sleep(5 * time.Millisecond)
	}
	if len(seen) < 3 {
		t.Errorf("the playhead did not move: saw steps %v", seen)
	}
	p2.Stop()
	// The clock takes the Stop at its next tick; a loaded machine may take a while.
	for deadline := time.Now().Add(5 * time.Second); p2.Step() != -1 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if s := p2.Step(); s != -1 {
		t.Errorf("Step() = %d after Stop, want -1", s)
	}
}

// TestStepAt checks the playhead history against the step grid.
func TestStepAt(t *testing.T) {
	seq, err := NewSequencer(Config{BPM: 120})
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.SetMelody(tune); err != nil {
		t.Fatal(err)
	}
	seq.Play()
	step := stepFrames(120, 44100)
	var out []stream.Frame
	var at int
	pullUntil(seq, &at, int(10.5*step), &out)
	for _, tc := range []struct {
		frame float64
		want  int
	}{{0, 0}, {0.5 * step, 0}, {step + 1, 1}, {7.9 * step, 7}, {10.2 * step, 10}, {1e9, 10}} {
		if got := seq.StepAt(int64(tc.frame)); got != tc.want {
			t.Errorf("StepAt(%.0f) = %d, want %d", tc.frame, got, tc.want)
		}
	}
	for _, tc := range []struct{ frame, want float64 }{
		{0, 0}, {0.5 * step, 0.5}, {7.9 * step, 7.9}, {10.2 * step, 10.2}, {1e9, 10.999},
	} {
		if got := seq.PositionAt(int64(tc.frame)); math.Abs(got-tc.want) > 2/step {
			t.Errorf("PositionAt(%.0f) = %.4f, want %.4f", tc.frame, got, tc.want)
		}
	}
	seq.Stop()
	pullUntil(seq, &at, at+10, &out)
	if got := seq.PositionAt(int64(at)); got != -1 {
		t.Errorf("PositionAt after Stop = %g, want -1", got)
	}
}

// BenchmarkRender renders the test tune offline on each instrument, through the master bus,
// and reports the speed as seconds of audio per second of this process's CPU time
// ("x-realtime-cpu"; the machine is shared, so wall time says more about the neighbours) and
// per second of wall time ("x-realtime").
func BenchmarkRender(b *testing.B) {
	for _, name := range synth.Names() {
		b.Run(name, func(b *testing.B) {
			benchRender(b, func() (stream.Streamer, error) {
				return Render(tune, RenderOptions{Instrument: name, BPM: 120, Loops: 2})
			})
		})
	}
}

// benchRender pulls the renders that render makes to their end, in 512-frame buffers.
func benchRender(b *testing.B, render func() (stream.Streamer, error)) {
	buf := make([]stream.Frame, 512)
	frames := 0
	cpu0 := cpuTime()
	for b.Loop() {
		s, err := render()
		if err != nil {
			b.Fatal(err)
		}
		for {
			n, ok := s.Stream(buf)
			frames += n
			if !ok || n < len(buf) {
				break
			}
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(frames)/44100/cpu.Seconds(), "x-realtime-cpu")
	b.ReportMetric(float64(frames)/44100/b.Elapsed().Seconds(), "x-realtime")
}

// TestPCMReader checks the bytes oto reads: interleaved little-endian float32 frames.
func TestPCMReader(t *testing.T) {
	frames := []stream.Frame{{0.5, -0.25}, {1, -1}, {0, 0.125}}
	i := 0
	var pulled atomic.Int64
	r := &pcmReader{s: stream.Func(func(buf []stream.Frame) (int, bool) {
		n := copy(buf, frames[i:])
		i += n
		return n, n > 0
	}), pulled: &pulled}
	b := make([]byte, 8*2+5) // two whole frames and a part: only whole frames are read
	n, err := r.Read(b)
	if n != 16 || err != nil {
		t.Fatalf("Read = %d, %v; want 16, nil", n, err)
	}
	want := []float32{0.5, -0.25, 1, -1}
	for k, w := range want {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:])); got != w {
			t.Errorf("sample %d = %g, want %g", k, got, w)
		}
	}
	n, err = r.Read(b)
	if n != 8 || err != nil || pulled.Load() != 3 {
		t.Errorf("second Read = %d, %v, pulled %d; want 8, nil, 3", n, err, pulled.Load())
	}
	if n, err = r.Read(b); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
}
