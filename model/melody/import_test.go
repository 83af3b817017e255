package melody

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitlab.com/gomidi/midi/v2/smf"
)

// playedNote is a note of a performance, in beats of the performance.
type playedNote struct {
	track       int
	pitch       uint8
	beat, beats float64
}

// playedIn writes a performance as a recording stores it: tpq 480 at the file's default 120 BPM,
// notes at the ticks of their times in seconds (beat period seconds a beat, the first beat at
// phase seconds) with jitter seconds of timing noise. Track 0 is named name, track 1 "Band".
func playedIn(t *testing.T, name string, notes []playedNote, period, phase, jitter float64) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 10))
	tick := func(sec float64) uint32 { return uint32(max(0, math.Round(sec/0.5*480))) }
	evs := make([][][]ev, 2)
	for _, n := range notes {
		at := phase + n.beat*period + jitter*rng.NormFloat64()
		evs[n.track] = append(evs[n.track], note(uint8(n.track), n.pitch, tick(at), tick(at+n.beats*period*0.9)))
	}
	named := func(name string, tr smf.Track) smf.Track {
		return append(smf.Track{{Delta: 0, Message: smf.MetaTrackSequenceName(name)}}, tr...)
	}
	return smfBytes(t, 1, 480, named(name, track(evs[0]...)), named("Band", track(evs[1]...)))
}

// song is 8 bars of a tune over bass and chords, bar 0 starting at beat 1 (a pickup beat first).
func song() []playedNote {
	var ns []playedNote
	ns = append(ns, playedNote{0, 67, 0, 1}) // the pickup
	roots := []uint8{36, 43, 45, 41}
	for bar := range 8 {
		b := 1 + 4*float64(bar)
		r := roots[bar%4]
		for _, h := range []float64{0, 2} {
			ns = append(ns, playedNote{1, r, b + h, 2})
			for _, iv := range []uint8{24, 28, 31} {
				ns = append(ns, playedNote{1, r + iv, b + h, 2})
			}
		}
		for i, s := range []float64{0, 1, 1.5, 2, 2.75, 3} {
			ns = append(ns, playedNote{0, 72 + uint8(i%3)*2, b + s, 0.5})
		}
	}
	return ns
}

func TestImportPlayedIn(t *testing.T) {
	mid := playedIn(t, "Lead Vocal", song(), 0.55, 0.37, 0.01) // 109 BPM, the first beat 0.37 s in
	imp, err := Import(bytes.NewReader(mid))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Grid == nil || len(imp.Notices) != 1 || imp.Notices[0].Kind != FoundGrid || !strings.Contains(imp.Notices[0].Msg, "BPM, bar 1 at 0.92 s") {
		t.Fatalf("grid %v, notices %v; want a found grid, bar 1 at 0.92 s, and a FoundGrid notice", imp.Grid != nil, imp.Notices)
	}
	if p := imp.Grid.Beats[10] - imp.Grid.Beats[9]; math.Abs(p-0.55) > 0.01 {
		t.Errorf("a beat of %.3f s, want 0.55", p)
	}
	if imp.Track != 1 || imp.TrackName != "Lead Vocal" {
		t.Errorf("melody from track %d (%q), want track 1, Lead Vocal", imp.Track, imp.TrackName)
	}
	// The pickup is the last beat of a bar before bar 0; each bar's tune starts on its bar line.
	all := Concat(imp.Segments...)
	var onsets []int
	for _, n := range all.Notes() {
		onsets = append(onsets, n.Start)
	}
	want := []int{12}
	for bar := range 8 {
		for _, s := range []int{0, 4, 6, 8, 11, 12} {
			want = append(want, 16*(bar+1)+s)
		}
	}
	if fmt.Sprint(onsets) != fmt.Sprint(want) {
		t.Errorf("onsets at steps\n%v, want\n%v", onsets, want)
	}
	// ReadMIDI gives the same segments.
	segs, err := ReadMIDI(bytes.NewReader(mid))
	if err != nil || !equalMelodies(segs, imp.Segments) {
		t.Errorf("ReadMIDI: %v, %v; want Import's segments", segs, err)
	}
}

