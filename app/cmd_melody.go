package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

func init() {
	register(command{name: "melody eval", summary: "measure the melody model on a folder of MIDI files (--json)", run: runMelodyEval})
	register(command{name: "melody reconstruct", summary: "encode 2 bars of a MIDI melody and decode them back", run: runMelodyReconstruct})
	register(command{name: "melody interpolate", summary: "decode evenly spaced points between two melodies into one MIDI file", run: runMelodyInterpolate})
	register(command{name: "melody sample", summary: "decode random latent points into melodies", run: runMelodySample})
}

// melodyFlags are the flags every melody command shares.
type melodyFlags struct {
	model string
	bpm   float64
	key   keyFlags // the key lock, where a command adds it (addKeyFlags)
}

// addModelFlags adds --model.
func addModelFlags(fs *flag.FlagSet) *melodyFlags {
	f := &melodyFlags{}
	fs.StringVar(&f.model, "model", builtinSpec, modelFlagHelp)
	return f
}

// addMelodyFlags adds --model and the --bpm of the MIDI file written.
func addMelodyFlags(fs *flag.FlagSet) *melodyFlags {
	f := addModelFlags(fs)
	fs.Float64Var(&f.bpm, "bpm", 120, "tempo of the written MIDI file")
	return f
}

// checkOut checks, before any work, what writeMelody will need: -o and --bpm.
func (f *melodyFlags) checkOut(path string) error {
	if !(f.bpm >= 4 && f.bpm <= 1000) { // melody.WriteMIDI's range
		return usagef("--bpm %v is outside 4..1000", f.bpm)
	}
	return checkOutput(path)
}

// load returns the model the flags name.
func (f *melodyFlags) load() (*musicvae.Model, error) { return loadMelodyModel(f.model) }

// reconstruct decodes greedily what encodes the windows: the model's reading of them.
func reconstruct(m *musicvae.Model, spec string, ws []melody.Melody) ([]melody.Melody, error) {
	zs, err := encodeMelodies(m, spec, ws...)
	if err != nil {
		return nil, err
	}
	return m.Decode(zs, vae.DecodeOptions{})
}

// writeMelody writes windows one after another as a MIDI file, atomically.
func (f *melodyFlags) writeMelody(path string, ws []melody.Melody) error {
	if path == "" {
		return usagef("need -o OUT.mid")
	}
	opt := melody.WriteOptions{BPM: f.bpm, Key: f.key.lock}
	return writeFileAtomic(path, func(w io.Writer) error { return melody.WriteMIDI(w, melody.Concat(ws...), opt) })
}

func runMelodyEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody eval", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	var data dirsFlag
	fs.Var(&data, "data", "folder of MIDI files (2-bar windows every bar, no transposition); repeat for several")
	asJSON := fs.Bool("json", false, "print one JSON object (per folder, and one for them all, with several)")
	pairs := fs.Int("pairs", 100, "random window pairs for the interpolation measure")
	maxWindows := fs.Int("max-windows", 0, "evaluate a seeded sample of this many windows (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the sample and the pairs")
	pos, err := parseModelFlags(fs, args, "usage: palette melody eval --data DIR [--data DIR ...] [--json] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 || len(data) == 0 {
		return usagef("need --data DIR and no other arguments")
	}
	if *pairs < 0 || *maxWindows < 0 {
		return usagef("--pairs and --max-windows must not be negative")
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	type row struct {
		Data string `json:"data,omitempty"`
		musicvae.Metrics
	}
	opt := musicvae.EvalOptions{MaxWindows: *maxWindows, Pairs: *pairs, Seed: *seed}
	var all []melody.Melody
	report := func(name, desc string, ws []melody.Melody) error {
		met, err := musicvae.Evaluate(m, ws, opt)
		if err != nil {
			return err
		}
		if *asJSON {
			r := row{Metrics: met}
			if len(data) > 1 {
				r.Data = name
			}
			return json.NewEncoder(stdout).Encode(r)
		}
		_, err = fmt.Fprintf(stdout, "%s\nwindows %d  teacher-forced accuracy %.4f  reconstruction accuracy %.4f  kl %.2f  interpolation monotonicity %.3f\n",
			desc, met.Windows, met.TeacherForcedAccuracy, met.ReconstructionAccuracy, met.KL, met.InterpolationMonotonicity)
		return err
	}
	for _, dir := range data {
		d, err := loadMelodyDataset(dir, false)
		if err != nil {
			return err
		}
		if err := report(dir, d.String(), d.Windows); err != nil {
			return err
		}
		all = append(all, d.Windows...)
	}
	if len(data) > 1 {
		return report("combined", "all folders together", all)
	}
	return nil
}

