package drums

import (
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

// TestGrooveData loads every split of the Groove MIDI Dataset and logs what the windows hold.
func TestGrooveData(t *testing.T) {
	dir := shared.Data(t, "groove")
	if testing.Short() {
		t.Skip("reads the whole Groove MIDI Dataset")
	}
	for _, split := range grooveSplits {
		d, err := LoadGroove(dir, split)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(d)
		t.Log(d.Stats)
		for _, s := range d.Skipped {
			t.Log("  skipped", s)
		}
		if d.Files == 0 || len(d.Windows) == 0 {
			t.Errorf("%s: no windows", split)
		}
		for i, w := range d.Windows {
			if len(w) != WindowSteps || w.Validate() != nil || w.Hits() == 0 {
				t.Fatalf("%s: window %d is bad: %d steps, %d hits, %v", split, i, len(w), w.Hits(), w.Validate())
			}
		}
	}
}
