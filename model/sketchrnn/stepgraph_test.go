package sketchrnn

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/latentpalette/palette/model/sketch"
)

// stepTestModel is a small model with perturbed weights (so that every part of the graphs
// matters), sizes chosen to differ from one another.
func stepTestModel(t *testing.T, ln bool) *Weights {
	t.Helper()
	cfg := DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.Mixtures, cfg.MaxSeqLen, cfg.BatchSize = 8, 16, 4, 3, 10, 3
	cfg.LayerNorm = ln
	w, err := NewWeights(cfg, 20, 21)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(21, 9))
	for _, p := range w.params() {
		for i := range p.data {
			p.data[i] += float32(rng.NormFloat64() * 0.3)
		}
	}
	return w
}

func zeroGrads(w *Weights) [][]float32 {
	var gs [][]float32
	for _, p := range w.params() {
		gs = append(gs, make([]float32, len(p.data)))
	}
	return gs
}

// The step graphs give the unrolled graph's and the hand-written backward pass's cost, r_loss,
// KL and gradients.
func TestStepEngineMatchesOtherEngines(t *testing.T) {
	tests := []struct {
		name      string
		ln, eval  bool
		tolerance float64 // the KL floor: low enough for the KL term to have a gradient, or not
	}{
		{"train", false, false, 0.01},
		{"eval", false, true, 0.01},
		{"below the KL floor", false, false, 100},
		{"layer norm", true, false, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := stepTestModel(t, tt.ln)
			w.Config.KLTolerance = tt.tolerance
			rng := rand.New(rand.NewPCG(6, 6))
			const T, B = 7, 3
			rows := [][][5]float32{w.Normalize(randomDrawing(7, rng)), w.Normalize(randomDrawing(4, rng)), w.Normalize(randomDrawing(2, rng))}
			eps := make([]float32, B*w.Config.ZSize)
			for i := range eps {
				eps[i] = float32(rng.NormFloat64())
			}
			bt := makeBatch(rows, T, eps)
			const klWeight = 0.7

			gr, err := newGraph(w, T, B)
			if err != nil {
				t.Fatal(err)
			}
			gr.load(w)
			c32, r32, kl32, err := gr.run(bt, klWeight, tt.eval)
			if err != nil {
				t.Fatal(err)
			}
			unrolled := zeroGrads(w)
			if err := gr.addGrads(unrolled); err != nil {
				t.Fatal(err)
			}
			plain := zeroGrads(w)
			pc, pr, pkl := w.backprop(bt, T, klWeight, tt.eval, plain)

			e, err := newStepEngine(w, B)
			if err != nil {
				t.Fatal(err)
			}
			got := zeroGrads(w)
			cost, r, kl, err := e.gradients(w, bt, T, klWeight, tt.eval, got)
			if err != nil {
				t.Fatal(err)
			}
			close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-5*math.Abs(b)+1e-6 }
			for _, ref := range []struct {
				name        string
				cost, r, kl float64
				grads       [][]float32
			}{
				{"unrolled graph", float64(c32), float64(r32), float64(kl32), unrolled},
				{"plain", pc, pr, pkl, plain},
			} {
				if !close(cost, ref.cost) || !close(r, ref.r) || !close(kl, ref.kl) {
					t.Errorf("cost, r_loss, kl = %v %v %v; %s %v %v %v", cost, r, kl, ref.name, ref.cost, ref.r, ref.kl)
				}
				var worst, largest float64
				for i, p := range w.params() {
					bad := 0
					for k, want := range ref.grads[i] {
						worst = math.Max(worst, math.Abs(float64(got[i][k]-want)))
						largest = math.Max(largest, math.Abs(float64(want)))
						if !close(float64(got[i][k]), float64(want)) {
							if bad++; bad <= 3 {
								t.Errorf("%s[%d]: gradient %v, %s %v", p.name, k, got[i][k], ref.name, want)
							}
						}
					}
				}
				t.Logf("%s: gradients up to %.3g differ by up to %.3g", ref.name, largest, worst)
			}
			// Run again: the gradients are the same, not accumulated from the first run.
			again := zeroGrads(w)
			if _, _, _, err := e.gradients(w, bt, T, klWeight, tt.eval, again); err != nil {
				t.Fatal(err)
			}
			for i, p := range w.params() {
				for k := range again[i] {
					if again[i][k] != got[i][k] {
						t.Fatalf("%s[%d]: gradient %v on the first run, %v on the second", p.name, k, got[i][k], again[i][k])
					}
				}
			}
		})
	}
}