func runMelodyReconstruct(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody reconstruct", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	bar := fs.Int("bar", 0, "first of the 2 bars to take (0-based)")
	pos, err := parseModelFlags(fs, args, "usage: palette melody reconstruct IN.mid -o OUT.mid [--bar B] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return usagef("need one input MIDI file and -o OUT.mid")
	}
	if err := mf.checkOut(*out); err != nil {
		return err
	}
	in, err := readWindowNoting(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	got, err := reconstruct(m, mf.model, []melody.Melody{in})
	if err != nil {
		return err
	}
	if err := mf.writeMelody(*out, got); err != nil {
		return err
	}
	same := 0
	for i := range in {
		if in[i] == got[0][i] {
			same++
		}
	}
	fmt.Fprintf(stdout, "wrote %s: %d of %d steps as in bars %d-%d of %s\n", *out, same, len(in), *bar, *bar+1, pos[0])
	return nil
}

func runMelodyInterpolate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody interpolate", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	steps := fs.Int("steps", 5, "windows to decode, both ends included (2..100)")
	bar := fs.Int("bar", 0, "first of the 2 bars to take from A (0-based)")
	barB := fs.Int("bar-b", -1, "first of the 2 bars to take from B (default: --bar)")
	mf.addKeyFlags(fs)
	pos, err := parseModelFlags(fs, args, "usage: palette melody interpolate A.mid B.mid --steps N -o OUT.mid [--key K --scale S [--fit]] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 || *out == "" {
		return usagef("need two input MIDI files and -o OUT.mid")
	}
	if *steps < 2 || *steps > 100 {
		return usagef("--steps %d is outside 2..100", *steps)
	}
	if err := mf.parseKey(); err != nil {
		return err
	}
	if err := mf.checkOut(*out); err != nil {
		return err
	}
	if *barB < 0 {
		*barB = *bar
	}
	a, err := readWindowNoting(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	b, err := readWindowNoting(pos[1], *barB, stderr)
	if err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	mu, err := encodeMelodies(m, mf.model, mf.fitted(a, pos[0], stderr), mf.fitted(b, pos[1], stderr))
	if err != nil {
		return err
	}
	ws, err := mf.decode(m, musicvae.Lerp(mu[0], mu[1], *steps), vae.DecodeOptions{})
	if err != nil {
		return err
	}
	if err := mf.writeMelody(*out, ws); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d windows of 2 bars from %s to %s\n", *out, len(ws), pos[0], pos[1])
	return nil
}

func runMelodySample(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody sample", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	n := fs.Int("n", 4, "windows to sample (1..100)")
	temp := fs.Float64("temperature", 0.5, "sampling temperature; 0 takes the most likely event at each step")
	seed := fs.Int64("seed", 1, "seed of the latent points and the sampling")
	mf.addKeyFlags(fs)
	pos, err := parseModelFlags(fs, args, "usage: palette melody sample -n N --temperature T --seed S -o OUT.mid [--key K --scale S] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" {
		return usagef("need -o OUT.mid and no other arguments")
	}
	if *n < 1 || *n > 100 {
		return usagef("-n %d is outside 1..100", *n)
	}
	if !(*temp >= 0 && *temp <= 10) {
		return usagef("--temperature %v is outside 0..10", *temp)
	}
	if err := mf.parseKey(); err != nil {
		return err
	}
	if err := mf.checkOut(*out); err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(*seed), 0x7a))
	zs := make([][]float32, *n)
	for i := range zs {
		zs[i] = make([]float32, m.W.Config.ZSize)
		for k := range zs[i] {
			zs[i][k] = float32(rng.NormFloat64())
		}
	}
	ws, err := mf.decode(m, zs, vae.DecodeOptions{Temperature: *temp, Seed: *seed})
	if err != nil {
		return err
	}
	if err := mf.writeMelody(*out, ws); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d sampled windows of 2 bars at temperature %g\n", *out, len(ws), *temp)
	return nil
}
