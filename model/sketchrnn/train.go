package sketchrnn

import (
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/vae"
)

// Trainer trains a sketch VAE as sketch_rnn_train.py does: Adam on random batches of augmented
// drawings, gradients clipped per value, learning rate and KL weight on sketch-rnn's schedules.
// Batches come from buckets of similar length, each padded only to its bucket's longest drawing.
// Every step's randomness derives from (Seed, step), so a resumed run continues exactly.
// Gorgonia differentiates the model (train_graph.go); a step splits its batch between Threads
// goroutines, each with its own step graphs, and sums their gradients.
type Trainer struct {
	W    *Weights
	Adam *nn.Adam // ClipNorm 0: clipping is per value, before Adam
	Seed uint64
	// Threads is how many goroutines share a step's batch (0: GOMAXPROCS, at most 2).
	Threads int
	// Resimplify is the probability that a training drawing is first simplified again
	// (sketch.Resimplify), so the encoder also places sparse drawings made by hand. Like
	// Threads it is not saved in the state: a resumed run takes it from its caller.
	Resimplify float64

	steps   int              // steps done
	train   []sketch.Drawing // clamped, in data units, sorted by length
	valid   []sketch.Drawing
	buckets []bucketRange
	engines []*stepEngine // one per thread, for the batch's share each
	grads   [][]float32
}

var _ vae.Trainer = (*Trainer)(nil)

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
	t := &Trainer{W: w, Seed: seed}
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

// LearningRateAt is sketch-rnn's schedule, (lr - min_lr) * decay_rate^step + min_lr, with step
// counted from DecayFrom (0 unless a resumed run was given a new rate).
func (c SketchVAEConfig) LearningRateAt(step int) float64 {
	return (c.LearningRate-c.MinLR)*math.Pow(c.DecayRate, float64(max(step-c.DecayFrom, 0))) + c.MinLR
}

// KLWeightAt is sketch-rnn's annealing: kl_weight - (kl_weight - kl_weight_start) * kl_decay_rate^step.
func (c SketchVAEConfig) KLWeightAt(step int) float64 {
	return c.KLWeight - (c.KLWeight-c.KLWeightStart)*math.Pow(c.KLDecayRate, float64(step))
}

// SetValidation gives the held-out drawings that Validate scores.
func (t *Trainer) SetValidation(valid []sketch.Drawing) { t.valid = valid }

// Steps is the number of steps done.
func (t *Trainer) Steps() int { return t.steps }

// threads is the number of goroutines a step uses.
func (t *Trainer) threads() int {
	n := t.Threads
	if n <= 0 {
		n = min(2, runtime.GOMAXPROCS(0))
	}
	return max(1, min(n, t.W.Config.BatchSize))
}

// Step runs one training step: a batch, forward and backward, clipping and Adam.
func (t *Trainer) Step() (vae.Report, error) {
	cfg := t.W.Config
	B := cfg.BatchSize
	rng := rand.New(rand.NewPCG(t.Seed, uint64(t.steps)))
	aug := mrand.New(mrand.NewSource(int64(rng.Uint64() >> 1)))
	// A bucket with probability proportional to its size, then B distinct drawings from it.
	i := rng.IntN(len(t.train))
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
		if t.Resimplify > 0 && aug.Float64() < t.Resimplify {
			d = sketch.Resimplify(d, aug)
		}
		d = sketch.Augment(d, aug)
		rows[k] = d.Scale(1 / t.W.ScaleFactor).Stroke5(0)
	}
	eps := make([]float32, B*cfg.ZSize)
	for k := range eps {
		eps[k] = float32(rng.NormFloat64())
	}
	klw := cfg.KLWeightAt(t.steps)
	cost, r, kl, err := t.gradients(rows, eps, bk.maxLen, klw)
	if err != nil {
		return vae.Report{}, fmt.Errorf("sketch vae: step %d: %w", t.steps, err)
	}
	if math.IsNaN(cost) || math.IsInf(cost, 0) {
		t.steps++ // the batch is skipped: its step (and randomness) is used up
		return vae.Report{}, fmt.Errorf("sketch vae: step %d: %w (%v)", t.steps, vae.ErrNonFinite, cost)
	}
	clip := float32(cfg.GradClip)
	for _, g := range t.grads {
		for k, v := range g {
			g[k] = min(max(v, -clip), clip)
		}
	}
	lr := cfg.LearningRateAt(t.steps)
	ps := t.W.params()
	data := make([][]float32, len(ps))
	for k, p := range ps {
		data[k] = p.data
	}
	t.Adam.Update(data, t.grads, lr)
	t.steps++
	line := fmt.Sprintf("loss %.4f  r_loss %.4f  kl %.4f  kl_w %.3f  lr %.6f  T %d", cost, r, kl, klw, lr, bk.maxLen)
	return vae.Report{Step: t.steps, Loss: cost, Line: line}, nil
}

