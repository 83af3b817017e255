package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// TestSessionRestored: corners and kept results of one run are there in the next, names too;
// the examples stay one menu item away.
func TestSessionRestored(t *testing.T) {
	path := filepath.Join(t.TempDir(), sessionName)
	f := newFixtureWith(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no session file after start: %v", err)
	}
	hand, err := sketch.FromHand([][][2]float32{{{0, 0}, {100, 0}, {100, 60}, {0, 60}, {0, 0}}, {{20, 60}, {20, 90}}})
	if err != nil {
		t.Fatal(err)
	}
	f.w.sketch.pal.SetCorner(palette.TopRight, hand)
	f.w.sketch.setName(palette.TopRight, "Drawn")
	f.settle()
	f.w.melody.moveTo(0.3, 0.6)
	f.settle()
	f.w.melody.pin()
	f.w.sketch.moveTo(0.7, 0.2)
	f.settle()
	f.w.sketch.pin()
	f.settle()
	wantM, wantS := f.w.melody.snapshot(), f.w.sketch.snapshot()

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
	})
}
