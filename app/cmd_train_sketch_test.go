package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/sketchrnn"
)

// writeRandomNDJSON writes n random-walk drawings of 15 to 30 points in Quick, Draw! NDJSON.
func writeRandomNDJSON(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for i := range n {
		var strokes []string
		x, y := 100, 100
		for range 3 {
			var xs, ys []string
			for range 5 + rng.IntN(6) {
				x, y = x+rng.IntN(21)-10, y+rng.IntN(21)-10
				xs, ys = append(xs, strconv.Itoa(x)), append(ys, strconv.Itoa(y))
			}
			strokes = append(strokes, fmt.Sprintf("[[%s],[%s]]", strings.Join(xs, ","), strings.Join(ys, ",")))
		}
		fmt.Fprintf(&b, `{"word":"walk","key_id":"%d","drawing":[%s]}`+"\n", i, strings.Join(strokes, ","))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// train sketch keeps the best weights by validation in --out with notes on where they came
// from, and resumes where it stopped, on another number of threads.
func TestTrainSketch(t *testing.T) {
	dir := t.TempDir()
	train, valid := filepath.Join(dir, "train.ndjson"), filepath.Join(dir, "valid.ndjson")
	writeRandomNDJSON(t, train, 12, 1)
	writeRandomNDJSON(t, valid, 4, 2)
	best, state := filepath.Join(dir, "best.safetensors"), filepath.Join(dir, "state.safetensors")
	args := []string{"train", "sketch", "--data", train, "--valid", valid, "--out", best, "--state", state,
		"--enc", "8", "--dec", "8", "--z", "4", "--batch", "4", "--eval-every", "2", "--save-every", "1ms", "--log-every", "1"}

	var stdout, stderr bytes.Buffer
	if status := run(append(args, "--steps", "4", "--threads", "1"), &stdout, &stderr); status != 0 {
		t.Fatalf("train: status %d\n%s%s", status, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "(best: saved)") {
		t.Errorf("no validation result was saved as the best:\n%s", stdout.String())
	}
	notes := func() (string, float64) {
		f, err := os.Open(best)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		meta, err := sketchrnn.Metadata(f)
		if err != nil {
			t.Fatal(err)
		}
		return meta[sketchrnn.MetaNotes], bestScore(best)
	}
	note, score := notes()
	if !strings.Contains(note, "valid (4 sketches)") || !strings.Contains(note, "step 4") {
		t.Errorf("notes %q", note)
	}
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no resume state: %v", err)
	}

	stdout.Reset()
	if status := run(append(args, "--steps", "6", "--resume", "--threads", "2", "--resimplify", "0.5"), &stdout, &stderr); status != 0 {
		t.Fatalf("resume: status %d\n%s%s", status, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "resumed "+state+" at step 4") || !strings.Contains(stdout.String(), "step 6 valid") {
		t.Errorf("the resumed run did not continue from step 4 to 6:\n%s", stdout.String())
	}
	if _, after := notes(); after > score {
		t.Errorf("the best score went from %v to %v", score, after)
	}

	// A resumed run takes a new rate (its decay starts again) and a new KL floor, and keeps them
	// in its state: the run resumed once more without the flags goes on with them.
	stdout.Reset()
	if status := run(append(args, "--steps", "7", "--resume", "--threads", "1", "--lr", "0.0005", "--kl-tolerance", "0.5"), &stdout, &stderr); status != 0 {
		t.Fatalf("resume with new settings: status %d\n%s%s", status, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "from step 6: learning rate 0.0005, KL floor 0.5") || !strings.Contains(stdout.String(), "lr 0.000500") {
		t.Errorf("the resumed run did not take the new rate and floor:\n%s", stdout.String())
	}
	stdout.Reset()
	if status := run(append(args, "--steps", "8", "--resume", "--threads", "1"), &stdout, &stderr); status != 0 {
		t.Fatalf("resume again: status %d\n%s%s", status, stdout.String(), stderr.String())
	}
	want := fmt.Sprintf("lr %.6f", (0.0005-0.00001)*0.9999+0.00001)
	if strings.Contains(stdout.String(), "from step") || !strings.Contains(stdout.String(), want) {
		t.Errorf("resumed again: want no changes and %q:\n%s", want, stdout.String())
	}

	for _, bad := range [][]string{
		{"train", "sketch", "--data", train, "--out", best, "--lr", "0"},
		{"train", "sketch", "--data", train, "--out", best, "--kl-weight", "-1"},
		{"train", "sketch", "--data", train, "--out", best, "--kl-tolerance", "NaN"},
		{"train", "sketch", "--data", train, "--out", best, "--resume", "--state", filepath.Join(dir, "none")},
		{"train", "sketch", "--data", train, "--out", best, "--engine", "gorgonia"}, // one engine now: no flag
		{"train", "sketch", "--data", filepath.Join(dir, "none.npz"), "--out", best},
		{"train", "sketch", "--data", train, "--out", best, "--resimplify", "1.5"},
	} {
		stderr.Reset()
		if status := run(bad, &stdout, &stderr); status != 2 || stderr.Len() == 0 {
			t.Errorf("%v: status %d, stderr %q; want 2 and a message", bad[2:], status, stderr.String())
		}
	}
}
