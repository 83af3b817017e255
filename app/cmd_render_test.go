package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/melody"
)

// writeTestMIDI writes a 4-bar melody (the last two bars silent) as a MIDI file in dir.
func writeTestMIDI(t *testing.T, dir string) string {
	t.Helper()
	m, err := melody.FromNotes([]melody.Note{
		{Pitch: 60, Start: 0, End: 4}, {Pitch: 64, Start: 4, End: 8}, {Pitch: 67, Start: 8, End: 16},
		{Pitch: 72, Start: 16, End: 20}, {Pitch: 71, Start: 20, End: 32},
	}, 64)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := melody.WriteMIDI(&b, m, melody.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tune.mid")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMelodyRender(t *testing.T) {
	dir := t.TempDir()
	mid := writeTestMIDI(t, dir)
	garbage := filepath.Join(dir, "garbage.mid")
	if err := os.WriteFile(garbage, []byte("this is not a MIDI file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.wav")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string // a part of the one line on stderr, for failures
		wavSec float64
		rate   int
	}{
		{"default", []string{mid, "-o", out}, 0, "", 4, 44100},
		{"48 kHz", []string{mid, "-o", out, "--rate", "48000"}, 0, "", 4, 48000},
		{"rate", []string{mid, "-o", out, "--rate", "22050"}, 2, "--rate 22050 is not supported", 0, 0},
		{"flags after the file", []string{mid, "-o", out, "--instrument", "pluck", "--bpm", "60", "--loops", "2"}, 0, "", 16, 44100},
		{"flags before the file", []string{"--instrument=chip", "--bpm=240", "-o", out, mid}, 0, "", 2, 44100},
		{"bar", []string{mid, "--bar", "1", "-o", out, "--instrument", "pad"}, 0, "", 4, 44100},
		{"missing file", []string{filepath.Join(dir, "nope.mid"), "-o", out}, 2, "no such file", 0, 0},
		{"garbage file", []string{garbage, "-o", out}, 2, "not a MIDI file", 0, 0},
		{"unknown instrument", []string{mid, "-o", out, "--instrument", "tuba"}, 2, `unknown instrument "tuba"`, 0, 0},
		{"bpm too low", []string{mid, "-o", out, "--bpm", "39"}, 2, "--bpm 39 is out of range", 0, 0},
		{"bpm too high", []string{mid, "-o", out, "--bpm", "241"}, 2, "--bpm 241 is out of range", 0, 0},
		{"bpm not a number", []string{mid, "-o", out, "--bpm", "fast"}, 2, "invalid value", 0, 0},
		{"loops", []string{mid, "-o", out, "--loops", "0"}, 2, "--loops 0 is out of range", 0, 0},
		{"bar out of range", []string{mid, "-o", out, "--bar", "9"}, 2, "bar 9 is out of range: the melody has 2 bars", 0, 0},
		{"no output", []string{mid}, 2, "no output file", 0, 0},
		{"no output folder", []string{mid, "-o", filepath.Join(dir, "nope", "x.wav")}, 2, "does not exist", 0, 0},
		{"empty file name", []string{"", "-o", out}, 2, "no MIDI file given", 0, 0},
		{"no input", []string{"-o", out}, 2, "no MIDI file given", 0, 0},
		{"two inputs", []string{mid, mid, "-o", out}, 2, "one MIDI file at a time", 0, 0},
		{"unknown flag", []string{mid, "-o", out, "--volume", "11"}, 2, "flag provided but not defined", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const old = "the file that was there"
			if err := os.WriteFile(out, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			status := run(append([]string{"melody", "render"}, tc.args...), &stdout, &stderr)
			if status != tc.status {
				t.Fatalf("status %d, want %d; stderr:\n%s", status, tc.status, stderr.String())
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if tc.status != 0 {
				if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tc.stderr) {
					t.Errorf("stderr %q, want one line containing %q", stderr.String(), tc.stderr)
				}
				if string(data) != old {
					t.Errorf("the output file was changed by a failed render")
				}
				return
			}
			if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
				t.Fatalf("%s is not a WAV file", out)
			}
			if r := int(binary.LittleEndian.Uint32(data[24:])); r != tc.rate {
				t.Errorf("sample rate %d, want %d", r, tc.rate)
			}
			frames := float64(binary.LittleEndian.Uint32(data[40:])) / 4
			if sec := frames / float64(tc.rate); sec < tc.wavSec || sec > tc.wavSec+0.5 {
				t.Errorf("the WAV lasts %.2f s, want %.1f s plus a release", sec, tc.wavSec)
			}
			if !strings.Contains(stdout.String(), "wrote "+out) {
				t.Errorf("stdout %q does not say what was written", stdout.String())
			}
			if sox, err := exec.LookPath("sox"); err == nil {
				if info, err := exec.Command(sox, "--i", out).CombinedOutput(); err != nil || !strings.Contains(string(info), "Channels       : 2") {
					t.Errorf("sox --i %s: %v\n%s", out, err, info)
				}
			}
		})
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".out.wav.tmp*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

func TestMelodyRenderList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"melody", "render", "--list"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d; stderr: %s", status, stderr.String())
	}
	for _, name := range []string{"piano", "pluck", "pad", "chip"} {
		if !strings.Contains(stdout.String(), name) {
			t.Errorf("--list does not name %s:\n%s", name, stdout.String())
		}
	}
}
