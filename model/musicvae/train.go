package musicvae

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/vae"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TrainConfig holds the optimisation settings; the defaults follow MusicVAE's hparams.
type TrainConfig struct {
	Batch           int     `json:"batch"`
	Seed            uint64  `json:"seed"`
	LearningRate    float64 `json:"learning_rate"`     // decays as (lr - min) * rate^step + min
	MinLearningRate float64 `json:"min_learning_rate"` //
	DecayRate       float64 `json:"decay_rate"`        //
	MaxBeta         float64 `json:"max_beta"`          // KL weight: max_beta * (1 - beta_rate^step)
	BetaRate        float64 `json:"beta_rate"`         //
	FreeBits        float64 `json:"free_bits"`         // KL below this many bits per window is free
	ClipNorm        float64 `json:"clip_norm"`         // global gradient norm bound
	// TokenDropout is the probability that the decoder's input at a step (the previous event,
	// teacher-forced) is replaced by the zero vector, as Bowman et al.'s word dropout: the
	// decoder leans more on z and less on the event before.
	TokenDropout float64 `json:"token_dropout,omitempty"`
}

// DefaultTrainConfig is MusicVAE's setting (lr 1e-3 → 1e-5, clip 1.0) with max beta 0.2 and a
// beta rate suited to tens of thousands of steps rather than hundreds of thousands.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{Batch: 64, Seed: 1, LearningRate: 1e-3, MinLearningRate: 1e-5, DecayRate: 0.9999,
		MaxBeta: 0.2, BetaRate: 0.9999, FreeBits: 0, ClipNorm: 1}
}

// LR returns the learning rate at step.
func (c TrainConfig) LR(step int) float64 {
	return (c.LearningRate-c.MinLearningRate)*math.Pow(c.DecayRate, float64(step)) + c.MinLearningRate
}

// Beta returns the KL weight at step.
func (c TrainConfig) Beta(step int) float64 {
	return c.MaxBeta * (1 - math.Pow(c.BetaRate, float64(step)))
}

var _ vae.Trainer = (*Trainer)(nil)

// Trainer trains a model with Gorgonia. Everything random is a function of the seed and the
// step (data order per epoch, the noise eps of each step, the dropped tokens), so a run resumed
// from a state file continues exactly as if it had not stopped.
type Trainer struct {
	Config TrainConfig
	step   int // steps done
	// Threads is how many goroutines share a step (each runs its own graph over its share of the
	// batch); set it before the first step. NewTrainer sets GOMAXPROCS, at most 2.
	Threads int
	// Valid and ValidOptions are what Validate measures the model on.
	Valid        []melody.Melody
	ValidOptions EvalOptions

	w      *Weights
	data   []melody.Melody
	names  []string    // the weights' tensors in Adam's order
	values [][]float32 // their values (shared with the graphs' parameter nodes)
	grads  [][]float32 // their gradients, summed over the graphs
	adam   *nn.Adam
	parts  []*trainGraph // built on first use, one per thread
	perm   []int         // the data order of epoch
	epoch  int
}

// StepStats describes one training step.
type StepStats struct {
	Step                   int
	Loss, CrossEntropy, KL float64 // per window (cross-entropy summed over the 32 steps)
	Accuracy               float64 // teacher-forced, per step
	Beta, LR, GradNorm     float64
}

// NewTrainer starts training w on data, windows of Steps events. The trainer owns w from then
// on: its steps update w's values in place.
func NewTrainer(w *Weights, c TrainConfig, data []melody.Melody) (*Trainer, error) {
	if c.Batch <= 0 {
		return nil, fmt.Errorf("musicvae: batch %d must be positive", c.Batch)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("musicvae: no training windows")
	}
	for i, m := range data {
		if len(m) != Steps {
			return nil, fmt.Errorf("musicvae: training window %d has %d steps, want %d", i, len(m), Steps)
		}
		if err := w.Config.validTokens(m); err != nil {
			return nil, fmt.Errorf("musicvae: training window %d: %w", i, err)
		}
	}
	t := &Trainer{Config: c, w: w, data: data, epoch: -1, Threads: min(runtime.GOMAXPROCS(0), 2)}
	tensors := w.Tensors()
	for name := range tensors {
		t.names = append(t.names, name)
	}
	slices.Sort(t.names)
	var sizes []int
	for _, name := range t.names {
		v := tensors[name].Data
		t.values = append(t.values, v)
		t.grads = append(t.grads, make([]float32, len(v)))
		sizes = append(sizes, len(v))
	}
	t.adam = nn.NewAdam(sizes, c.ClipNorm)
	return t, nil
}

