package musicvae

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
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
	// decoder leans more on z and less on the event before. Gorgonia engine only.
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

// Trainer trains a model with Gorgonia. Everything random is a function of the seed and the
// step (data order per epoch, the noise eps of each step), so a run resumed from a state file
// continues exactly as if it had not stopped.
type Trainer struct {
	Config TrainConfig
	Step   int    // steps done
	Engine Engine // Plain (the default): the hand-written backward pass; Gorgonia: the graph's
	data   []melody.Melody
	graph  *trainGraph
	adam   *nn.Adam
	values [][]float32 // the parameters' backing slices, in graph.params order
	perm   []int       // the data order of epoch
	epoch  int
	xs     []*tensor.Dense // [B, 90] per step
	prevs  []*tensor.Dense // [B, 90] per step 1..31: the decoder's inputs
	eps    *tensor.Dense   // [B, Z]
	bp     *backprop
}

// StepStats describes one training step.
type StepStats struct {
	Step                   int
	Loss, CrossEntropy, KL float64 // per window (cross-entropy summed over the 32 steps)
	Accuracy               float64 // teacher-forced, per step
	Beta, LR, GradNorm     float64
}

// NewTrainer starts training w (its values are copied) on data, windows of Steps events.
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
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("musicvae: training window %d: %w", i, err)
		}
	}
	g, err := newTrainGraph(w, c.Batch, c.FreeBits*math.Ln2)
	if err != nil {
		return nil, err
	}
	t := &Trainer{Config: c, data: data, graph: g, epoch: -1}
	var sizes []int
	for _, p := range g.params {
		v := nn.Values(p)
		t.values = append(t.values, v)
		sizes = append(sizes, len(v))
	}
	t.adam = nn.NewAdam(sizes, c.ClipNorm)
	if t.bp, err = newBackprop(w.Config, c.Batch, c.FreeBits*math.Ln2, t.values); err != nil {
		return nil, err
	}
	B := c.Batch
	for i := range Steps {
		t.xs = append(t.xs, tensor.New(tensor.WithShape(B, Classes), tensor.WithBacking(make([]float32, B*Classes))))
		if i > 0 {
			t.prevs = append(t.prevs, tensor.New(tensor.WithShape(B, Classes), tensor.WithBacking(make([]float32, B*Classes))))
		}
	}
	t.eps = tensor.New(tensor.WithShape(B, w.Config.ZSize), tensor.WithBacking(make([]float32, B*w.Config.ZSize)))
	return t, nil
}

// Weights returns a copy of the current weights.
func (t *Trainer) Weights() *Weights { return t.graph.weights() }

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

// Epoch is the fractional number of passes over the data done.
func (t *Trainer) Epoch() float64 {
	return float64(t.Step*t.Config.Batch) / float64(len(t.data))
}

// oneHot writes step t of the windows ms into xs[t], [B, 90].
func oneHot(xs []*tensor.Dense, ms []melody.Melody) {
	for t, x := range xs {
		d := x.Data().([]float32)
		clear(d)
		for b, m := range ms {
			d[b*Classes+m[t]] = 1
		}
	}
}

// TrainStep runs one step of Adam on the next batch.
func (t *Trainer) TrainStep() (StepStats, error) {
	forward := t.forwardPlain
	if t.Engine == Gorgonia {
		forward = t.forward
	} else if t.Config.TokenDropout > 0 {
		return StepStats{}, fmt.Errorf("musicvae: token dropout needs the Gorgonia engine")
	}
	st, grads, err := forward(t.batch(t.Step), t.Step)
	if err != nil {
		return st, err
	}
	st.GradNorm = t.adam.Update(t.values, grads, st.LR)
	t.Step++
	return st, nil
}

// noise fills t.eps with the N(0, 1) noise of step and returns it.
func (t *Trainer) noise(step int) []float32 {
	rng := rand.New(rand.NewPCG(t.Config.Seed, uint64(step)))
	eps := t.eps.Data().([]float32)
	for i := range eps {
		eps[i] = float32(rng.NormFloat64())
	}
	return eps
}

// decoderInputs fills t.prevs from t.xs: the previous step's one-hot, with each token dropped
// (zeroed) with probability TokenDropout, drawn from the seed and the step.
func (t *Trainer) decoderInputs(step int) {
	p := t.Config.TokenDropout
	rng := rand.New(rand.NewPCG(t.Config.Seed, uint64(step)|1<<40))
	for i, prev := range t.prevs {
		d, x := prev.Data().([]float32), t.xs[i].Data().([]float32)
		copy(d, x)
		if p <= 0 {
			continue
		}
		for b := range t.Config.Batch {
			if rng.Float64() < p {
				clear(d[b*Classes : (b+1)*Classes])
			}
		}
	}
}

