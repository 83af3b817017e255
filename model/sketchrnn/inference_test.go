package sketchrnn

import (
	"bytes"
	"encoding/base64"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

func readGen(tb testing.TB, name string) *Weights {
	tb.Helper()
	f, err := os.Open(shared.Data(tb, "sketch-rnn-models/"+name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w, _, err := ReadGenJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// readGenOrNil returns Magenta's sheep decoder, or nil where the shared data is absent.
func readGenOrNil(t *testing.T) *Weights {
	root, ok := shared.Root()
	if !ok {
		return nil
	}
	if _, err := os.Stat(filepath.Join(root, "..", "shared", "data", "sketch-rnn-models", "sheep.gen.json")); err != nil {
		return nil
	}
	return readGen(t, "sheep.gen.json")
}

func TestDecodeDeterminism(t *testing.T) {
	w := tinyModel(t, 9)
	m := NewModel(w)
	z := [][]float32{{0.1, -0.2, 0.3, 0.5}}
	tests := []struct {
		name   string
		a, b   vae.DecodeOptions
		wantEq bool
	}{
		{"greedy ignores seed", vae.DecodeOptions{Seed: 1}, vae.DecodeOptions{Seed: 2}, true},
		{"same seed, same drawing", vae.DecodeOptions{Temperature: 0.8, Seed: 5}, vae.DecodeOptions{Temperature: 0.8, Seed: 5}, true},
		{"other seed, other drawing", vae.DecodeOptions{Temperature: 0.8, Seed: 5}, vae.DecodeOptions{Temperature: 0.8, Seed: 6}, false},
	}
	for _, tt := range tests {
		a, err := m.Decode(z, tt.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.Decode(z, tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(a, b) != tt.wantEq {
			t.Errorf("%s: equal = %v", tt.name, !tt.wantEq)
		}
		if len(a[0]) == 0 || len(a[0]) > w.Config.MaxSeqLen {
			t.Errorf("%s: %d points", tt.name, len(a[0]))
		}
	}
	if _, err := m.Decode([][]float32{{1, 2}}, vae.DecodeOptions{}); err == nil {
		t.Error("a z of the wrong size decoded without error")
	}
}

// Magenta's temperature: softmax at 0.5+0.5t for pen and weights, sigmas times sqrt(t).
func TestMixtureTemperature(t *testing.T) {
	out := []float32{1, 2, 0, 0.5, -0.5, 3, 4, 5, 6, 0, 0.6931472, 0.2, 0.3, 0.4, 0.5}
	mx := newMixture(2)
	mx.set(out, 0.25)
	soft := 0.5 + 0.5*0.25
	e1, e2 := math.Exp(0.5/soft), math.Exp(-0.5/soft)
	if math.Abs(float64(mx.Pi[0])-e1/(e1+e2)) > 1e-6 {
		t.Errorf("pi[0] = %v, want %v", mx.Pi[0], e1/(e1+e2))
	}
	if math.Abs(float64(mx.SigmaX[1])-2*0.5) > 1e-6 {
		t.Errorf("sigma_x[1] = %v, want exp(ln 2)*sqrt(0.25) = 1", mx.SigmaX[1])
	}
	if math.Abs(float64(mx.Corr[0])-math.Tanh(0.4)) > 1e-6 {
		t.Errorf("corr[0] = %v", mx.Corr[0])
	}
	if dx, dy, pen := mx.Greedy(); dx != 3 || dy != 5 || pen != 1 {
		t.Errorf("greedy = %v %v %v, want 3 5 1", dx, dy, pen)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	w := tinyModel(t, 10)
	var buf bytes.Buffer
	if err := w.Save(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Error("loaded weights differ from the saved ones")
	}
	// A checkpoint of another model is refused with a clear error.
	bad := bytes.Replace(buf.Bytes(), []byte(Format), []byte("latentpalette/melody-vae"[:len(Format)]), 1)
	if _, err := Load(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "not a sketch model") {
		t.Errorf("another format: err = %v", err)
	}
}

func TestReadGenJSONErrors(t *testing.T) {
	good := minimalGenJSON()
	if _, _, err := ReadGenJSON(strings.NewReader(good)); err != nil {
		t.Fatalf("a minimal model: %v", err)
	}
	tests := []struct{ name, in, want string }{
		{"not json", `{`, "not a JSON array"},
		{"two elements", `[{}, []]`, "2 elements"},
		{"no scale", `[{}, [], []]`, "scale_factor"},
		{"encoder model", `[{"scale_factor": 1}, [[1],[1]], ["", ""]]`, "decoder-only"},
		{"bad dims", `[{"scale_factor": 1}, [[1,10],[10],[5,4],[1,4],[4]], ["","","","",""]]`, "dims"},
		{"short weights", good[:strings.LastIndex(good, `, "`)] + `, "AAAA"]]`, "bytes"},
		{"bad base64", good[:strings.LastIndex(good, `, "`)] + `, "!!!!"]]`, "weight array 4"},
	}
	for _, tt := range tests {
		_, _, err := ReadGenJSON(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

// minimalGenJSON is a valid model with one unit and one Gaussian, all weights 0.1.
func minimalGenJSON() string {
	arr := func(n int) string {
		b := make([]byte, 2*n)
		for i := 0; i < n; i++ {
			b[2*i] = 0x1c // 327 / 32767 * 10 ~ 0.1
			b[2*i+1] = 0x01
		}
		return `"` + base64.StdEncoding.EncodeToString(b) + `"`
	}
	return `[{"name": "tiny", "max_seq_len": 20, "scale_factor": 10}, [[1,9],[9],[5,4],[1,4],[4]], [` +
		strings.Join([]string{arr(9), arr(9), arr(20), arr(4), arr(4)}, ", ") + `]]`
}

func FuzzReadGenJSON(f *testing.F) {
	f.Add([]byte(minimalGenJSON()))
	f.Add([]byte(`[{}, [], []]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, _, err := ReadGenJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := w.Check(); err != nil {
			t.Fatalf("accepted a model that fails Check: %v", err)
		}
		if _, err := NewModel(w).Generate([][]float32{nil}, vae.DecodeOptions{}, 3); err != nil {
			t.Fatalf("accepted model does not decode: %v", err)
		}
	})
}

// The sheep from Magenta's model come out as drawings of a sensible size.
func TestGenJSONModelsDraw(t *testing.T) {
	for _, name := range []string{"sheep.gen.json", "bird.gen.json"} {
		w := readGen(t, name)
		ds, err := NewModel(w).Decode([][]float32{nil, nil}, vae.DecodeOptions{Temperature: 0.25, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			b := d.Bounds()
			if len(d) < 10 || b.Dx() < 20 || b.Dx() > 2000 {
				t.Errorf("%s: %d points, %v wide", name, len(d), b.Dx())
			}
		}
	}
}

func FuzzLoad(f *testing.F) {
	w, err := NewWeights(SketchVAEConfig{EncSize: 2, DecSize: 3, ZSize: 2, Mixtures: 1, MaxSeqLen: 5}, 10, 1)
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	w.TypicalSize = 50 // drawings of other units are scaled on the way in
	buf.Reset()
	if err := w.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("not a checkpoint"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		m := NewModel(w)
		if _, err := m.Generate([][]float32{make([]float32, w.Config.ZSize)}, vae.DecodeOptions{}, 3); err != nil {
			t.Fatalf("accepted checkpoint does not decode: %v", err)
		}
		if w.Config.Conditional() {
			if _, err := m.Encode([]sketch.Drawing{randomDrawing(3, rand.New(rand.NewPCG(1, 1)))}); err != nil {
				t.Fatalf("accepted checkpoint does not encode: %v", err)
			}
		}
	})
}
