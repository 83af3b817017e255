package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/magenta"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

// writeTestModel saves a small random melody model as .safetensors in dir.
func writeTestModel(t *testing.T, dir string) (string, *musicvae.Weights) {
	t.Helper()
	return writeModel(t, filepath.Join(dir, "model.safetensors"), []int{12, 12})
}

// writeModel saves a small random melody model with the given decoder sizes at path.
func writeModel(t *testing.T, path string, decoder []int) (string, *musicvae.Weights) {
	t.Helper()
	w, err := musicvae.NewWeights(musicvae.Config{EncoderSize: 16, DecoderSizes: decoder, ZSize: 8}, 5)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := w.Save(&b, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, w
}

func runCmd(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	status = run(args, &o, &e)
	return status, o.String(), e.String()
}

func sameWeights(t *testing.T, got, want *musicvae.Weights) {
	t.Helper()
	g, w := got.Tensors(), want.Tensors()
	if len(g) != len(w) {
		t.Fatalf("%d tensors, want %d", len(g), len(w))
	}
	for name, tw := range w {
		if tg := g[name]; !slices.Equal(tg.Shape, tw.Shape) || !slices.Equal(tg.Data, tw.Data) {
			t.Errorf("%s differs after the round trip", name)
		}
	}
}

func TestModelConvert(t *testing.T) {
	dir := t.TempDir()
	model, w := writeTestModel(t, dir)
	mg := filepath.Join(dir, "magenta")
	back := filepath.Join(dir, "back.safetensors")

	status, out, errOut := runCmd(t, "model", "convert", model, mg)
	if status != 0 || !strings.Contains(out, "Magenta.js MusicVAE checkpoint") {
		t.Fatalf("convert to Magenta: status %d, %q %q", status, out, errOut)
	}
	if !magenta.IsCheckpointDir(mg) {
		t.Fatal("no checkpoint directory written")
	}
	// Again over the existing checkpoint: replaced, and no temporary directory left behind.
	if status, _, errOut := runCmd(t, "model", "convert", model, mg); status != 0 {
		t.Fatalf("convert over an existing checkpoint: %d %q", status, errOut)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind %s", e.Name())
		}
	}
	if status, _, errOut := runCmd(t, "model", "convert", mg, back); status != 0 {
		t.Fatalf("convert back: %d %q", status, errOut)
	}
	got, err := loadMelodyWeights(back)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, got, w)
	fromDir, err := loadMelodyWeights(mg)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, fromDir, w)

	notCkpt := filepath.Join(dir, "stuff")
	if err := os.Mkdir(notCkpt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notCkpt, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	drums := filepath.Join(dir, "drums")
	if err := os.Mkdir(drums, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"config.json":           `{"type":"MusicVAE","dataConverter":{"type":"DrumsConverter","args":{"numSteps":64}}}`,
		"weights_manifest.json": `[]`,
	} {
		if err := os.WriteFile(filepath.Join(drums, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	unequal, _ := writeModel(t, filepath.Join(dir, "unequal.safetensors"), []int{12, 10})
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no arguments", nil, "want IN and OUT"},
		{"decoder layers Magenta.js cannot run", []string{unequal, filepath.Join(dir, "unequal")}, "one size"},
		{"one argument", []string{model}, "want IN and OUT"},
		{"missing input", []string{filepath.Join(dir, "none.safetensors"), back}, "no such file"},
		{"directory without config.json", []string{notCkpt, back}, "no config.json"},
		{"drums of 4 bars", []string{drums, back}, "numSteps 64"},
		{"not a model", []string{filepath.Join(notCkpt, "notes.txt"), back}, "checkpoint"},
		{"no built-in model yet", []string{"builtin:melody", back}, "no built-in melody model"},
		{"output over a folder of other files", []string{model, notCkpt}, "something other than a checkpoint"},
		{"output folder missing", []string{model, filepath.Join(dir, "no", "such")}, "does not exist"},
		{"unknown flag", []string{"--frobnicate", model, back}, "frobnicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no built-in model yet" {
				if _, ok := builtinMelodyModel(); ok {
					t.Skip("this build ships a melody model")
				}
			}
			status, _, errOut := runCmd(t, append([]string{"model", "convert"}, tc.args...)...)
			if status != 2 || !strings.Contains(errOut, tc.stderr) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("status %d, stderr %q; want 2 and one line containing %q", status, errOut, tc.stderr)
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(notCkpt, "notes.txt")); err != nil || string(b) != "mine" {
		t.Error("convert touched a folder that was not a checkpoint")
	}
}

func TestMelodyEncodeDecode(t *testing.T) {
	dir := t.TempDir()
	model, w := writeTestModel(t, dir)
	mg := filepath.Join(dir, "magenta")
	if status, _, errOut := runCmd(t, "model", "convert", model, mg); status != 0 {
		t.Fatal(errOut)
	}
	mid := writeTestMIDI(t, dir)
	m := musicvae.NewModel(w)

	var mus [][]float32
	for _, spec := range []string{model, mg} {
		status, out, errOut := runCmd(t, "melody", "encode", mid, "--json", "--model", spec, "--bar", "1")
		if status != 0 {
			t.Fatalf("encode with %s: %d %q", spec, status, errOut)
		}
		var mu []float32
		if err := json.Unmarshal([]byte(out), &mu); err != nil {
			t.Fatalf("encode printed %q: %v", out, err)
		}
		mus = append(mus, mu)
	}
	segs := readTestSegments(t, mid)
	win, err := melody.WindowAt(segs, 1)
	if err != nil {
		t.Fatal(err)
	}
	wants, err := m.Encode([]melody.Melody{win})
	if err != nil {
		t.Fatal(err)
	}
	want := wants[0]
	for i, mu := range mus {
		if !slices.Equal(mu, want) {
			t.Errorf("model %d: mu %v, want %v", i, mu, want)
		}
	}

	zs := [][]float32{want, make([]float32, 8)}
	zFile := filepath.Join(dir, "z.json")
	b, _ := json.Marshal(zs)
	if err := os.WriteFile(zFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := runCmd(t, "melody", "decode", "--z", zFile, "--json", "--model", mg)
	if status != 0 {
		t.Fatalf("decode: %d %q", status, errOut)
	}
	var tokens []melody.Melody
	if err := json.Unmarshal([]byte(out), &tokens); err != nil {
		t.Fatalf("decode printed %q: %v", out, err)
	}
	if wantTokens, err := m.Decode(zs, vae.DecodeOptions{}); err != nil || !slices.EqualFunc(tokens, wantTokens, slices.Equal) {
		t.Errorf("decode: %v, want %v (%v)", tokens, wantTokens, err)
	}
	// One z alone, without --json: one line of 32 tokens.
	one := filepath.Join(dir, "one.json")
	b, _ = json.Marshal(want)
	if err := os.WriteFile(one, b, 0o644); err != nil {
		t.Fatal(err)
	}
	status, out, errOut = runCmd(t, "melody", "decode", "--model", model, "--z", one)
	if status != 0 || strings.Count(out, "\n") != 1 || len(strings.Fields(out)) != melody.WindowSteps {
		t.Errorf("decode of one z: %d %q %q", status, out, errOut)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"z": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.json")
	if err := os.WriteFile(short, []byte(`[[1, 2, 3]]`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"encode without a file", []string{"melody", "encode", "--model", model}, "no MIDI file"},
		{"encode a missing file", []string{"melody", "encode", filepath.Join(dir, "no.mid"), "--model", model}, "no such file"},
		{"encode past the end", []string{"melody", "encode", mid, "--bar", "2", "--model", model}, "out of range"},
		{"encode with a missing model", []string{"melody", "encode", mid, "--model", filepath.Join(dir, "no")}, "no such file"},
		{"decode without --z", []string{"melody", "decode", "--model", model}, "--z"},
		{"decode with the retired --engine", []string{"melody", "decode", "--z", short, "--model", model, "--engine", "gorgonia"}, "-engine"},
		{"decode bad JSON", []string{"melody", "decode", "--z", bad, "--model", model}, "not a JSON array"},
		{"decode a z of the wrong size", []string{"melody", "decode", "--z", short, "--model", model}, "has 3 values, the model's z has 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, errOut := runCmd(t, tc.args...)
			if status != 2 || !strings.Contains(errOut, tc.stderr) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("status %d, stderr %q; want 2 and one line containing %q", status, errOut, tc.stderr)
			}
		})
	}
}

func readTestSegments(t *testing.T, path string) []melody.Melody {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	segs, err := melody.ReadMIDI(f)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

// FuzzParseZs: the z file reader never panics, and what it accepts is one or more non-empty
// vectors of finite values.
func FuzzParseZs(f *testing.F) {
	f.Add([]byte(`[0.5, -1, 2]`))
	f.Add([]byte(`[[1, 2], [3, 4]]`))
	f.Add([]byte("\xef\xbb\xbf[1e39]"))
	f.Add([]byte(`[[], [1]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		zs, err := parseZs(data)
		if err != nil {
			return
		}
		if len(zs) == 0 {
			t.Fatal("no z vectors and no error")
		}
		for _, z := range zs {
			if len(z) == 0 || finiteVectors([][]float32{z}) != nil {
				t.Fatalf("accepted %v", z)
			}
		}
	})
}
