package melody

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// The training windows: 2 bars taken every bar, whatever the meter (as Magenta's MusicVAE does),
// and the transpositions added for training.
const (
	WindowHop    = StepsPerBar
	MaxTranspose = 5 // training adds every shift in -MaxTranspose..MaxTranspose that stays in range
)

// Windows cuts each segment into windows of size steps starting every hop steps, and drops the
// windows with no note-on. A segment shorter than size gives none. Each window is a copy that
// stands on its own: the steps before its first note-on are rests (NoEvent), so a note held
// from before the window is dropped rather than continued, as in Magenta's slicing.
func Windows(segments []Melody, size, hop int) []Melody {
	if size <= 0 || hop <= 0 {
		return nil
	}
	n := 0
	for _, s := range segments {
		if len(s) >= size {
			n += (len(s)-size)/hop + 1
		}
	}
	backing := make([]int, 0, n*size) // one allocation for all windows
	out := make([]Melody, 0, n)
	for _, s := range segments {
		for i := 0; i+size <= len(s); i += hop {
			w := s[i : i+size]
			if !w.HasNote() {
				continue
			}
			start := len(backing)
			backing = append(backing, w...)
			win := Melody(backing[start:len(backing):len(backing)])
			win.trimLead()
			out = append(out, win)
		}
	}
	return out
}

// BarCount is the number of 16-step bars in segments laid end to end (a last partial bar
// counts as one): the bars WindowAt accepts are 0..BarCount-1. Bars are counted in steps of
// the 16th grid, not by the file's own meter, and the rests of a bar or more that ReadMIDI
// cuts out between segments are not counted.
func BarCount(segments []Melody) int {
	n := 0
	for _, s := range segments {
		n += len(s)
	}
	return (n + StepsPerBar - 1) / StepsPerBar
}

// WindowAt returns the 2-bar window (WindowSteps) that starts at bar (0-based) of segments laid
// end to end with Concat, as counted by BarCount. Past the end the window is padded with rests,
// so the last bar can be chosen too; like the windows of Windows, it starts with rests up to
// its first note-on. It may hold no note at all if those bars are silent in the file.
func WindowAt(segments []Melody, bar int) (Melody, error) {
	bars := BarCount(segments)
	if bars == 0 {
		return nil, errors.New("melody: no bars to choose from: the melody is empty")
	}
	if bar < 0 || bar >= bars {
		return nil, fmt.Errorf("melody: bar %d is out of range: the melody has %d bars, numbered 0..%d", bar, bars, bars-1)
	}
	all := Concat(segments...)
	w := make(Melody, WindowSteps)
	copy(w, all[bar*StepsPerBar:])
	w.trimLead()
	return w, nil
}

// Dataset is the windows of a folder of MIDI files, in a fixed order: files sorted by name,
// then segments, then windows, then (with transposition) shifts from -MaxTranspose up.
type Dataset struct {
	Dir        string
	Tunes      int      // files read
	Segments   int      // melody segments found in them
	Windows    []Melody // WindowSteps each
	Transposed bool
	Skipped    []string // files without a usable melody ("name: reason"): no notes, drums only, out of range
}

// String describes the dataset in one line, for logs and checkpoint metadata.
func (d *Dataset) String() string {
	tr := "no transposition"
	if d.Transposed {
		tr = fmt.Sprintf("transposed by -%d..+%d", MaxTranspose, MaxTranspose)
	}
	return fmt.Sprintf("%s: %d tunes, %d segments, %d windows of %d steps every %d (%s), %d files skipped",
		d.Dir, d.Tunes, d.Segments, len(d.Windows), WindowSteps, WindowHop, tr, len(d.Skipped))
}

// LoadWindows returns the training windows of every .mid file in dir; see LoadDataset.
func LoadWindows(dir string, transpose bool) ([]Melody, error) {
	d, err := LoadDataset(dir, transpose)
	if err != nil {
		return nil, err
	}
	return d.Windows, nil
}

