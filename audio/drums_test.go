package audio

import (
	"bytes"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/latentpalette/palette/audio/stream"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

var grooveWAV = flag.String("groove.wav", "", "also write the example groove's render to this file, to listen to")

// renderDrums pulls the whole render of p into memory.
func renderDrums(tb testing.TB, p drums.Pattern, o RenderOptions) []stream.Frame {
	tb.Helper()
	s, err := RenderDrums(p, o)
	if err != nil {
		tb.Fatal(err)
	}
	return drain(s)
}

// single is a 2-bar pattern with one hit of class c at step, off steps from the grid.
func single(c drums.Class, velocity uint8, step int, off float32) drums.Pattern {
	p := make(drums.Pattern, drums.WindowSteps)
	p[step].Velocity[c] = velocity
	p[step].Offset[c] = off
	return p
}

// groove is the example loop: kick on 1 and 3, snare on 2 and 4, closed hats on the 8ths with
// an accent on the beat, an open hat on the last 8th of each bar, a crash at the start.
func groove() drums.Pattern {
	p := make(drums.Pattern, drums.WindowSteps)
	for i := range p {
		switch i % 16 {
		case 0, 8:
			p[i].Velocity[drums.Kick] = 120
		case 4, 12:
			p[i].Velocity[drums.Snare] = 110
		}
		switch {
		case i%16 == 14:
			p[i].Velocity[drums.OpenHat] = 90
		case i%4 == 0:
			p[i].Velocity[drums.ClosedHat] = 100
		case i%2 == 0:
			p[i].Velocity[drums.ClosedHat] = 70
		}
	}
	p[0].Velocity[drums.Crash] = 110
	return p
}

func rms(x []float64) float64 {
	var sum float64
	for _, v := range x {
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(x)))
}

func peakOf(x []float64) float64 {
	var p float64
	for _, v := range x {
		p = max(p, math.Abs(v))
	}
	return p
}

// TestDrumVoices renders one hit of every drum at velocities 40 and 120 and measures its
// spectral centroid (by power, over the whole hit). Each band follows from how the drum is
// made, and the measurements (in the log) sit inside them: the kick, the toms and the snare's
// body are sines that fall from one pitch to another, so their energy lies between the two
// (kick 165 to 47 Hz: 76 Hz; toms from 1.45 times their pitch: 105, 153, 219 Hz); the snare's
// rattle lifts it above the toms (0.5 to 0.9 kHz); the ride's ping (3 and 4.4 kHz) holds it at
// 3.6 to 3.7 kHz; the crash's wash is high-passed at 4 kHz (8.5 to 10 kHz) and the hats' at
// 7 kHz (10.6 to 12.7 kHz). A soft hit must be quieter, and no brighter, than a hard one.
func TestDrumVoices(t *testing.T) {
	const sr = 44100
	bands := [drums.NumClasses]struct{ lo, hi float64 }{
		drums.Kick:      {47, 165},
		drums.Snare:     {300, 2500},
		drums.ClosedHat: {7000, 16000},
		drums.OpenHat:   {7000, 16000},
		drums.LowTom:    {92, 1.45 * 92},
		drums.MidTom:    {132, 1.45 * 132},
		drums.HighTom:   {186, 1.45 * 186},
		drums.Crash:     {5000, 14000},
		drums.Ride:      {2500, 7000},
	}
	for c := range drums.Class(drums.NumClasses) {
		var level, bright [2]float64
		for i, v := range []uint8{40, 120} {
			x := mono(renderDrums(t, single(c, v, 0, 0), RenderOptions{SampleRate: sr}))
			end := len(x)
			for end > 0 && math.Abs(x[end-1]) < lsb {
				end-- // the hit ended before the render did
			}
			x = x[:end]
			level[i], bright[i] = rms(x), centroid(x, sr)
			t.Logf("%-13s velocity %3d: %.2f s, peak %.3f, rms %.4f, centroid %5.0f Hz", c, v,
				float64(len(x))/sr, peakOf(x), level[i], bright[i])
			if b := bands[c]; bright[i] < b.lo || bright[i] > b.hi {
				t.Errorf("%s at velocity %d: centroid %.0f Hz, want %.0f to %.0f Hz", c, v, bright[i], b.lo, b.hi)
			}
		}
		if !(level[0] < level[1]) {
			t.Errorf("%s: rms %.4f at velocity 40, %.4f at 120: want the soft hit quieter", c, level[0], level[1])
		}
		if bright[0] > 1.01*bright[1] {
			t.Errorf("%s: centroid %.0f Hz at velocity 40, %.0f Hz at 120: want the soft hit no brighter", c, bright[0], bright[1])
		}
	}
}

