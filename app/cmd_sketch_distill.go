package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func init() {
	register(command{name: "sketch distill", summary: "sample labelled training drawings from sketch-rnn-js decoders: --teacher X.gen.json ... -n N -o OUT.ndjson", run: runSketchDistill})
}

const distillUsage = "usage: palette sketch distill --teacher X.gen.json [--teacher Y.gen.json ...] -n N --temperature T --seed S -o OUT.ndjson"

func runSketchDistill(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch distill", flag.ContinueOnError)
	var teachers dirsFlag
	fs.Var(&teachers, "teacher", "a sketch-rnn-js FILE.gen.json (repeat for more classes; FILE.gen.json arguments count too)")
	n := fs.Int("n", 1000, "drawings to keep from each teacher")
	temperature := fs.Float64("temperature", 0.5, "sampling temperature")
	seed := fs.Uint64("seed", 1, "sampling seed: use a different seed for each split (train, valid, test)")
	maxLen := fs.Int("max-len", 250, "longest drawing kept, in points (longer ones, and drawings the teacher does not end, are dropped)")
	out := fs.String("o", "", "output: Quick, Draw! simplified NDJSON, each drawing labelled (\"word\") with its teacher's class")
	pos, err := parseModelFlags(fs, args, distillUsage, stderr)
	if err != nil {
		return err
	}
	teachers = append(teachers, pos...)
	switch {
	case len(teachers) == 0 || *out == "":
		return usagef("%s", distillUsage)
	case *n < 1 || *n > 1_000_000:
		return usagef("-n must be 1 to 1,000,000, not %d", *n)
	case !(*temperature > 0) || *temperature > 10:
		return usagef("--temperature must be in (0, 10], not %v", *temperature)
	case *maxLen < 11 || *maxLen > sketchrnn.MaxDecodeLen:
		return usagef("--max-len must be 11 to %d, not %d", sketchrnn.MaxDecodeLen, *maxLen)
	}
	if !strings.EqualFold(filepath.Ext(*out), ".ndjson") {
		return usagef("-o %s: the output must end in .ndjson", *out)
	}
	if err := checkOutput(*out); err != nil {
		return err
	}
	models := make([]*sketchrnn.Model, len(teachers))
	words := make([]string, len(teachers))
	for i, path := range teachers {
		m, word, err := loadTeacher(path)
		if err != nil {
			return err
		}
		models[i], words[i] = m, word
	}
	var items []sketch.Item
	for i, m := range models {
		t0 := time.Now()
		ds, st, err := sketchrnn.Distill(m, sketchrnn.DistillOptions{N: *n, Temperature: *temperature, Seed: *seed, MaxPoints: *maxLen}, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", teachers[i], err)
		}
		for k, d := range ds {
			items = append(items, sketch.Item{Word: words[i], KeyID: fmt.Sprintf("%s-s%d-t%g-%d", words[i], *seed, *temperature, k), Drawing: d})
		}
		fmt.Fprintf(stderr, "%s: kept %d of %d drawn (%d too short, %d not ended, %d too long) in %.0fs\n",
			words[i], st.Kept, st.Drawn, st.TooShort, st.Unended, st.TooLong, time.Since(t0).Seconds())
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return sketch.WriteNDJSON(w, items) })
}

// loadTeacher reads a decoder-only sketch-rnn-js model and its class name (the file's "name",
// or the file name without .gen.json).
func loadTeacher(path string) (*sketchrnn.Model, string, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("--teacher: %w", err)}
	}
	defer f.Close()
	w, info, err := sketchrnn.ReadGenJSON(f)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("--teacher %s: %w", path, err)}
	}
	word := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".json"), ".gen")
	if info.Name != "" {
		word = info.Name
	}
	return sketchrnn.NewModel(w), word, nil
}
