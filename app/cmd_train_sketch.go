package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func init() {
	register(command{
		name:    "train sketch",
		summary: "train the sketch VAE (Sketch-RNN) on an .npz or NDJSON file; resumable",
		run:     runTrainSketch,
	})
}

func runTrainSketch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train sketch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := sketchrnn.DefaultConfig()
	data := fs.String("data", "", "training drawings: FILE.npz (its train split; valid is used for validation) or FILE.ndjson")
	validPath := fs.String("valid", "", "validation drawings (default: the valid split of an .npz)")
	out := fs.String("out", "", "write the best weights by validation (lowest r_loss + kl_loss) here, safetensors; the latest weights when there is no validation set")
	state := fs.String("state", "training/sketch-resume.safetensors", "resumable training state: weights, Adam's moments, step")
	resume := fs.Bool("resume", false, "continue the run saved in --state")
	steps := fs.Int("steps", 20000, "train until this step")
	seed := fs.Uint64("seed", 1, "seed of initialisation, batches, augmentation and noise")
	saveEvery := fs.Duration("save-every", 5*time.Minute, "write the training state this often")
	evalEvery := fs.Int("eval-every", 500, "report the validation losses every this many steps")
	logEvery := fs.Int("log-every", 10, "print a progress line every this many steps (when not on a terminal)")
	threads := fs.Int("threads", 0, "goroutines that share a step's batch (default: the cores, at most 2)")
	resimplify := fs.Float64("resimplify", 0, "augmentation: the probability that a drawing is simplified again at a random tolerance (up to 2/255 of its size), as hand drawings are")
	fs.IntVar(&cfg.EncSize, "enc", cfg.EncSize, "encoder LSTM units per direction")
	fs.IntVar(&cfg.DecSize, "dec", cfg.DecSize, "decoder LSTM units")
	fs.IntVar(&cfg.ZSize, "z", cfg.ZSize, "latent size")
	fs.IntVar(&cfg.BatchSize, "batch", cfg.BatchSize, "batch size")
	fs.IntVar(&cfg.MaxSeqLen, "max-len", cfg.MaxSeqLen, "longest drawing kept, in points")
	fs.Float64Var(&cfg.KLDecayRate, "kl-decay", cfg.KLDecayRate, "KL weight annealing: the gap to the final weight shrinks by this factor every step")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "learning rate, decaying by 0.9999 a step to 0.00001; with --resume: the rate now, decaying from the resumed step")
	fs.Float64Var(&cfg.KLWeight, "kl-weight", cfg.KLWeight, "final KL weight (lower: the latent code carries more of each drawing)")
	fs.Float64Var(&cfg.KLTolerance, "kl-tolerance", cfg.KLTolerance, "KL floor per latent dimension, below which the KL term has no pull (higher: more of each drawing in the code)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || *out == "" {
		return usagef("need --data FILE.npz|FILE.ndjson and --out FILE.safetensors")
	}
	if *threads < 0 || *threads > 64 {
		return usagef("--threads must be in 0..64, not %d", *threads)
	}
	if *steps <= 0 || *evalEvery <= 0 || *logEvery <= 0 || *saveEvery <= 0 {
		return usagef("--steps, --eval-every, --log-every and --save-every must be positive")
	}
	if !(*resimplify >= 0 && *resimplify <= 1) {
		return usagef("--resimplify must be in [0, 1], not %v", *resimplify)
	}
	if !(cfg.KLDecayRate > 0 && cfg.KLDecayRate <= 1) {
		return usagef("--kl-decay must be in (0, 1], not %v", cfg.KLDecayRate)
	}
	if !(cfg.LearningRate > cfg.MinLR && cfg.LearningRate <= 0.1) {
		return usagef("--lr must be in (%v, 0.1], not %v", cfg.MinLR, cfg.LearningRate)
	}
	if !(cfg.KLWeight >= 0 && cfg.KLWeight <= 10) || !(cfg.KLTolerance >= 0 && cfg.KLTolerance <= 10) {
		return usagef("--kl-weight and --kl-tolerance must be in [0, 10], not %v and %v", cfg.KLWeight, cfg.KLTolerance)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	train, valid, err := loadTrainingSets(*data, *validPath)
	if err != nil {
		return err
	}

	var tr *sketchrnn.Trainer
	if *resume {
		f, err := os.Open(*state)
		if err != nil {
			return usagef("--resume: %v", err)
		}
		tr, err = sketchrnn.Resume(f, train)
		f.Close()
		if err != nil {
			return usageError{fmt.Errorf("--resume %s: %w", *state, err)}
		}
		fmt.Fprintf(stdout, "resumed %s at step %d\n", *state, tr.Steps())
		if changed := resumeOverrides(&tr.W.Config, cfg, set, tr.Steps()); changed != "" {
			fmt.Fprintf(stdout, "from step %d: %s\n", tr.Steps(), changed)
		}
	} else {
		kept := keepShort(train, cfg.MaxSeqLen)
		w, err := sketchrnn.NewWeights(cfg, sketch.ScaleFactor(kept), *seed)
		if err != nil {
			return usageError{err}
		}
		if tr, err = sketchrnn.NewTrainer(w, train, *seed); err != nil {
			return usageError{err}
		}
	}
	if tr.W.TypicalSize == 0 { // new, or a state written before models kept it
		tr.W.TypicalSize = sketchrnn.MedianSide(keepShort(train, tr.W.Config.MaxSeqLen))
	}
	tr.Threads = *threads
	tr.Resimplify = *resimplify
	tr.SetValidation(valid)
	w := tr.W
	fmt.Fprintf(stdout, "sketch vae: enc %d dec %d z %d batch %d, %d parameters, scale factor %.4f, %d train / %d valid drawings, buckets%s\n",
		w.Config.EncSize, w.Config.DecSize, w.Config.ZSize, w.Config.BatchSize, w.NumParams(), w.ScaleFactor, len(train), len(valid), tr.Buckets())

	loop := trainLoop{tr: tr, steps: *steps, logEvery: *logEvery, saveEvery: *saveEvery, state: *state, out: *out,
		meta: map[string]string{sketchrnn.MetaData: *data}}
	if len(valid) > 0 {
		loop.evalEvery = *evalEvery
	}
	return loop.run(stdout, *resume)
}

