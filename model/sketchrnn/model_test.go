package sketchrnn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

func tinyConfig() SketchVAEConfig {
	c := DefaultConfig()
	c.EncSize, c.DecSize, c.ZSize, c.Mixtures, c.MaxSeqLen, c.BatchSize = 6, 8, 4, 3, 12, 4
	return c
}

// randomDrawing returns n points with offsets of a few tens of units and a pen lift every few points.
func randomDrawing(n int, rng *rand.Rand) sketch.Drawing {
	d := make(sketch.Drawing, n)
	for i := range d {
		d[i] = sketch.Point{DX: float32(rng.IntN(61) - 30), DY: float32(rng.IntN(61) - 30), PenLift: rng.IntN(4) == 0 || i == n-1}
	}
	return d
}

// tinyModel has larger weights than the init's, so that the tests see every part of the graph.
func tinyModel(t testing.TB, seed uint64) *Weights {
	w, err := NewWeights(tinyConfig(), 20, seed)
	if err != nil {
		t.Fatal(err)
	}
	perturb(w, seed)
	return w
}

func perturb(w *Weights, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 9))
	for _, p := range w.params() {
		for i := range p.data {
			p.data[i] += float32(rng.NormFloat64() * 0.3)
		}
	}
}

// The decoder graph's outputs and states follow the oracle's, step by step, within 1e-5.
func TestDecoderGraphMatchesOracle(t *testing.T) {
	tests := []struct {
		name string
		w    *Weights
		B    int
	}{
		{"tiny, batch 2", tinyModel(t, 8), 2},
		{"shipped size, batch 1", shippedSize(t), 1},
		{"decoder only", unconditional(t), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			rng := rand.New(rand.NewPCG(1, 1))
			var zs [][]float32
			if w.Config.Conditional() {
				zs = randomZs(tt.B, w.Config.ZSize, 4)
			} else {
				zs = make([][]float32, tt.B)
			}
			oracle := w.newDecoder(zs, tt.B)
			g, err := newDecodeGraph(w, tt.B)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.begin(zs); err != nil {
				t.Fatal(err)
			}
			var worst float64
			x := make([]float32, tt.B*5)
			for range 20 {
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				oracle.step(x)
				out, err := g.advance(x)
				if err != nil {
					t.Fatal(err)
				}
				state := nn.Values(g.state)
				H := len(oracle.h)
				for _, pair := range [][2][]float32{{out, oracle.out}, {state[:H], oracle.c}, {state[H:], oracle.h}} {
					for i, v := range pair[1] {
						worst = math.Max(worst, math.Abs(float64(v-pair[0][i])))
					}
				}
			}
			if worst > 1e-5 {
				t.Errorf("graph and oracle differ by up to %.3g", worst)
			}
		})
	}
}