// TestDrumOnsets renders every drum alone, once on the grid and once off it, through the loop
// point: each hit must start within 1 ms of its step plus its offset. An early hit on the
// first step sounds on the grid the first time (nothing came before it) and early after that.
func TestDrumOnsets(t *testing.T) {
	for _, tc := range []struct {
		sr, step int
		off      float32
		bpm      float64
		first    float64 // where the first pass's hit is, in steps
	}{
		{44100, 5, 0, 97, 5},
		{48000, 5, 0, 97, 5},
		{44100, 5, 0.3, 97, 5.3},
		{44100, 5, -0.4, 97, 4.6},
		{44100, 0, -0.25, 97, 0},
		{44100, 31, 0.5, 97, 31.5},
	} {
		step := stepFrames(tc.bpm, float64(tc.sr))
		want := []float64{tc.first * step, (drums.WindowSteps + float64(tc.step) + float64(tc.off)) * step}
		var worst float64
		for c := range drums.Class(drums.NumClasses) {
			s, err := RenderDrums(single(c, 100, tc.step, tc.off), RenderOptions{BPM: tc.bpm, SampleRate: tc.sr, Loops: 2})
			if err != nil {
				t.Fatal(err)
			}
			x := mono(drain(stream.Take(int(want[1])+tc.sr/100, s))) // past the second onset, not the ring-out
			got := onsets(x, lsb, tc.sr/100)
			if len(got) != len(want) {
				t.Errorf("%s at step %d%+.2f: onsets %v, want at %.0f", c, tc.step, tc.off, got, want)
				continue
			}
			for i := range want {
				d := 1000 * (float64(got[i]) - want[i]) / float64(tc.sr)
				worst = max(worst, math.Abs(d))
				if math.Abs(d) > 1 {
					t.Errorf("%s at step %d%+.2f, pass %d: onset at %.2f ms, want %.2f ms (±1 ms)", c, tc.step,
						tc.off, i+1, 1000*float64(got[i])/float64(tc.sr), 1000*want[i]/float64(tc.sr))
				}
			}
		}
		t.Logf("%d Hz, step %d%+.2f at %g BPM: worst onset error %.3f ms", tc.sr, tc.step, tc.off, tc.bpm, worst)
	}
}

// TestDrumPeak plays every drum at velocity 127 on every step, alone and over a dense melody:
// the master bus must keep the peak under -1 dBFS.
func TestDrumPeak(t *testing.T) {
	loud := make(drums.Pattern, drums.WindowSteps)
	for i := range loud {
		for c := range loud[i].Velocity {
			loud[i].Velocity[c] = 127
		}
	}
	dense := make(melody.Melody, 32)
	for i := range dense {
		dense[i] = melody.NoteOn(48 + 24*(i%2) + i%5)
	}
	for _, tc := range []struct {
		bpm   float64
		m     melody.Melody
		along string
	}{{MaxBPM, make(melody.Melody, 32), "alone"}, {MaxBPM, dense, "with a melody"}, {120, dense, "with a melody"}} {
		s, err := renderParts(tc.m, loud, RenderOptions{BPM: tc.bpm, Loops: 2, Metronome: true})
		if err != nil {
			t.Fatal(err)
		}
		var peak float64
		for _, f := range drain(s) {
			peak = max(peak, math.Abs(f[0]), math.Abs(f[1]))
		}
		t.Logf("%g BPM, %s: peak %.4f (%.2f dBFS)", tc.bpm, tc.along, peak, 20*math.Log10(peak))
		if !(peak < ceiling+1e-9) || peak < 0.5 {
			t.Errorf("%g BPM, %s: peak %.4f, want between 0.5 and %.3f (-1 dBFS)", tc.bpm, tc.along, peak, ceiling)
		}
	}
}

