package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/musicvae"
)

// writeGroove writes a 4-bar rock groove as a drum MIDI file at bpm and returns its path.
func writeGroove(t *testing.T, dir, name string, bpm float64) string {
	t.Helper()
	p := make(drums.Pattern, 64)
	for s := range p {
		p[s].Velocity[drums.ClosedHat] = uint8(60 + 30*(s%2))
		switch s % 8 {
		case 0:
			p[s].Velocity[drums.Kick] = 120
		case 4:
			p[s].Velocity[drums.Snare] = 110
		}
	}
	var b bytes.Buffer
	if err := drums.WriteMIDI(&b, p, drums.WriteOptions{BPM: bpm}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeDrumModel saves an untrained small drum model and returns its path.
func writeDrumModel(t *testing.T, dir string) string {
	t.Helper()
	w, err := musicvae.NewWeights(musicvae.Config{EncoderSize: 8, DecoderSizes: []int{8}, ZSize: 4}.Drums(), 3)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := w.Save(&b, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "drums.safetensors")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDrumCommands(t *testing.T) {
	dir := t.TempDir()
	model := writeDrumModel(t, dir)
	a, b := writeGroove(t, dir, "a.mid", 120), writeGroove(t, dir, "b.mid", 96)
	out := filepath.Join(dir, "out.mid")
	for _, tc := range []struct {
		name  string
		args  []string
		steps int
	}{
		{"reconstruct", []string{"drums", "reconstruct", a, "-o", out, "--model", model, "--bar", "1"}, 32},
		{"interpolate", []string{"drums", "interpolate", a, b, "--steps", "3", "-o", out, "--model", model}, 96},
		{"sample", []string{"drums", "sample", "-n", "2", "--temperature", "1", "--seed", "4", "-o", out, "--model", model}, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(out)
			var stdout, stderr bytes.Buffer
			if status := run(tc.args, &stdout, &stderr); status != 0 {
				t.Fatalf("status %d: %s", status, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "wrote "+out) {
				t.Errorf("stdout %q", stdout.String())
			}
			// An untrained model may decode silence; the file still holds the steps (its
			// length is the pattern's, to the last step with a hit at most).
			if _, err := os.Stat(out); err != nil {
				t.Fatal(err)
			}
			if p := readGrooveFileOrEmpty(t, out); len(p) > tc.steps {
				t.Errorf("%d steps read back, want at most %d", len(p), tc.steps)
			}
		})
	}

	t.Run("render", func(t *testing.T) {
		wav := filepath.Join(dir, "out.wav")
		var stdout, stderr bytes.Buffer
		if status := run([]string{"drums", "render", b, "-o", wav, "--loops", "2"}, &stdout, &stderr); status != 0 {
			t.Fatalf("status %d: %s", status, stderr.String())
		}
		if !strings.Contains(stdout.String(), "at 96 BPM") {
			t.Errorf("the render does not play at the file's tempo: %q", stdout.String())
		}
		if _, err := exec.LookPath("sox"); err != nil {
			t.Skip("sox is not installed")
		}
		info, err := exec.Command("sox", "--i", "-D", wav).Output()
		if err != nil {
			t.Fatalf("sox cannot read %s: %v", wav, err)
		}
		// 2 loops of 2 bars at 96 BPM: 10 s, plus the last hits' ring.
		if d := strings.TrimSpace(string(info)); !(d >= "10" && d < "12") {
			t.Errorf("duration %s s, want 10 to 12", d)
		}
	})

	t.Run("eval", func(t *testing.T) {
		groove := filepath.Join(dir, "groove")
		if err := os.MkdirAll(filepath.Join(groove, "d1"), 0o755); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"1_rock_120_beat_4-4.mid", "2_rock_96_beat_4-4.mid"} {
			data, _ := os.ReadFile([]string{a, b}[i])
			os.WriteFile(filepath.Join(groove, "d1", name), data, 0o644)
		}
		csv := "drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n" +
			"drummer1,d1,1,rock,120,beat,4-4,d1/1_rock_120_beat_4-4.mid,,8,test\n" +
			"drummer1,d1,2,rock,96,beat,4-4,d1/2_rock_96_beat_4-4.mid,,10,test\n"
		os.WriteFile(filepath.Join(groove, "info.csv"), []byte(csv), 0o644)
		var stdout, stderr bytes.Buffer
		if status := run([]string{"drums", "eval", "--data", groove, "--json", "--model", model}, &stdout, &stderr); status != 0 {
			t.Fatalf("status %d: %s", status, stderr.String())
		}
		var m musicvae.Metrics
		if err := json.Unmarshal(stdout.Bytes(), &m); err != nil || m.Windows != 6 {
			t.Errorf("metrics %+v (%v) from %q; want 6 windows", m, err, stdout.String())
		}
	})

	melodyOnly := writeTune(t, dir, "tune.mid", 60)
	melodyModel, _ := writeTestModel(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"drums", "reconstruct", melodyOnly, "-o", out, "--model", model}, "no drum track"},
		{[]string{"drums", "reconstruct", a, "-o", filepath.Join(dir, "none", "x.mid"), "--model", model}, "does not exist"},
		{[]string{"drums", "reconstruct", a, "-o", out, "--model", model, "--bar", "9"}, "outside 0..3"},
		{[]string{"drums", "sample", "-o", out, "--model", filepath.Join(dir, "none.safetensors")}, "--model"},
		{[]string{"drums", "sample", "-o", out, "--model", melodyModel}, "not a drum model"},
		{[]string{"drums", "render", a, "-o", out + ".wav", "--bpm", "1000"}, "--bpm"},
		{[]string{"drums", "eval", "--data", dir, "--model", model}, "info.csv"},
	} {
		var stdout, stderr bytes.Buffer
		status := run(tc.args, &stdout, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if status != 2 || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 0 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line with %q", tc.args[1:], status, msg, tc.want)
		}
	}
}

// readGrooveFileOrEmpty is readGrooveFile for a file that may hold no hits at all.
func readGrooveFileOrEmpty(t *testing.T, path string) drums.Pattern {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := drums.ReadMIDI(f)
	if err != nil {
		var fe *drums.FormatError
		if errors.As(err, &fe) && fe.Kind == drums.NoDrums {
			return nil
		}
		t.Fatalf("%s does not read back: %v", path, err)
	}
	return im.Pattern
}
