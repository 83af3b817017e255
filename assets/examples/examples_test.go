package examples

import (
	"testing"

	"github.com/latentpalette/palette/model/melody"
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
	for _, d := range Drawings() {
		b := d.Item.Bounds()
		if len(d.Item.Strokes()) < 1 || b.Dx() < 80 || b.Dy() < 80 || b.Dx() > 300 || b.Dy() > 300 {
			t.Errorf("%s: %d strokes, bounds %+v", d.Name, len(d.Item.Strokes()), b)
		}
	}
}
