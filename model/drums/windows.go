package drums

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
)

// WindowHop is the training windows' hop: 2-bar windows taken every bar, as MusicVAE does.
const WindowHop = StepsPerBar

// Windows cuts p into windows of WindowSteps steps starting every hop steps, and drops the
// windows with no hit. A pattern shorter than a window gives none. The windows are copies (in
// one allocation), so they do not change with p.
func Windows(p Pattern, hop int) []Pattern {
	if hop <= 0 || len(p) < WindowSteps {
		return nil
	}
	n := (len(p)-WindowSteps)/hop + 1
	backing := make(Pattern, 0, n*WindowSteps)
	out := make([]Pattern, 0, n)
	for i := 0; i+WindowSteps <= len(p); i += hop {
		w := p[i : i+WindowSteps]
		if w.Hits() == 0 {
			continue
		}
		start := len(backing)
		backing = append(backing, w...)
		out = append(out, backing[start:len(backing):len(backing)])
	}
	return out
}

// Groove MIDI Dataset splits, as its info.csv names them.
var grooveSplits = []string{"train", "validation", "test"}

// Dataset is the training windows of a split of the Groove MIDI Dataset, in the order of its
// info.csv, with counts that describe them.
type Dataset struct {
	Dir, Split string
	Files      int       // MIDI files read
	Windows    []Pattern // WindowSteps each, every WindowHop steps
	Skipped    []string  // files of the split left out ("file: reason"), such as meters other than 4/4
	Stats      Stats
}

// Stats counts what the windows hold.
type Stats struct {
	Steps, Hits int
	ClassSteps  [NumClasses]int // steps on which each class sounds
	Loose       int             // hits more than a quarter step off their step (|Offset| > 0.25)
}

// Add counts the steps and hits of p.
func (s *Stats) Add(p Pattern) {
	s.Steps += len(p)
	for _, st := range p {
		for c, v := range st.Velocity {
			if v == 0 {
				continue
			}
			s.Hits++
			s.ClassSteps[c]++
			if o := st.Offset[c]; o > 0.25 || o < -0.25 {
				s.Loose++
			}
		}
	}
}

// String gives the share of steps with each class and the share of loose hits.
func (s Stats) String() string {
	var b bytes.Buffer
	share := func(n, of int) float64 { return 100 * float64(n) / float64(max(of, 1)) }
	fmt.Fprintf(&b, "%d hits on %d steps; steps with", s.Hits, s.Steps)
	for c, n := range s.ClassSteps {
		fmt.Fprintf(&b, " %s %.1f%%", Class(c), share(n, s.Steps))
		if c < NumClasses-1 {
			b.WriteByte(',')
		}
	}
	fmt.Fprintf(&b, "; %.1f%% of hits over a quarter step off the grid", share(s.Loose, s.Hits))
	return b.String()
}

// String describes the dataset in one line, for logs and checkpoint metadata.
func (d *Dataset) String() string {
	return fmt.Sprintf("%s %s: %d files, %d windows of %d steps every %d, %d files skipped",
		d.Dir, d.Split, d.Files, len(d.Windows), WindowSteps, WindowHop, len(d.Skipped))
}

// LoadGroove reads the split (train, validation or test) of the Groove MIDI Dataset in dir, as
// its dir/info.csv lists it, keeps the files in 4/4 (beats and fills alike) and cuts each into
// windows with Windows(p, WindowHop). Files in other meters are listed in Skipped, as are files
// without a drum part; any other error stops the load and names the file. Files are read in
// parallel; the result does not depend on it.
func LoadGroove(dir, split string) (*Dataset, error) {
	if !slices.Contains(grooveSplits, split) {
		return nil, fmt.Errorf("drums: no split %q in the Groove MIDI Dataset: use train, validation or test", split)
	}
	f, err := os.Open(filepath.Join(dir, "info.csv"))
	if err != nil {
		return nil, fmt.Errorf("drums: %w", err)
	}
	defer f.Close()
	rows, err := grooveRows(f, split)
	if err != nil {
		return nil, fmt.Errorf("drums: %s: %w", f.Name(), err)
	}

	d := &Dataset{Dir: dir, Split: split}
	var names []string
	for _, r := range rows {
		if r.meter != "4-4" {
			d.Skipped = append(d.Skipped, fmt.Sprintf("%s: time signature %s, not 4-4", r.file, r.meter))
			continue
		}
		names = append(names, r.file)
	}
	windows := make([][]Pattern, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := range next {
				im, err := readFile(filepath.Join(dir, filepath.FromSlash(names[i])))
				if err == nil {
					windows[i] = Windows(im.Pattern, WindowHop)
				}
				errs[i] = err
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) && fe.Kind == NoDrums {
				d.Skipped = append(d.Skipped, names[i]+": "+fe.Msg)
				continue
			}
			return nil, fmt.Errorf("drums: %s: %w", filepath.Join(dir, names[i]), err)
		}
		d.Files++
		d.Windows = append(d.Windows, windows[i]...)
	}
	for _, w := range d.Windows {
		d.Stats.Add(w)
	}
	return d, nil
}

func readFile(path string) (*Import, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadMIDI(f)
}

type grooveRow struct{ file, meter string }

// grooveRows returns the MIDI file and time signature of each row of info.csv in split, finding
// the columns by their header.
func grooveRows(r io.Reader, split string) ([]grooveRow, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("no header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, need := range []string{"midi_filename", "time_signature", "split"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("no %s column (the header is %v)", need, head)
		}
	}
	var rows []grooveRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if rec[col["split"]] == split {
			rows = append(rows, grooveRow{file: rec[col["midi_filename"]], meter: rec[col["time_signature"]]})
		}
	}
}
