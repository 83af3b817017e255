package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/nn"
)

func init() {
	register(command{
		name:    "train melody",
		summary: "train the melody VAE on a folder of MIDI files; resumable",
		run:     runTrainMelody,
	})
}

func runTrainMelody(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train melody", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var data, validDirs dirsFlag
	fs.Var(&data, "data", "folder of training MIDI files (windows are transposed by -5..+5); repeat for several")
	fs.Var(&validDirs, "valid", "folder of validation MIDI files (picks the best weights); repeat for several")
	r := addVAERunFlags(fs, musicvae.DefaultTrainConfig(), vaeDefaults{
		state: "training/melody-resume.safetensors", steps: 30000, enc: 128, dec: "128,128", z: 64})
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(data) == 0 || *r.out == "" {
		return usagef("need --data DIR and --out FILE.safetensors (and --valid DIR to pick the best weights)")
	}
	if err := r.check(); err != nil {
		return err
	}
	train, trainDesc, err := loadMelodyDatasets(data, true, stdout, "train")
	if err != nil {
		return err
	}
	valid, _, err := loadMelodyDatasets(validDirs, false, stdout, "valid")
	if err != nil {
		return err
	}
	return r.run("melody", musicvae.Config{}, train, valid, trainDesc, stdout, stderr)
}

// vaeDefaults are a command's defaults for the flags every MusicVAE training run has.
type vaeDefaults struct {
	state  string
	steps  int
	enc, z int
	dec    string
}

// vaeRun is a MusicVAE training run (melodies or drums) as its flags describe it.
type vaeRun struct {
	fs                                *flag.FlagSet
	tc                                musicvae.TrainConfig
	out, state, dec                   *string
	resume                            *bool
	steps, enc, zSize                 *int
	saveEvery                         *time.Duration
	evalEvery, evalWindows, evalPairs *int
	threads, logEvery                 *int
}

// addVAERunFlags adds the flags of a MusicVAE training run, with tc's schedule as defaults.
func addVAERunFlags(fs *flag.FlagSet, tc musicvae.TrainConfig, d vaeDefaults) *vaeRun {
	r := &vaeRun{fs: fs, tc: tc}
	r.out = fs.String("out", "", "write the best weights by validation here (safetensors)")
	r.state = fs.String("state", d.state, "resumable training state: weights, Adam's moments, step")
	r.resume = fs.Bool("resume", false, "continue the run saved in --state")
	r.steps = fs.Int("steps", d.steps, "train until this step")
	r.enc = fs.Int("enc", d.enc, "encoder LSTM units per direction")
	r.dec = fs.String("dec", d.dec, "decoder LSTM units per layer, comma-separated")
	r.zSize = fs.Int("z", d.z, "latent size")
	r.saveEvery = fs.Duration("save-every", 5*time.Minute, "write the training state this often")
	r.evalEvery = fs.Int("eval-every", 500, "evaluate on the validation windows every this many steps")
	r.evalWindows = fs.Int("eval-windows", 1500, "validation windows used per evaluation (0: all)")
	r.evalPairs = fs.Int("eval-pairs", 100, "validation window pairs of the interpolation measure per evaluation")
	r.threads = fs.Int("threads", 2, "goroutines that share a step, each over its part of the batch (1 or 2 on two cores)")
	r.logEvery = fs.Int("log-every", 10, "print a progress line every this many steps (when not on a terminal)")
	fs.IntVar(&r.tc.Batch, "batch", tc.Batch, "batch size")
	fs.Uint64Var(&r.tc.Seed, "seed", tc.Seed, "seed of initialisation, data order and noise")
	fs.Float64Var(&r.tc.LearningRate, "lr", tc.LearningRate, "initial learning rate")
	fs.Float64Var(&r.tc.MinLearningRate, "min-lr", tc.MinLearningRate, "final learning rate")
	fs.Float64Var(&r.tc.DecayRate, "lr-decay", tc.DecayRate, "learning rate decay per step")
	fs.Float64Var(&r.tc.MaxBeta, "max-beta", tc.MaxBeta, "largest KL weight")
	fs.Float64Var(&r.tc.BetaRate, "beta-rate", tc.BetaRate, "KL weight schedule: max-beta * (1 - beta-rate^step)")
	fs.Float64Var(&r.tc.FreeBits, "free-bits", tc.FreeBits, "KL below this many bits per window is not penalised")
	fs.Float64Var(&r.tc.TokenDropout, "token-dropout", tc.TokenDropout, "probability of hiding the previous step from the decoder (word dropout)")
	return r
}

// check refuses flag values out of range.
func (r *vaeRun) check() error {
	if *r.threads < 1 || *r.threads > 64 {
		return usagef("--threads must be in 1..64, not %d", *r.threads)
	}
	if !(r.tc.TokenDropout >= 0 && r.tc.TokenDropout < 1) {
		return usagef("--token-dropout must be in [0, 1), not %v", r.tc.TokenDropout)
	}
	if *r.steps <= 0 || *r.evalEvery <= 0 || *r.logEvery <= 0 || *r.saveEvery <= 0 {
		return usagef("--steps, --eval-every, --log-every and --save-every must be positive")
	}
	return nil
}

