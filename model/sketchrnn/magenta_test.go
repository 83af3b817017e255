package sketchrnn

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/vae"
)

// magentaHarness returns the folder of the Node harness with @magenta/sketch installed, running
// npm ci there first if needed; it skips the test where node or npm is missing.
func magentaHarness(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "magenta"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: skipping the comparison with @magenta/sketch")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@magenta", "sketch")); err != nil {
		if _, err := exec.LookPath("npm"); err != nil {
			t.Skip("npm is not installed: skipping the comparison with @magenta/sketch")
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("npm ci in %s failed (offline?): %v\n%s", dir, err, out)
		}
	}
	return dir
}

type magentaStep struct {
	C, H                               []float32
	Pi, MuX, MuY, SigmaX, SigmaY, Corr []float32
	Pen                                []float32
}

func (s *magentaStep) UnmarshalJSON(b []byte) error {
	var raw struct {
		C      []float32 `json:"c"`
		H      []float32 `json:"h"`
		Pi     []float32 `json:"pi"`
		MuX    []float32 `json:"mu_x"`
		MuY    []float32 `json:"mu_y"`
		SigmaX []float32 `json:"sigma_x"`
		SigmaY []float32 `json:"sigma_y"`
		Corr   []float32 `json:"corr"`
		Pen    []float32 `json:"pen"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = magentaStep{raw.C, raw.H, raw.Pi, raw.MuX, raw.MuY, raw.SigmaX, raw.SigmaY, raw.Corr, raw.Pen}
	return nil
}

// Our decoder graph, fed the same strokes as @magenta/sketch's SketchRNN under Node, has the same LSTM
// state and the same mixture parameters at every step, for each of Magenta's models.
func TestDecoderMatchesMagentaJS(t *testing.T) {
	models, _ := filepath.Glob(filepath.Join(filepath.Dir(shared.Data(t, "sketch-rnn-models/sheep.gen.json")), "*.gen.json"))
	dir := magentaHarness(t)
	const pixelFactor = 2 // @magenta/sketch's default: its pixels are data units / 2
	for _, path := range models {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			w, _, err := ReadGenJSON(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			// Input strokes: the start token, then a drawing sampled from the model itself (so the
			// states are the model's typical ones), 40 points, in Magenta's pixels.
			ds, err := NewModel(w).Generate([][]float32{nil}, vae.DecodeOptions{Temperature: 0.4, Seed: 3}, 40)
			if err != nil {
				t.Fatal(err)
			}
			strokes := [][5]float32{{0, 0, 1, 0, 0}}
			for _, p := range ds[0] {
				s := [5]float32{p.DX / pixelFactor, p.DY / pixelFactor, 1, 0, 0}
				if p.PenLift {
					s[2], s[3] = 0, 1
				}
				strokes = append(strokes, s)
			}
			in, _ := json.Marshal(strokes)
			cmd := exec.Command("node", "harness.js", path)
			cmd.Dir = dir
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node harness.js: %v\n%s", err, stderr.String())
			}
			var got struct {
				ScaleFactor float64       `json:"scale_factor"`
				Steps       []magentaStep `json:"steps"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("harness output: %v", err)
			}
			if len(got.Steps) != len(strokes) {
				t.Fatalf("harness gave %d steps for %d strokes", len(got.Steps), len(strokes))
			}
			s := float32(got.ScaleFactor) // Magenta divides its pixel offsets by this
			dec, err := newDecodeGraph(w, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := dec.begin([][]float32{nil}); err != nil {
				t.Fatal(err)
			}
			H := w.Config.DecSize
			mx := newMixture(w.Config.Mixtures)
			var worst float64
			for i, st := range strokes {
				out, err := dec.advance([]float32{st[0] / s, st[1] / s, st[2], st[3], st[4]})
				if err != nil {
					t.Fatal(err)
				}
				mx.set(out, 1)
				state := nn.Values(dec.state) // [2, 1, H]: c, h
				want := got.Steps[i]
				for _, pair := range [][2][]float32{
					{state[:H], want.C}, {state[H:], want.H}, {mx.Pi, want.Pi}, {mx.MuX, want.MuX}, {mx.MuY, want.MuY},
					{mx.SigmaX, want.SigmaX}, {mx.SigmaY, want.SigmaY}, {mx.Corr, want.Corr}, {mx.Pen[:], want.Pen},
				} {
					if len(pair[0]) != len(pair[1]) {
						t.Fatalf("step %d: %d values here, %d from Magenta", i, len(pair[0]), len(pair[1]))
					}
					for k := range pair[0] {
						worst = math.Max(worst, math.Abs(float64(pair[0][k]-pair[1][k])))
					}
				}
			}
			t.Logf("%d steps, largest difference from @magenta/sketch %.2g", len(strokes), worst)
			if worst > 1e-4 {
				t.Errorf("largest difference from @magenta/sketch %.3g, want <= 1e-4", worst)
			}
		})
	}
}