// LoadDataset reads every .mid (or .midi) file in dir (not its subfolders) with ReadMIDI (or,
// where NAME.beats.txt lies beside NAME.mid, as POP909 has it, with ReadAlignedMIDI on those
// beats and the track named MELODY) and cuts the melodies into windows of WindowSteps every WindowHop steps. With transpose, each
// window is followed by its shifts by -MaxTranspose..+MaxTranspose semitones (0 included) that
// keep every note in range, in that order. Files without a usable melody (no notes, drums only,
// chords only, notes out of range, no note in any window) are listed in Skipped; any other
// error stops the load and names the file. Files are parsed in parallel; the result does not
// depend on it.
func LoadDataset(dir string, transpose bool) (*Dataset, error) {
	return LoadDatasetWith(dir, DatasetOptions{Transpose: transpose})
}

// DatasetOptions say how LoadDatasetWith reads a folder.
type DatasetOptions struct {
	Transpose bool // add the transpositions, as LoadDataset's transpose
	// IgnoreBeats reads every file as a user's file (Import: the beat grid found in the notes),
	// even where a beats file lies beside it: to measure what the grid finder does to a model.
	IgnoreBeats bool
}

// LoadDatasetWith is LoadDataset with options.
func LoadDatasetWith(dir string, opt DatasetOptions) (*Dataset, error) {
	transpose := opt.Transpose
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("melody: %w", err)
	}
	var names []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".mid" || ext == ".midi") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("melody: no .mid files in %s", dir)
	}

	type result struct {
		segs    []Melody
		windows []Melody
		err     error
	}
	results := make([]result, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &results[i]
				path := filepath.Join(dir, names[i])
				data, err := os.ReadFile(path)
				if err == nil {
					if beats, berr := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".beats.txt"); berr == nil && !opt.IgnoreBeats {
						r.segs, err = readAligned(data, beats) // a recording with its beats (POP909)
					} else {
						r.segs, err = ReadMIDI(bytes.NewReader(data))
					}
				}
				r.err = err
				if err == nil {
					r.windows = Windows(r.segs, WindowSteps, WindowHop)
					if len(r.windows) == 0 {
						r.err = formatErr(NoWindows, "no notes in any %d-bar window: the melody's parts are each shorter than %d bars", WindowSteps/StepsPerBar, WindowSteps/StepsPerBar)
					}
					if transpose {
						r.windows = transposed(r.windows)
					}
				}
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()

	d := &Dataset{Dir: dir, Transposed: transpose}
	n := 0
	for i, r := range results {
		if r.err != nil {
			var fe *FormatError
			if errors.As(r.err, &fe) && skippable(fe.Kind) {
				d.Skipped = append(d.Skipped, names[i]+": "+fe.Msg)
				continue
			}
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, names[i]), r.err)
		}
		d.Tunes++
		d.Segments += len(r.segs)
		n += len(r.windows)
	}
	d.Windows = make([]Melody, 0, n)
	for _, r := range results {
		d.Windows = append(d.Windows, r.windows...)
	}
	return d, nil
}

// skippable reports whether a file with that error is skipped by LoadDataset: it is a MIDI
// file, only without a usable melody.
func skippable(k ErrorKind) bool {
	switch k {
	case NoNotes, DrumsOnly, ChordsOnly, PitchOutOfRange, NoWindows:
		return true
	}
	return false
}

// transposed returns each window followed by its shifts by -MaxTranspose..+MaxTranspose that
// stay in range, in one allocation.
func transposed(ws []Melody) []Melody {
	const keys = 2*MaxTranspose + 1
	out := make([]Melody, 0, keys*len(ws))
	backing := make([]int, 0, keys*len(ws)*WindowSteps)
	for _, w := range ws {
		lo, hi := MaxPitch, MinPitch // the window's range
		for _, e := range w {
			if p, ok := Pitch(e); ok {
				lo, hi = min(lo, p), max(hi, p)
			}
		}
		for k := -MaxTranspose; k <= MaxTranspose; k++ {
			if lo+k < MinPitch || hi+k > MaxPitch {
				continue
			}
			start := len(backing)
			for _, e := range w {
				if e >= 2 {
					e += k
				}
				backing = append(backing, e)
			}
			out = append(out, Melody(backing[start:len(backing):len(backing)]))
		}
	}
	return out
}
