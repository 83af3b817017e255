package melody

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/latentpalette/palette/model/grid"
)

// Beats is a recording's beat grid, as POP909 gives it beside each song (NNN.beats.txt): the time
// of every beat in seconds, and which beats begin a bar.
type Beats struct {
	Times    []float64 // increasing
	Downbeat []bool
}

// maxBeats bounds a beats file: a 3-hour recording at 300 BPM.
const maxBeats = 60000

// ReadBeats reads a beats file: one row per beat, "time beat13 downbeat" (POP909's layout: the
// time in seconds, then 1 on beats 1 and 3 else 0, then 1 on downbeats else 0).
func ReadBeats(r io.Reader) (Beats, error) {
	var b Beats
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 {
			return Beats{}, fmt.Errorf("beats line %d: %d fields, want time, beat and downbeat", line, len(f))
		}
		t, err1 := strconv.ParseFloat(f[0], 64)
		d, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			return Beats{}, fmt.Errorf("beats line %d: %q is not a time and a downbeat flag", line, sc.Text())
		}
		if n := len(b.Times); n > 0 && t <= b.Times[n-1] {
			return Beats{}, fmt.Errorf("beats line %d: time %v does not come after %v", line, t, b.Times[n-1])
		}
		if len(b.Times) == maxBeats {
			return Beats{}, fmt.Errorf("beats file has over %d beats", maxBeats)
		}
		b.Times = append(b.Times, t)
		b.Downbeat = append(b.Downbeat, d != 0)
	}
	if err := sc.Err(); err != nil {
		return Beats{}, fmt.Errorf("beats: %w", err)
	}
	if len(b.Times) < 2 {
		return Beats{}, fmt.Errorf("beats file has %d beats, want at least 2", len(b.Times))
	}
	return b, nil
}

// step returns the 16th step of time sec on the grid: 4 steps a beat from the first downbeat
// (step 0), between beats by linear interpolation, before the first and after the last beat at
// the nearest beat's pace.
func (b Beats) step(sec float64) int64 {
	first := 0
	for i, d := range b.Downbeat {
		if d {
			first = i
			break
		}
	}
	return int64(math.Round(grid.Grid{Beats: b.Times, First: first}.Step(sec)))
}

// ReadAlignedMIDI reads the melody of a recorded MIDI file whose beats are known (POP909's
// layout): the notes of the track named track are put on the 16th grid of beats, bar 0 starting
// at the first downbeat, and cut into segments as ReadMIDI does.
func ReadAlignedMIDI(r io.Reader, beats Beats, track string) ([]Melody, error) {
	t, err := readTune(r)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(t.tempos, func(i, j int) bool { return t.tempos[i].tick < t.tempos[j].tick })
	t.grid = func(tick int64) int64 { return beats.step(t.seconds(tick)) }
	t.only = track
	segs, err := t.segments()
	if err != nil {
		return nil, err
	}
	// Notes before the first downbeat fall on negative steps: segments start on bar lines of the
	// grid, so those are whole bars before bar 0, and nothing is lost.
	return segs, nil
}

// readAligned is ReadAlignedMIDI over the bytes of a MIDI file and of its beats file.
func readAligned(mid, beats []byte) ([]Melody, error) {
	b, err := ReadBeats(bytes.NewReader(beats))
	if err != nil {
		return nil, err
	}
	return ReadAlignedMIDI(bytes.NewReader(mid), b, "MELODY")
}