// The step graphs serve batches of every length: over steps drawn from two length buckets,
// the step engine's losses follow the plain engine's.
func TestStepEngineAcrossLengths(t *testing.T) {
	trainers := map[Engine]*Trainer{}
	for _, e := range []Engine{Plain, Gorgonia} {
		trainers[e] = twoBucketTrainer(t, e)
	}
	lengths := map[int]bool{}
	for i := range 6 {
		want, err := trainers[Plain].TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		got, err := trainers[Gorgonia].TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		lengths[got.Points] = true
		// Adam amplifies float32 rounding in tiny gradients, so later steps agree less closely.
		if got.Points != want.Points || math.Abs(got.Cost-want.Cost) > 1e-5*math.Pow(10, float64(i))*want.Cost {
			t.Errorf("step %d: T %d cost %v; plain T %d cost %v", i, got.Points, got.Cost, want.Points, want.Cost)
		}
	}
	if len(lengths) != 2 {
		t.Errorf("padded lengths %v: want both buckets", lengths)
	}
}

func TestParseEngine(t *testing.T) {
	for _, e := range []Engine{Plain, Gorgonia, GorgoniaUnrolled} {
		got, err := ParseEngine(e.String())
		if err != nil || got != e {
			t.Errorf("ParseEngine(%q) = %v, %v", e.String(), got, err)
		}
	}
	if _, err := ParseEngine("tensorflow"); err == nil {
		t.Error("ParseEngine(tensorflow): no error")
	}
}

// stepBenchSet is the sheep of 76 to 100 points: one length bucket, padded to 100.
func stepBenchSet(b *testing.B) []sketch.Drawing {
	var ds []sketch.Drawing
	for _, d := range loadSheep(b, "train") {
		if len(d) > 75 && len(d) <= 100 {
			ds = append(ds, d)
		}
	}
	return ds
}

// BenchmarkTrainStepEngines times training steps at the shipped size on batches padded to 100
// points, with each engine that is fast enough to time.
func BenchmarkTrainStepEngines(b *testing.B) {
	train := stepBenchSet(b)
	for _, engine := range []Engine{Plain, Gorgonia} {
		b.Run(engine.String(), func(b *testing.B) {
			tr := newBenchTrainer(b, train)
			tr.Engine = engine
			if _, err := tr.TrainStep(); err != nil { // builds the step graphs
				b.Fatal(err)
			}
			cpu0 := cpuTime()
			b.ResetTimer()
			benchTrainSteps(b, tr)
			// The machines these run on are shared: the process's CPU time varies less than the
			// wall-clock time.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The step graphs' sigmoid and tanh agree with float64's to 2e-7 (absolute), and the sigmoid
// to 1e-6 relative, down to its smallest values.
func TestActivations(t *testing.T) {
	var xs []float32
	for x := float32(-100); x <= 100; x += 0.001 {
		xs = append(xs, x)
	}
	xs = append(xs, 1e-6, -1e-6, 0, float32(math.Inf(1)), float32(math.Inf(-1)))
	for _, op := range []actOp{{}, {tanh: true}} {
		y := make([]float32, len(xs))
		op.apply(y, xs)
		for i, x := range xs {
			want := 1 / (1 + math.Exp(-float64(x)))
			if op.tanh {
				want = math.Tanh(float64(x))
			}
			if d := math.Abs(float64(y[i]) - want); d > 2e-7 || !op.tanh && want > 1e-37 && d > 1e-6*want {
				t.Fatalf("%v(%v) = %v, want %v", op, x, y[i], want)
			}
		}
	}
}

// The step graphs reach the tape machine's registers to keep its buffers from run to run; with
// another Gorgonia layout they still work, but allocate every intermediate value at every run.
func TestStepGraphKeepsBuffers(t *testing.T) {
	w := stepTestModel(t, false)
	cs, err := newDecoderStep(w, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	if regs := machineRegisters(cs.vm); len(regs) == 0 {
		t.Fatal("no registers found in the tape machine (not laid out as Gorgonia 0.9.18's)")
	}
}
