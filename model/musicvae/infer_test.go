package musicvae

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/vae"
)

// randomWeights is a model with random biases too, so that every term of the math shows.
func randomWeights(t testing.TB, c Config, seed uint64) *Weights {
	w, err := NewWeights(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	ts := w.Tensors()
	for _, name := range slices.Sorted(maps.Keys(ts)) { // in a fixed order: the same weights every time
		tn := ts[name]
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

// TestGraphMatchesOracle checks the Gorgonia graphs against the plain-Go oracle: mu, sigma and
// every step's logits to 1e-5, and the same tokens, greedy and sampled. Sizes of 256 would
// expose G.Slice's hash trap if the graph sliced anything.
func TestGraphMatchesOracle(t *testing.T) {
	configs := []Config{tiny, {EncoderSize: 256, DecoderSizes: []int{256, 64}, ZSize: 8}, tiny.Drums()}
	for _, c := range configs {
		w := randomWeights(t, c, 2)
		m := NewModel(w)
		batch := randomWindows(3, 8)
		if c.Input == InputDrumRoll {
			batch = randomTokens(3, drumTokens, 8)
			batch[0][5] = 0 // a step with no hit: the roll's tenth bit
		}
		mu, sigma := encodePlain(w, batch)
		gmu, gsigma, err := m.encode(batch)
		if err != nil {
			t.Fatal(err)
		}
		for b := range batch {
			if d := max(maxDiff(mu[b], gmu[b]), maxDiff(sigma[b], gsigma[b])); d > 1e-5 {
				t.Errorf("%+v: window %d: mu or sigma differ by %g", c, b, d)
			}
		}
		for _, temp := range []float64{0, 1} {
			want, _ := decodePlain(w, mu, nil, temp, 42)
			got, err := m.Decode(mu, vae.DecodeOptions{Temperature: temp, Seed: 42})
			if err != nil {
				t.Fatal(err)
			}
			for b := range want {
				if hamming(want[b], got[b]) != 0 {
					t.Errorf("%+v temperature %v: window %d: oracle %v, graph %v", c, temp, b, want[b], got[b])
				}
			}
		}
		// Teacher-forced logits, step by step.
		_, logits, err := m.decode(mu, batch, vae.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, fed := decodePlain(w, mu, batch, 0, 0)
		for s := range logits {
			if d := maxDiff(logits[s], fed[s]); d > 1e-5 {
				t.Errorf("%+v: step %d: logits differ by %g", c, s, d)
			}
		}
	}
}

// randomTokens makes n windows of tokens drawn uniformly from 0..classes-1.
func randomTokens(n, classes int, seed uint64) []melody.Melody {
	rng := rand.New(rand.NewPCG(seed, 9))
	out := make([]melody.Melody, n)
	for i := range out {
		out[i] = make(melody.Melody, Steps)
		for s := range out[i] {
			out[i][s] = rng.IntN(classes)
		}
	}
	return out
}

// TestTrainingGraphMatchesOracle checks the training graphs' teacher-forced logits against the
// oracle given the same z = mu + sigma*eps, on one thread and on two: the decoder computes what
// was trained.
func TestTrainingGraphMatchesOracle(t *testing.T) {
	for _, threads := range []int{1, 2} {
		tr := newTinyTrainer(t)
		tr.Threads = threads
		const step = 3
		data := tr.data
		if _, err := tr.forward(data, step); err != nil {
			t.Fatal(err)
		}
		w := tr.Weights()
		eps := tr.noise(step)
		mu, sigma := encodePlain(w, data)
		Z := w.Config.ZSize
		zs := make([][]float32, len(data))
		for b := range data {
			for k := range mu[b] {
				zs[b] = append(zs[b], mu[b][k]+sigma[b][k]*eps[b*Z+k])
			}
		}
		_, want := decodePlain(w, zs, data, 0, 0)
		from := 0
		for _, tg := range tr.parts {
			for s, l := range tg.logits {
				got := tg.plan.Out(l)
				if d := maxDiff(got, want[s][from*Classes:(from+tg.B)*Classes]); d > 1e-5 {
					t.Errorf("%d threads: step %d: training graph and oracle differ by %g", threads, s, d)
				}
			}
			from += tg.B
		}
		if len(tr.parts) != threads {
			t.Errorf("%d threads ran %d graphs", threads, len(tr.parts))
		}
	}
}

func TestDecodeIsDeterministic(t *testing.T) {
	m := NewModel(randomWeights(t, tiny, 3))
	zs := [][]float32{{0.1, -1, 2}, {0, 0, 0}}
	dec := func(zs [][]float32, temp float64, seed int64) []melody.Melody {
		out, err := m.Decode(zs, vae.DecodeOptions{Temperature: temp, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := dec(zs, 0, 1), dec(zs, 0, 2)
	for i := range a {
		if hamming(a[i], b[i]) != 0 || len(a[i]) != Steps {
			t.Errorf("greedy decode depends on the seed: %v, %v", a[i], b[i])
		}
		if err := a[i].Validate(); err != nil {
			t.Error(err)
		}
	}
	s1, s2, s3 := dec(zs, 1.5, 7), dec(zs, 1.5, 7), dec(zs, 1.5, 8)
	if hamming(s1[0], s2[0]) != 0 {
		t.Errorf("same seed, different samples: %v, %v", s1[0], s2[0])
	}
	if hamming(s1[0], s3[0])+hamming(s1[1], s3[1]) == 0 {
		t.Errorf("seeds 7 and 8 gave the same samples")
	}
	// A short z is padded, a short melody too.
	if got := dec([][]float32{{1}}, 0, 0); len(got) != 1 || len(got[0]) != Steps {
		t.Errorf("short z: %v", got)
	}
	if got, err := m.Encode([]melody.Melody{{melody.NoteOn(60)}}); err != nil || len(got) != 1 || len(got[0]) != tiny.ZSize {
		t.Errorf("short melody: %v, %v", got, err)
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
	got, err := Evaluate(m, ws, EvalOptions{Pairs: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
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
	if sub, err := Evaluate(m, ws, EvalOptions{MaxWindows: 4}); err != nil || sub.Windows != 4 {
		t.Errorf("MaxWindows 4 evaluated %d", sub.Windows)
	}
	z := Lerp([]float32{0, 2}, []float32{4, 2}, 5)
	if len(z) != 5 || z[1][0] != 1 || z[4][0] != 4 || z[2][1] != 2 {
		t.Errorf("Lerp: %v", z)
	}
}