// resumeOverrides applies to a resumed run's configuration the training settings given on the
// command line (the sizes are the run's own): a new learning rate restarts the decay at step, a
// new KL weight or floor holds from step on. It returns what changed, for the log.
func resumeOverrides(c *sketchrnn.SketchVAEConfig, flags sketchrnn.SketchVAEConfig, set map[string]bool, step int) string {
	var changed []string
	if set["lr"] {
		c.LearningRate, c.DecayFrom = flags.LearningRate, step
		changed = append(changed, fmt.Sprintf("learning rate %g", c.LearningRate))
	}
	if set["kl-weight"] {
		c.KLWeight = flags.KLWeight
		changed = append(changed, fmt.Sprintf("KL weight %g", c.KLWeight))
	}
	if set["kl-tolerance"] {
		c.KLTolerance = flags.KLTolerance
		changed = append(changed, fmt.Sprintf("KL floor %g", c.KLTolerance))
	}
	if set["kl-decay"] {
		c.KLDecayRate = flags.KLDecayRate
		changed = append(changed, fmt.Sprintf("KL annealing %g", c.KLDecayRate))
	}
	return strings.Join(changed, ", ")
}

// loadTrainingSets reads the train split (and the valid split of an .npz unless valid names a file).
func loadTrainingSets(data, validPath string) (train, valid []sketch.Drawing, err error) {
	base := data
	if i := strings.LastIndex(data, ":"); i >= 0 && strings.HasSuffix(strings.ToLower(data[:i]), ".npz") {
		base = data[:i]
	}
	isNPZ := strings.HasSuffix(strings.ToLower(base), ".npz")
	trainPath := data
	if isNPZ {
		trainPath = base + ":train"
	}
	if train, err = loadDrawings(trainPath); err != nil {
		return nil, nil, err
	}
	switch {
	case validPath != "":
		valid, err = loadDrawings(validPath)
	case isNPZ:
		valid, err = loadDrawings(base + ":valid")
	}
	return train, valid, err
}

// loadDrawings reads a drawing file for a command; any bad line or record is a usage error.
func loadDrawings(path string) ([]sketch.Drawing, error) {
	ds, err := sketch.Load(path) // its errors name the file
	var lineErrs sketch.LineErrors
	if errors.As(err, &lineErrs) && len(ds) > 0 {
		return nil, usagef("%v (the other %d drawings read well: fix or remove the line(s))", err, len(ds))
	}
	if err != nil {
		return nil, usageError{err}
	}
	if len(ds) == 0 {
		return nil, usagef("%s holds no drawings", path)
	}
	return ds, nil
}

func keepShort(ds []sketch.Drawing, maxLen int) []sketch.Drawing {
	var out []sketch.Drawing
	for _, d := range ds {
		if len(d) > 10 && len(d) <= maxLen {
			out = append(out, d.Clamp(sketch.Limit))
		}
	}
	return out
}

// parseFlags parses flags that may come before or after positional arguments (Go's flag package
// stops at the first positional one) and returns the positional arguments in order.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
