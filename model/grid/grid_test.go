package grid

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// perform plays bars of a 4/4 pop texture (a melody in 8ths and 16ths, a bass note on beats 1
// and 3, a chord per half bar that changes every bar) on beats at the given times, with the
// first downbeat at beat first, and jitter seconds of timing noise.
func perform(beats []float64, first int, jitter float64, rng *rand.Rand) []Onset {
	at := func(b float64) float64 { // beat position → seconds, between the beats
		i := min(int(b), len(beats)-2)
		return beats[i] + (b-float64(i))*(beats[i+1]-beats[i])
	}
	var out []Onset
	add := func(b, dur float64, pitch, vel int) {
		out = append(out, Onset{Sec: at(b) + jitter*rng.NormFloat64(), Dur: at(b+dur) - at(b), Pitch: pitch, Velocity: vel})
	}
	roots := []int{36, 43, 45, 41}
	for bar := 0; first+4*bar+4 < len(beats)-1; bar++ {
		b0 := float64(first + 4*bar)
		root := roots[bar%4]
		for h := range 2 {
			add(b0+2*float64(h), 2, root, 90)
			for _, iv := range []int{24, 28, 31} {
				add(b0+2*float64(h), 2, root+iv, 60)
			}
		}
		for _, s := range []float64{0, 1, 1.5, 2, 2.75, 3, 3.5} { // a melody with a 16th
			add(b0+s, 0.5, 72+int(s*2)%5, 80)
		}
	}
	return out
}

// steady returns n beats of period p seconds from t0.
func steady(n int, t0, p float64) []float64 {
	b := make([]float64, n)
	for i := range b {
		b[i] = t0 + float64(i)*p
	}
	return b
}

// checkGrid compares g to the true beats and first downbeat: every true beat with a found beat
// within tol seconds, and the found bar lines on the true ones.
func checkGrid(t *testing.T, g Grid, truth []float64, first int, tol float64) {
	t.Helper()
	for i, b := range truth[first : len(truth)-5] { // the last bar is not played
		s := g.Step(b)
		if d := math.Abs(s - math.Round(s)); d*(truth[1]-truth[0])/4 > tol {
			t.Fatalf("beat %d at %.3f s is at step %.3f, off the grid", i+first, b, s)
		}
		if i%4 == 0 && int(math.Round(s))%16 != 0 {
			t.Fatalf("downbeat %d at %.3f s is at step %.2f, not on a bar line", i/4, b, s)
		}
		if r := int(math.Round(s)); r != 4*i+int(math.Round(g.Step(truth[first]))) {
			t.Fatalf("beat %d at step %d: the found beat is not the true one", i+first, r)
		}
	}
}

func TestFindPlayedIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		truth  []float64
		first  int
		hint   Hint
		jitter float64
	}{
		{"the file's tempo, another phase", steady(80, 0.37, 0.6), 1, Hint{Beats: steady(100, 0, 0.6)}, 0.01},
		{"no tempo in the file (120 BPM)", steady(80, 0.21, 0.6), 2, Hint{}, 0.01},
		{"a wrong tempo in the file", steady(80, 1.1, 0.55), 3, Hint{Beats: steady(100, 0, 0.6)}, 0.008},
		{"on the hint exactly", steady(64, 0, 0.5), 0, Hint{Beats: steady(64, 0, 0.5)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Find(perform(tt.truth, tt.first, tt.jitter, rng), tt.hint)
			if err != nil {
				t.Fatal(err)
			}
			if g.Confidence < 0.5 || g.Confidence > 1 {
				t.Errorf("confidence %.2f", g.Confidence)
			}
			checkGrid(t, g, tt.truth, tt.first, 0.03)
		})
	}
}

// A tempo that speeds up from 100 to 106 BPM, which the file does not know of.
func TestFindDrift(t *testing.T) {
	var truth []float64
	at := 0.5
	for i := range 120 {
		truth = append(truth, at)
		at += 60 / (100 + 6*float64(i)/120)
	}
	g, err := Find(perform(truth, 0, 0.005, rand.New(rand.NewPCG(3, 4))), Hint{Beats: steady(140, 0, 0.6)})
	if err != nil {
		t.Fatal(err)
	}
	checkGrid(t, g, truth, 0, 0.04)
}

