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
	tc := musicvae.DefaultTrainConfig()
	var data, validDirs dirsFlag
	fs.Var(&data, "data", "folder of training MIDI files (windows are transposed by -5..+5); repeat for several")
	fs.Var(&validDirs, "valid", "folder of validation MIDI files (picks the best weights); repeat for several")
	out := fs.String("out", "", "write the best weights by validation here (safetensors)")
	state := fs.String("state", "training/melody-resume.safetensors", "resumable training state: weights, Adam's moments, step")
	resume := fs.Bool("resume", false, "continue the run saved in --state")
	steps := fs.Int("steps", 30000, "train until this step")
	enc := fs.Int("enc", 128, "encoder LSTM units per direction")
	dec := fs.String("dec", "128,128", "decoder LSTM units per layer, comma-separated")
	zSize := fs.Int("z", 64, "latent size")
	saveEvery := fs.Duration("save-every", 5*time.Minute, "write the training state this often")
	evalEvery := fs.Int("eval-every", 500, "evaluate on the validation windows every this many steps")
	evalWindows := fs.Int("eval-windows", 1500, "validation windows used per evaluation (0: all)")
	evalPairs := fs.Int("eval-pairs", 100, "validation window pairs of the interpolation measure per evaluation")
	threads := fs.Int("threads", 2, "goroutines that share a step, each over its part of the batch (1 or 2 on two cores)")
	logEvery := fs.Int("log-every", 10, "print a progress line every this many steps (when not on a terminal)")
	fs.IntVar(&tc.Batch, "batch", tc.Batch, "batch size")
	fs.Uint64Var(&tc.Seed, "seed", tc.Seed, "seed of initialisation, data order and noise")
	fs.Float64Var(&tc.LearningRate, "lr", tc.LearningRate, "initial learning rate")
	fs.Float64Var(&tc.MinLearningRate, "min-lr", tc.MinLearningRate, "final learning rate")
	fs.Float64Var(&tc.DecayRate, "lr-decay", tc.DecayRate, "learning rate decay per step")
	fs.Float64Var(&tc.MaxBeta, "max-beta", tc.MaxBeta, "largest KL weight")
	fs.Float64Var(&tc.BetaRate, "beta-rate", tc.BetaRate, "KL weight schedule: max-beta * (1 - beta-rate^step)")
	fs.Float64Var(&tc.FreeBits, "free-bits", tc.FreeBits, "KL below this many bits per window is not penalised")
	fs.Float64Var(&tc.TokenDropout, "token-dropout", tc.TokenDropout, "probability of hiding the previous event from the decoder at a step (word dropout)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(data) == 0 || *out == "" {
		return usagef("need --data DIR and --out FILE.safetensors (and --valid DIR to pick the best weights)")
	}
	if *threads < 1 || *threads > 64 {
		return usagef("--threads must be in 1..64, not %d", *threads)
	}
	if !(tc.TokenDropout >= 0 && tc.TokenDropout < 1) {
		return usagef("--token-dropout must be in [0, 1), not %v", tc.TokenDropout)
	}
	if *steps <= 0 || *evalEvery <= 0 || *logEvery <= 0 || *saveEvery <= 0 {
		return usagef("--steps, --eval-every, --log-every and --save-every must be positive")
	}

	train, trainDesc, err := loadMelodyDatasets(data, true, stdout, "train")
	if err != nil {
		return err
	}
	valid, _, err := loadMelodyDatasets(validDirs, false, stdout, "valid")
	if err != nil {
		return err
	}

	var tr *musicvae.Trainer
	if *resume {
		f, err := os.Open(*state)
		if err != nil {
			return usagef("--resume: %v", err)
		}
		tr, err = musicvae.Resume(f, train)
		f.Close()
		if err != nil {
			return usageError{fmt.Errorf("--resume %s: %w", *state, err)}
		}
		if err := overrideSchedule(fs, &tr.Config, tc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resumed %s at step %d\n", *state, tr.Steps())
	} else {
		sizes, err := parseSizes(*dec)
		if err != nil {
			return usagef("--dec: %v", err)
		}
		cfg := musicvae.Config{EncoderSize: *enc, DecoderSizes: sizes, ZSize: *zSize}
		w, err := musicvae.NewWeights(cfg, tc.Seed)
		if err != nil {
			return usageError{err}
		}
		if tr, err = musicvae.NewTrainer(w, tc, train); err != nil {
			return usageError{err}
		}
	}
	tr.Threads = *threads
	tr.Valid, tr.ValidOptions = valid, musicvae.EvalOptions{MaxWindows: *evalWindows, Pairs: *evalPairs, Seed: 1}
	w := tr.Weights()
	fmt.Fprintf(stdout, "melody vae: %+v, %d parameters, train config %+v, %d threads, blas %s\n", w.Config, w.NumParams(), tr.Config, tr.Threads, nn.BLAS())
	if hint := nn.BLASHint(); hint != "" {
		fmt.Fprintln(stderr, "palette train melody: "+hint)
	}
	loop := trainLoop{tr: tr, steps: *steps, logEvery: *logEvery, saveEvery: *saveEvery, state: *state, out: *out,
		meta: map[string]string{musicvae.MetaData: trainDesc}}
	if len(valid) > 0 {
		loop.evalEvery = *evalEvery
	}
	return loop.run(stdout, *resume)
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
