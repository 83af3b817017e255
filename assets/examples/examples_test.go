package examples

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func TestMelodies(t *testing.T) {
	ms, err := Melodies()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if len(m.Item) != melody.WindowSteps {
			t.Errorf("%s: %d steps, want %d", m.Name, len(m.Item), melody.WindowSteps)
		}
		if len(m.Item.Notes()) < 4 {
			t.Errorf("%s: only %d notes", m.Name, len(m.Item.Notes()))
		}
	}
}

func TestParseScore(t *testing.T) {
	tests := []struct {
		score string
		want  melody.Melody
		err   bool
	}{
		{"C4 - . .", melody.Melody{melody.NoteOn(60), 0, melody.NoteOff, 0}, false},
		{"A0 C#4 Bb3", melody.Melody{melody.NoteOn(21), melody.NoteOn(61), melody.NoteOn(58)}, false},
		{"H4", nil, true},
		{"C9", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseScore(tt.score)
		if (err != nil) != tt.err {
			t.Errorf("ParseScore(%q) error %v, want error %v", tt.score, err, tt.err)
			continue
		}
		if !tt.err && !equal(got, tt.want) {
			t.Errorf("ParseScore(%q) = %v, want %v", tt.score, got, tt.want)
		}
	}
}

func equal(a, b melody.Melody) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDrawings(t *testing.T) {
	maxLen := sketchrnn.DefaultConfig().MaxSeqLen
	for _, d := range Drawings() {
		n, strokes, b := len(d.Item), len(d.Item.Strokes()), d.Item.Bounds()
		// Like the data set's sheep: dozens of points (sketch-rnn trains on more than 10), a
		// few strokes, about 250 units across.
		if n <= 10 || n > 150 || n > maxLen {
			t.Errorf("%s: %d points, want 11 to %d", d.Name, n, min(150, maxLen))
		}
		if strokes < 5 {
			t.Errorf("%s: %d strokes, want a body, a head and legs", d.Name, strokes)
		}
		if b.Dx() < 150 || b.Dy() < 100 || b.Dx() > 300 || b.Dy() > 300 {
			t.Errorf("%s: bounds %+v", d.Name, b)
		}
		if p := d.Item[0]; p.DX != 0 || p.DY != 0 {
			t.Errorf("%s starts at (%v, %v), want the origin", d.Name, p.DX, p.DY)
		}
		if !d.Item[n-1].PenLift {
			t.Errorf("%s: the pen stays down after the last point", d.Name)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The four sheep are pinned as the app's PNG writer draws them: look at testdata/drawings.png
// after a change, and run go test -update if they still look like sheep.
func TestDrawingsGolden(t *testing.T) {
	var row []sketch.Drawing
	for _, d := range Drawings() {
		img := sketch.Render(d.Item, sketch.Options{Size: 64})
		if inked(img) < 100 {
			t.Errorf("%s renders %d inked pixels of 64 x 64", d.Name, inked(img))
		}
		row = append(row, d.Item)
	}
	var buf bytes.Buffer
	if err := sketch.WriteSheetPNG(&buf, [][]sketch.Drawing{row}, sketch.Options{Size: 200, LineWidth: 3, Background: color.White}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "drawings.png")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	diff := 0
	for y := got.Bounds().Min.Y; y < got.Bounds().Max.Y; y++ {
		for x := got.Bounds().Min.X; x < got.Bounds().Max.X; x++ {
			if !near(got.At(x, y), want.At(x, y)) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d pixels differ from %s (run go test -update if the change is deliberate)", diff, golden)
	}
}

// near reports whether two colours differ by at most 2 in each 8-bit channel.
func near(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8), int(a1>>8) - int(a2>>8)} {
		if d > 2 || d < -2 {
			return false
		}
	}
	return true
}

// inked counts the pixels with some ink.
func inked(img *image.RGBA) int {
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] > 0 {
			n++
		}
	}
	return n
}

func TestGrooves(t *testing.T) {
	gs, err := Grooves()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		p := g.Item
		if len(p) != drums.WindowSteps {
			t.Errorf("%s: %d steps, want %d", g.Name, len(p), drums.WindowSteps)
		}
		// A groove: a kick on the downbeat, a backbeat or clave on the snare, a time-keeper.
		if !p[0].Hit(drums.Kick) || countHits(p, drums.Snare) < 2 || countHits(p, drums.ClosedHat)+countHits(p, drums.Ride) < 8 {
			t.Errorf("%s: kick on 1 %v, %d snares, %d hats and rides", g.Name, p[0].Hit(drums.Kick),
				countHits(p, drums.Snare), countHits(p, drums.ClosedHat)+countHits(p, drums.Ride))
		}
		vs := map[uint8]bool{}
		for _, s := range p {
			for _, v := range s.Velocity {
				if v > 0 {
					vs[v] = true
				}
			}
		}
		if len(vs) < 3 {
			t.Errorf("%s: %d velocities, want accents and soft hits", g.Name, len(vs))
		}
	}
}

func countHits(p drums.Pattern, c drums.Class) int {
	n := 0
	for _, s := range p {
		if s.Hit(c) {
			n++
		}
	}
	return n
}

func TestParseGroove(t *testing.T) {
	bar := strings.Repeat("-", 15)
	tests := []struct {
		score string
		err   string
	}{
		{"kick X" + bar + "|o" + bar, ""},
		{"cowbell X" + bar + "|o" + bar, "unknown drum"},
		{"kick X" + bar, "16 steps"},
		{"kick Q" + bar + "|o" + bar, "not a hit"},
	}
	for _, tt := range tests {
		p, err := ParseGroove(tt.score)
		if tt.err == "" {
			if err != nil || p[0].Velocity[drums.Kick] != 120 || p[16].Velocity[drums.Kick] != 70 || p.Hits() != 2 {
				t.Errorf("ParseGroove(%q) = %v, %v", tt.score, p, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseGroove(%q) error %v, want %q", tt.score, err, tt.err)
		}
	}
}

// The class examples: one drawing of each of the ten animals, in the 0-255 box, and four
// corners of four different classes when a model knows them.
func TestClassCorners(t *testing.T) {
	all := []string{"bear", "bird", "dog", "dolphin", "hedgehog", "monkey", "parrot", "rabbit", "sheep", "tiger"}
	cs, ok := ClassCorners(all)
	if !ok {
		t.Fatal("no corners from ten known classes")
	}
	var got []string
	for _, i := range cs {
		got = append(got, all[i])
	}
	if strings.Join(got, ",") != "rabbit,bear,tiger,sheep" {
		t.Errorf("corners %v, want rabbit, bear, tiger, sheep", got)
	}
	if _, ok := ClassCorners([]string{"sheep"}); ok {
		t.Error("four corners from a model of one class")
	}
	known := []string{"Sheep", "tiger", "bear", "monkey", "cat"}
	if cs, ok := ClassCorners(known); !ok || known[cs[0]] != "bear" || known[cs[3]] != "monkey" {
		t.Errorf("corners of sheep, tiger, bear, monkey: %v %v", ok, cs)
	}
}
