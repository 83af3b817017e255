package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
)

// The grid and path commands, their files read back by the real tools: mido reads each cell's
// notes and the tempo, identify counts a GIF's frames and delays, rsvg-convert renders an SVG,
// sox measures a WAV.

var (
	melodyExamples = []string{"example:lullaby", "example:jig", "example:low-riff", "example:arpeggios"}
	grooveExamples = []string{"example:rock", "example:funk", "example:bossa-nova", "example:half-time"}
	sheepExamples  = []string{"example:woolly", "example:facing-right", "example:round", "example:long"}
)

// withCorners is the arguments of command group cmd with --corners A B C D and more, in a new slice.
func withCorners(group, cmd string, specs []string, more ...string) []string {
	args := append([]string{group, cmd, "--corners"}, specs...)
	return slices.Clip(append(args, more...))
}

func runOK(t *testing.T, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if status := run(args, &stdout, &stderr); status != 0 {
		t.Fatalf("palette %s: status %d: %s", strings.Join(args, " "), status, stderr.String())
	}
}

func needTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (Debian package %s; scripts/install-deps.sh installs it)", name, pkg)
	}
}

func mido(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import mido").Run() == nil {
			return p
		}
	}
	t.Skip("no python3 with mido (Debian package python3-mido; scripts/install-deps.sh installs it)")
	return ""
}

// midoCells reads a MIDI file with mido and returns its tempo (µs per quarter) and, for each
// marker, its text and the note-ons that follow it (up to the next marker) as "step:pitch",
// the step counted in 16ths from the marker.
func midoCells(t *testing.T, path string) (tempo int, texts []string, cells [][]string) {
	t.Helper()
	const script = `import sys, mido
f = mido.MidiFile(sys.argv[1])
q = f.ticks_per_beat // 4
t = 0
start = 0
for m in mido.merge_tracks(f.tracks):
    t += m.time
    if m.type == "set_tempo":
        print("tempo", m.tempo)
    elif m.type == "marker":
        start = t
        print("marker", m.text)
    elif m.type == "note_on" and m.velocity > 0:
        print("note %d:%d" % (round((t - start) / q), m.note))
`
	out, err := exec.Command(mido(t), "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("mido: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		kind, rest, _ := strings.Cut(line, " ")
		switch kind {
		case "tempo":
			tempo, _ = strconv.Atoi(rest)
		case "marker":
			texts = append(texts, rest)
			cells = append(cells, nil)
		case "note":
			if len(cells) == 0 {
				t.Fatalf("a note before the first marker: %s", line)
			}
			cells[len(cells)-1] = append(cells[len(cells)-1], rest)
		}
	}
	return tempo, texts, cells
}

func melodyOnsets(m melody.Melody) []string {
	var s []string
	for _, n := range m.Notes() {
		s = append(s, fmt.Sprintf("%d:%d", n.Start, n.Pitch))
	}
	return s
}

func grooveOnsets(p drums.Pattern) []string {
	var s []string
	for i, st := range p {
		for c := range drums.NumClasses {
			if st.Velocity[c] > 0 {
				s = append(s, fmt.Sprintf("%d:%d", i, drums.Class(c).Pitch()))
			}
		}
	}
	slices.Sort(s)
	return s
}