// Steps is the number of steps done.
func (t *Trainer) Steps() int { return t.step }

// Weights returns the weights being trained (not a copy: the next step changes them).
func (t *Trainer) Weights() *Weights { return t.w }

// Epoch is the fractional number of passes over the data done.
func (t *Trainer) Epoch() float64 {
	return float64(t.step*t.Config.Batch) / float64(len(t.data))
}

// batch returns the windows of step s: position s*B.. of the epochs' shuffled orders laid end to end.
func (t *Trainer) batch(s int) []melody.Melody {
	n, B := len(t.data), t.Config.Batch
	out := make([]melody.Melody, B)
	for i := range B {
		pos := s*B + i
		if e := pos / n; e != t.epoch {
			t.epoch = e
			t.perm = rand.New(rand.NewPCG(t.Config.Seed, uint64(e)+1<<32)).Perm(n)
		}
		out[i] = t.data[t.perm[pos%n]]
	}
	return out
}

// trainGraph is the model unrolled over a batch of B windows with teacher forcing, and its loss:
//
//	loss = mean_b(sum_t cross-entropy) + beta * mean_b(max(KL_b - free nats, 0))
type trainGraph struct {
	*layers
	B      int
	xs     []*G.Node // inputs: [B] event indices per step, the targets and the encoder's input
	prevs  []*G.Node // inputs: [B] the decoder's input at steps 1..31 (xs[t-1], -1 where dropped)
	eps    *G.Node   // input: [B, Z] ~ N(0, 1)
	beta   *G.Node   // input: scalar KL weight
	loss   *G.Node
	ce, kl *G.Node
	logits []*G.Node // [B, classes] per step
	grads  G.Nodes   // of layers.params()
	plan   *nn.Plan
	grad   [][]float32 // the last run's gradients by tensor (in Trainer.names order), scaled
}

func newTrainGraph(w *Weights, B int, freeNats float64) (tg *trainGraph, err error) {
	defer catch(&err, "building the training graph")
	g := G.NewGraph()
	l := newLayers(g, w)
	c := w.Config
	tg = &trainGraph{layers: l, B: B}
	for t := range Steps {
		tg.xs = append(tg.xs, input(g, fmt.Sprintf("x%d", t), B))
		if t > 0 {
			tg.prevs = append(tg.prevs, input(g, fmt.Sprintf("prev%d", t), B))
		}
	}
	none := input(g, "prev0", B) // step 0 has no previous event
	for i := range nn.Values(none) {
		nn.Values(none)[i] = -1
	}
	tg.eps = input(g, "eps", B, c.ZSize)
	tg.beta = G.NewScalar(g, tensor.Float32, G.WithName("beta"), G.WithValue(float32(0)))

	mu, sigma := l.encode(tg.xs)                              // [B, Z] each
	z := must(G.Add(mu, must(G.HadamardProd(sigma, tg.eps)))) // [B, Z]
	states, zShare := l.start(z)
	var ce *G.Node
	for t := range Steps {
		prev := none
		if t > 0 {
			prev = tg.prevs[t-1]
		}
		var logits *G.Node
		states, logits = l.step(prev, zShare, states)
		tg.logits = append(tg.logits, logits)
		nll := must(nn.SoftmaxCE(logits, tg.xs[t])) // scalar, summed over the batch
		if ce == nil {
			ce = nll
		} else {
			ce = must(G.Add(ce, nll))
		}
	}
	fb := G.NewConstant(float32(B))
	tg.ce = must(G.HadamardDiv(ce, fb)) // scalar, per window

	// KL(N(mu, sigma) || N(0, 1)) per window: sum_z 0.5*(mu² + sigma² - 1) - log sigma.
	half, one := G.NewConstant(float32(0.5)), G.NewConstant(float32(1))
	sq := must(G.Add(must(G.Square(mu)), must(G.Square(sigma))))                    // [B, Z]
	klz := must(G.Sub(must(G.Mul(half, must(G.Sub(sq, one)))), must(G.Log(sigma)))) // [B, Z]
	klb := must(G.Sum(klz, 1))                                                      // [B]
	tg.kl = must(G.HadamardDiv(must(G.Sum(klb)), fb))                               // scalar
	klCost := tg.kl
	if freeNats > 0 {
		over := must(G.Rectify(must(G.Sub(klb, G.NewConstant(float32(freeNats)))))) // [B]
		klCost = must(G.HadamardDiv(must(G.Sum(over)), fb))
	}
	tg.loss = must(G.Add(tg.ce, must(G.Mul(tg.beta, klCost))))
	if tg.grads, err = G.Grad(tg.loss, l.params()...); err != nil {
		return nil, err
	}
	outs := append(G.Nodes{tg.loss, tg.ce, tg.kl}, tg.logits...)
	if tg.plan, err = nn.NewPlan(append(outs, tg.grads...)...); err != nil {
		return nil, err
	}
	return tg, nil
}

