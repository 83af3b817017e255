package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/melody"
)

// writeTune writes a 4-bar melody as a MIDI file and returns its path.
func writeTune(t *testing.T, dir, name string, pitch int) string {
	t.Helper()
	m := make(melody.Melody, 64)
	for i := 0; i < len(m); i += 4 {
		m[i] = melody.NoteOn(pitch + i%7)
	}
	path := filepath.Join(dir, name)
	var b bytes.Buffer
	if err := melody.WriteMIDI(&b, m, melody.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readSteps(t *testing.T, path string) int {
	t.Helper()
	return len(readMelody(t, path))
}

func TestMelodyCommands(t *testing.T) {
	dir := t.TempDir()
	model, _ := writeTestModel(t, dir)
	a, b := writeTune(t, dir, "a.mid", 60), writeTune(t, dir, "b.mid", 67)
	out := filepath.Join(dir, "out.mid")

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"reconstruct", []string{"melody", "reconstruct", a, "-o", out, "--model", model, "--bar", "1"}},
		{"interpolate", []string{"melody", "interpolate", a, b, "--steps", "3", "-o", out, "--model", model}},
		{"sample", []string{"melody", "sample", "-n", "2", "--temperature", "1", "--seed", "4", "-o", out, "--model", model}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(out)
			status, stdout, stderr := runCmd(t, tc.args...)
			if status != 0 || !strings.Contains(stdout, "wrote") {
				t.Fatalf("status %d, stdout %q, stderr %q", status, stdout, stderr)
			}
			if n := readSteps(t, out); n == 0 || n > 3*melody.WindowSteps {
				t.Errorf("%s holds %d steps", out, n)
			}
		})
	}

	// Sampling is reproducible from its seed.
	s1, s2 := filepath.Join(dir, "s1.mid"), filepath.Join(dir, "s2.mid")
	runCmd(t, "melody", "sample", "-n", "3", "--temperature", "0.8", "--seed", "9", "-o", s1, "--model", model)
	runCmd(t, "melody", "sample", "-n", "3", "--temperature", "0.8", "--seed", "9", "-o", s2, "--model", model)
	b1, _ := os.ReadFile(s1)
	b2, _ := os.ReadFile(s2)
	if len(b1) == 0 || !bytes.Equal(b1, b2) {
		t.Error("the same seed wrote different files")
	}

	// eval prints the JSON object.
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o755)
	writeTune(t, data, "x.mid", 62)
	status, stdout, stderr := runCmd(t, "melody", "eval", "--data", data, "--json", "--model", model, "--pairs", "3")
	if status != 0 {
		t.Fatalf("eval: status %d: %s", status, stderr)
	}
	var got map[string]float64
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("eval output %q: %v", stdout, err)
	}
	for _, k := range []string{"windows", "teacher_forced_accuracy", "reconstruction_accuracy", "kl", "interpolation_monotonicity"} {
		if _, ok := got[k]; !ok {
			t.Errorf("eval JSON lacks %q: %s", k, stdout)
		}
	}
	if got["windows"] != 3 { // 4 bars: windows at bars 0, 1, 2
		t.Errorf("eval counted %v windows, want 3", got["windows"])
	}
}

func TestMelodyCommandsRejectBadInput(t *testing.T) {
	dir := t.TempDir()
	model, _ := writeTestModel(t, dir)
	a := writeTune(t, dir, "a.mid", 60)
	notMIDI := filepath.Join(dir, "text.mid")
	os.WriteFile(notMIDI, []byte("hello, not a MIDI file"), 0o644)
	badModel := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(badModel, []byte("garbage"), 0o644)
	out := filepath.Join(dir, "out.mid")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not midi", []string{"melody", "reconstruct", notMIDI, "-o", out, "--model", model}, "not a MIDI file"},
		{"missing file", []string{"melody", "reconstruct", filepath.Join(dir, "none.mid"), "-o", out, "--model", model}, "none.mid"},
		{"bar out of range", []string{"melody", "reconstruct", a, "--bar", "99", "-o", out, "--model", model}, "--bar"},
		{"no output", []string{"melody", "reconstruct", a, "--model", model}, "-o OUT.mid"},
		{"bad model", []string{"melody", "reconstruct", a, "-o", out, "--model", badModel}, "bad.safetensors"},
		{"retired --engine", []string{"melody", "sample", "-o", out, "--model", model, "--engine", "gorgonia"}, "-engine"},
		{"one file", []string{"melody", "interpolate", a, "-o", out, "--model", model}, "two input"},
		{"steps", []string{"melody", "interpolate", a, a, "--steps", "1", "-o", out, "--model", model}, "--steps"},
		{"temperature", []string{"melody", "sample", "--temperature", "-1", "-o", out, "--model", model}, "--temperature"},
		{"eval without data", []string{"melody", "eval", "--model", model}, "--data"},
		{"unknown flag", []string{"melody", "sample", "--bogus", "-o", out, "--model", model}, "bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, stderr := runCmd(t, tc.args...)
			if status != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("status %d, stderr %q; want 2 and one line saying %q", status, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
				os.Remove(out)
			}
		})
	}
}
