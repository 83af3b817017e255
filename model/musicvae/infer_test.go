package musicvae

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
)

// randomWeights is a model with random biases too, so that every term of the math shows.
func randomWeights(t testing.TB, c MelodyVAEConfig, seed uint64) *Weights {
	w, err := NewWeights(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	for _, tn := range w.Tensors() {
		if len(tn.Shape) == 1 {
			for i := range tn.Data {
				tn.Data[i] = float32(rng.NormFloat64() * 0.5)
			}
		}
	}
	return w
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestPlainMatchesGorgonia checks the plain-Go engine against the Gorgonia graph: mu, sigma and
// every step's logits to 1e-5, and the same tokens, greedy and sampled. Sizes of 256 would
// expose G.Slice's hash trap if the graph sliced anything.
func TestPlainMatchesGorgonia(t *testing.T) {
	configs := []MelodyVAEConfig{tiny, {EncoderSize: 256, DecoderSizes: []int{256, 64}, ZSize: 8}}
	if raceEnabled {
		configs = configs[:1] // compiling the graphs of the larger model takes a minute under -race
	}
	for _, c := range configs {
		w := randomWeights(t, c, 2)
		m := NewModel(w)
		batch := randomWindows(3, 8)
		mu, sigma := encodePlain(w, batch)
		gmu, gsigma, err := m.encodeGraphSigma(batch)
		if err != nil {
			t.Fatal(err)
		}
		for b := range batch {
			if d := max(maxDiff(mu[b], gmu[b]), maxDiff(sigma[b], gsigma[b])); d > 1e-5 {
				t.Errorf("%+v: window %d: mu or sigma differ by %g", c, b, d)
			}
		}
		for _, temp := range []float64{0, 1} {
			plain, plainLogits := decodePlain(w, mu, batch, 0, 0) // teacher-forced logits for comparison below
			_ = plain
			want, _ := decodePlain(w, mu, nil, temp, 42)
			got, logits, err := m.decodeGraphLogits(mu, temp, 42)
			if err != nil {
				t.Fatal(err)
			}
			for b := range want {
				if hamming(want[b], got[b]) != 0 {
					t.Errorf("%+v temperature %v: window %d: plain %v, graph %v", c, temp, b, want[b], got[b])
				}
			}
			if temp == 0 {
				// The greedy logits of the graph, against the plain decoder fed the same tokens.
				_, fed := decodePlain(w, mu, got, 0, 0)
				for s := range logits {
					if d := maxDiff(logits[s], fed[s]); d > 1e-5 {
						t.Errorf("%+v: step %d: logits differ by %g", c, s, d)
					}
				}
			}
			_ = plainLogits
		}
		m.Engine = Gorgonia
		if got, want := m.Decode(mu, 0, 0), NewModel(w).Decode(mu, 0, 0); hamming(got[0], want[0]) != 0 {
			t.Errorf("Engine Gorgonia decodes %v, Plain %v", got[0], want[0])
		}
	}
}

// TestPlainMatchesTrainingGraph checks the training graph's teacher-forced logits against the
// plain decoder given the same z = mu + sigma*eps: the plain engine computes what was trained.
func TestPlainMatchesTrainingGraph(t *testing.T) {
	tr, err := tinyTrainer()
	if err != nil {
		t.Fatal(err)
	}
	const step = 3
	data := tr.data
	if _, _, err := tr.forward(data, step); err != nil {
		t.Fatal(err)
	}
	w := tr.Weights()
	rng := rand.New(rand.NewPCG(tr.Config.Seed, step))
	mu, sigma := encodePlain(w, data)
	zs := make([][]float32, len(data))
	for b := range data {
		for k := range mu[b] {
			zs[b] = append(zs[b], mu[b][k]+sigma[b][k]*float32(rng.NormFloat64()))
		}
	}
	_, want := decodePlain(w, zs, data, 0, 0)
	for s, lv := range tr.graph.logits {
		if d := maxDiff(lv.Data().([]float32), want[s]); d > 1e-5 {
			t.Errorf("step %d: training graph and plain decoder differ by %g", s, d)
		}
	}
}

func TestDecodeIsDeterministic(t *testing.T) {
	m := NewModel(randomWeights(t, tiny, 3))
	zs := [][]float32{{0.1, -1, 2}, {0, 0, 0}}
	a, b := m.Decode(zs, 0, 1), m.Decode(zs, 0, 2)
	for i := range a {
		if hamming(a[i], b[i]) != 0 || len(a[i]) != Steps {
			t.Errorf("greedy decode depends on the seed: %v, %v", a[i], b[i])
		}
		if err := a[i].Validate(); err != nil {
			t.Error(err)
		}
	}
	s1, s2, s3 := m.Decode(zs, 1.5, 7), m.Decode(zs, 1.5, 7), m.Decode(zs, 1.5, 8)
	if hamming(s1[0], s2[0]) != 0 {
		t.Errorf("same seed, different samples: %v, %v", s1[0], s2[0])
	}
	if hamming(s1[0], s3[0])+hamming(s1[1], s3[1]) == 0 {
		t.Errorf("seeds 7 and 8 gave the same samples")
	}
	// A short z is padded, a short melody too.
	if got := m.Decode([][]float32{{1}}, 0, 0); len(got) != 1 || len(got[0]) != Steps {
		t.Errorf("short z: %v", got)
	}
	if got := m.Encode([]melody.Melody{{melody.NoteOn(60)}}); len(got) != 1 || len(got[0]) != tiny.ZSize {
		t.Errorf("short melody: %v", got)
	}
}

func TestSaveLoad(t *testing.T) {
	w := randomWeights(t, tiny, 4)
	var buf bytes.Buffer
	if err := w.Save(&buf, map[string]string{MetaData: "random"}); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	got, meta, err := Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if meta[MetaData] != "random" || got.Config.ZSize != tiny.ZSize || len(got.Config.DecoderSizes) != 2 {
		t.Errorf("metadata %v, config %+v", meta, got.Config)
	}
	for name, tn := range w.Tensors() {
		if d := maxDiff(tn.Data, got.Tensors()[name].Data); d != 0 {
			t.Errorf("%s differs by %g", name, d)
		}
	}
	shapes := tiny.Shapes()
	for _, name := range []string{
		"encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/kernel",
		"decoder/multi_rnn_cell/cell_1/lstm_cell/bias",
		"decoder/z_to_initial_state/kernel",
		"decoder/output_projection/kernel",
	} {
		if _, ok := shapes[name]; !ok {
			t.Errorf("no tensor named %s", name)
		}
	}
	if s := shapes["decoder/multi_rnn_cell/cell_0/lstm_cell/kernel"]; s[0] != Classes+tiny.ZSize+4 || s[1] != 16 {
		t.Errorf("decoder cell 0 kernel shape %v", s)
	}

	// A tensor of the wrong shape is named in the error.
	ts := w.Tensors()
	ts["encoder/mu/bias"] = checkpoint.Tensor{Shape: []int{2}, Data: []float32{1, 2}}
	_, err = WeightsFromTensors(tiny, ts)
	var fe *checkpoint.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "encoder/mu/bias") {
		t.Errorf("wrong shape: got %v", err)
	}
	if _, _, err := Load(bytes.NewReader(raw[:len(raw)-3])); err == nil {
		t.Error("truncated checkpoint loaded")
	}
}

func TestEvaluate(t *testing.T) {
	m := NewModel(randomWeights(t, tiny, 6))
	ws := randomWindows(10, 2)
	got := Evaluate(m, ws, EvalOptions{Pairs: 5, Seed: 1})
	if got.Windows != 10 {
		t.Errorf("windows %d", got.Windows)
	}
	for _, v := range []float64{got.TeacherForcedAccuracy, got.ReconstructionAccuracy, got.InterpolationMonotonicity} {
		if v < 0 || v > 1 {
			t.Errorf("metric %v outside 0..1 in %+v", v, got)
		}
	}
	if got.KL <= 0 {
		t.Errorf("KL %v", got.KL)
	}
	if sub := Evaluate(m, ws, EvalOptions{MaxWindows: 4}); sub.Windows != 4 {
		t.Errorf("MaxWindows 4 evaluated %d", sub.Windows)
	}
	z := Lerp([]float32{0, 2}, []float32{4, 2}, 5)
	if len(z) != 5 || z[1][0] != 1 || z[4][0] != 4 || z[2][1] != 2 {
		t.Errorf("Lerp: %v", z)
	}
}
