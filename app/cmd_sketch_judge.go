package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// judgeResult is one line of the judge's report: the drawings of one class (or all of them).
type judgeResult struct {
	Class    string  `json:"class"`
	Drawings int     `json:"drawings"`
	Points   int     `json:"points"`
	NLL      float64 `json:"nll"`
	Offsets  float64 `json:"offsets"`
	Pen      float64 `json:"pen"`
}

// runJudge scores the drawings of data under a sketch-rnn-js decoder (sketch eval --judge): the
// per-point negative log-likelihood of their offsets and pen states, each drawing first scaled
// so that its larger side is the median of the teacher's own drawings'. It reports each class
// of the file (its NDJSON "word"s) and all of them; class limits it to one.
func runJudge(teacher, data, class string, seed uint64, temperature float64, asJSON bool, stdout io.Writer) error {
	m, word, err := loadTeacher(teacher)
	if err != nil {
		return err
	}
	items, err := loadItems(data)
	if err != nil {
		return err
	}
	byClass := map[string][]sketch.Drawing{}
	var all []sketch.Drawing
	for _, it := range items {
		if class != "" && !strings.EqualFold(it.Word, class) {
			continue
		}
		byClass[it.Word] = append(byClass[it.Word], it.Drawing)
		all = append(all, it.Drawing)
	}
	if len(all) == 0 {
		var words []string
		for _, it := range items {
			if !slices.Contains(words, it.Word) {
				words = append(words, it.Word)
			}
		}
		return usagef("--class %s: %s has no drawings of that class (it has %s)", class, data, strings.Join(words, ", "))
	}
	size, err := sketchrnn.TypicalSize(m, sketchrnn.JudgeSizeSamples, temperature, seed)
	if err != nil {
		return fmt.Errorf("--judge %s: %w", teacher, err)
	}
	var results []judgeResult
	score := func(name string, ds []sketch.Drawing) error {
		j, err := sketchrnn.PointNLL(m, ds, size)
		if err != nil {
			return usageError{fmt.Errorf("%s: %w", data, err)}
		}
		results = append(results, judgeResult{Class: name, Drawings: j.Drawings, Points: j.Points, NLL: j.NLL, Offsets: j.Offsets, Pen: j.Pen})
		return nil
	}
	names := make([]string, 0, len(byClass))
	for k := range byClass {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) > 1 {
		for _, k := range names {
			if err := score(k, byClass[k]); err != nil {
				return err
			}
		}
	}
	allName := "all"
	if len(names) == 1 && names[0] != "" {
		allName = names[0]
	}
	if err := score(allName, all); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"judge": word, "size": size, "results": results})
	}
	fmt.Fprintf(stdout, "judge %s (drawings scaled to %.1f units, the median of %d of its own at temperature %g)\n", word, size, sketchrnn.JudgeSizeSamples, temperature)
	for _, r := range results {
		name := r.Class
		if name == "" {
			name = "(no class)"
		}
		fmt.Fprintf(stdout, "%-12s %5d drawings %7d points  nll %7.3f nats/point (offsets %.3f, pen %.3f)\n", name, r.Drawings, r.Points, r.NLL, r.Offsets, r.Pen)
	}
	return nil
}

// judgeTemperature is the temperature of the teacher's own drawings whose median size the judge
// scales drawings to (the temperature the training drawings were distilled at).
const judgeTemperature = 0.45
