// Package grid finds the beat grid of a played-in performance from its note onsets alone: where
// the beats fall, how the tempo moves, and which beat starts each 4/4 bar, so that seconds map
// to 16th-note steps.
package grid

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Onset is a note as played: when it starts and how long it lasts, in seconds.
type Onset struct {
	Sec, Dur float64
	Pitch    int // MIDI pitch
	Velocity int // 1..127; 0 if unknown
	Voice    int // which part (track and channel) played it: a voice's onsets make one line
}

// Hint is what is known about the grid before the onsets are heard: the file's own beats.
type Hint struct {
	// Beats are the times in seconds of the file's own quarter notes (its tempo map), increasing,
	// at least two; nil means 120 BPM from 0 s. The tempo is trusted where the onsets agree.
	Beats []float64
}

// Grid is a beat grid: beat times and the beat that starts the first 4/4 bar.
type Grid struct {
	Beats      []float64 // seconds, increasing, at least two
	First      int       // index in Beats of the first downbeat; a bar is 4 beats
	Confidence float64   // 0..1: how well the onsets sit on the grid's 16ths (or triplets, in a beat of three); 1: all exactly
}

// ErrNoGrid says that the onsets follow no steady 16th-note grid (free or wild timing, or too
// few notes to tell); errors from Find wrap it.
var ErrNoGrid = errors.New("grid: no beat grid found")

// Limits, so that a huge or hostile input costs bounded time and memory.
const (
	maxOnsets = 1 << 16 // onsets looked at (the first ones in time)
	maxBeats  = 1 << 15 // beats of a grid: over 2 hours at 240 BPM
	minOnsets = 8       // fewer do not show a grid
	// minConfidence is the least fit (see fit) that counts as a grid: onsets at random give
	// about 0, played-in songs 0.8 to 1.
	minConfidence = 0.35
)

// Step returns the 16th step of time sec: 4 steps a beat, step 0 at the first downbeat, between
// beats by linear interpolation, before the first and after the last beat at the nearest
// beat's pace.
func (g Grid) Step(sec float64) float64 {
	if len(g.Beats) < 2 {
		return math.NaN()
	}
	return 4 * (toBeats(g.Beats, sec) - float64(g.First))
}

// Downbeats returns the times of the grid's bar lines: every 4th beat from First, and the bar
// lines before First where beats are there.
func (g Grid) Downbeats() []float64 {
	var out []float64
	for i := g.First % 4; i < len(g.Beats); i += 4 {
		out = append(out, g.Beats[i])
	}
	return out
}

// Find finds the grid of onsets (in any order; all tracks may be given). The hint's tempo is
// kept where the onsets sit on its 16ths (or on triplets of its beat: a swing or 12/8 feel),
// else the tempo nearest it whose 16ths the onsets fit about as well as any; the phase of the
// grid follows the onsets beat by beat, so that a drifting tempo is followed; which 16th is
// the beat, and which beat starts the bar, is where long notes, low notes and changes of
// harmony fall most, as a 4/4 bar weighs its 16ths. With too few onsets or no steady grid the
// error wraps ErrNoGrid; a bad hint gives another error.
func Find(onsets []Onset, hint Hint) (Grid, error) {
	prior, err := priorBeats(hint)
	if err != nil {
		return Grid{}, err
	}
	ons := sorted(onsets)
	if len(ons) < minOnsets {
		return Grid{}, fmt.Errorf("%w: %d notes, too few to tell a beat", ErrNoGrid, len(ons))
	}
	// u: onset times in the hint's beats; w: how much each onset says about the grid.
	u := make([]float64, len(ons))
	w := make([]float64, len(ons))
	dur := make([]float64, len(ons))
	for i, o := range ons {
		u[i] = toBeats(prior, o.Sec)
		w[i] = weight(o)
		dur[i] = toBeats(prior, o.Sec+o.Dur) - u[i]
	}
	period, div, conf := findPeriod(u, w)
	if conf < minConfidence {
		return Grid{}, fmt.Errorf("%w: the notes do not keep to a steady beat (grid fit %.2f)", ErrNoGrid, conf)
	}
	for i := range u {
		u[i] /= period // now in the found beats
		dur[i] /= period
	}
	if span := u[len(u)-1] - u[0]; span > maxBeats-8 {
		return Grid{}, fmt.Errorf("%w: the notes span %.0f beats, more than %d", ErrNoGrid, span, maxBeats)
	}
	k0, delta := trackPhase(u, w, div)
	o := barPhase(barFeatures(ons, u, dur, k0, delta, div), div)
	// Beat k0+i of the grid lies at k0+i + (delta[i]+o%div)/div found beats: the grid of parts
	// the onsets show, moved so that a beat falls on the part where they put the beat.
	beats := make([]float64, len(delta))
	for i := range beats {
		beats[i] = fromBeats(prior, (float64(k0+i)+(delta[i]+float64(o%div))/float64(div))*period)
	}
	if !increasing(beats) {
		return Grid{}, fmt.Errorf("%w: the beat found runs backwards", ErrNoGrid)
	}
	// The first downbeat: the first beat k with k ≡ o/div (mod 4).
	first := ((o/div-k0)%4 + 4) % 4
	return Grid{Beats: beats, First: first, Confidence: conf}, nil
}

// priorBeats checks the hint's beats, or makes 120 BPM ones.
func priorBeats(h Hint) ([]float64, error) {
	if h.Beats == nil {
		return []float64{0, 0.5}, nil
	}
	if len(h.Beats) < 2 {
		return nil, fmt.Errorf("grid: hint has %d beats, want at least 2", len(h.Beats))
	}
	for i, b := range h.Beats {
		if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && !(b > h.Beats[i-1])) {
			return nil, fmt.Errorf("grid: hint beat %d (%v s) does not come after the one before", i, b)
		}
	}
	return h.Beats, nil
}

// sorted returns the usable onsets (finite times) by time, at most maxOnsets of them.
func sorted(onsets []Onset) []Onset {
	out := make([]Onset, 0, min(len(onsets), maxOnsets))
	for _, o := range onsets {
		if !math.IsNaN(o.Sec) && !math.IsInf(o.Sec, 0) && math.Abs(o.Sec) < 1e6 {
			if math.IsNaN(o.Dur) || o.Dur < 0 || o.Dur > 1e6 {
				o.Dur = 0
			}
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sec < out[j].Sec })
	return out[:min(len(out), maxOnsets)]
}

func weight(o Onset) float64 {
	v := float64(o.Velocity)
	if v <= 0 || v > 127 {
		v = 64
	}
	return 0.5 + v/127
}

// toBeats maps seconds to beats of prior (at the pace of the nearest beats outside it).
func toBeats(prior []float64, sec float64) float64 {
	n := len(prior)
	i := sort.SearchFloat64s(prior, sec) // prior[i-1] < sec <= prior[i]
	i = min(max(i, 1), n-1)
	t0, t1 := prior[i-1], prior[i]
	return float64(i-1) + (sec-t0)/(t1-t0)
}

// fromBeats is the inverse of toBeats.
func fromBeats(prior []float64, beat float64) float64 {
	n := len(prior)
	i := int(math.Floor(beat))
	i = min(max(i, 0), n-2)
	t0, t1 := prior[i], prior[i+1]
	return t0 + (beat-float64(i))*(t1-t0)
}

func increasing(x []float64) bool {
	for i := 1; i < len(x); i++ {
		if !(x[i] > x[i-1]) {
			return false
		}
	}
	return true
}
