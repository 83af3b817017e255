package sketchrnn

import (
	"fmt"
	"io"
	"math"
	mrand "math/rand"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
)

// Trainer trains a sketch VAE as sketch_rnn_train.py does: Adam on random batches of augmented
// drawings, gradients clipped per value, learning rate and KL weight on sketch-rnn's schedules.
// Batches come from buckets of similar length, each padded only to its bucket's longest drawing.
// Every step's randomness derives from (Seed, Step), so a resumed run continues exactly.
type Trainer struct {
	W    *Weights
	Adam *nn.Adam // ClipNorm 0: clipping is per value, before Adam
	Step int      // steps done
	Seed uint64
	// Engine computes the gradients; all three give the same numbers (see Engine).
	Engine Engine
	// GorgoniaUnrolled builds a graph per length bucket, and each holds GBs (the tape machine
	// keeps every intermediate value bound to its node), so only MaxGraphs stay cached, and
	// BucketRun consecutive steps share a bucket so that a graph is rebuilt (10-60 s) only every
	// BucketRun steps at most.
	MaxGraphs int // graphs kept (0 means 1)
	BucketRun int // consecutive steps drawn from one bucket (0 means 1: every step draws its own)

	train   []sketch.Drawing // clamped, in data units, sorted by length
	buckets []bucketRange
	graphs  map[int]*graph
	lru     []int // padded lengths of the cached graphs, most recently used last
	steps   *stepEngine
	grads   [][]float32
}

// Engine is a way of computing the training gradients.
type Engine int

const (
	// Plain is the hand-written backward pass of backprop.go, checked against the graph.
	Plain Engine = iota
	// Gorgonia differentiates graphs of one time step with Gorgonia and chains their gradients
	// through time (stepgraph.go): under twice Plain's time per step, and little memory.
	Gorgonia
	// GorgoniaUnrolled differentiates one graph of the whole model unrolled over the batch's
	// length (graph.go, the reference): 15-20 s and several GB per step at 250 points.
	GorgoniaUnrolled
)

var engineNames = []string{Plain: "plain", Gorgonia: "gorgonia", GorgoniaUnrolled: "gorgonia-unrolled"}

func (e Engine) String() string {
	if e >= 0 && int(e) < len(engineNames) {
		return engineNames[e]
	}
	return fmt.Sprintf("Engine(%d)", int(e))
}

// ParseEngine returns the engine named s ("plain", "gorgonia" or "gorgonia-unrolled").
func ParseEngine(s string) (Engine, error) {
	for e, name := range engineNames {
		if s == name {
			return Engine(e), nil
		}
	}
	return 0, fmt.Errorf("sketch vae: unknown engine %q (want plain, gorgonia or gorgonia-unrolled)", s)
}

type bucketRange struct{ from, to, maxLen int } // train[from:to], longest maxLen points

// bucketWidth is the spread of lengths that share a padded length.
const bucketWidth = 25

// NewTrainer prepares training of w on the training drawings: it drops drawings longer than
// MaxSeqLen or of 10 points or fewer (as sketch-rnn's DataLoader) and groups the rest by length.
func NewTrainer(w *Weights, train []sketch.Drawing, seed uint64) (*Trainer, error) {
	if err := w.Check(); err != nil {
		return nil, err
	}
	cfg := w.Config
	t := &Trainer{W: w, Seed: seed, graphs: map[int]*graph{}}
	for _, d := range train {
		if len(d) > 10 && len(d) <= cfg.MaxSeqLen {
			t.train = append(t.train, d.Clamp(sketch.Limit))
		}
	}
	if len(t.train) < cfg.BatchSize {
		return nil, fmt.Errorf("sketch vae: %d usable training drawings (11 to %d points), need at least a batch of %d", len(t.train), cfg.MaxSeqLen, cfg.BatchSize)
	}
	sort.SliceStable(t.train, func(i, j int) bool { return len(t.train[i]) < len(t.train[j]) })
	// Close a bucket when the next drawing is bucketWidth longer than its first one, unless that
	// would leave fewer than a batch in it (or after it).
	from := 0
	for i := range t.train {
		if i-from >= cfg.BatchSize && len(t.train[i]) >= len(t.train[from])+bucketWidth && len(t.train)-i >= cfg.BatchSize {
			t.buckets = append(t.buckets, bucketRange{from, i, len(t.train[i-1])})
			from = i
		}
	}
	t.buckets = append(t.buckets, bucketRange{from, len(t.train), len(t.train[len(t.train)-1])})
	ps := w.params()
	sizes := make([]int, len(ps))
	t.grads = make([][]float32, len(ps))
	for i, p := range ps {
		sizes[i] = len(p.data)
		t.grads[i] = make([]float32, len(p.data))
	}
	t.Adam = nn.NewAdam(sizes, 0)
	return t, nil
}