// expectedMelodyGrid decodes the grid of the example melodies as the command must.
func expectedMelodyGrid(t *testing.T, n int) []melody.Melody {
	ex, err := examples.Melodies()
	if err != nil {
		t.Fatal(err)
	}
	var items [4]melody.Melody
	for i, e := range ex {
		items[i] = e.Item
	}
	m, err := loadMelodyModel(builtinSpec)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cornersOf(m, builtinSpec, items)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := palette.DecodePoints(m, cs, palette.GridPoints(n), palette.Settings{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestMelodyGridMIDIReadByMido(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grid.mid")
	runOK(t, withCorners("melody", "grid", melodyExamples, "--size", "3", "--bpm", "100", "-o", out)...)
	tempo, texts, got := midoCells(t, out)
	if tempo != 600000 {
		t.Errorf("tempo %d µs per quarter, want 600000 (100 BPM)", tempo)
	}
	want := expectedMelodyGrid(t, 3)
	if len(got) != 9 || len(texts) != 9 {
		t.Fatalf("%d markers, want 9: %q", len(texts), texts)
	}
	for k := range want {
		if !strings.HasPrefix(texts[k], fmt.Sprintf("cell %d: row %d, column %d", k+1, k/3+1, k%3+1)) {
			t.Errorf("marker %d is %q", k, texts[k])
		}
		if w := melodyOnsets(want[k]); !slices.Equal(got[k], w) {
			t.Errorf("cell %d: mido reads %v, want %v", k+1, got[k], w)
		}
	}
	// The corner cells are the corners' own melodies.
	ex, _ := examples.Melodies()
	for i, k := range []int{0, 2, 6, 8} {
		if w := melodyOnsets(ex[i].Item); !slices.Equal(got[k], w) {
			t.Errorf("corner cell %d: %v, want the example %s %v", k+1, got[k], ex[i].Name, w)
		}
	}
}

func TestDrumsGridMIDIReadByMido(t *testing.T) {
	out := filepath.Join(t.TempDir(), "grid.mid")
	runOK(t, withCorners("drums", "grid", grooveExamples, "--size", "3", "-o", out)...)
	tempo, texts, got := midoCells(t, out)
	if tempo != 500000 {
		t.Errorf("tempo %d, want 500000 (120 BPM)", tempo)
	}
	if len(texts) != 9 {
		t.Fatalf("%d markers, want 9", len(texts))
	}
	ex, err := examples.Grooves()
	if err != nil {
		t.Fatal(err)
	}
	var items [4]drums.Pattern
	for i, e := range ex {
		items[i] = e.Item
	}
	m, err := loadDrumModel(builtinDrums)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cornersOf(m, builtinDrums, items)
	if err != nil {
		t.Fatal(err)
	}
	want, err := palette.DecodePoints(m, cs, palette.GridPoints(3), palette.Settings{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		g := slices.Clone(got[k])
		slices.Sort(g)
		if w := grooveOnsets(want[k]); !slices.Equal(g, w) {
			t.Errorf("cell %d: mido reads %d hits %v, want %d %v", k+1, len(g), g, len(w), w)
		}
	}
}

func TestMelodyPathMIDIAndWAV(t *testing.T) {
	dir := t.TempDir()
	path := "0,0 1,0 1,1"
	mid, wav := filepath.Join(dir, "p.mid"), filepath.Join(dir, "p.wav")
	runOK(t, withCorners("melody", "path", melodyExamples, "--path", path, "--bars", "5", "-o", mid)...)
	tempo, texts, got := midoCells(t, mid)
	if tempo != 500000 || len(texts) != 3 {
		t.Fatalf("tempo %d, %d markers %q; want 500000 and 3 windows for 5 bars", tempo, len(texts), texts)
	}
	// The first window is the top-left corner's own melody, the last the bottom-right's first bar.
	ex, _ := examples.Melodies()
	if w := melodyOnsets(ex[0].Item); !slices.Equal(got[0], w) {
		t.Errorf("window 1: %v, want %v", got[0], w)
	}
	var lastBar []string
	for _, s := range melodyOnsets(ex[3].Item) {
		if step, _ := strconv.Atoi(strings.Split(s, ":")[0]); step < melody.StepsPerBar {
			lastBar = append(lastBar, s)
		}
	}
	if !slices.Equal(got[2], lastBar) {
		t.Errorf("window 3 (one bar): %v, want %v", got[2], lastBar)
	}
	if !strings.Contains(texts[1], "(u 1.000, v 0.000)") {
		t.Errorf("window 2 is at %q, want the path's middle (1, 0)", texts[1])
	}

	needTool(t, "soxi", "sox")
	runOK(t, withCorners("melody", "path", melodyExamples, "--path", path, "--bars", "5", "-o", wav)...)
	out, err := exec.Command("soxi", "-D", wav).Output()
	if err != nil {
		t.Fatalf("soxi: %v", err)
	}
	// 5 bars at 120 BPM are 10 s, then the last note's release.
	if d, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); d < 10 || d > 12 {
		t.Errorf("the WAV lasts %v s, want 10 s and a release", d)
	}
}

func TestDrumsPathWAV(t *testing.T) {
	needTool(t, "soxi", "sox")
	wav := filepath.Join(t.TempDir(), "d.wav")
	runOK(t, withCorners("drums", "path", grooveExamples, "--path", "0,0 1,1", "--bars", "4", "--bpm", "100", "-o", wav)...)
	out, err := exec.Command("soxi", "-D", wav).Output()
	if err != nil {
		t.Fatalf("soxi: %v", err)
	}
	if d, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); d < 9.6 || d > 12 {
		t.Errorf("the WAV lasts %v s, want 9.6 s (4 bars at 100 BPM) and the ring", d)
	}
}

func TestSketchWalkGIFAndStrip(t *testing.T) {
	needTool(t, "identify", "imagemagick")
	dir := t.TempDir()
	gif, svg := filepath.Join(dir, "w.gif"), filepath.Join(dir, "w.svg")
	args := slices.Clip(withCorners("sketch", "walk", sheepExamples, "--path", "0,0 1,0 1,1 0,1", "--frames", "12", "--cell", "96"))
	runOK(t, append(args, "--delay", "5", "-o", gif)...)
	out, err := exec.Command("identify", "-format", "%T %w %h\n", gif).Output()
	if err != nil {
		t.Fatalf("identify: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 12 {
		t.Fatalf("identify counts %d frames, want 12", len(lines))
	}
	for i, l := range lines {
		if l != "5 96 96" {
			t.Errorf("frame %d: %q, want delay 5 and 96x96", i, l)
		}
	}
	// The frames differ: the drawing morphs along the path.
	if out, err := exec.Command("identify", "-format", "%#\n", gif).Output(); err == nil {
		sigs := strings.Fields(string(out))
		slices.Sort(sigs)
		if len(slices.Compact(sigs)) < 6 {
			t.Errorf("only %d different frames of 12", len(slices.Compact(sigs)))
		}
	}

	needTool(t, "rsvg-convert", "librsvg2-bin")
	runOK(t, append(args, "-o", svg)...)
	png := filepath.Join(dir, "w.png")
	if out, err := exec.Command("rsvg-convert", svg, "-o", png).CombinedOutput(); err != nil {
		t.Fatalf("rsvg-convert: %v %s", err, out)
	}
	if out, _ := exec.Command("identify", "-format", "%w %h", png).Output(); string(out) != "1152 96" {
		t.Errorf("the strip renders %q, want 1152 96 (12 frames of 96)", out)
	}
}

func TestSketchGridSheets(t *testing.T) {
	needTool(t, "identify", "imagemagick")
	needTool(t, "rsvg-convert", "librsvg2-bin")
	dir := t.TempDir()
	args := slices.Clip(withCorners("sketch", "grid", sheepExamples, "--size", "4", "--cell", "64"))
	runOK(t, append(args, "-o", filepath.Join(dir, "g.png"))...)
	runOK(t, append(args, "-o", filepath.Join(dir, "g.svg"))...)
	if out, _ := exec.Command("identify", "-format", "%w %h", filepath.Join(dir, "g.png")).Output(); string(out) != "256 256" {
		t.Errorf("PNG sheet %q, want 256 256", out)
	}
	if out, err := exec.Command("rsvg-convert", filepath.Join(dir, "g.svg"), "-o", filepath.Join(dir, "s.png")).CombinedOutput(); err != nil {
		t.Fatalf("rsvg-convert: %v %s", err, out)
	}
	if out, _ := exec.Command("identify", "-format", "%w %h", filepath.Join(dir, "s.png")).Output(); string(out) != "256 256" {
		t.Errorf("SVG sheet renders %q, want 256 256", out)
	}
}

func TestMusicGridPNG(t *testing.T) {
	needTool(t, "identify", "imagemagick")
	dir := t.TempDir()
	runOK(t, withCorners("melody", "grid", melodyExamples, "--size", "4", "--cell", "50", "-o", filepath.Join(dir, "m.png"))...)
	runOK(t, withCorners("drums", "grid", grooveExamples, "--size", "3", "--cell", "40", "-o", filepath.Join(dir, "d.png"))...)
	for name, want := range map[string]string{"m.png": "201 201", "d.png": "121 121"} {
		if out, _ := exec.Command("identify", "-format", "%w %h", filepath.Join(dir, name)).Output(); string(out) != want {
			t.Errorf("%s is %q, want %s", name, out, want)
		}
	}
}

// TestGridCommandsRejectBadInput: exit status 2, one line that says what is wrong, and no file.
func TestGridCommandsRejectBadInput(t *testing.T) {
	dir := t.TempDir()
	// Clipped, so that each case's append makes its own slice.
	mg := slices.Clip(withCorners("melody", "grid", melodyExamples))
	mp := slices.Clip(withCorners("melody", "path", melodyExamples, "--bars", "4"))
	sw := slices.Clip(withCorners("sketch", "walk", sheepExamples))
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a drawing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"size 2", append(mg, "--size", "2"), "grid size 2 is outside 3..11"},
		{"size 12", append(mg, "--size", "12"), "outside 3..11"},
		{"three corners", []string{"melody", "grid", "--corners", "example:jig", "example:jig", "example:jig"}, "need four corners"},
		{"unknown example", []string{"melody", "grid", "--corners", "example:jig", "example:jig", "example:jig", "example:waltz"}, "example:lullaby"},
		{"bad extension", append(mg, "--size", "3"), ".mid or .png"},
		{"one point", append(mp, "--path", "0.5,0.5"), "1 point(s): a path needs at least 2"},
		{"outside the square", append(mp, "--path", "0,0 1.5,1"), "point 2 (1.5,1) is outside the unit square"},
		{"not numbers", append(mp, "--path", "0,0 a,b"), "not two numbers"},
		{"no path", mp, "need --path"},
		{"bars 0", withCorners("melody", "path", melodyExamples, "--path", "0,0 1,1", "--bars", "0"), "--bars 0"},
		{"frames 1", append(sw, "--path", "0,0 1,1", "--frames", "1"), "--frames 1 is outside 2..600"},
		{"frames 601", append(sw, "--path", "0,0 1,1", "--frames", "601"), "--frames 601 is outside 2..600"},
		{"walk to png", append(sw, "--path", "0,0 1,1"), ".gif or .svg"},
		{"drums size", withCorners("drums", "grid", grooveExamples, "--size", "0"), "outside 3..11"},
		{"drums one point", withCorners("drums", "path", grooveExamples, "--path", "1,1"), "at least 2"},
		{"sketch corner without index", []string{"sketch", "grid", "--corners", notes, notes, notes, notes}, "want FILE:I"},
		{"sketch grid size", withCorners("sketch", "grid", sheepExamples, "--size", "20"), "outside 3..11"},
	} {
		out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
		switch {
		case strings.Contains(tc.name, "extension"), strings.Contains(tc.name, "png"):
			out += ".png.txt"
			if tc.name == "walk to png" {
				out = filepath.Join(dir, "walk.png")
			}
		case tc.args[len(tc.args)-1] == "walk" || strings.Contains(strings.Join(tc.args, " "), "sketch walk"):
			out += ".gif"
		case strings.Contains(strings.Join(tc.args, " "), "sketch"):
			out += ".png"
		default:
			out += ".mid"
		}
		var stdout, stderr bytes.Buffer
		status := run(append(tc.args, "-o", out), &stdout, &stderr)
		msg := stderr.String()
		if status != 2 || !strings.Contains(msg, tc.msg) || strings.Count(msg, "\n") != 1 {
			t.Errorf("%s: status %d, stderr %q; want 2 and one line with %q", tc.name, status, msg, tc.msg)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: %s was written", tc.name, out)
		}
	}
}

// TestGridCornersFromFiles: corners read from MIDI files (FILE and FILE:BAR) and from drawing
// files (FILE:I, an .npz split too); the corner cells are what the files hold there.
func TestGridCornersFromFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := writeTune(t, dir, "a.mid", 60), writeTune(t, dir, "b.mid", 67)
	out := filepath.Join(dir, "g.mid")
	runOK(t, "melody", "grid", "--corners", a, a+":2", b, b+":1", "--size", "3", "-o", out)
	_, _, got := midoCells(t, out)
	for i, spec := range []struct {
		file string
		bar  int
		cell int
	}{{a, 0, 0}, {a, 2, 2}, {b, 0, 6}, {b, 1, 8}} {
		w, err := readWindow(spec.file, spec.bar)
		if err != nil {
			t.Fatal(err)
		}
		if want := melodyOnsets(w); !slices.Equal(got[spec.cell], want) {
			t.Errorf("corner %d (cell %d): %v, want bars %d-%d of %s %v", i, spec.cell+1, got[spec.cell], spec.bar, spec.bar+1, spec.file, want)
		}
	}

	needTool(t, "identify", "imagemagick")
	nd := shared.Data(t, "sketch/aaron_sheep.valid.ndjson")
	npz := shared.Data(t, "sketch/aaron_sheep.npz")
	png := filepath.Join(dir, "s.png")
	runOK(t, "sketch", "grid", "--corners", nd+":0", nd+":5", npz+":test:3", "example:round", "--size", "3", "--cell", "32", "-o", png)
	if out, _ := exec.Command("identify", "-format", "%w %h", png).Output(); string(out) != "96 96" {
		t.Errorf("sheet %q, want 96 96", out)
	}
}