// A shuffle: the beat in three, which a grid of 16ths at another tempo would fit better.
func TestFindTriplets(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	truth := steady(64, 0.25, 0.5)
	var ons []Onset
	for k := 0; k+1 < len(truth); k++ {
		for _, s := range []float64{0, 2.0 / 3} {
			ons = append(ons, Onset{Sec: truth[k] + s*0.5 + 0.005*rng.NormFloat64(), Dur: 0.15, Pitch: 70})
		}
		if k%2 == 0 {
			ons = append(ons, Onset{Sec: truth[k], Dur: 1, Pitch: 40 + 5*(k/4%2)})
		}
	}
	g, err := Find(ons, Hint{Beats: steady(70, 0, 0.5)})
	if err != nil {
		t.Fatal(err)
	}
	if p := g.Beats[10] - g.Beats[9]; math.Abs(p-0.5) > 0.01 {
		t.Errorf("beat of %.3f s, want 0.5", p)
	}
}

func TestFindNoGrid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var wild []Onset
	for range 400 {
		wild = append(wild, Onset{Sec: 100 * rng.Float64(), Dur: 0.2, Pitch: 60 + rng.IntN(12)})
	}
	tests := []struct {
		name   string
		onsets []Onset
	}{
		{"no notes", nil},
		{"too few", []Onset{{Sec: 0}, {Sec: 0.5}, {Sec: 1}, {Sec: 1.5}, {Sec: 2}}},
		{"free timing", wild},
		{"not numbers", []Onset{{Sec: math.NaN()}, {Sec: math.Inf(1)}}},
	}
	for _, tt := range tests {
		if _, err := Find(tt.onsets, Hint{}); !errors.Is(err, ErrNoGrid) {
			t.Errorf("%s: %v, want ErrNoGrid", tt.name, err)
		}
	}
	if _, err := Find(perform(steady(20, 0, 0.5), 0, 0, rng), Hint{Beats: []float64{1, 1}}); err == nil || errors.Is(err, ErrNoGrid) {
		t.Errorf("a hint that stands still: %v, want an error about the hint", err)
	}
}

func TestGridStepAndDownbeats(t *testing.T) {
	g := Grid{Beats: []float64{1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5}, First: 2}
	for _, tt := range []struct{ sec, step float64 }{
		{2, 0}, {2.125, 1}, {1, -8}, {0.5, -12}, {5, 24}, {5.5, 28}, {3.75, 14},
	} {
		if got := g.Step(tt.sec); math.Abs(got-tt.step) > 1e-9 {
			t.Errorf("Step(%v) = %v, want %v", tt.sec, got, tt.step)
		}
	}
	if got, want := g.Downbeats(), []float64{2, 4}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Downbeats = %v, want %v", got, want)
	}
	if s := (Grid{}).Step(1); !math.IsNaN(s) {
		t.Errorf("Step of an empty grid = %v, want NaN", s)
	}
}

// FuzzFind: Find never panics, and a grid it returns is usable.
func FuzzFind(f *testing.F) {
	f.Add([]byte{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.5)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 200}, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, period float64) {
		var ons []Onset
		for i := 0; i+1 < len(data); i += 2 {
			ons = append(ons, Onset{Sec: float64(data[i]) / 8, Dur: float64(data[i+1]) / 64, Pitch: int(data[i+1]) % 128, Voice: i % 3})
		}
		var hint Hint
		if period != 0 {
			hint.Beats = []float64{0, period}
		}
		g, err := Find(ons, hint)
		if err != nil {
			return
		}
		if len(g.Beats) < 2 || !increasing(g.Beats) || g.First < 0 || g.First >= len(g.Beats) {
			t.Fatalf("bad grid: %d beats, first %d", len(g.Beats), g.First)
		}
		for _, o := range ons {
			if s := g.Step(o.Sec); math.IsNaN(s) || math.IsInf(s, 0) {
				t.Fatalf("Step(%v) = %v", o.Sec, s)
			}
		}
	})
}