// Buckets describes the length buckets as "maxLen:count" pairs, for the log.
func (t *Trainer) Buckets() string {
	s := ""
	for _, b := range t.buckets {
		s += fmt.Sprintf(" %d:%d", b.maxLen, b.to-b.from)
	}
	return s
}

// LearningRate is sketch-rnn's schedule: (lr - min_lr) * decay_rate^step + min_lr.
func (c SketchVAEConfig) LearningRateAt(step int) float64 {
	return (c.LearningRate-c.MinLR)*math.Pow(c.DecayRate, float64(step)) + c.MinLR
}

// KLWeightAt is sketch-rnn's annealing: kl_weight - (kl_weight - kl_weight_start) * kl_decay_rate^step.
func (c SketchVAEConfig) KLWeightAt(step int) float64 {
	return c.KLWeight - (c.KLWeight-c.KLWeightStart)*math.Pow(c.KLDecayRate, float64(step))
}

// StepResult reports one training step.
type StepResult struct {
	Cost, RLoss, KL float64
	LR, KLWeight    float64
	Points          int // padded length of the batch
}

// TrainStep runs one step: a batch, forward and backward, clipping and Adam.
func (t *Trainer) TrainStep() (StepResult, error) {
	cfg := t.W.Config
	B := cfg.BatchSize
	rng := rand.New(rand.NewPCG(t.Seed, uint64(t.Step)))
	aug := mrand.New(mrand.NewSource(int64(rng.Uint64() >> 1)))
	// A bucket with probability proportional to its size (drawn once per BucketRun steps), then
	// B distinct drawings from it.
	i := rng.IntN(len(t.train))
	if run := max(1, t.BucketRun); run > 1 {
		i = rand.New(rand.NewPCG(t.Seed, uint64(t.Step/run)|1<<62)).IntN(len(t.train))
	}
	bk := t.buckets[0]
	for _, b := range t.buckets {
		if i >= b.from && i < b.to {
			bk = b
		}
	}
	pick := rng.Perm(bk.to - bk.from)[:B]
	rows := make([][][5]float32, B)
	for k, j := range pick {
		d := t.train[bk.from+j]
		d = sketch.Augment(d, aug)
		rows[k] = d.Scale(1 / t.W.ScaleFactor).Stroke5(0)
	}
	eps := make([]float32, B*cfg.ZSize)
	for k := range eps {
		eps[k] = float32(rng.NormFloat64())
	}
	klw := cfg.KLWeightAt(t.Step)
	bt := makeBatch(rows, bk.maxLen, eps)
	for _, g := range t.grads {
		clear(g)
	}
	var cost, r, kl float64
	switch t.Engine {
	case GorgoniaUnrolled:
		gr, err := t.graph(bk.maxLen)
		if err != nil {
			return StepResult{}, err
		}
		gr.load(t.W)
		c, r32, kl32, err := gr.run(bt, float32(klw), false)
		if err != nil {
			return StepResult{}, err
		}
		cost, r, kl = float64(c), float64(r32), float64(kl32)
		err = gr.addGrads(t.grads)
		gr.vm.Reset()
		if err != nil {
			return StepResult{}, err
		}
	case Gorgonia:
		if t.steps == nil {
			gs, err := newStepEngine(t.W, B)
			if err != nil {
				return StepResult{}, err
			}
			t.steps = gs
		}
		var err error
		if cost, r, kl, err = t.steps.gradients(t.W, bt, bk.maxLen, klw, false, t.grads); err != nil {
			return StepResult{}, err
		}
	default:
		cost, r, kl = t.W.backprop(bt, bk.maxLen, klw, false, t.grads)
	}
	if math.IsNaN(cost) || math.IsInf(cost, 0) {
		return StepResult{}, fmt.Errorf("sketch vae: step %d: loss is %v", t.Step, cost)
	}
	clip := float32(cfg.GradClip)
	for _, g := range t.grads {
		for k, v := range g {
			g[k] = min(max(v, -clip), clip)
		}
	}
	lr := cfg.LearningRateAt(t.Step)
	ps := t.W.params()
	data := make([][]float32, len(ps))
	for k, p := range ps {
		data[k] = p.data
	}
	t.Adam.Update(data, t.grads, lr)
	t.Step++
	return StepResult{Cost: cost, RLoss: r, KL: kl, LR: lr, KLWeight: klw, Points: bk.maxLen}, nil
}

