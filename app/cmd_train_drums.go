package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/nn"
)

func init() {
	register(command{
		name:    "train drums",
		summary: "train the drum VAE on the Groove MIDI Dataset; resumable",
		run:     runTrainDrums,
	})
}

func runTrainDrums(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train drums", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tc := musicvae.DefaultTrainConfig()
	tc.FreeBits = 48 // as Magenta's drums_2bar models
	data := fs.String("data", "", "the Groove MIDI Dataset folder (with info.csv): trains on its 4/4 train files, validates on its validation split")
	out := fs.String("out", "", "write the best weights by validation here (safetensors)")
	state := fs.String("state", "training/drums-resume.safetensors", "resumable training state: weights, Adam's moments, step")
	resume := fs.Bool("resume", false, "continue the run saved in --state")
	steps := fs.Int("steps", 20000, "train until this step")
	enc := fs.Int("enc", 256, "encoder LSTM units per direction")
	dec := fs.String("dec", "256,256", "decoder LSTM units per layer, comma-separated")
	zSize := fs.Int("z", 128, "latent size")
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
	fs.Float64Var(&tc.TokenDropout, "token-dropout", tc.TokenDropout, "probability of hiding the previous step from the decoder (word dropout)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || *out == "" {
		return usagef("need --data DIR (the Groove MIDI Dataset, with info.csv) and --out FILE.safetensors")
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
	train, err := loadGroove(*data, "train", stdout)
	if err != nil {
		return err
	}
	valid, err := loadGroove(*data, "validation", stdout)
	if err != nil {
		return err
	}

	var tr *musicvae.Trainer
	if *resume {
		f, err := os.Open(*state)
		if err != nil {
			return usagef("--resume: %v", err)
		}
		tr, err = musicvae.Resume(f, musicvae.DrumTokens(train.Windows))
		f.Close()
		if err != nil {
			return usageError{fmt.Errorf("--resume %s: %w", *state, err)}
		}
		if tr.Weights().Config.Input != musicvae.InputDrumRoll {
			return usagef("--resume %s: the state is not a drum model's", *state)
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
		cfg := musicvae.Config{EncoderSize: *enc, DecoderSizes: sizes, ZSize: *zSize}.Drums()
		w, err := musicvae.NewWeights(cfg, tc.Seed)
		if err != nil {
			return usageError{err}
		}
		if tr, err = musicvae.NewTrainer(w, tc, musicvae.DrumTokens(train.Windows)); err != nil {
			return usageError{err}
		}
	}
	tr.Threads = *threads
	tr.Valid = musicvae.DrumTokens(valid.Windows)
	tr.ValidOptions = musicvae.EvalOptions{MaxWindows: *evalWindows, Pairs: *evalPairs, Seed: 1}
	w := tr.Weights()
	fmt.Fprintf(stdout, "drum vae: %+v, %d parameters, train config %+v, %d threads, blas %s\n", w.Config, w.NumParams(), tr.Config, tr.Threads, nn.BLAS())
	loop := trainLoop{tr: tr, steps: *steps, logEvery: *logEvery, saveEvery: *saveEvery, state: *state, out: *out,
		meta: map[string]string{musicvae.MetaData: train.String()}, evalEvery: *evalEvery}
	return loop.run(stdout, *resume)
}

// loadGroove reads a split of the Groove MIDI Dataset and prints what it holds; a bad folder is
// a usage error.
func loadGroove(dir, split string, stdout io.Writer) (*drums.Dataset, error) {
	d, err := drums.LoadGroove(dir, split)
	if err != nil {
		return nil, usageError{err}
	}
	if len(d.Windows) == 0 {
		return nil, usagef("%s: the %s split has no 2-bar windows with hits", dir, split)
	}
	fmt.Fprintf(stdout, "%s: %s\n", split, d)
	return d, nil
}
