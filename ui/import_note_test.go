package ui

import (
	"os"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/melody"
)

// The note shown after a played-in file is imported names the file, the track the melody came
// from (POP909's MELODY) and the grid found in the playing.
func TestImportNote(t *testing.T) {
	path := shared.Data(t, "pop909/test/819.mid")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp, err := melody.Import(f)
	if err != nil {
		t.Fatal(err)
	}
	got := importNote(path, imp)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || lines[0] != `819.mid: the melody of track 2 ("MELODY"), channel 1` ||
		!strings.HasPrefix(lines[1], "the notes are off the file's 16th-note grid") {
		t.Errorf("note:\n%s", got)
	}
}