// A file on its own grid is read on it, as ReadMIDI always read it, with nothing to say.
func TestImportOnGrid(t *testing.T) {
	m := padBar(Melody{NoteOn(60), 0, NoteOn(64), NoteOff, 0, 0, NoteOn(67), 0, 0, 0, 0, 0, NoteOn(72)})
	var b bytes.Buffer
	if err := WriteMIDI(&b, Concat(m, m, m), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	imp, err := Import(&b)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Grid != nil || len(imp.Notices) != 0 || !equalMelodies(imp.Segments, []Melody{Concat(m, m, m)}) {
		t.Errorf("grid %v, notices %v, segments %v; want the file's own grid", imp.Grid, imp.Notices, imp.Segments)
	}
}

// Free timing: no grid is found, the file's own is used, and the notice says so.
func TestImportWildTiming(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var notes [][]ev
	at := uint32(0)
	for range 60 {
		at += 37 + uint32(rng.IntN(400))
		notes = append(notes, note(0, uint8(60+rng.IntN(12)), at, at+30))
	}
	mid := smfBytes(t, 0, 480, track(notes...))
	imp, err := Import(bytes.NewReader(mid))
	if err != nil {
		t.Fatal(err)
	}
	if imp.Grid != nil || len(imp.Notices) != 1 || imp.Notices[0].Kind != OwnTempo || !strings.Contains(imp.Notices[0].String(), "own tempo") {
		t.Fatalf("grid %v, notices %v; want an OwnTempo notice", imp.Grid, imp.Notices)
	}
	tn, _ := decodeSMF(mid)
	if want, _ := tn.segments(); !equalMelodies(imp.Segments, want) {
		t.Error("not read on the file's own grid")
	}
}

// Files with no usable melody say which.
func TestImportNoMelody(t *testing.T) {
	var chords, thirds [][]ev
	for i := range uint32(8) {
		for _, p := range []uint8{48, 52, 55} {
			chords = append(chords, note(0, p, i*480, i*480+480))
		}
		for _, p := range []uint8{64, 67} {
			thirds = append(thirds, note(1, p, i*480, i*480+480))
		}
	}
	drums := [][]ev{note(9, 36, 0, 120), note(9, 38, 480, 600)}
	tests := []struct {
		name string
		file []byte
		kind ErrorKind
		msg  string
	}{
		{"chords only", smfBytes(t, 1, 480, track(chords...), track(drums...)), ChordsOnly, "only chords"},
		{"drums only", smfBytes(t, 0, 480, track(drums...)), DrumsOnly, "only drum notes (channel 10)"},
	}
	for _, tt := range tests {
		_, err := Import(bytes.NewReader(tt.file))
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Kind != tt.kind || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want a %v error saying %q", tt.name, err, tt.kind, tt.msg)
		}
	}
	// Chords beside a line in double stops: the line's top is the melody.
	if _, err := Import(bytes.NewReader(smfBytes(t, 1, 480, track(chords...), track(thirds...)))); err != nil {
		t.Errorf("chords and thirds: %v", err)
	}
}

// A track named as a melody wins over a busier line.
func TestImportPrefersNamedMelody(t *testing.T) {
	var busy, tune [][]ev
	for i := range uint32(16) {
		busy = append(busy, note(1, 50, i*120, i*120+100))
	}
	for i := range uint32(4) {
		tune = append(tune, note(0, 72, i*480, i*480+400))
	}
	vocal := append(smf.Track{{Delta: 0, Message: smf.MetaTrackSequenceName("Vocal")}}, track(tune...)...)
	imp, err := Import(bytes.NewReader(smfBytes(t, 1, 480, track(busy...), vocal)))
	if err != nil {
		t.Fatal(err)
	}
	if imp.TrackName != "Vocal" || imp.Track != 2 {
		t.Errorf("picked track %d %q, want 2 Vocal", imp.Track, imp.TrackName)
	}
}

// A data set's file whose melody fills no 2-bar window is skipped, saying so; IgnoreBeats reads a
// file with a beats file as a user's file.
func TestLoadDatasetNoWindowsAndBeats(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	if err := WriteMIDI(&b, padBar(Melody{NoteOn(60), 0, NoteOff}), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "short.mid"), b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "song.mid"), playedIn(t, "MELODY", song(), 0.55, 0.37, 0.01), 0o644)
	var rows strings.Builder
	for k := range 40 { // the song's true beats, but bar lines a beat late
		fmt.Fprintf(&rows, "%.3f %d.0 %d.0\n", 0.37+float64(k)*0.55, 1-k%2, btoi(k%4 == 2))
	}
	os.WriteFile(filepath.Join(dir, "song.beats.txt"), []byte(rows.String()), 0o644)
	withBeats, err := LoadDataset(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(withBeats.Skipped) != 1 || !strings.Contains(withBeats.Skipped[0], "short.mid: no notes in any 2-bar window") {
		t.Errorf("skipped %q, want short.mid for no window", withBeats.Skipped)
	}
	without, err := LoadDatasetWith(dir, DatasetOptions{IgnoreBeats: true})
	if err != nil {
		t.Fatal(err)
	}
	if without.Tunes != 1 || len(without.Windows) == 0 || equalMelodies(without.Windows, withBeats.Windows) {
		t.Errorf("IgnoreBeats: %s; want the song read on its own, and not as its beats file has it", without)
	}
}
