package audio

import (
	"math"
	"testing"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

// lsb is the smallest step of a 16-bit sample: an onset is where a WAV file stops being silent.
const lsb = 1.0 / 32768

// onsets returns the frames where x rises above threshold after at least quiet frames of
// silence (below it).
func onsets(x []float64, threshold float64, quiet int) []int {
	var out []int
	silent := quiet
	for i, v := range x {
		if math.Abs(v) <= threshold {
			silent++
			continue
		}
		if silent >= quiet {
			out = append(out, i)
		}
		silent = 0
	}
	return out
}

// sparse has a one-step note every 8 steps, so every note has rung out before the next.
var sparse = mustNotes([]melody.Note{
	{Pitch: 60, Start: 0, End: 1},
	{Pitch: 67, Start: 8, End: 9},
	{Pitch: 72, Start: 16, End: 17},
	{Pitch: 55, Start: 24, End: 25},
})

func TestOnsets(t *testing.T) {
	const sr = 44100
	for _, name := range synth.Names() {
		for _, bpm := range []float64{MinBPM, 97, MaxBPM} {
			passes := 2 // through the loop point
			if bpm == MinBPM {
				passes = 1 // 12 s already
			}
			x := mono(render(t, sparse, RenderOptions{Instrument: name, BPM: bpm, SampleRate: sr, Loops: passes}))
			got := onsets(x, lsb, sr/100)
			var want []float64
			step := stepFrames(bpm, sr)
			for pass := range passes {
				for _, n := range sparse.Notes() {
					want = append(want, float64(pass*len(sparse)+n.Start)*step)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s at %g BPM: %d onsets %v, want %d", name, bpm, len(got), got, len(want))
				continue
			}
			var worst float64
			for i := range want {
				d := 1000 * (float64(got[i]) - want[i]) / sr
				worst = max(worst, math.Abs(d))
				if math.Abs(d) > 1 {
					t.Errorf("%s at %g BPM: onset %d at %.2f ms, want %.2f ms (±1 ms)", name, bpm, i,
						1000*float64(got[i])/sr, 1000*want[i]/sr)
				}
			}
			t.Logf("%s at %g BPM: worst onset error %.3f ms", name, bpm, worst)
		}
	}
}

// bass is low notes, whose waveforms move slowly from sample to sample, so a click (a step
// change of the level) stands out; notes are cut by note-offs, by the next note, and at the
// loop point.
var bass = mustNotes([]melody.Note{
	{Pitch: 40, Start: 0, End: 3},
	{Pitch: 43, Start: 3, End: 8},
	{Pitch: 36, Start: 10, End: 16},
	{Pitch: 45, Start: 16, End: 20},
	{Pitch: 38, Start: 20, End: 32},
})

// voiceStep is the largest sample-to-sample step a voice makes on its own, from its attack
// to the end of its release after held frames.
func voiceStep(v synth.Voice, held int) float64 {
	x := drain(stream.Take(held, v))
	v.Release()
	x = append(x, drain(v)...)
	var d float64
	for i := 1; i < len(x); i++ {
		d = max(d, math.Abs(x[i][0]-x[i-1][0]), math.Abs(x[i][1]-x[i-1][1]))
	}
	return d
}

// TestNoClicks checks every note boundary and the loop point: the largest sample-to-sample
// step within 3 ms of it must not exceed what the voices sounding there make on their own
// (by the triangle inequality their sum can step by no more than that). Cutting a note short,
// dropping a voice or a discontinuity at the loop point would step by far more.
func TestNoClicks(t *testing.T) {
	const sr, bpm, passes = 44100, 120, 2
	step := stepFrames(bpm, sr)
	near := sr * 3 / 1000
	for _, name := range synth.Names() {
		inst, _ := synth.Lookup(name)
		for _, m := range []melody.Melody{bass, tune} {
			frames := render(t, m, RenderOptions{Instrument: name, BPM: bpm, SampleRate: sr, Loops: passes})
			type span struct {
				from, to int // frames where the note starts and where its release may still ring
				step     float64
			}
			var notes []span
			var bounds []int
			seed := uint64(0)
			for pass := range passes {
				for _, n := range m.Notes() {
					seed++ // the sequencer's seed for this note
					from := int(math.Round(float64(pass*len(m)+n.Start) * step))
					to := int(math.Round(float64(pass*len(m)+n.End) * step))
					v := inst.New(n.Pitch, sr, seed)
					notes = append(notes, span{from, to + sr, voiceStep(v, to-from)})
					bounds = append(bounds, from, to)
				}
			}
			var worst float64
			for _, b := range bounds {
				var at, bound float64
				for i := max(1, b-near); i < min(len(frames), b+near); i++ {
					at = max(at, math.Abs(frames[i][0]-frames[i-1][0]), math.Abs(frames[i][1]-frames[i-1][1]))
				}
				for _, n := range notes {
					if n.from < b+near && n.to > b-near {
						bound += n.step
					}
				}
				worst = max(worst, at/bound)
				if at > bound*headroom+lsb {
					t.Errorf("%s: a step of %.4f at the boundary at %.1f ms; the voices there step by at most %.4f on their own",
						name, at, 1000*float64(b)/sr, bound)
				}
			}
			t.Logf("%s: worst boundary step / voices' own step = %.2f", name, worst)
		}
	}
}

func TestPeak(t *testing.T) {
	// Every step a new note two octaves apart, at the fastest tempo with the metronome: the
	// most voices at once the sequencer makes.
	dense := make(melody.Melody, 32)
	for i := range dense {
		dense[i] = melody.NoteOn(48 + 24*(i%2) + i%5)
	}
	for _, name := range synth.Names() {
		for _, m := range []melody.Melody{tune, dense} {
			x := render(t, m, RenderOptions{Instrument: name, BPM: MaxBPM, Loops: 2, Metronome: true})
			var peak float64
			for _, f := range x {
				peak = max(peak, math.Abs(f[0]), math.Abs(f[1]))
			}
			t.Logf("%s: peak %.3f (%.2f dBFS)", name, peak, 20*math.Log10(peak))
			if !(peak < ceiling+1e-9) || peak < 0.1 {
				t.Errorf("%s: peak %.4f, want between 0.1 and %.3f (-1 dBFS)", name, peak, ceiling)
			}
		}
	}
}

// pullUntil streams s until frame at (counted by *t), stopping exactly there.
func pullUntil(s stream.Streamer, t *int, at int, out *[]stream.Frame) {
	buf := make([]stream.Frame, 512)
	for *t < at {
		n, _ := s.Stream(buf[:min(len(buf), at-*t)])
		*out = append(*out, buf[:n]...)
		*t += n
	}
}

// TestChangesLand asks for a new tempo and a new melody in the middle of step 5 and checks that
// they take effect at step 6, or at the bar line (step 16) when asked for bar quantization.
func TestChangesLand(t *testing.T) {
	const sr = 44100
	// A note on every even step; the second melody plays the same rhythm a fifth higher.
	a, b := make(melody.Melody, 32), make(melody.Melody, 32)
	for i := 0; i < 32; i += 2 {
		a[i], a[i+1] = melody.NoteOn(60), melody.NoteOff
		b[i], b[i+1] = melody.NoteOn(67), melody.NoteOff
	}
	s1, s2 := stepFrames(120, sr), stepFrames(200, sr)
	for _, tc := range []struct {
		q    Quantize
		from int // the step where the change lands
	}{{NextStep, 6}, {NextBar, 16}} {
		seq, err := NewSequencer(Config{SampleRate: sr, BPM: 120, Instrument: "chip", Quantize: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.SetMelody(a); err != nil {
			t.Fatal(err)
		}
		seq.Play()
		var out []stream.Frame
		var at int
		pullUntil(seq, &at, int(5.3*s1), &out)
		if got := seq.Step(); got != 5 {
			t.Errorf("quantize %d: Step() = %d in the middle of step 5", tc.q, got)
		}
		if err := seq.SetTempo(200); err != nil {
			t.Fatal(err)
		}
		if err := seq.SetMelody(b); err != nil {
			t.Fatal(err)
		}
		pullUntil(seq, &at, int(float64(tc.from)*s1+12*s2), &out)
		x := mono(out)
		got := onsets(x, lsb, sr/200)
		for i, on := range got {
			k := 2 * i // the step of this onset
			want := float64(k) * s1
			pitch := 60
			if k >= tc.from {
				want = float64(tc.from)*s1 + float64(k-tc.from)*s2
				pitch = 67
			}
			if d := 1000 * (float64(on) - want) / sr; math.Abs(d) > 1 {
				t.Errorf("quantize %d: the note of step %d starts at %.2f ms, want %.2f ms", tc.q, k,
					1000*float64(on)/sr, 1000*want/sr)
			}
			f := spectrumPeak(x[on:on+int(0.8*s2)], sr)
			if want := synth.Frequency(pitch); math.Abs(f-want)/want > 0.01 {
				t.Errorf("quantize %d: the note of step %d sounds at %.1f Hz, want %.1f Hz", tc.q, k, f, want)
			}
		}
		if want := tc.from/2 + 6; len(got) != want {
			t.Errorf("quantize %d: %d onsets, want %d", tc.q, len(got), want)
		}
	}
}

// TestMetronome listens to the click alone: one on every beat, sitting on the grid, higher on
// the first beat of each bar.
func TestMetronome(t *testing.T) {
	const sr, bpm = 44100, 150
	x := mono(render(t, make(melody.Melody, 32), RenderOptions{BPM: bpm, SampleRate: sr, Metronome: true}))
	got := onsets(x, lsb, sr/100)
	step := stepFrames(bpm, sr)
	if len(got) != 8 {
		t.Fatalf("%d clicks in 2 bars, want 8: %v", len(got), got)
	}
	for i, on := range got {
		want := float64(4*i) * step
		if d := 1000 * (float64(on) - want) / sr; math.Abs(d) > 1 {
			t.Errorf("click %d at %.2f ms, want %.2f ms", i, 1000*float64(on)/sr, 1000*want/sr)
		}
		f := spectrumPeak(x[on:on+sr/50], sr)
		wantF := 1000.0
		if i%4 == 0 {
			wantF = 1500
		}
		if math.Abs(f-wantF)/wantF > 0.02 {
			t.Errorf("click %d sounds at %.0f Hz, want %.0f Hz", i, f, wantF)
		}
	}
}

// TestStopAndLoopOff: Stop fades what sounds within 20 ms without a click, and with looping
// off the sequencer stops by itself at the end of the melody.
func TestStopAndLoopOff(t *testing.T) {
	const sr = 44100
	step := stepFrames(120, sr)
	for _, name := range synth.Names() {
		seq, err := NewSequencer(Config{SampleRate: sr, BPM: 120, Instrument: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.SetMelody(bass); err != nil {
			t.Fatal(err)
		}
		seq.Play()
		var out []stream.Frame
		var at int
		pullUntil(seq, &at, int(1.5*step), &out)
		seq.Stop()
		stopAt := at
		pullUntil(seq, &at, stopAt+sr/10, &out)
		inst, _ := synth.Lookup(name)
		own := voiceStep(inst.New(40, sr, 1), int(1.5*step))
		var jump, after float64
		for i := stopAt; i < len(out); i++ {
			jump = max(jump, math.Abs(out[i][0]-out[i-1][0]))
			if i >= stopAt+sr/50 {
				after = max(after, math.Abs(out[i][0]))
			}
		}
		if jump > own {
			t.Errorf("%s: Stop stepped by %.4f; the note itself steps by at most %.4f", name, jump, own)
		}
		if after != 0 {
			t.Errorf("%s: still %.4f loud 20 ms after Stop", name, after)
		}
		if seq.Playing() || seq.Step() != -1 {
			t.Errorf("%s: after Stop, Playing() = %v and Step() = %d", name, seq.Playing(), seq.Step())
		}
	}

	seq, err := NewSequencer(Config{SampleRate: sr, BPM: 240})
	if err != nil {
		t.Fatal(err)
	}
	if err := seq.SetMelody(tune); err != nil {
		t.Fatal(err)
	}
	seq.SetLoop(false)
	seq.Play()
	var out []stream.Frame
	var at int
	pullUntil(seq, &at, int(31.5*stepFrames(240, sr)), &out)
	if !seq.Playing() || seq.Step() != 31 {
		t.Errorf("in the last step: Playing() = %v, Step() = %d", seq.Playing(), seq.Step())
	}
	pullUntil(seq, &at, int(33*stepFrames(240, sr)), &out)
	if seq.Playing() || seq.Step() != -1 {
		t.Errorf("after the end without looping: Playing() = %v, Step() = %d", seq.Playing(), seq.Step())
	}
}

// TestSwitchHeldNotes switches melodies in the middle of a held note: a pitch both hold at the
// switch keeps sounding (no new note), a pitch only the new one holds starts at the switch.
func TestSwitchHeldNotes(t *testing.T) {
	const sr = 44100
	step := stepFrames(120, sr)
	held := mustNotes([]melody.Note{{Pitch: 60, Start: 0, End: 16}})
	for _, tc := range []struct {
		name     string
		next     melody.Melody
		newNotes uint64 // notes started after the switch
		pitch    int    // what sounds after it
	}{
		{"same pitch", mustNotes([]melody.Note{{Pitch: 62, Start: 0, End: 4}, {Pitch: 60, Start: 4, End: 16}}), 0, 60},
		{"other pitch", mustNotes([]melody.Note{{Pitch: 62, Start: 0, End: 4}, {Pitch: 67, Start: 4, End: 16}}), 1, 67},
		{"rest", mustNotes([]melody.Note{{Pitch: 62, Start: 0, End: 4}}), 0, 0},
	} {
		seq, err := NewSequencer(Config{SampleRate: sr, BPM: 120, Instrument: "chip"})
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.SetMelody(held); err != nil {
			t.Fatal(err)
		}
		seq.Play()
		var out []stream.Frame
		var at int
		pullUntil(seq, &at, int(5.3*step), &out)
		before := seq.seed
		if err := seq.SetMelody(tc.next); err != nil {
			t.Fatal(err)
		}
		pullUntil(seq, &at, int(10*step), &out)
		if got := seq.seed - before; got != tc.newNotes {
			t.Errorf("%s: %d notes started at the switch, want %d", tc.name, got, tc.newNotes)
		}
		x := mono(out[int(7*step):])
		if tc.pitch == 0 {
			var peak float64
			for _, v := range x {
				peak = max(peak, math.Abs(v))
			}
			if peak != 0 {
				t.Errorf("%s: %.4f loud a step after switching to a rest", tc.name, peak)
			}
			continue
		}
		if f, want := spectrumPeak(x, sr), synth.Frequency(tc.pitch); math.Abs(f-want)/want > 0.01 {
			t.Errorf("%s: %.1f Hz after the switch, want %.1f Hz", tc.name, f, want)
		}
	}
}
