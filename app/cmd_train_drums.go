package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/musicvae"
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
	r := addVAERunFlags(fs, tc, vaeDefaults{
		state: "training/drums-resume.safetensors", steps: 20000, enc: 256, dec: "256,256", z: 128})
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || *r.out == "" {
		return usagef("need --data DIR (the Groove MIDI Dataset, with info.csv) and --out FILE.safetensors")
	}
	if err := r.check(); err != nil {
		return err
	}
	train, err := loadGroove(*data, "train", stdout)
	if err != nil {
		return err
	}
	valid, err := loadGroove(*data, "validation", stdout)
	if err != nil {
		return err
	}
	return r.run("drum", musicvae.Config{}.Drums(), musicvae.DrumTokens(train.Windows), musicvae.DrumTokens(valid.Windows),
		train.String(), stdout, stderr)
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
