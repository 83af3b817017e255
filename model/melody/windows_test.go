package melody

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

func TestWindows(t *testing.T) {
	c, d, e := NoteOn(60), NoteOn(62), NoteOn(64)
	seg := Melody{c, 0, 0, 0, 0, 0, d, NoteOff, 0, 0, 0, 0, e, 0, 0, 0}
	tests := []struct {
		name      string
		segs      []Melody
		size, hop int
		want      []Melody
	}{
		{"hop 4", []Melody{seg}, 8, 4, []Melody{
			{c, 0, 0, 0, 0, 0, d, NoteOff},
			{0, 0, d, NoteOff, 0, 0, 0, 0}, // starts inside c: its tail is dropped
			{0, 0, 0, 0, e, 0, 0, 0},       // starts just after d's NoteOff
		}},
		{"a window of rests only is dropped", []Melody{{c, NoteOff, 0, 0, 0, 0, 0, 0, 0, d}}, 4, 4, []Melody{{c, NoteOff, 0, 0}}},
		{"a segment shorter than a window gives none", []Melody{{c, 0, 0}, {d, 0, 0, 0}}, 4, 2, []Melody{{d, 0, 0, 0}}},
		{"bad sizes give none", []Melody{seg}, 0, 4, nil},
		{"bad hops give none", []Melody{seg}, 4, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Windows(tt.segs, tt.size, tt.hop)
			if !equalMelodies(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	// Windows are copies: changing one changes neither the segment nor another window.
	ws := Windows([]Melody{seg}, 8, 4)
	ws[0][1], ws[1][2] = e, e
	if seg[1] != 0 || ws[1][1] != 0 || seg[6] != d {
		t.Error("windows share memory with the segment or with each other")
	}
	ws[0] = append(ws[0], c)
	if ws[1][0] != 0 {
		t.Error("appending to a window overwrote the next one")
	}
}

func TestWindowsLeadingNoteOff(t *testing.T) {
	seg := Melody{NoteOn(60), 0, NoteOff, 0, NoteOn(62), 0, 0, 0}
	got := Windows([]Melody{seg}, 4, 2)
	want := []Melody{{NoteOn(60), 0, NoteOff, 0}, {0, 0, NoteOn(62), 0}, {NoteOn(62), 0, 0, 0}}
	if !equalMelodies(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWindowAtAndBarCount(t *testing.T) {
	bar := func(first int) Melody { return padBar(Melody{first, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) }
	held := append(bar(NoteOn(60)), bar(0)...) // a note held for two bars
	segs := []Melody{held, bar(NoteOn(62))}
	if n := BarCount(segs); n != 3 {
		t.Fatalf("BarCount = %d, want 3", n)
	}
	if n := BarCount([]Melody{{1, 2, 3}}); n != 1 {
		t.Errorf("BarCount of a partial bar = %d, want 1", n)
	}
	tests := []struct {
		bar  int
		want Melody
	}{
		{0, held},
		{1, append(make(Melody, StepsPerBar), bar(NoteOn(62))...)}, // the held note's tail is dropped
		{2, append(bar(NoteOn(62)), make(Melody, StepsPerBar)...)}, // the last bar, padded with rests
	}
	for _, tt := range tests {
		got, err := WindowAt(segs, tt.bar)
		if err != nil || !equal(got, tt.want) {
			t.Errorf("WindowAt(%d) = %v, %v; want %v", tt.bar, got, err, tt.want)
		}
	}
	for _, b := range []int{-1, 3, 100} {
		if _, err := WindowAt(segs, b); err == nil || !strings.Contains(err.Error(), "out of range") || !strings.Contains(err.Error(), "0..2") {
			t.Errorf("WindowAt(%d): error %v, want an out of range error naming 0..2", b, err)
		}
	}
	if _, err := WindowAt(nil, 0); err == nil {
		t.Error("WindowAt of no melody: no error")
	}
	// The window is a copy.
	w, _ := WindowAt(segs, 0)
	w[0] = NoteOff
	if segs[0][0] != NoteOn(60) {
		t.Error("WindowAt returned memory of its input")
	}
}

// writeDir writes melodies as numbered .mid files, plus files that are not read.
func writeDir(t *testing.T, ms ...Melody) string {
	dir := t.TempDir()
	for i, m := range ms {
		var b bytes.Buffer
		if err := WriteMIDI(&b, m, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, string(rune('a'+i))+".mid")
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a tune"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.mid"), 0o755)
	return dir
}

func TestLoadDataset(t *testing.T) {
	four := padBar(Melody{NoteOn(60), 0, 0, 0, NoteOn(62), 0, 0, 0})
	three := Concat(four, four, four) // 3 bars: 2 windows
	top := Concat(padBar(Melody{NoteOn(MaxPitch - 2)}), four)
	dir := writeDir(t, three, top, nil) // the empty melody makes a file with no notes: skipped
	d, err := LoadDataset(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tunes != 2 || d.Segments != 2 || len(d.Windows) != 3 || len(d.Skipped) != 1 || !strings.HasPrefix(d.Skipped[0], "c.mid: ") {
		t.Errorf("got %s, skipped %q; want 2 tunes, 2 segments, 3 windows, c.mid skipped", d, d.Skipped)
	}
	tr, err := LoadWindows(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	// 2 windows of the first file in 11 keys; the top one in -5..+2 only.
	if want := 2*11 + 8; len(tr) != want {
		t.Errorf("%d transposed windows, want %d", len(tr), want)
	}
	if p, _ := Pitch(tr[0][0]); p != 55 {
		t.Errorf("the first transposed window starts with pitch %d, want 60-5", p)
	}
	if !equal(tr[5], d.Windows[0]) {
		t.Errorf("the sixth transposed window is %v, want the window itself %v", tr[5], d.Windows[0])
	}

	if _, err := LoadWindows(t.TempDir(), false); err == nil || !strings.Contains(err.Error(), "no .mid files") {
		t.Errorf("an empty folder: %v", err)
	}
	if _, err := LoadWindows(filepath.Join(dir, "missing"), false); err == nil {
		t.Error("a missing folder: no error")
	}
	os.WriteFile(filepath.Join(dir, "d.mid"), []byte("garbage"), 0o644)
	if _, err := LoadWindows(dir, false); err == nil || !strings.Contains(err.Error(), "d.mid") || !strings.Contains(err.Error(), "not a MIDI file") {
		t.Errorf("a bad file: %v, want an error naming it", err)
	}
}

// The Nottingham splits load with sane counts, every window valid, the same every time.
func TestLoadNottingham(t *testing.T) {
	dir := shared.Data(t, "nottingham/melody")
	for _, split := range []struct {
		name  string
		tunes int
	}{{"train", 820}, {"valid", 121}, {"test", 93}} {
		d, err := LoadDataset(filepath.Join(dir, split.name), false)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(d)
		if d.Tunes != split.tunes || len(d.Skipped) != 0 {
			t.Errorf("%s: %d tunes, %d skipped; want %d and none", split.name, d.Tunes, len(d.Skipped), split.tunes)
		}
		// Tunes run from about 8 to 100 bars: some 10 to 100 windows each.
		if w := len(d.Windows); w < 10*d.Tunes || w > 100*d.Tunes {
			t.Errorf("%s: %d windows for %d tunes", split.name, w, d.Tunes)
		}
		for i, w := range d.Windows {
			if len(w) != WindowSteps || w.Validate() != nil || w[0] < 2 && w[0] != NoEvent || !w.HasNote() {
				t.Fatalf("%s: window %d is not a valid window: %v", split.name, i, w)
			}
		}
		if split.name != "test" {
			continue
		}
		tr, err := LoadDataset(filepath.Join(dir, split.name), true)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(tr)
		if n := len(tr.Windows); n < 10*len(d.Windows) || n > 11*len(d.Windows) {
			t.Errorf("%d transposed windows for %d windows", n, len(d.Windows))
		}
		again, _ := LoadWindows(filepath.Join(dir, split.name), true)
		if !equalMelodies(again, tr.Windows) {
			t.Error("two loads differ")
		}
	}
}

// The importer finds the melody beside the chord track in nottingham/full: of the file's voices it
// picks the one that shares the most notes with the melody-only file of the same name, and the
// melodies read from both files agree. A few differ in a step or two: their melody-only copies
// place some triplets a few ticks apart, enough to round to another 16th, and a couple have a
// grace note more or less.
func TestNottinghamFullFindsTheMelody(t *testing.T) {
	root := shared.Data(t, "nottingham")
	files, _ := filepath.Glob(filepath.Join(root, "full", "*", "*.mid"))
	if len(files) == 0 {
		t.Skip("no files in nottingham/full")
	}
	differ, steps, diffSteps := 0, 0, 0
	for _, full := range files {
		split := filepath.Base(filepath.Dir(full))
		a, err := os.ReadFile(full)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(root, "melody", split, filepath.Base(full)))
		if err != nil {
			t.Fatal(err)
		}
		ta, err := decodeSMF(a)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := decodeSMF(b)
		if err != nil {
			t.Fatal(err)
		}
		_, picked, err := ta.pick()
		if err != nil {
			t.Fatal(err)
		}
		if len(tb.voices) != 1 {
			t.Fatalf("%s: the melody file has %d voices", full, len(tb.voices))
		}
		melody := tb.voices[0]
		for _, v := range ta.voices {
			if shared, pickedShared := sharedNotes(ta, v, tb, melody), sharedNotes(ta, picked, tb, melody); shared > pickedShared {
				t.Errorf("%s: picked track %d channel %d (%d notes in common with the melody file), but track %d channel %d has %d",
					full, picked.track+1, picked.channel+1, pickedShared, v.track+1, v.channel+1, shared)
			}
		}
		ma, mb := Concat(readBytes(t, a)...), Concat(readBytes(t, b)...)
		steps += len(mb)
		if !equal(ma, mb) {
			differ++
			for i := range min(len(ma), len(mb)) {
				if ma[i] != mb[i] {
					diffSteps++
				}
			}
			diffSteps += max(len(ma), len(mb)) - min(len(ma), len(mb))
		}
	}
	t.Logf("%d files; quantized melodies differ in %d files, %d of %d steps", len(files), differ, diffSteps, steps)
	if differ*20 > len(files) || diffSteps*1000 > steps {
		t.Errorf("quantized melodies differ in %d of %d files, %d of %d steps; want under 5%% and 0.1%%", differ, len(files), diffSteps, steps)
	}
}

// sharedNotes counts the notes of voice a (of tune ta) with a note of the same pitch starting on
// the same 16th in voice b (of tune tb).
func sharedNotes(ta *tune, a voice, tb *tune, b voice) int {
	type key struct {
		pitch int
		step  int64
	}
	inB := map[key]bool{}
	for _, n := range b.notes {
		inB[key{n.pitch, tb.step(n.start)}] = true
	}
	count := 0
	for _, n := range a.notes {
		if inB[key{n.pitch, ta.step(n.start)}] {
			count++
		}
	}
	return count
}

// transposed agrees with Transpose, window by window.
func TestTransposedMatchesTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var segs []Melody
	for range 20 {
		segs = append(segs, randomMelody(rng))
	}
	segs = append(segs, padBar(Melody{NoteOn(MinPitch + 1), 0, NoteOn(MaxPitch - 2)}))
	ws := Windows(segs, WindowSteps, WindowHop)
	var want []Melody
	for _, w := range ws {
		for k := -MaxTranspose; k <= MaxTranspose; k++ {
			if tw, ok := w.Transpose(k); ok {
				want = append(want, tw)
			}
		}
	}
	if got := transposed(ws); !equalMelodies(got, want) {
		t.Errorf("transposed gives %d windows, Transpose %d, or they differ", len(got), len(want))
	}
}