// feed writes windows ms, the decoder's inputs (after token dropout) and the noise into the inputs.
func (tg *trainGraph) feed(ms []melody.Melody, dropped [][]bool, eps []float32, beta float64) {
	for t, x := range tg.xs {
		v := nn.Values(x)
		for b, m := range ms {
			v[b] = float32(m[t])
		}
	}
	for i, p := range tg.prevs {
		v := nn.Values(p)
		for b, m := range ms {
			v[b] = float32(m[i])
			if dropped != nil && dropped[i][b] {
				v[b] = -1
			}
		}
	}
	copy(nn.Values(tg.eps), eps)
	*tg.beta.Value().(*G.F32) = G.F32(beta)
}

// graphs returns the graphs the threads run, building them on first use: the batch is split
// into Threads parts of (nearly) equal size.
func (t *Trainer) graphs() ([]*trainGraph, error) {
	n := max(1, min(t.Threads, t.Config.Batch))
	if len(t.parts) == n {
		return t.parts, nil
	}
	t.parts = nil
	for i := range n {
		B := t.Config.Batch/n + btoi(i < t.Config.Batch%n)
		tg, err := newTrainGraph(t.w, B, t.Config.FreeBits*math.Ln2)
		if err != nil {
			return nil, err
		}
		t.parts = append(t.parts, tg)
	}
	return t.parts, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TrainStep runs one step of Adam on the next batch. A batch whose loss is not finite is skipped
// (an error wrapping vae.ErrNonFinite; its step is used up, the weights are unchanged).
func (t *Trainer) TrainStep() (StepStats, error) {
	st, err := t.forward(t.batch(t.step), t.step)
	if errors.Is(err, vae.ErrNonFinite) {
		t.step++
	}
	if err != nil {
		return st, err
	}
	st.GradNorm = t.adam.UpdateOn(t.values, t.grads, st.LR, len(t.parts))
	t.step++
	return st, nil
}

// Step is TrainStep for the common training loop.
func (t *Trainer) Step() (vae.Report, error) {
	st, err := t.TrainStep()
	return vae.Report{Step: st.Step, Loss: st.Loss, Line: fmt.Sprintf(
		"loss %.3f  ce %.3f  acc %.4f  kl %.2f  beta %.3f  lr %.2e  |g| %.2f  epoch %.2f",
		st.Loss, st.CrossEntropy, st.Accuracy, st.KL, st.Beta, st.LR, st.GradNorm, t.Epoch())}, err
}

// Validate measures the model on Valid: Score is 2 - (teacher-forced + reconstruction accuracy).
func (t *Trainer) Validate() (vae.Validation, error) {
	if len(t.Valid) == 0 {
		return vae.Validation{}, fmt.Errorf("musicvae: no validation windows")
	}
	m, err := Evaluate(NewModel(t.w), t.Valid, t.ValidOptions)
	if err != nil {
		return vae.Validation{}, err
	}
	return vae.Validation{Score: 2 - m.TeacherForcedAccuracy - m.ReconstructionAccuracy, Line: fmt.Sprintf(
		"valid (%d windows): teacher-forced %.4f, reconstruction %.4f, kl %.2f, interpolation %.3f",
		m.Windows, m.TeacherForcedAccuracy, m.ReconstructionAccuracy, m.KL, m.InterpolationMonotonicity)}, nil
}

// noise returns the N(0, 1) noise of step, [B, Z].
func (t *Trainer) noise(step int) []float32 {
	rng := rand.New(rand.NewPCG(t.Config.Seed, uint64(step)))
	eps := make([]float32, t.Config.Batch*t.w.Config.ZSize)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	return eps
}

// dropped draws which decoder inputs token dropout hides at step: [Steps-1][B], from the seed
// and the step; nil without dropout.
func (t *Trainer) dropped(step int) [][]bool {
	p := t.Config.TokenDropout
	if p <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(t.Config.Seed, uint64(step)|1<<40))
	out := make([][]bool, Steps-1)
	for i := range out {
		out[i] = make([]bool, t.Config.Batch)
		for b := range out[i] {
			out[i][b] = rng.Float64() < p
		}
	}
	return out
}

