package ui

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// TestSessionRestored: corners and kept results of one run are there in the next, names too;
// the examples stay one menu item away.
func TestSessionRestored(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	f.w.saver.flush()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no session file after start: %v", err)
	}
	hand, err := sketch.FromHand([][][2]float32{{{0, 0}, {100, 0}, {100, 60}, {0, 60}, {0, 0}}, {{20, 60}, {20, 90}}})
	if err != nil {
		t.Fatal(err)
	}
	f.w.sketch.pal.SetNamedCorner(palette.TopRight, hand, "Drawn")
	f.settle()
	f.w.melody.moveTo(0.3, 0.6)
	f.settle()
	f.w.melody.pin()
	f.w.sketch.moveTo(0.7, 0.2)
	f.settle()
	f.w.sketch.pin()
	f.settle()
	wantM, wantS := f.w.melody.snapshot(), f.w.sketch.snapshot()
	f.w.saver.flush()

	g := newFixtureWith(t, path)
	gotM, gotS := g.w.melody.snapshot(), g.w.sketch.snapshot()
	if gotM == nil || gotS == nil {
		t.Fatal("the restored palettes have empty corners")
	}
	if !slices.Equal(gotS.Corners[palette.TopRight], hand) || gotS.Names != wantS.Names || gotM.Names != wantM.Names {
		t.Errorf("restored sketch corner %v named %q, want %v named %q", gotS.Corners[palette.TopRight], gotS.Names, hand, wantS.Names)
	}
	for i := range 4 {
		if !slices.Equal(gotM.Corners[i], wantM.Corners[i]) {
			t.Errorf("melody corner %d changed", i)
		}
	}
	if len(gotM.Kept) != 1 || !slices.Equal(gotM.Kept[0], wantM.Kept[0]) || len(gotS.Kept) != 1 || !slices.Equal(gotS.Kept[0], wantS.Kept[0]) {
		t.Errorf("kept %d melodies and %d drawings, want the one of each kept before", len(gotM.Kept), len(gotS.Kept))
	}
	if n := len(g.w.sketch.pinned.Objects); n != 1 {
		t.Errorf("%d kept drawings shown, want 1", n)
	}

	var example *fyne.MenuItem
	for _, it := range g.w.sketch.cornerMenu(palette.TopRight).Items {
		if it.Label == "The example" {
			example = it
		}
	}
	if example == nil {
		t.Fatal("no menu item to go back to the example")
	}
	example.Action()
	g.settle()
	if c := g.w.sketch.pal.Corners()[palette.TopRight]; !slices.Equal(c.Item, g.w.sketch.examples[palette.TopRight]) {
		t.Error("the example did not come back")
	}
}

