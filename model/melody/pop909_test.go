package melody

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/grid"
)

// gridScore is how the grids found in songs without their beats files agree with those files,
// at one tolerance.
type gridScore struct {
	songs, songsMatched int // songs; songs whose bar lines match (see barMatchShare)
	beats, beatsMatched int // reference beats; those with a found beat within the tolerance
	downs, downsMatched int // reference downbeats; those with a found downbeat within it
}

// barMatchShare is the share of a song's reference downbeats that must have a found downbeat
// within the tolerance for the song's bar lines to count as matching: most of the song.
const barMatchShare = 0.5

// add scores one song: ref against the found grid g, a reference beat matched where a found
// beat lies within tol of the reference beat period (1/4: a 16th; 1/8: half a 16th, the same
// step once quantized).
func (s *gridScore) add(ref Beats, g grid.Grid, tol float64) {
	eps := make([]float64, len(ref.Times))
	var downs, downEps []float64
	for i := range ref.Times {
		j := min(i+1, len(ref.Times)-1)
		eps[i] = tol * (ref.Times[j] - ref.Times[j-1])
		if ref.Downbeat[i] {
			downs, downEps = append(downs, ref.Times[i]), append(downEps, eps[i])
		}
	}
	s.songs++
	s.beats += len(ref.Times)
	s.beatsMatched += within(ref.Times, g.Beats, eps)
	m := within(downs, g.Downbeats(), downEps)
	s.downs += len(downs)
	s.downsMatched += m
	if float64(m) >= barMatchShare*float64(len(downs)) {
		s.songsMatched++
	}
}

// within counts the times of ref with a time of found (sorted) within eps[i] of them.
func within(ref, found, eps []float64) int {
	n := 0
	for i, r := range ref {
		j := sort.SearchFloat64s(found, r)
		for _, k := range []int{j - 1, j} {
			if k >= 0 && k < len(found) && math.Abs(found[k]-r) <= eps[i] {
				n++
				break
			}
		}
	}
	return n
}

func share(a, b int) float64 { return float64(a) / float64(max(b, 1)) }

// pop909Result is the measure of one split.
type pop909Result struct {
	sixteenth, half gridScore // within a 16th; within half a 16th
	own             gridScore // the file's own grid (tick 0 a bar line), within a 16th: what there was before
	songs, found    int       // songs; songs read on a found grid (the rest on their own grid)
	melody, byLine  int       // songs whose melody is the track MELODY; the same when no track had a name
}

// scorePOP909 imports every song of dir without its beats file and compares with the beats file.
func scorePOP909(t *testing.T, dir string) pop909Result {
	names, _ := filepath.Glob(filepath.Join(dir, "*.mid"))
	var r pop909Result
	for _, name := range names {
		mid, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bf, err := os.ReadFile(strings.TrimSuffix(name, ".mid") + ".beats.txt")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := ReadBeats(bytes.NewReader(bf))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		imp, err := Import(bytes.NewReader(mid))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r.songs++
		if imp.TrackName == "MELODY" {
			r.melody++
		}
		tn, err := decodeSMF(mid)
		if err != nil {
			t.Fatal(err)
		}
		names := tn.names
		tn.names = nil
		if _, v, err := tn.pick(); err == nil && names[v.track] == "MELODY" {
			r.byLine++
		}
		sort.SliceStable(tn.tempos, func(i, j int) bool { return tn.tempos[i].tick < tn.tempos[j].tick })
		own := grid.Grid{Beats: tn.ownBeats()} // bar lines every 4 quarters from tick 0
		r.own.add(ref, own, 1.0/4)
		g := own
		if imp.Grid != nil {
			g = *imp.Grid
			r.found++
		}
		r.sixteenth.add(ref, g, 1.0/4)
		r.half.add(ref, g, 1.0/8)
	}
	return r
}

// TestPOP909Grid reads POP909 songs without their beats files and measures the grids found
// against the beats files (bar lines and beats), and the melody track picked. The floors sit a
// little below what was measured, so that a regression shows. POP909_SPLIT=train measures the
// split the finder was tuned on.
func TestPOP909Grid(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 182 songs")
	}
	root := shared.Data(t, "pop909")
	floors := map[string]struct{ bars, beats float64 }{"valid": {0.68, 0.94}, "test": {0.64, 0.95}}
	splits := []string{"valid", "test"}
	if s := os.Getenv("POP909_SPLIT"); s != "" {
		splits = strings.Split(s, ",")
	}
	for _, split := range splits {
		r := scorePOP909(t, filepath.Join(root, split))
		for _, x := range []struct {
			tol string
			s   gridScore
		}{{"a 16th", r.sixteenth}, {"half a 16th", r.half}, {"a 16th, on the file's own grid", r.own}} {
			t.Logf("%s, within %s: bar lines match in %.3f of songs (%d of %d; %.3f of downbeats), beats %.3f",
				split, x.tol, share(x.s.songsMatched, x.s.songs), x.s.songsMatched, x.s.songs,
				share(x.s.downsMatched, x.s.downs), share(x.s.beatsMatched, x.s.beats))
		}
		t.Logf("%s: %d songs, %d read on a found grid; melody from the track MELODY in %.3f (%.3f by the notes alone, names ignored)",
			split, r.songs, r.found, share(r.melody, r.songs), share(r.byLine, r.songs))
		if f, ok := floors[split]; ok {
			if got := share(r.sixteenth.songsMatched, r.sixteenth.songs); got < f.bars {
				t.Errorf("%s: bar lines match in %.3f of songs, below %.2f", split, got, f.bars)
			}
			if got := share(r.sixteenth.beatsMatched, r.sixteenth.beats); got < f.beats {
				t.Errorf("%s: %.3f of beats matched, below %.2f", split, got, f.beats)
			}
			if got := share(r.melody, r.songs); got < 0.99 {
				t.Errorf("%s: the track MELODY picked in %.3f of songs", split, got)
			}
		}
	}
}
