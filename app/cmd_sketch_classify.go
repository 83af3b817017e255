package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/sketch"
)

func init() {
	register(command{name: "sketch classify", summary: "the class nearest to each drawing in a multi-class sketch VAE's latent space: FILE [--model M] [--json]", run: runSketchClassify})
}

const classifyUsage = "usage: palette sketch classify FILE.ndjson|FILE.npz[:split] [--model M] [--json]"

// classTally counts a class's labelled drawings and those placed nearest to it.
type classTally struct {
	Drawings int `json:"drawings"`
	Correct  int `json:"correct"`
}

// runSketchClassify encodes each drawing and names the class whose Gaussian lies nearest (see
// sketch classes), with the distance in that class's own deviations (about 1 inside a class).
// For labelled drawings it also reports how often the nearest class is the label.
func runSketchClassify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sketch classify", flag.ContinueOnError)
	model := fs.String("model", "", "multi-class sketch VAE (safetensors with classes, or builtin:NAME)")
	asJSON := fs.Bool("json", false, `print {"drawings", "labelled", "correct", "per_class"} instead of a line per drawing`)
	pos, err := parseModelFlags(fs, args, classifyUsage, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("%s", classifyUsage)
	}
	m, err := loadSketch(*model)
	if err != nil {
		return err
	}
	if m.ZSize() == 0 {
		return usagef("--model: this model is decoder-only (no latent space to classify in)")
	}
	c, err := sketchClasses(*model, m.W)
	if err != nil {
		return err
	}
	if len(c.Mean) == 0 {
		return usagef("--model %s: the model does not say where its classes lie (run palette sketch classes)", orDefault(*model))
	}
	items, err := loadItems(pos[0])
	if err != nil {
		return err
	}
	per := map[string]*classTally{}
	drawings, labelled, correct := 0, 0, 0
	for i, it := range items {
		if len(it.Drawing) == 0 {
			continue
		}
		zs, err := m.Encode([]sketch.Drawing{it.Drawing})
		if err != nil {
			return usageError{fmt.Errorf("%s: drawing %d: %w", pos[0], i, err)}
		}
		if err := finiteVectors(zs); err != nil {
			return modelFault(*model, "the encoder's output", err)
		}
		k, dist := c.Nearest(zs[0])
		drawings++
		if it.Word != "" {
			labelled++
			t := per[it.Word]
			if t == nil {
				t = &classTally{}
				per[it.Word] = t
			}
			t.Drawings++
			if c.Names[k] == it.Word {
				t.Correct++
				correct++
			}
		}
		if !*asJSON {
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%.2f\n", i, it.Word, c.Names[k], dist)
		}
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"drawings": drawings, "labelled": labelled, "correct": correct, "per_class": per})
	}
	if labelled > 0 {
		fmt.Fprintf(stdout, "nearest class is the label for %d of %d labelled drawings (%.1f%%)\n", correct, labelled, 100*float64(correct)/float64(labelled))
	}
	return nil
}