// TestDrumLoopSeam loops the groove: two passes must be the very samples of one pass of the
// groove played twice over (the loop point adds nothing), and at the seam and at every hit the
// largest sample-to-sample step must not exceed what the voices sounding there make on their
// own, each as the sequencer plays it (cut short by the next hit of its drum).
func TestDrumLoopSeam(t *testing.T) {
	// The groove has hits on the seam; the other pattern has none there, only drums ringing
	// across it, where a click would stand out most.
	ringing := make(drums.Pattern, drums.WindowSteps)
	ringing[16].Velocity[drums.Crash] = 100
	ringing[24].Velocity[drums.Kick] = 127
	ringing[28].Velocity[drums.LowTom] = 110
	ringing[30].Velocity[drums.OpenHat] = 100
	ringing[31].Velocity[drums.Ride] = 90
	for _, p := range []drums.Pattern{groove(), ringing} {
		loopSeam(t, p)
	}
}

func loopSeam(t *testing.T, p drums.Pattern) {
	const sr, bpm, passes = 44100, 120, 2
	looped := renderDrums(t, p, RenderOptions{BPM: bpm, SampleRate: sr, Loops: passes})
	twice := renderDrums(t, append(append(drums.Pattern(nil), p...), p...), RenderOptions{BPM: bpm, SampleRate: sr})
	if len(looped) != len(twice) {
		t.Errorf("two passes: %d frames; the pattern twice over: %d", len(looped), len(twice))
	}
	for i := range min(len(looped), len(twice)) {
		if looped[i] != twice[i] {
			t.Errorf("frame %d (%.1f ms): two passes %v, the pattern twice over %v", i, 1000*float64(i)/sr, looped[i], twice[i])
			break
		}
	}

	seq, err := NewSequencer(Config{SampleRate: sr})
	if err != nil {
		t.Fatal(err)
	}
	step := stepFrames(bpm, sr)
	type played struct {
		class    drums.Class
		velocity uint8
		from     int
	}
	var hits []played
	for k := range passes * len(p) {
		for c, v := range p[k%len(p)].Velocity {
			if v > 0 {
				hits = append(hits, played{drums.Class(c), v, int(math.Round(float64(k) * step))})
			}
		}
	}
	type span struct {
		from, to int
		step     float64
	}
	var voices []span
	for i, h := range hits {
		cut := -1 // where a later hit cuts this one
		for _, later := range hits[i+1:] {
			if later.from > h.from && (later.class == h.class || h.class == drums.OpenHat && later.class == drums.ClosedHat) {
				cut = later.from
				break
			}
		}
		v := synth.NewDrum(h.class, h.velocity, sr, uint64(i+1)) // the sequencer's seeds count hits from 1
		x := drain(stream.Take(max(0, cut-h.from), v))
		if cut >= 0 {
			v.FadeOut(seq.fadeCut)
		}
		x = append(x, drain(v)...)
		var d float64
		for j := 1; j < len(x); j++ {
			d = max(d, math.Abs(x[j][0]-x[j-1][0]), math.Abs(x[j][1]-x[j-1][1]))
		}
		voices = append(voices, span{h.from, h.from + len(x), d})
	}
	near := sr * 3 / 1000
	bounds := []int{int(math.Round(float64(len(p)) * step))} // the seam
	for _, h := range hits {
		bounds = append(bounds, h.from)
	}
	var worst float64
	for i, b := range bounds {
		var at, bound float64
		for j := max(1, b-near); j < min(len(looped), b+near); j++ {
			at = max(at, math.Abs(looped[j][0]-looped[j-1][0]), math.Abs(looped[j][1]-looped[j-1][1]))
		}
		for _, v := range voices {
			if v.from < b+near && v.to > b-near {
				bound += v.step
			}
		}
		if i == 0 {
			t.Logf("%d hits: at the seam a step of %.4f; the voices there step by at most %.4f on their own", p.Hits(), at, bound)
		}
		worst = max(worst, at/bound)
		if at > bound*headroom+lsb {
			t.Errorf("a step of %.4f at %.1f ms; the voices there step by at most %.4f on their own", at, 1000*float64(b)/sr, bound)
		}
	}
	t.Logf("%d hits: worst step / voices' own step = %.2f", p.Hits(), worst)
}

