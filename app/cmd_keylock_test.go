package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/melody"
)

// readMelody reads a written melody file back whole.
func readMelody(t *testing.T, path string) melody.Melody {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	segs, err := melody.ReadMIDI(f)
	if err != nil {
		t.Fatalf("%s does not read back: %v", path, err)
	}
	return melody.Concat(segs...)
}

// sample and interpolate with --key D --scale dorian write only D dorian's notes, and the key
// signature (D minor: one flat, minor; SMF meta 0x59 with sf -1 = 0xff, mi 1).
func TestMelodyKeyLockFlags(t *testing.T) {
	dir := t.TempDir()
	a, b := writeTune(t, dir, "a.mid", 60), writeTune(t, dir, "b.mid", 66)
	lock := melody.KeyLock{Tonic: 2, Scale: melody.Dorian}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"sample", []string{"melody", "sample", "-n", "6", "--temperature", "0.9", "--seed", "3", "--key", "D", "--scale", "dorian"}},
		{"sample greedy", []string{"melody", "sample", "-n", "6", "--temperature", "0", "--key", "D", "--scale", "dorian"}},
		{"interpolate", []string{"melody", "interpolate", a, b, "--steps", "4", "--key", "D", "--scale", "dorian"}},
		{"interpolate fit", []string{"melody", "interpolate", a, b, "--steps", "4", "--key", "D", "--scale", "dorian", "--fit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".mid")
			status, stdout, stderr := runCmd(t, append(tc.args, "-o", out)...)
			if status != 0 {
				t.Fatalf("status %d: %s %s", status, stdout, stderr)
			}
			m := readMelody(t, out)
			if !m.HasNote() {
				t.Fatal("no notes")
			}
			if s := lock.OutOfScale(m); len(s) > 0 {
				t.Errorf("notes out of D dorian at steps %v", s)
			}
			data, _ := os.ReadFile(out)
			if !bytes.Contains(data, []byte{0xff, 0x59, 0x02, 0xff, 0x01}) {
				t.Error("no D minor key signature")
			}
			if strings.HasSuffix(tc.name, "fit") && !strings.Contains(stderr, "moved into D dorian") {
				t.Errorf("--fit said %q", stderr)
			}
		})
	}
	// Bad key lock flags are usage errors, one line, nothing written.
	out := filepath.Join(dir, "bad.mid")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"melody", "sample", "--key", "H", "-o", out}, "not a note name"},
		{[]string{"melody", "sample", "--scale", "lydian", "-o", out}, "unknown scale"},
		{[]string{"melody", "interpolate", a, b, "--fit", "-o", out}, "--fit needs a key lock"},
	} {
		status, _, stderr := runCmd(t, tc.args...)
		if status != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line saying %q", tc.args, status, stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written", out)
		}
	}
}
