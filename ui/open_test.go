package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
)

// TestOpenOffFyneThread: a file opened for a corner is read in the background: while its read is
// held up (a slow disk, a network folder), the window goes on; the dialog comes when it is done.
func TestOpenOffFyneThread(t *testing.T) {
	f := newFixture(t)
	hold := make(chan struct{})
	read := f.w.melody.kind.read
	f.w.melody.kind.read = func(path string) (*choice[melody.Melody], error) {
		<-hold
		return read(path)
	}
	path := writeMelodyFile(t, f.tmp, 4)
	returned := make(chan struct{})
	go func() { f.w.melody.loadCorner(palette.TopLeft, path); close(returned) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("loadCorner waited for the file to be read on Fyne's thread")
	}
	if !strings.HasPrefix(f.w.melody.status.Text, "Reading ") {
		t.Errorf("status %q while reading", f.w.melody.status.Text)
	}
	close(hold)
	f.settle()
	if _, slider := chooseDialog(t, f.w.win); slider == nil {
		t.Fatal("no dialog after the read")
	}
}

// writeMelodyFile writes bars bars of rising quarter notes as a MIDI file.
func writeMelodyFile(t *testing.T, dir string, bars int) string {
	t.Helper()
	var notes []melody.Note
	for i := range 4 * bars {
		notes = append(notes, melody.Note{Pitch: 60 + i, Start: 4 * i, End: 4*i + 4})
	}
	m, err := melody.FromNotes(notes, bars*melody.StepsPerBar)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%d-bars.mid", bars))
	if err := atomicfile.Write(path, func(w io.Writer) error { return melody.WriteMIDI(w, m, melody.WriteOptions{}) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChooseBarsPlays: the dialog that asks for 2 bars plays the bars it shows, follows the
// slider while it plays, and stops when it closes; the palette's part plays on as before.
func TestChooseBarsPlays(t *testing.T) {
	f := newFixture(t)
	rec := &recordingPlayer{Player: f.player}
	f.w.melody.tr.player = rec
	f.w.melody.loadCorner(palette.TopLeft, writeMelodyFile(t, f.tmp, 4))
	f.settle()
	top, slider := chooseDialog(t, f.w.win)
	play := findButton(t, top, "Play")
	test.Tap(play)
	first := func(m melody.Melody) int {
		if ns := m.Notes(); len(ns) > 0 {
			return ns[0].Pitch
		}
		return -1
	}
	if _, on := rec.Step(); !on || len(rec.melody) != melody.WindowSteps || first(rec.melody) != 60 {
		t.Fatalf("Play: playing %v, melody %v; want bars 1-2 from C4", on, rec.melody)
	}
	slider.SetValue(2)
	if first(rec.melody) != 68 {
		t.Errorf("after the slider moved to bars 3-4 the player starts at %d", first(rec.melody))
	}
	if play.Text != "Stop" {
		t.Errorf("the button says %q while playing", play.Text)
	}
	test.Tap(findButton(t, top, "Use it"))
	f.settle()
	if _, on := rec.Step(); on || slices.ContainsFunc(rec.melody, func(e int) bool { return e != melody.NoEvent }) {
		t.Errorf("after Use it: playing %v, melody %v", on, rec.melody)
	}
	if got := first(f.w.melody.pal.Corners()[palette.TopLeft].Item); got != 68 {
		t.Errorf("the corner starts at %d, want bars 3-4 (68)", got)
	}
}

// TestGarbageDrawingFile: a large file of garbage named .ndjson is refused after its head is
// read, with one short line that names the file.
func TestGarbageDrawingFile(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.tmp, "garbage.ndjson")
	junk := make([]byte, 1<<20)
	for i := range junk {
		junk[i] = byte(i*7919 + i>>8)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 { // 50 MiB
		out.Write(junk)
	}
	out.Close()
	if _, err := readDrawings(path); err == nil || !strings.Contains(err.Error(), "not a Quick, Draw! drawing file") {
		t.Fatalf("readDrawings: %v", err)
	}
	f.w.sketch.loadCorner(palette.BottomLeft, path)
	f.settle()
	top := f.w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	var text []string
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			text = append(text, l.Text)
		}
	}
	msg := strings.Join(text, "\n")
	if !strings.Contains(msg, path) || len(msg) > 400 || strings.Count(msg, "\n") > 3 {
		t.Errorf("the dialog says %d bytes:\n%s", len(msg), msg)
	}
}

// TestOneLine: long and many-lined errors are cut to a readable message.
func TestOneLine(t *testing.T) {
	long := strings.Repeat("é", 400)
	for _, tt := range []struct{ in, want string }{
		{"short", "short"},
		{"error\n\nadvice\n\nmore\nmore", "error\n\nadvice"},
		{long, long[:maxMessage] + "…"},
	} {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%.20q) = %.40q, want %.40q", tt.in, got, tt.want)
		}
	}
}

// TestUserPathInErrors: a failed export names the user's file, not the temporary file written
// first.
func TestUserPathInErrors(t *testing.T) {
	path := "/music/song.mid"
	tmp := "/music/.song.mid.tmp4242"
	for _, err := range []error{
		fmt.Errorf("write %s: %w", path, &fs.PathError{Op: "write", Path: tmp, Err: syscall.ENOSPC}),
		fmt.Errorf("write %s: %w", path, &os.LinkError{Op: "rename", Old: tmp, New: path, Err: syscall.EXDEV}),
	} {
		got := userPath(err, path).Error()
		if strings.Contains(got, "tmp") || !strings.Contains(got, path) {
			t.Errorf("%v -> %q", err, got)
		}
	}
	if err := errors.New("plain"); userPath(err, path) != err {
		t.Error("an error without a path changed")
	}
}