// TestDrumsWithMelody plays a melody and a drum pattern together: the mix is the sum of each
// played alone (one grid, loops that start together), a 1-bar pattern under a 2-bar melody
// included.
func TestDrumsWithMelody(t *testing.T) {
	const sr = 44100
	seqOf := func(m melody.Melody, p drums.Pattern) stream.Streamer {
		seq, err := NewSequencer(Config{SampleRate: sr, BPM: 133, Instrument: "pluck", Loops: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.SetMelody(m); err != nil {
			t.Fatal(err)
		}
		if err := seq.SetDrums(p); err != nil {
			t.Fatal(err)
		}
		seq.Play()
		return seq
	}
	for _, p := range []drums.Pattern{groove(), groove()[:16]} {
		both := drain(seqOf(tune, p))
		mel := drain(seqOf(tune, nil))
		drm := drain(seqOf(make(melody.Melody, len(tune)), p))
		var worst float64
		for i, f := range both {
			var sum stream.Frame
			if i < len(mel) {
				sum[0], sum[1] = mel[i][0], mel[i][1]
			}
			if i < len(drm) {
				sum[0], sum[1] = sum[0]+drm[i][0], sum[1]+drm[i][1]
			}
			worst = max(worst, math.Abs(f[0]-sum[0]), math.Abs(f[1]-sum[1]))
		}
		if len(both) != max(len(mel), len(drm)) || worst > 1e-9 {
			t.Errorf("%d-step pattern: together %d frames, apart %d and %d; largest difference %.2g",
				len(p), len(both), len(mel), len(drm), worst)
		}
	}
}

// TestDrumChangesLand switches drum patterns (and the tempo) in the middle of step 5: the new
// pattern plays from step 6, or from the bar line (step 16) with bar quantization; an empty
// pattern ends the drum part there.
func TestDrumChangesLand(t *testing.T) {
	const sr = 44100
	// Closed hats, short enough to hear one by one: on even steps, then on odd ones.
	even, odd := make(drums.Pattern, 32), make(drums.Pattern, 32)
	for i := 0; i < 32; i += 2 {
		even[i].Velocity[drums.ClosedHat] = 100
		odd[i+1].Velocity[drums.ClosedHat] = 100
	}
	s1, s2 := stepFrames(120, sr), stepFrames(160, sr)
	for _, tc := range []struct {
		q    Quantize
		next drums.Pattern
		from int // the step where the change lands
	}{{NextStep, odd, 6}, {NextBar, odd, 16}, {NextStep, nil, 6}} {
		seq, err := NewSequencer(Config{SampleRate: sr, BPM: 120, Quantize: tc.q})
		if err != nil {
			t.Fatal(err)
		}
		if err := seq.SetDrums(even); err != nil {
			t.Fatal(err)
		}
		seq.Play()
		var out []stream.Frame
		var at int
		pullUntil(seq, &at, int(5.3*s1), &out)
		if err := seq.SetTempo(160); err != nil {
			t.Fatal(err)
		}
		if err := seq.SetDrums(tc.next); err != nil {
			t.Fatal(err)
		}
		pullUntil(seq, &at, int(float64(tc.from)*s1+12*s2), &out)
		var want []float64
		for k := 0; k < tc.from+12; k++ {
			switch {
			case k < tc.from && k%2 == 0:
				want = append(want, float64(k)*s1)
			case k >= tc.from && len(tc.next) > 0 && tc.next[k].Hit(drums.ClosedHat):
				want = append(want, float64(tc.from)*s1+float64(k-tc.from)*s2)
			}
		}
		got := onsets(mono(out), lsb, sr/200)
		if len(got) != len(want) {
			t.Errorf("quantize %d, %d-step pattern: %d onsets %v, want %d at %.0f", tc.q, len(tc.next), len(got), got, len(want), want)
			continue
		}
		for i := range want {
			if d := 1000 * (float64(got[i]) - want[i]) / sr; math.Abs(d) > 1 {
				t.Errorf("quantize %d: hit %d at %.2f ms, want %.2f ms", tc.q, i, 1000*float64(got[i])/sr, 1000*want[i]/sr)
			}
		}
	}
	seq, _ := NewSequencer(Config{})
	bad := make(drums.Pattern, 16)
	bad[3].Offset[drums.Snare] = 0.7
	if err := seq.SetDrums(bad); err == nil {
		t.Error("SetDrums took an offset of 0.7 steps")
	}
	if _, err := RenderDrums(nil, RenderOptions{}); err == nil {
		t.Error("RenderDrums rendered an empty pattern")
	}
}

// TestDrumsSox has Debian's sox read the groove's WAV: the header it reports, the length and
// the level it measures.
func TestDrumsSox(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed (Debian: apt-get install sox); skipping the check with a real tool")
	}
	var b bytes.Buffer
	if err := WriteDrumsWAV(&b, groove(), RenderOptions{BPM: 120, Loops: 2}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "groove.wav")
	if *grooveWAV != "" {
		path = *grooveWAV
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// 2 passes of 2 bars at 120 BPM is 8 s, plus the last open hat's ring.
	maxAmp, minAmp, rmsAmp := soxCheck(t, sox, path, 8, 9)
	t.Logf("groove: sox stat max %.3f min %.3f rms %.3f", maxAmp, minAmp, rmsAmp)
	if rmsAmp < 0.05 {
		t.Errorf("sox sees an RMS of %.4f: too quiet for a drum loop", rmsAmp)
	}
}

// FuzzRenderDrums plays arbitrary patterns (any hits, velocities and offsets, up to 4 bars) at
// arbitrary tempos: the render must end, stay finite and under the ceiling.
func FuzzRenderDrums(f *testing.F) {
	f.Add([]byte{1, 0, 0, 4, 255, 255, 2, 128, 0}, uint8(0))
	f.Add([]byte{255, 127, 0, 255, 127, 255}, uint8(255))
	f.Fuzz(func(t *testing.T, data []byte, tempo uint8) {
		if len(data) < 3 || len(data) > 3*64 {
			return
		}
		p := make(drums.Pattern, len(data)/3)
		for i := range p {
			mask, vel, off := data[3*i], data[3*i+1], data[3*i+2]
			for c := range drums.NumClasses {
				if mask&(1<<(c%8)) != 0 && (c < 8 || vel&1 != 0) {
					p[i].Velocity[c] = 1 + vel%127
					p[i].Offset[c] = float32(off)/255 - 0.5
				}
			}
		}
		bpm := MinBPM + float64(tempo)*(MaxBPM-MinBPM)/255
		x := renderDrums(t, p, RenderOptions{BPM: bpm})
		want := float64(len(p)) * stepFrames(bpm, 44100)
		if got := float64(len(x)); got < want-1 || got > want+5*44100 {
			t.Fatalf("%d frames for %d steps at %.1f BPM, want %.0f plus at most 5 s", len(x), len(p), bpm, want)
		}
		for i, fr := range x {
			if math.IsNaN(fr[0]) || math.IsNaN(fr[1]) || math.Abs(fr[0]) > ceiling || math.Abs(fr[1]) > ceiling {
				t.Fatalf("frame %d = %v", i, fr)
			}
		}
	})
}

// BenchmarkRenderDrums renders the 2-bar groove once through the master bus, as the export
// does; x-realtime-cpu and x-realtime as in BenchmarkRender.
func BenchmarkRenderDrums(b *testing.B) {
	benchRender(b, func() (stream.Streamer, error) {
		return RenderDrums(groove(), RenderOptions{BPM: 120})
	})
}