// gradients computes the cost, r_loss and KL of a batch padded to T and leaves the gradients in
// t.grads: each engine takes a share of the batch on its own goroutine. The KL floor needs the
// whole batch's KL, so the engines meet between their forward and backward passes.
func (t *Trainer) gradients(rows [][][5]float32, eps []float32, T int, klw float64) (cost, rLoss, kl float64, err error) {
	cfg := t.W.Config
	B, Z := len(rows), cfg.ZSize
	n := t.threads()
	if len(t.engines) != n {
		t.engines = nil
		for k := range n {
			e, err := newStepEngine(t.W, share(B, n, k+1)-share(B, n, k), B)
			if err != nil {
				return 0, 0, 0, err
			}
			t.engines = append(t.engines, e)
		}
	}
	bts := make([]*batch, n)
	for k := range n {
		lo, hi := share(B, n, k), share(B, n, k+1)
		bts[k] = makeBatch(rows[lo:hi], T, eps[lo*Z:hi*Z])
	}
	kls, rs := make([]float64, n), make([]float64, n)
	if err := parallel(n, func(k int) (err error) {
		kls[k], err = t.engines[k].forward(t.W, bts[k], T)
		return err
	}); err != nil {
		return 0, 0, 0, err
	}
	for _, v := range kls {
		kl += v
	}
	if err := parallel(n, func(k int) (err error) {
		seed := 0.0
		if kl > cfg.KLTolerance { // max(kl, tolerance) has no gradient below the floor
			seed = klw * float64(t.engines[k].B) / float64(B)
		}
		rs[k], err = t.engines[k].backward(t.W, bts[k], T, seed, false)
		return err
	}); err != nil {
		return 0, 0, 0, err
	}
	for k, e := range t.engines {
		rLoss += rs[k]
		for i, g := range e.grads {
			if k == 0 {
				copy(t.grads[i], g)
				continue
			}
			for j, v := range g {
				t.grads[i][j] += v
			}
		}
	}
	return rLoss + klw*math.Max(kl, cfg.KLTolerance), rLoss, kl, nil
}

// share is where part k of n of a batch of B starts.
func share(B, n, k int) int { return k * B / n }

// parallel runs f(0..n-1) on n goroutines and returns the first error.
func parallel(n int, f func(k int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := 1; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = f(k)
		}()
	}
	errs[0] = f(0)
	wg.Wait()
	return errors.Join(errs...)
}

// Validate scores the model on the validation drawings as sketch-rnn's evaluation does (eps
// drawn from seed 0): Score is r_loss + kl_loss, what choosing the best checkpoint compares.
func (t *Trainer) Validate() (vae.Validation, error) {
	if len(t.valid) == 0 {
		return vae.Validation{}, fmt.Errorf("sketch vae: no validation drawings")
	}
	l, err := NewModel(t.W).Evaluate(t.valid, 0)
	if err != nil {
		return vae.Validation{}, err
	}
	// Sketch-rnn's valid cost: the training objective at the final KL weight.
	score := l.RLoss + t.W.Config.KLWeight*math.Max(l.KL, t.W.Config.KLTolerance)
	return vae.Validation{Score: score, Line: fmt.Sprintf("valid (%d sketches): r_loss %.4f, kl_loss %.4f", l.Sketches, l.RLoss, l.KL)}, nil
}

// SaveModel writes the weights as a shipped model, with meta (MetaData, MetaNotes ...).
func (t *Trainer) SaveModel(w io.Writer, meta map[string]string) error {
	return t.W.SaveWithMetadata(w, meta)
}

// SaveState writes the weights, the optimizer state and the step: everything a run needs to
// continue exactly (with the same training data), and meta.
func (t *Trainer) SaveState(out io.Writer, meta map[string]string) error {
	extra := map[string]checkpoint.Tensor{}
	for i, p := range t.W.params() {
		extra["adam/m/"+p.name] = checkpoint.Tensor{Shape: p.shape, Data: t.Adam.M[i]}
		extra["adam/v/"+p.name] = checkpoint.Tensor{Shape: p.shape, Data: t.Adam.V[i]}
	}
	md := map[string]string{}
	for k, v := range meta {
		md[k] = v
	}
	md["step"] = strconv.Itoa(t.steps)
	md["seed"] = strconv.FormatUint(t.Seed, 10)
	md["adam_step"] = strconv.Itoa(t.Adam.Step)
	return t.W.save(out, extra, md)
}

// Resume reads a file written by SaveState and returns a trainer positioned after its step.
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
	t.steps, t.Adam.Step = step, adamStep
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