// graph returns the graph for padded length T, building it if it is not among the cached ones
// and dropping the least recently used beyond MaxGraphs.
func (t *Trainer) graph(T int) (*graph, error) {
	for i, u := range t.lru {
		if u == T {
			t.lru = append(append(t.lru[:i:i], t.lru[i+1:]...), T)
			return t.graphs[T], nil
		}
	}
	for len(t.lru) >= max(1, t.MaxGraphs) {
		delete(t.graphs, t.lru[0])
		t.lru = t.lru[1:]
	}
	gr, err := newGraph(t.W, T, t.W.Config.BatchSize)
	if err != nil {
		return nil, err
	}
	t.graphs[T] = gr
	t.lru = append(t.lru, T)
	return gr, nil
}

// SaveResume writes the weights, the optimizer state and the step: everything a run needs to
// continue exactly (with the same training data).
func (t *Trainer) SaveResume(out io.Writer) error {
	extra := map[string]checkpoint.Tensor{}
	for i, p := range t.W.params() {
		extra["adam/m/"+p.name] = checkpoint.Tensor{Shape: p.shape, Data: t.Adam.M[i]}
		extra["adam/v/"+p.name] = checkpoint.Tensor{Shape: p.shape, Data: t.Adam.V[i]}
	}
	return t.W.save(out, extra, map[string]string{
		"step":      strconv.Itoa(t.Step),
		"seed":      strconv.FormatUint(t.Seed, 10),
		"adam_step": strconv.Itoa(t.Adam.Step),
	})
}

// Resume reads a file written by SaveResume and returns a trainer positioned after its step.
func Resume(r io.Reader, train []sketch.Drawing) (*Trainer, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, fmt.Errorf("sketch vae: resume: %w", err)
	}
	w, err := fromFile(f)
	if err != nil {
		return nil, err
	}
	step, err1 := strconv.Atoi(f.Metadata["step"])
	seed, err2 := strconv.ParseUint(f.Metadata["seed"], 10, 64)
	adamStep, err3 := strconv.Atoi(f.Metadata["adam_step"])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, fmt.Errorf("sketch vae: resume: not a training checkpoint (step, seed or adam_step missing)")
	}
	t, err := NewTrainer(w, train, seed)
	if err != nil {
		return nil, err
	}
	t.Step, t.Adam.Step = step, adamStep
	for i, p := range w.params() {
		m, okM := f.Tensors["adam/m/"+p.name]
		v, okV := f.Tensors["adam/v/"+p.name]
		if !okM || !okV || len(m.Data) != len(p.data) || len(v.Data) != len(p.data) {
			return nil, fmt.Errorf("sketch vae: resume: optimizer state for %s missing or of the wrong size", p.name)
		}
		copy(t.Adam.M[i], m.Data)
		copy(t.Adam.V[i], v.Data)
	}
	return t, nil
}

// Progress formats a one-line report of a step for the log.
func Progress(step, total int, r StepResult, perStep time.Duration) string {
	left := time.Duration(max(0, total-step)) * perStep
	return fmt.Sprintf("step %d/%d  loss %.4f  r_loss %.4f  kl %.4f  kl_w %.3f  lr %.6f  T %d  %.2fs/step  left %s",
		step, total, r.Cost, r.RLoss, r.KL, r.KLWeight, r.LR, r.Points, perStep.Seconds(), left.Round(time.Minute))
}