// forward runs the graphs on windows ms with the noise, dropout and KL weight of step: the
// statistics, and the gradients summed into t.grads.
func (t *Trainer) forward(ms []melody.Melody, step int) (StepStats, error) {
	gs, err := t.graphs()
	if err != nil {
		return StepStats{}, err
	}
	c, Z := t.Config, t.w.Config.ZSize
	beta := c.Beta(step)
	eps, drop := t.noise(step), t.dropped(step)
	st := StepStats{Step: step + 1, Beta: beta, LR: c.LR(step)}
	// Each graph runs on its own goroutine over its rows of the batch, and scales its gradients
	// by its share of the batch (its loss is a mean over its windows) into its own buffers.
	errs := make([]error, len(gs))
	from := 0
	var wg sync.WaitGroup
	for i, tg := range gs {
		part := ms[from : from+tg.B]
		var d [][]bool
		if drop != nil {
			d = make([][]bool, len(drop))
			for s := range drop {
				d[s] = drop[s][from : from+tg.B]
			}
		}
		tg.feed(part, d, eps[from*Z:(from+tg.B)*Z], beta)
		from += tg.B
		wg.Go(func() {
			if errs[i] = tg.plan.Run(); errs[i] == nil {
				tg.scaledGrads(t, float32(tg.B)/float32(c.Batch))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return StepStats{}, fmt.Errorf("musicvae: training step %d: %w", step, err)
	}
	nn.Parallel(len(t.grads), len(gs), func(i int) {
		g := t.grads[i]
		copy(g, gs[0].grad[i])
		for _, tg := range gs[1:] {
			for k, v := range tg.grad[i] {
				g[k] += v
			}
		}
	})
	right, from := 0, 0
	for _, tg := range gs {
		share := float64(tg.B) / float64(c.Batch)
		st.Loss += share * float64(tg.plan.Scalar(tg.loss))
		st.CrossEntropy += share * float64(tg.plan.Scalar(tg.ce))
		st.KL += share * float64(tg.plan.Scalar(tg.kl))
		for s, l := range tg.logits {
			right += correct(tg.plan.Out(l), ms[from:from+tg.B], s, t.w.Config.classes())
		}
		from += tg.B
	}
	st.Accuracy = float64(right) / float64(Steps*len(ms))
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, fmt.Errorf("musicvae: step %d: loss %v: %w", step+1, st.Loss, vae.ErrNonFinite)
	}
	return st, nil
}

// scaledGrads writes the gradients of the last run, times share, into tg.grad: one buffer per
// tensor of t, in t.names order.
func (tg *trainGraph) scaledGrads(t *Trainer, share float32) {
	if tg.grad == nil {
		for _, g := range t.grads {
			tg.grad = append(tg.grad, make([]float32, len(g)))
		}
	}
	for k, p := range tg.pieces {
		dst := tg.grad[t.index(p.tensor)][p.off:]
		for i, v := range tg.plan.Out(tg.grads[k]) {
			dst[i] = share * v
		}
	}
}

// index is the position of a tensor in t.names.
func (t *Trainer) index(name string) int {
	i, _ := slices.BinarySearch(t.names, name)
	return i
}

// correct counts the windows whose step t is the first maximum of their row of logits [B, classes].
func correct(logits []float32, ms []melody.Melody, t, classes int) int {
	n := 0
	for b, m := range ms {
		if nn.Argmax(logits[b*classes:(b+1)*classes]) == m[t] {
			n++
		}
	}
	return n
}

// Metadata keys of a training state file, beside the model's.
const (
	metaTrain = "train_config"
	metaStep  = "train_step"
	metaAdam  = "adam_step"
	metaCount = "train_windows"
	adamM     = "adam/m/"
	adamV     = "adam/v/"
)

// SaveModel writes the weights as a model checkpoint.
func (t *Trainer) SaveModel(w io.Writer, meta map[string]string) error { return t.w.Save(w, meta) }

// SaveState writes everything needed to resume: the weights, Adam's moments and step, the
// training config and the step count. meta adds entries (the data description).
func (t *Trainer) SaveState(w io.Writer, meta map[string]string) error {
	tensors := t.w.Tensors()
	for i, name := range t.names {
		shape := tensors[name].Shape
		tensors[adamM+name] = checkpoint.Tensor{Shape: shape, Data: t.adam.M[i]}
		tensors[adamV+name] = checkpoint.Tensor{Shape: shape, Data: t.adam.V[i]}
	}
	tc, err := json.Marshal(t.Config)
	if err != nil {
		return err
	}
	cfg, err := json.Marshal(t.w.Config)
	if err != nil {
		return err
	}
	m := map[string]string{MetaFormat: formatName, MetaConfig: string(cfg), metaTrain: string(tc),
		metaStep: strconv.Itoa(t.step), metaAdam: strconv.Itoa(t.adam.Step), metaCount: strconv.Itoa(len(t.data))}
	for k, v := range meta {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return checkpoint.Save(w, tensors, m)
}

// Resume continues the run saved in a state file on data, which must be the same windows in the
// same order as before for the run to continue exactly.
func Resume(r io.Reader, data []melody.Melody) (*Trainer, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, err
	}
	w, err := FromFile(f)
	if err != nil {
		return nil, err
	}
	var c TrainConfig
	if err := json.Unmarshal([]byte(f.Metadata[metaTrain]), &c); err != nil {
		return nil, fmt.Errorf("musicvae: state file has no usable %s: %w", metaTrain, err)
	}
	step, err1 := strconv.Atoi(f.Metadata[metaStep])
	adamStep, err2 := strconv.Atoi(f.Metadata[metaAdam])
	if err1 != nil || err2 != nil || step < 0 {
		return nil, fmt.Errorf("musicvae: state file has no usable step counts (%q, %q)", f.Metadata[metaStep], f.Metadata[metaAdam])
	}
	if n := f.Metadata[metaCount]; n != strconv.Itoa(len(data)) {
		return nil, fmt.Errorf("musicvae: the run was trained on %s windows, the data now has %d: resume with the same data", n, len(data))
	}
	t, err := NewTrainer(w, c, data)
	if err != nil {
		return nil, err
	}
	t.step, t.adam.Step = step, adamStep
	for i, name := range t.names {
		for _, mom := range []struct {
			prefix string
			into   []float32
		}{{adamM, t.adam.M[i]}, {adamV, t.adam.V[i]}} {
			v, ok := moments(f, mom.prefix, name, w.Config)
			if !ok || len(v) != len(mom.into) {
				return nil, fmt.Errorf("musicvae: state file lacks Adam's moments for %s", name)
			}
			copy(mom.into, v)
		}
	}
	return t, nil
}

// moments returns Adam's moments of a tensor from a state file: saved whole, or in the pieces an
// earlier graph held (kernels as row blocks .../kernel/in0, in1, rec; z_to_initial_state as
// column blocks z_to_initial_state/0, /1, ...), joined.
func moments(f *checkpoint.File, prefix, name string, c Config) ([]float32, bool) {
	if t, ok := f.Tensors[prefix+name]; ok {
		return t.Data, true
	}
	if strings.HasPrefix(name, zName+"/") {
		var blocks []nn.Dense
		for p := 0; ; p++ {
			k, okk := f.Tensors[fmt.Sprintf("%s%s/%d/kernel/in0", prefix, zName, p)]
			b, okb := f.Tensors[fmt.Sprintf("%s%s/%d/bias", prefix, zName, p)]
			if !okk || !okb || len(k.Shape) != 2 {
				break
			}
			blocks = append(blocks, nn.Dense{In: k.Shape[0], Out: k.Shape[1], Kernel: k.Data, Bias: b.Data})
		}
		if len(blocks) != 2*len(c.DecoderSizes) {
			return nil, false
		}
		j := joinColumns(blocks)
		if strings.HasSuffix(name, "/bias") {
			return j.Bias, true
		}
		return j.Kernel, true
	}
	base, ok := strings.CutSuffix(name, "/kernel")
	if !ok {
		return nil, false
	}
	var out []float32
	for p := 0; ; p++ {
		t, ok := f.Tensors[fmt.Sprintf("%s%s/kernel/in%d", prefix, base, p)]
		if !ok {
			break
		}
		out = append(out, t.Data...)
	}
	if t, ok := f.Tensors[prefix+base+"/kernel/rec"]; ok {
		out = append(out, t.Data...)
	}
	return out, out != nil
}

// joinColumns joins dense layers side by side: [In, Out0], [In, Out1], ... → [In, ΣOut].
func joinColumns(blocks []nn.Dense) nn.Dense {
	d := nn.Dense{In: blocks[0].In}
	for _, b := range blocks {
		d.Out += b.Out
		d.Bias = append(d.Bias, b.Bias...)
	}
	for r := range d.In {
		for _, b := range blocks {
			d.Kernel = append(d.Kernel, b.Kernel[r*b.Out:(r+1)*b.Out]...)
		}
	}
	return d
}

// IsState reports whether a loaded checkpoint is a training state (rather than a bare model).
func IsState(f *checkpoint.File) bool {
	for name := range f.Tensors {
		if strings.HasPrefix(name, adamM) {
			return true
		}
	}
	return false
}