// A session file that cannot be read is set aside, not overwritten, and the window says so and
// starts with the examples.
func TestBadSessionSetAside(t *testing.T) {
	for name, body := range map[string]string{
		"garbage":     "{not json",
		"version":     `{"version": 99}`,
		"bad melody":  `{"version": 1, "melody": {"corners": [[1], [1], [1], [1]]}}`,
		"bad drawing": `{"version": 1, "sketch": {"corners": [[], [], [], []]}}`,
		"bad groove":  `{"version": 1, "drums": {"corners": [[], [], [], []]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), sessionName)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			f := newFixtureWith(t, path)
			if top := f.w.win.Canvas().Overlays().Top(); top == nil {
				t.Error("no dialog about the session")
			}
			kept, err := os.ReadFile(path + ".bad")
			if err != nil || string(kept) != body {
				t.Errorf("the bad session was not kept aside: %v", err)
			}
			if c := f.w.melody.pal.Corners()[0]; !slices.Equal(c.Item, f.w.melody.examples[0]) {
				t.Error("the melody palette did not start with the examples")
			}
			f.w.saver.flush()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("no new session file: %v", err)
			}
		})
	}
}

func FuzzReadSession(f *testing.F) {
	m := make(melody.Melody, melody.WindowSteps)
	var ok bytes.Buffer
	ok.WriteString(`{"version":1,"melody":{"names":["a","b","c","d"],"corners":[`)
	for i := range 4 {
		if i > 0 {
			ok.WriteByte(',')
		}
		ok.WriteString(strings.ReplaceAll(strings.Trim(strings.Join(strings.Fields(strings.Repeat("0 ", len(m))), ","), " "), " ", ","))
	}
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"drums":{"corners":[[{"Velocity":[100,0,0,0,0,0,0,0,0],"Offset":[0.1,0,0,0,0,0,0,0,0]}],[],[],[]]}}`))
	f.Add([]byte(`{"version":1,"sketch":{"corners":[[{"DX":1,"DY":2,"PenLift":true}],[],[],[]]}}`))
	f.Add(ok.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := readSession(bytes.NewReader(data))
		if err != nil {
			return
		}
		if s.Melody != nil {
			for _, c := range s.Melody.Corners {
				if validMelody(c) != nil {
					t.Fatalf("accepted a bad melody %v", c)
				}
			}
		}
		if s.Sketch != nil {
			for _, c := range s.Sketch.Corners {
				if c.Validate() != nil {
					t.Fatalf("accepted a bad drawing %v", c)
				}
			}
		}
		if s.Drums != nil {
			for _, c := range s.Drums.Corners {
				if validDrums(c) != nil {
					t.Fatalf("accepted a bad groove %v", c)
				}
			}
		}
	})
}

// TestExportKept writes all kept results in one file: the melodies one after another in a MIDI
// file, the drawings as a sheet of rows of five in a PNG and an SVG (checked by rsvg-convert
// where it is installed).
func TestExportKept(t *testing.T) {
	f := newFixture(t)
	var mels []melody.Melody
	for _, p := range [][2]float64{{0.1, 0.2}, {0.9, 0.8}, {0.5, 0.1}} {
		f.w.melody.moveTo(p[0], p[1])
		f.settle()
		f.w.melody.pin()
		mels = append(mels, f.w.melody.current)
	}
	for i := range 7 {
		f.w.sketch.moveTo(float64(i)/7, 0.5)
		f.settle()
		f.w.sketch.pin()
	}
	export := func(name string, menu *fyne.Menu, label string, status *widget.Label) []byte {
		t.Helper()
		path := filepath.Join(f.tmp, name)
		f.chooseSave = func(_ fyne.Window, offered, ext string, done func(string)) {
			if !strings.HasPrefix(offered, "palette-kept") || !strings.HasSuffix(offered, ext) {
				t.Errorf("offered the name %q (%s)", offered, ext)
			}
			done(path)
		}
		status.SetText("")
		for _, it := range menu.Items {
			if it.Label == label {
				it.Action()
			}
		}
		f.until(t, "the export of "+name, func() bool { return strings.HasPrefix(status.Text, "Saved") })
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	data := export("kept.mid", f.w.melody.exportKeptMenu(), "All kept as MIDI…", f.w.melody.status)
	segs, err := melody.ReadMIDI(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, want := melody.Concat(segs...).Notes(), melody.Concat(mels...).Notes()
	if len(got) != len(want) || len(got) == 0 || got[len(got)-1].Pitch != want[len(want)-1].Pitch {
		t.Errorf("read back %d notes, want the %d of the 3 kept melodies", len(got), len(want))
	}

	data = export("kept.png", f.w.sketch.exportKeptMenu(), "All kept as PNG…", f.w.sketch.status)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 5*sheetStyle.Size || b.Dy() != 2*sheetStyle.Size {
		t.Errorf("the sheet of 7 drawings is %v, want 5 by 2 cells of %d", b, sheetStyle.Size)
	}
	data = export("kept.svg", f.w.sketch.exportKeptMenu(), "All kept as SVG…", f.w.sketch.status)
	if n := strings.Count(string(data), "<path"); n < 7 {
		t.Errorf("the SVG sheet has %d paths for 7 drawings", n)
	}
	if rsvg, err := exec.LookPath("rsvg-convert"); err == nil {
		out, err := exec.Command(rsvg, filepath.Join(f.tmp, "kept.svg")).Output()
		if err != nil {
			t.Fatalf("rsvg-convert refused the sheet: %v", err)
		}
		if _, err := png.Decode(bytes.NewReader(out)); err != nil {
			t.Errorf("rsvg-convert gave no PNG: %v", err)
		}
	} else {
		t.Log("rsvg-convert is not installed: the SVG sheet is checked by its paths only")
	}

	// With nothing kept, the menu says so instead of writing an empty file.
	g := newFixture(t)
	for _, it := range g.w.sketch.exportKeptMenu().Items {
		it.Action()
	}
	if g.w.win.Canvas().Overlays().Top() == nil {
		t.Error("no message when nothing is kept")
	}
}

// TestDrumSession: the drum corners, edited or loaded with their velocities and timing, and the
// kept grooves are there again at the next start; grooves a palette cannot hold are refused.
func TestDrumSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	played := performance()[:drums.WindowSteps]
	f.w.drums.pal.SetNamedCorner(palette.TopLeft, played, "played")
	f.w.drums.moveTo(0.6, 0.3)
	f.settle()
	f.w.drums.pin()
	f.settle()
	want := f.w.drums.snapshot()
	f.w.saver.flush()

	g := newFixtureWith(t, path)
	got := g.w.drums.snapshot()
	if got == nil || !slices.Equal(got.Corners[palette.TopLeft], played) || got.Names != want.Names {
		t.Fatalf("restored %+v, want %+v", got, want)
	}
	if len(got.Kept) != 1 || !slices.Equal(got.Kept[0], want.Kept[0]) || len(g.w.drums.pinned.Objects) != 1 {
		t.Errorf("kept %d grooves, want the one kept before", len(got.Kept))
	}

	loud := slices.Clone(played)
	loud[3].Velocity[drums.Snare] = 200
	late := slices.Clone(played)
	late[5].Offset[drums.Kick] = 0.7
	for _, tt := range []struct {
		name string
		p    drums.Pattern
		want string
	}{
		{"2 bars", played, ""},
		{"1 bar", played[:16], "16 steps"},
		{"velocity 200", loud, "velocity 200"},
		{"offset 0.7", late, "offset"},
	} {
		if err := validDrums(tt.p); (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
