package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

func TestSketchCommandsWithGenJSON(t *testing.T) {
	model := shared.Data(t, "sketch-rnn-models/sheep.gen.json")
	valid := shared.Data(t, "sketch/aaron_sheep.valid.ndjson")
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		status int
		out    string // file that must exist afterwards ("" for none)
		stderr string // substring of stderr
	}{
		{"sample png", []string{"sketch", "sample", "-n", "3", "--model", model, "--temperature", "0.3", "-o", filepath.Join(dir, "s.png")}, 0, "s.png", ""},
		{"sample svg, greedy", []string{"sketch", "sample", "-n", "1", "--greedy", "--model", model, "-o", filepath.Join(dir, "s.svg")}, 0, "s.svg", ""},
		{"no engine flag", []string{"sketch", "sample", "-n", "1", "--engine", "gorgonia", "--model", model, "-o", filepath.Join(dir, "e.svg")}, 2, "", "engine"},
		{"bad extension", []string{"sketch", "sample", "--model", model, "-o", filepath.Join(dir, "s.gif")}, 2, "", ".png or .svg"},
		{"bad temperature", []string{"sketch", "sample", "--model", model, "--temperature", "-1", "-o", filepath.Join(dir, "t.png")}, 2, "", "temperature"},
		{"decoder-only model cannot reconstruct", []string{"sketch", "reconstruct", valid, "--model", model, "-o", filepath.Join(dir, "r.png")}, 2, "", "no encoder"},
		{"missing model", []string{"sketch", "sample", "--model", filepath.Join(dir, "none.safetensors"), "-o", filepath.Join(dir, "m.png")}, 2, "", "no such file"},
		{"wrong model file", []string{"sketch", "sample", "--model", valid, "-o", filepath.Join(dir, "w.png")}, 2, "", "--model"},
		{"eval without data", []string{"sketch", "eval", "--model", model}, 2, "", "usage"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		status := run(tt.args, &stdout, &stderr)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d (stderr %q)", tt.name, status, tt.status, stderr.String())
		}
		if tt.out != "" {
			if st, err := os.Stat(filepath.Join(dir, tt.out)); err != nil || st.Size() == 0 {
				t.Errorf("%s: no output file: %v", tt.name, err)
			}
		}
		if !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: stderr %q, want it to mention %q", tt.name, stderr.String(), tt.stderr)
		}
	}
	// No partial files were left behind by the failures.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "s.png" && e.Name() != "s.svg" {
			t.Errorf("unexpected file %s", e.Name())
		}
	}
}

func TestSketchEvalJSON(t *testing.T) {
	model := shared.Data(t, "sketch-rnn-models/sheep.gen.json")
	all, err := os.ReadFile(shared.Data(t, "sketch/aaron_sheep.valid.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	// Five drawings keep the test quick under -race.
	lines := strings.SplitAfterN(string(all), "\n", 6)
	valid := filepath.Join(t.TempDir(), "five.ndjson")
	if err := os.WriteFile(valid, []byte(strings.Join(lines[:5], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if status := run([]string{"sketch", "eval", "--data", valid, "--json", "--model", model}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	var got struct {
		Sketches int     `json:"sketches"`
		RLoss    float64 `json:"r_loss"`
		KLLoss   float64 `json:"kl_loss"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	if got.Sketches < 1 || got.Sketches > 5 || got.KLLoss != 0 || got.RLoss >= 0 {
		t.Errorf("eval = %+v", got)
	}
}

// Each kind of bad drawing file gets one clear error naming the file, status 2, and no output.
func TestSketchBadDrawingFiles(t *testing.T) {
	dir := t.TempDir()
	good := `{"word":"sheep","key_id":"1","drawing":[[[0,50,90],[0,20,5]],[[10,10],[30,60]]]}`
	files := map[string]string{
		"mixed.ndjson":   good + "\n{\"word\":\"x\"\n" + good + "\n",
		"garbage.ndjson": "not json\n",
		"empty.ndjson":   `{"word":"x","drawing":[[[],[]]]}` + "\n",
		"absurd.ndjson":  `{"word":"x","drawing":[[[0,1e300],[0,1]]]}` + "\n",
		"trunc.npz":      "PK\x03\x04 truncated",
		"notes.txt":      "hello",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ file, want string }{
		{"mixed.ndjson", "line 2: sketch: invalid format: not a JSON drawing object"},
		{"mixed.ndjson", "the other 2 drawings read well"},
		{"garbage.ndjson", "line 1: "},
		{"empty.ndjson", "empty drawing"},
		{"absurd.ndjson", "coordinates must be finite and within"},
		{"trunc.npz", "not a valid zip file"},
		{"notes.txt", "unknown drawing file type"},
		{"missing.ndjson", "no such file"},
	} {
		var stdout, stderr bytes.Buffer
		out := filepath.Join(dir, "out.png")
		status := run([]string{"sketch", "reconstruct", filepath.Join(dir, tt.file), "-o", out}, &stdout, &stderr)
		msg := stderr.String()
		if status != 2 || !strings.Contains(msg, tt.want) || !strings.Contains(msg, tt.file) || strings.Count(msg, tt.file) > 1 {
			t.Errorf("%s: status %d, stderr %q; want 2 and one mention of the file and %q", tt.file, status, msg, tt.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: an output file was written", tt.file)
		}
	}
}