// Greedy drawings are identical to the oracle's for the same z, and sampled ones for the same seed.
func TestDecodeMatchesOracle(t *testing.T) {
	tests := []struct {
		name        string
		w           *Weights
		zs          [][]float32
		temperature float64
	}{
		{"tiny greedy", tinyModel(t, 8), randomZs(3, 4, 5), 0},
		{"tiny sampled", tinyModel(t, 8), randomZs(3, 4, 5), 0.6},
		{"shipped size greedy", shippedSize(t), randomZs(2, DefaultConfig().ZSize, 6), 0},
		{"decoder only greedy", unconditional(t), make([][]float32, 2), 0},
	}
	if w := readGenOrNil(t); w != nil {
		tests = append(tests, struct {
			name        string
			w           *Weights
			zs          [][]float32
			temperature float64
		}{"magenta sheep greedy", w, make([][]float32, 2), 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewModel(tt.w).Decode(tt.zs, vae.DecodeOptions{Temperature: tt.temperature, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.w.oracleDecode(tt.zs, tt.temperature, 7, tt.w.Config.MaxSeqLen)
			if !reflect.DeepEqual(got, want) {
				for i := range want {
					t.Logf("drawing %d: %d points, oracle %d", i, len(got[i]), len(want[i]))
				}
				t.Error("the graph's drawings differ from the oracle's")
			}
		})
	}
}

// unconditional is a decoder-only model like a .gen.json one.
func unconditional(t testing.TB) *Weights {
	cfg := tinyConfig()
	cfg.EncSize, cfg.ZSize = 0, 0
	w, err := NewWeights(cfg, 20, 4)
	if err != nil {
		t.Fatal(err)
	}
	perturb(w, 4)
	return w
}

// The encoder graph gives the oracle's mu, and Evaluate the oracle's losses.
func TestEncodeAndEvaluateMatchOracle(t *testing.T) {
	w := tinyModel(t, 3)
	rng := rand.New(rand.NewPCG(2, 2))
	var ds []sketch.Drawing
	for _, n := range []int{1, 5, 12, 30} {
		ds = append(ds, randomDrawing(n, rng))
	}
	m := NewModel(w)
	zs, err := m.Encode(ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if len(d) > w.Config.MaxSeqLen {
			d = d[:w.Config.MaxSeqLen]
		}
		mu, _ := w.oracleEncode(w.Normalize(d))
		for k := range mu {
			if math.Abs(float64(mu[k]-zs[i][k])) > 1e-5 {
				t.Fatalf("drawing %d: mu[%d] %v, oracle %v", i, k, zs[i][k], mu[k])
			}
		}
	}
	got, err := m.Evaluate(ds, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := w.oracleEvaluate(ds, 3)
	if got.Sketches != want.Sketches || math.Abs(got.RLoss-want.RLoss) > 1e-5*math.Max(1, math.Abs(want.RLoss)) || math.Abs(got.KL-want.KL) > 1e-5 {
		t.Errorf("losses %+v, oracle %+v", got, want)
	}
	if _, err := m.Encode([]sketch.Drawing{{}}); err == nil {
		t.Error("an empty drawing encoded without error")
	}
	if _, err := NewModel(unconditional(t)).Encode(ds); err == nil {
		t.Error("a decoder-only model encoded without error")
	}
}

// A layer-normalised config is refused with a clear error, when made and when loaded.
func TestLayerNormRefused(t *testing.T) {
	cfg := tinyConfig()
	cfg.LayerNorm = true
	if _, err := NewWeights(cfg, 20, 1); err == nil || !strings.Contains(err.Error(), "layer-normalised") {
		t.Errorf("NewWeights: err = %v", err)
	}
	var buf bytes.Buffer
	if err := tinyModel(t, 1).Save(&buf); err != nil {
		t.Fatal(err)
	}
	b := bytes.Replace(buf.Bytes(), []byte(`LayerNorm\":false`), []byte(`LayerNorm\":true `), 1)
	if _, err := Load(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), "layer-normalised") {
		t.Errorf("Load: err = %v", err)
	}
}

// A drawing in other units than the model's (under half or over twice its typical size) is
// scaled to them before it is encoded: the same drawing at 3.5 times the size encodes as the
// drawing itself, while one within the model's range encodes as it is. The typical size is kept
// in the checkpoint, and metadata copied from another file does not override it.
func TestFitSize(t *testing.T) {
	w := tinyModel(t, 3)
	rng := rand.New(rand.NewPCG(5, 5))
	d := randomDrawing(12, rng)
	b := d.Bounds()
	side := max(b.Dx(), b.Dy())
	m := NewModel(w)
	encode := func(d sketch.Drawing) []float32 {
		zs, err := m.Encode([]sketch.Drawing{d})
		if err != nil {
			t.Fatal(err)
		}
		return zs[0]
	}
	big := d.Scale(3.5)
	if reflect.DeepEqual(encode(d), encode(big)) {
		t.Fatal("without a typical size, a drawing 3.5 times larger encoded the same: the test shows nothing")
	}
	w.TypicalSize = side
	for name, tt := range map[string]struct {
		in   sketch.Drawing
		want float32
	}{
		"3.5 times larger": {big, side},
		"4 times smaller":  {d.Scale(0.25), side},
		"1.8 times larger": {d.Scale(1.8), 1.8 * side},
		"0.6 times":        {d.Scale(0.6), 0.6 * side},
		"no size":          {sketch.Drawing{{PenLift: true}}, 0},
	} {
		b := w.FitSize(tt.in).Bounds()
		if got := max(b.Dx(), b.Dy()); math.Abs(float64(got-tt.want)) > 1e-3*float64(side) {
			t.Errorf("%s: fitted to side %v, want %v", name, got, tt.want)
		}
	}
	near := func(a, b []float32) bool {
		for k := range a {
			if math.Abs(float64(a[k]-b[k])) > 1e-4 {
				return false
			}
		}
		return true
	}
	if !near(encode(big), encode(d)) {
		t.Error("with a typical size, the drawing 3.5 times larger did not encode as the drawing")
	}
	if near(encode(d.Scale(1.8)), encode(d)) {
		t.Error("a drawing within the model's range was rescaled")
	}

	var buf bytes.Buffer
	if err := w.SaveWithMetadata(&buf, map[string]string{metaTypicalSize: "7"}); err != nil {
		t.Fatal(err)
	}
	back, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.TypicalSize != side {
		t.Errorf("typical size after a round trip %v, want %v", back.TypicalSize, side)
	}
	w.TypicalSize = float32(math.NaN())
	if err := w.Check(); err == nil {
		t.Error("a NaN typical size passed Check")
	}
}
