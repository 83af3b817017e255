package main

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/internal/regfile"
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

// Every error is one line, of bounded length, whatever it quotes; the status follows the one
// policy: 2 for the user's input, arguments and output path, 1 for the rest.
func TestErrorLineAndStatus(t *testing.T) {
	long := strings.Repeat("x", 100000)
	tests := []struct {
		err    error
		status int
	}{
		{nil, 0},
		{usagef("bad %s", long), 2},
		{fmt.Errorf("wrapped: %w", &regfile.NotRegularError{Path: "/dev/x", Kind: "device"}), 2},
		{&atomicfile.TargetError{Path: "a", Err: errors.New("the folder does not exist")}, 2},
		{errors.Join(errors.New("one"), errors.New("two"), errors.New("three")), 1},
		{errors.New("write x: no space left on device"), 1},
	}
	for _, tt := range tests {
		if got := exitStatus(tt.err); got != tt.status {
			t.Errorf("exitStatus(%.40v) = %d, want %d", tt.err, got, tt.status)
		}
		if tt.err == nil {
			continue
		}
		line := errorLine(tt.err)
		if strings.Contains(line, "\n") || len(line) > maxErrorLine+40 {
			t.Errorf("errorLine is %d bytes: %.80q", len(line), line)
		}
	}
	if got := errorLine(errors.Join(errors.New("one"), errors.New("two"), errors.New("three"))); got != "one (and 2 more)" {
		t.Errorf("errorLine of three = %q", got)
	}
}
