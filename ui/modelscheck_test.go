package ui

import (
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/palette/standin"
)

// TestModelsRequired: the window opens only with a model for each palette (the stand-ins are for
// tests alone), and its status lines name the models it was given.
func TestModelsRequired(t *testing.T) {
	full := Models{Melody: standin.Melody{}, MelodyName: "m", Sketch: standin.Sketch{}, SketchName: "s", Drums: standin.Drums{}, DrumsName: "d"}
	notes, err := full.check()
	if err != nil || notes.melody != "Melody model: m, decoded with Gorgonia" || notes.drums != "Drum model: d, decoded with Gorgonia" {
		t.Fatalf("check: %+v, %v", notes, err)
	}
	for _, tt := range []struct {
		name string
		drop func(*Models)
		want string
	}{
		{"melody", func(m *Models) { m.Melody = nil }, "--melody-model"},
		{"sketch", func(m *Models) { m.Sketch = nil }, "--sketch-model"},
		{"drums", func(m *Models) { m.Drums = nil }, "--drum-model"},
	} {
		m := full
		tt.drop(&m)
		if _, err := m.check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("without the %s model: %v, want an error naming %s", tt.name, err, tt.want)
		}
	}
}
