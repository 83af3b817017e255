package ui

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/latentpalette/palette/audio/synth"
)

// TestMIDINamesInstrument: the exported MIDI file selects the General MIDI program of the
// instrument chosen in the window (read back with midicsv): a pad plays back as a pad.
func TestMIDINamesInstrument(t *testing.T) {
	if _, err := exec.LookPath("midicsv"); err != nil {
		t.Skip("midicsv is not installed (scripts/install-deps.sh --test installs it)")
	}
	f := newFixture(t)
	f.w.melody.moveTo(0.3, 0.6)
	f.settle()
	inst := findObject(t, f.w.melody.content, "instrument list", isInstruments)
	want := map[string]string{"piano": "0", "pluck": "24", "pad": "89", "chip": "80"}
	if len(want) != len(synth.Names()) {
		t.Fatalf("instruments %v: say which program each one is", synth.Names())
	}
	for _, name := range synth.Names() {
		inst.SetSelected(name)
		path := filepath.Join(f.tmp, name+".mid")
		f.chooseSave = func(_ fyne.Window, _, _ string, done func(string)) { done(path) }
		f.w.melody.status.SetText("")
		findButton(t, f.w.melody.content, "MIDI").OnTapped()
		f.until(t, "the export", func() bool { return strings.HasPrefix(f.w.melody.status.Text, "Saved") })
		out, err := exec.Command("midicsv", path).Output()
		if err != nil {
			t.Fatalf("midicsv %s: %v", path, err)
		}
		var programs []string
		for _, line := range strings.Split(string(out), "\n") {
			if fs := strings.Split(line, ", "); len(fs) == 5 && fs[2] == "Program_c" {
				programs = append(programs, fs[4])
			}
		}
		if len(programs) != 1 || programs[0] != want[name] {
			t.Errorf("%s: program changes %v, want one to %s", name, programs, want[name])
		}
	}
}
