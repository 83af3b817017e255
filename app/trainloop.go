package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/vae"
)

// trainLoop runs a trainer of any model up to a step count: a progress line per step (a bar on a
// terminal), validation every evalEvery steps keeping the best weights by validation in out,
// the state written every saveEvery and at the end (and when a step fails), a batch with a
// non-finite loss skipped (ten in a row end the run).
type trainLoop struct {
	tr        vae.Trainer
	steps     int
	evalEvery int // 0: no validation; out then holds the latest weights
	logEvery  int
	saveEvery time.Duration
	state     string            // the resume state file
	out       string            // the best (or latest) weights
	meta      map[string]string // written into both files (the training data's description)
}

// metaValidScore is the metadata entry of a best-by-validation checkpoint that holds its
// validation score (lower is better), so that a resumed run keeps the best of all its steps.
const metaValidScore = "valid_score"

// maxBadSteps is how many batches in a row may have a non-finite loss before the run stops.
const maxBadSteps = 10

func (l *trainLoop) run(stdout io.Writer, resumed bool) error {
	best := math.Inf(1)
	if resumed {
		best = bestScore(l.out)
	}
	prog := newProgress(stdout, l.logEvery)
	saveState := func() error {
		if err := os.MkdirAll(filepath.Dir(l.state), 0o755); err != nil {
			return err
		}
		return writeFileAtomic(l.state, func(w io.Writer) error { return l.tr.SaveState(w, l.meta) })
	}
	validate := func() error {
		t0 := time.Now()
		v, err := l.tr.Validate()
		if err != nil {
			return err
		}
		mark := ""
		if v.Score < best {
			best, mark = v.Score, " (best: saved)"
			meta := map[string]string{metaValidScore: strconv.FormatFloat(v.Score, 'g', -1, 64),
				"notes": fmt.Sprintf("step %d; %s; score %.4f", l.tr.Steps(), v.Line, v.Score)}
			for k, val := range l.meta {
				meta[k] = val
			}
			if err := writeFileAtomic(l.out, func(w io.Writer) error { return l.tr.SaveModel(w, meta) }); err != nil {
				return err
			}
		}
		prog.printf("step %d %s (%.0fs)%s\n", l.tr.Steps(), v.Line, time.Since(t0).Seconds(), mark)
		return nil
	}
	lastSave := time.Now()
	var avg float64 // seconds per step, moving average
	bad := 0
	for l.tr.Steps() < l.steps {
		t0 := time.Now()
		r, err := l.tr.Step()
		if errors.Is(err, vae.ErrNonFinite) && bad < maxBadSteps-1 {
			bad++
			prog.printf("%v: batch skipped\n", err)
			continue
		}
		if err != nil {
			return errors.Join(err, saveState())
		}
		bad = 0
		el := time.Since(t0).Seconds()
		if avg == 0 {
			avg = el
		}
		avg = 0.95*avg + 0.05*el
		left := time.Duration(float64(l.steps-r.Step) * avg * float64(time.Second)).Round(time.Minute)
		prog.step(r.Step, l.steps, fmt.Sprintf("step %d/%d  %s  %.2fs/step  left %s", r.Step, l.steps, r.Line, avg, left))
		if time.Since(lastSave) >= l.saveEvery {
			if err := saveState(); err != nil {
				return err
			}
			lastSave = time.Now()
		}
		if l.evalEvery > 0 && r.Step%l.evalEvery == 0 {
			if err := validate(); err != nil {
				return err
			}
		}
	}
	if err := saveState(); err != nil {
		return err
	}
	switch {
	case l.evalEvery == 0:
		if err := writeFileAtomic(l.out, func(w io.Writer) error { return l.tr.SaveModel(w, l.meta) }); err != nil {
			return err
		}
	case l.tr.Steps()%l.evalEvery != 0:
		if err := validate(); err != nil {
			return err
		}
	}
	prog.printf("done at step %d; state in %s, weights in %s\n", l.tr.Steps(), l.state, l.out)
	return nil
}

// bestScore reads the validation score saved in the checkpoint at path, or +Inf.
func bestScore(path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		return math.Inf(1)
	}
	defer f.Close()
	c, err := checkpoint.Load(f)
	if err != nil {
		return math.Inf(1)
	}
	score, err := strconv.ParseFloat(c.Metadata[metaValidScore], 64)
	if err != nil {
		return math.Inf(1)
	}
	return score
}
