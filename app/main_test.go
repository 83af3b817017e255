package main

import (
	"flag"
	"sort"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/musicvae"
)

// Every command answers --help with its usage on standard error and exit status 0, without an
// error line.
func TestHelpFlag(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		args := append(strings.Fields(n), "--help")
		status, stdout, stderr := runCmd(t, args...)
		if status != 0 {
			t.Errorf("palette %s --help: exit status %d, want 0\n%s", n, status, stderr)
		}
		if strings.Contains(stderr, "help requested") || strings.Contains(stderr, "palette "+n+":") {
			t.Errorf("palette %s --help printed an error line:\n%s", n, stderr)
		}
		if n != "version" && !strings.Contains(strings.ToLower(stdout+stderr), "usage") {
			t.Errorf("palette %s --help printed no usage", n)
		}
	}
}

// A resumed melody run takes new schedule flags and refuses flags the state file fixes.
func TestOverrideSchedule(t *testing.T) {
	saved := musicvae.DefaultTrainConfig()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	given := musicvae.DefaultTrainConfig()
	fs.Float64Var(&given.MaxBeta, "max-beta", given.MaxBeta, "")
	fs.Float64Var(&given.TokenDropout, "token-dropout", given.TokenDropout, "")
	fs.Float64Var(&given.LearningRate, "lr", given.LearningRate, "")
	fs.IntVar(&given.Batch, "batch", given.Batch, "")
	if err := fs.Parse([]string{"--max-beta", "0.5", "--token-dropout", "0.05"}); err != nil {
		t.Fatal(err)
	}
	c := saved
	if err := overrideSchedule(fs, &c, given); err != nil {
		t.Fatal(err)
	}
	if c.MaxBeta != 0.5 || c.TokenDropout != 0.05 || c.LearningRate != saved.LearningRate {
		t.Errorf("after override: %+v", c)
	}
	if err := fs.Parse([]string{"--batch", "32"}); err != nil {
		t.Fatal(err)
	}
	if err := overrideSchedule(fs, &c, given); err == nil || !strings.Contains(err.Error(), "--batch cannot change") {
		t.Errorf("--batch on resume: %v", err)
	}
}
