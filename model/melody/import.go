package melody

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/latentpalette/palette/model/grid"
)

// Imported is what Import makes of a MIDI file: the melody, where it came from, and what the
// reader did that the user may want to know.
type Imported struct {
	Segments  []Melody // as ReadMIDI returns them
	Track     int      // the melody's track (1-based) and channel (1..16)
	Channel   int
	TrackName string     // the track's name, if it has one
	Grid      *grid.Grid // the beat grid found in the playing, nil if the file's own grid was used
	Notices   []Notice
}

// NoticeKind says what a Notice is about.
type NoticeKind int

const (
	FoundGrid NoticeKind = iota + 1 // the notes were off the file's grid: quantized on the beat found in them
	OwnTempo                        // no steady beat found: quantized on the file's own tempo, as notated
)

// Notice is something the reader did with a file it could read, in one line for the user.
type Notice struct {
	Kind NoticeKind
	Msg  string
}

func (n Notice) String() string { return n.Msg }

// Import reads a MIDI file as ReadMIDI does, and says how. A file whose notes sit on its own
// 16th grid (written by notation software, a sequencer, or this app) is read on that grid,
// bar 1 at its start. A file played in, whose notes fall off that grid, is read on the beat
// grid that grid.Find finds in the notes of all its tracks (tempo, phase and downbeat), with a
// FoundGrid notice; if no steady beat is found, it is read on the file's own grid with an
// OwnTempo notice.
func Import(r io.Reader) (Imported, error) {
	t, err := readTune(r)
	if err != nil {
		return Imported{}, err
	}
	var imp Imported
	if !t.onTickGrid() {
		imp.Grid, imp.Notices = t.useFoundGrid()
	}
	segs, v, err := t.segmentsOf()
	if err != nil {
		return Imported{}, err
	}
	imp.Segments, imp.Track, imp.Channel, imp.TrackName = segs, v.track+1, v.channel+1, t.names[v.track]
	return imp, nil
}

// onTickGrid reports whether the file's onsets (all voices) sit on its own tick grid: at least
// onGridShare of them within a 96th of a quarter note of a 16th, a 32nd or a 16th triplet, and
// no shift of the 16th grid holding more of them than the file's own. (A recording quantized
// on a 16th grid of its own, at some phase of the file's, is not on the file's grid.)
func (t *tune) onTickGrid() bool {
	tpq := int64(t.tpq)
	// r(tick, div) is tick·div mod tpq, in ticks·div: 0 on a line of tpq/div ticks.
	dist := func(tick, div int64) int64 {
		r := (tick*div%tpq + tpq) % tpq
		return min(r, tpq-r)
	}
	const shifts = 24 // phases of the 16th grid tried, a 96th of a quarter apart
	var atShift [shifts]int
	n, on := 0, 0
	for _, v := range t.voices {
		for _, x := range v.notes {
			n++
			if dist(x.start, 4)*96 <= tpq*4 || dist(x.start, 8)*96 <= tpq*8 || dist(x.start, 6)*96 <= tpq*6 {
				on++
			}
			// which shift of the 16th grid the onset is nearest, in 24ths of a 16th
			r := (x.start*4%tpq + tpq) % tpq
			atShift[(r*shifts*2/tpq+1)/2%shifts]++
		}
	}
	if float64(on) < onGridShare*float64(n) {
		return false
	}
	for _, c := range atShift[1:] {
		if c > atShift[0] {
			return false
		}
	}
	return true
}

// onGridShare is the least share of onsets on the tick grid of a file on its grid.
const onGridShare = 0.9

// onsets returns the notes of every voice as played, in seconds.
func (t *tune) onsets() []grid.Onset {
	var out []grid.Onset
	for i, v := range t.voices {
		for _, x := range v.notes {
			s := t.seconds(x.start)
			out = append(out, grid.Onset{Sec: s, Dur: t.seconds(x.end) - s, Pitch: x.pitch, Velocity: int(x.vel), Voice: i})
		}
	}
	return out
}

// ownBeats returns the times of the file's quarter notes from tick 0 to just past the last
// note, at most maxBeats-ish of them (a hostile file can announce far more).
func (t *tune) ownBeats() []float64 {
	var last int64
	for _, v := range t.voices {
		for _, x := range v.notes {
			last = max(last, x.end)
		}
	}
	n := min(last/int64(t.tpq)+2, maxGridBeats)
	beats := make([]float64, n)
	for k := range beats {
		beats[k] = t.seconds(int64(k) * int64(t.tpq))
	}
	return beats
}

// maxGridBeats bounds the file's own beats given to grid.Find (as maxSteps bounds the melody).
const maxGridBeats = maxSteps / StepsPerQuarter

// useFoundGrid finds the beat grid of the playing and quantizes on it; with none found, it
// leaves the file's own grid. Either way it says what it did.
func (t *tune) useFoundGrid() (*grid.Grid, []Notice) {
	sort.SliceStable(t.tempos, func(i, j int) bool { return t.tempos[i].tick < t.tempos[j].tick })
	g, err := grid.Find(t.onsets(), grid.Hint{Beats: t.ownBeats()})
	if err != nil {
		msg := err.Error()
		if errors.Is(err, grid.ErrNoGrid) {
			msg = "the notes keep to no steady beat"
		}
		return nil, []Notice{{OwnTempo, fmt.Sprintf("the notes are off the file's 16th-note grid and %s: quantized on the file's own tempo, so notes may land a 16th early or late; check the result", msg)}}
	}
	t.grid = func(tick int64) int64 { // clamped, so that a note far out is too long a melody, not an overflow
		return int64(min(max(math.Floor(g.Step(t.seconds(tick))+0.5), -1<<40), 1<<40))
	}
	bpm := 0.0
	if i := g.First; i+1 < len(g.Beats) {
		bpm = 60 / (g.Beats[i+1] - g.Beats[i])
	}
	first := 0.0
	if g.First < len(g.Beats) {
		first = g.Beats[g.First]
	}
	return &g, []Notice{{FoundGrid, fmt.Sprintf("the notes are off the file's 16th-note grid (played in?): quantized on the beat found in them, about %.0f BPM, bar 1 at %.2f s (fit %.2f)", bpm, first, g.Confidence)}}
}