// forwardPlain is forward with the hand-written backward pass.
func (t *Trainer) forwardPlain(ms []melody.Melody, step int) (StepStats, [][]float32, error) {
	c := t.Config
	st := StepStats{Step: step + 1, Beta: c.Beta(step), LR: c.LR(step)}
	ce, kl, right := t.bp.step(ms, t.noise(step), st.Beta)
	st.CrossEntropy, st.KL = ce, kl
	st.Loss = ce + st.Beta*t.bp.klCost()
	st.Accuracy = float64(right) / float64(Steps*len(ms))
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, nil, fmt.Errorf("musicvae: step %d: loss is %v", step, st.Loss)
	}
	return st, t.bp.grads, nil
}

// forward runs the graph on windows ms with the noise and KL weight of step, and returns the
// statistics and the gradients (valid until the next run).
func (t *Trainer) forward(ms []melody.Melody, step int) (StepStats, [][]float32, error) {
	g, c := t.graph, t.Config
	oneHot(t.xs, ms)
	t.decoderInputs(step)
	t.noise(step)
	beta := c.Beta(step)
	lets := []error{G.Let(g.eps, t.eps), G.Let(g.beta, float32(beta))}
	for i, x := range t.xs {
		lets = append(lets, G.Let(g.xs[i], x))
	}
	for i, x := range t.prevs {
		lets = append(lets, G.Let(g.prevs[i], x))
	}
	if err := errors.Join(lets...); err != nil {
		return StepStats{}, nil, fmt.Errorf("musicvae: feeding the batch: %w", err)
	}
	// Gorgonia adds each run's gradients to the last ones (its solvers zero them after use).
	for _, p := range g.params {
		if gv, err := p.Grad(); err == nil && gv != nil { // none before the first run
			clear(gv.Data().([]float32))
		}
	}
	vm := g.machine()
	defer vm.Reset()
	if err := vm.RunAll(); err != nil {
		return StepStats{}, nil, fmt.Errorf("musicvae: training step %d: %w", step, err)
	}
	st := StepStats{Step: step + 1, Beta: beta, LR: c.LR(step)}
	st.CrossEntropy = float64(g.ce.Data().(float32))
	st.KL = float64(g.kl.Data().(float32))
	st.Loss = st.CrossEntropy + beta*st.KL
	if c.FreeBits > 0 {
		st.Loss = float64(g.loss.Value().Data().(float32))
	}
	right := 0
	for i, lv := range g.logits {
		right += correct(lv.Data().([]float32), ms, i)
	}
	st.Accuracy = float64(right) / float64(Steps*len(ms))
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, nil, fmt.Errorf("musicvae: step %d: loss is %v", step, st.Loss)
	}
	grads := make([][]float32, len(g.params))
	for i, p := range g.params {
		gv, err := p.Grad()
		if err != nil {
			return st, nil, fmt.Errorf("musicvae: gradient of %s: %w", p.Name(), err)
		}
		grads[i] = gv.Data().([]float32)
	}
	return st, grads, nil
}

// correct counts the windows whose step t is the first maximum of their row of logits [B, 90].
func correct(logits []float32, ms []melody.Melody, t int) int {
	n := 0
	for b, m := range ms {
		if nn.Argmax(logits[b*Classes:(b+1)*Classes]) == m[t] {
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

// SaveState writes everything needed to resume: the weights, Adam's moments and step, the
// training config and the step count. meta adds entries (the data description).
func (t *Trainer) SaveState(w io.Writer, meta map[string]string) error {
	wts := t.Weights()
	tensors := wts.Tensors()
	for i, p := range t.graph.params {
		shape := append([]int{}, p.Shape()...)
		tensors[adamM+p.Name()] = checkpoint.Tensor{Shape: shape, Data: t.adam.M[i]}
		tensors[adamV+p.Name()] = checkpoint.Tensor{Shape: shape, Data: t.adam.V[i]}
	}
	tc, err := json.Marshal(t.Config)
	if err != nil {
		return err
	}
	cfg, err := json.Marshal(wts.Config)
	if err != nil {
		return err
	}
	m := map[string]string{MetaFormat: formatName, MetaConfig: string(cfg), metaTrain: string(tc),
		metaStep: strconv.Itoa(t.Step), metaAdam: strconv.Itoa(t.adam.Step), metaCount: strconv.Itoa(len(t.data))}
	for k, v := range meta {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return checkpoint.Save(w, tensors, m)
}

// ResumeTrainer continues the run saved in a state file on data, which must be the same windows
// in the same order as before for the run to continue exactly.
func ResumeTrainer(r io.Reader, data []melody.Melody) (*Trainer, error) {
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
	t.Step, t.adam.Step = step, adamStep
	for i, p := range t.graph.params {
		m, okm := f.Tensors[adamM+p.Name()]
		v, okv := f.Tensors[adamV+p.Name()]
		if !okm || !okv || len(m.Data) != len(t.adam.M[i]) || len(v.Data) != len(t.adam.V[i]) {
			return nil, fmt.Errorf("musicvae: state file lacks Adam's moments for %s", p.Name())
		}
		copy(t.adam.M[i], m.Data)
		copy(t.adam.V[i], v.Data)
	}
	return t, nil
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