// run resumes or starts the run (a new model of the flags' sizes, shaped by kind: the zero
// Config for melodies, Config{}.Drums() for drums) and trains it on train, validating on valid.
func (r *vaeRun) run(what string, kind musicvae.Config, train, valid []melody.Melody, trainDesc string, stdout, stderr io.Writer) error {
	var tr *musicvae.Trainer
	if *r.resume {
		f, err := os.Open(*r.state)
		if err != nil {
			return usagef("--resume: %v", err)
		}
		tr, err = musicvae.Resume(f, train)
		f.Close()
		if err != nil {
			return usageError{fmt.Errorf("--resume %s: %w", *r.state, err)}
		}
		if got := tr.Weights().Config; got.Input != kind.Input || got.Tokens != kind.Tokens {
			return usagef("--resume %s: the state is not a %s model's", *r.state, what)
		}
		if err := overrideSchedule(r.fs, &tr.Config, r.tc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resumed %s at step %d\n", *r.state, tr.Steps())
	} else {
		sizes, err := parseSizes(*r.dec)
		if err != nil {
			return usagef("--dec: %v", err)
		}
		cfg := kind
		cfg.EncoderSize, cfg.DecoderSizes, cfg.ZSize = *r.enc, sizes, *r.zSize
		w, err := musicvae.NewWeights(cfg, r.tc.Seed)
		if err != nil {
			return usageError{err}
		}
		if tr, err = musicvae.NewTrainer(w, r.tc, train); err != nil {
			return usageError{err}
		}
	}
	tr.Threads = *r.threads
	tr.Valid, tr.ValidOptions = valid, musicvae.EvalOptions{MaxWindows: *r.evalWindows, Pairs: *r.evalPairs, Seed: 1}
	w := tr.Weights()
	fmt.Fprintf(stdout, "%s vae: %+v, %d parameters, train config %+v, %d threads, blas %s\n", what, w.Config, w.NumParams(), tr.Config, tr.Threads, nn.BLAS())
	if hint := nn.BLASHint(); hint != "" {
		fmt.Fprintf(stderr, "palette train %s: %s\n", what, hint)
	}
	loop := trainLoop{tr: tr, steps: *r.steps, logEvery: *r.logEvery, saveEvery: *r.saveEvery, state: *r.state, out: *r.out,
		meta: map[string]string{musicvae.MetaData: trainDesc}}
	if len(valid) > 0 {
		loop.evalEvery = *r.evalEvery
	}
	return loop.run(stdout, *r.resume)
}

// dirsFlag is a flag that may be given several times, one folder each.
type dirsFlag []string

func (d *dirsFlag) String() string     { return strings.Join(*d, ", ") }
func (d *dirsFlag) Set(s string) error { *d = append(*d, s); return nil }

// loadMelodyDatasets reads the windows of each folder, in order, printing a line for each, and
// returns them together with a description of them all (for the checkpoints' metadata).
func loadMelodyDatasets(dirs []string, transpose bool, stdout io.Writer, what string) ([]melody.Melody, string, error) {
	var all []melody.Melody
	var desc []string
	for _, dir := range dirs {
		d, err := loadMelodyDataset(dir, transpose)
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(stdout, "%s: %s\n", what, d)
		all = append(all, d.Windows...)
		desc = append(desc, d.String())
	}
	return all, strings.Join(desc, "; "), nil
}

// loadMelodyDataset reads a folder of MIDI files into windows; a bad folder is a usage error.
func loadMelodyDataset(dir string, transpose bool) (*melody.Dataset, error) {
	d, err := melody.LoadDataset(dir, transpose)
	if err != nil {
		return nil, usageError{err}
	}
	if len(d.Windows) == 0 {
		return nil, usagef("%s has no 2-bar windows with notes", dir)
	}
	return d, nil
}

// parseSizes reads "256,256".
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a list of positive sizes", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// isTerminal reports whether w is a character device (progress lines then rewrite themselves).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// overrideSchedule applies the schedule flags given on the command line of a resumed run (the
// learning rate and KL weight schedules, which are functions of the step, and token dropout),
// so a run can be fine-tuned with, say, a larger --max-beta. Flags that shape the graph or the data order
// cannot change mid-run.
func overrideSchedule(fs *flag.FlagSet, c *musicvae.TrainConfig, given musicvae.TrainConfig) error {
	schedule := map[string]struct{ to, from *float64 }{
		"lr":            {&c.LearningRate, &given.LearningRate},
		"min-lr":        {&c.MinLearningRate, &given.MinLearningRate},
		"lr-decay":      {&c.DecayRate, &given.DecayRate},
		"max-beta":      {&c.MaxBeta, &given.MaxBeta},
		"beta-rate":     {&c.BetaRate, &given.BetaRate},
		"token-dropout": {&c.TokenDropout, &given.TokenDropout},
	}
	fixed := []string{"batch", "seed", "free-bits", "enc", "dec", "z"}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if s, ok := schedule[f.Name]; ok {
			*s.to = *s.from
		} else if slices.Contains(fixed, f.Name) && err == nil {
			err = usagef("--%s cannot change when resuming a run (it is fixed by the state file)", f.Name)
		}
	})
	return err
}
