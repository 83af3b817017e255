package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
)

// A tiny distilled data set: two teachers, labelled lines, read back by the trainer's reader;
// the judge prefers each teacher's own class; continue and the NDJSON exports write drawings.
func TestSketchDistillJudgeContinue(t *testing.T) {
	dog := shared.Data(t, "sketch-rnn-models/dog.gen.json")
	bird := shared.Data(t, "sketch-rnn-models/bird.gen.json")
	dir := t.TempDir()
	data := filepath.Join(dir, "tiny.ndjson")
	sketchRun(t, 0, "sketch", "distill", "--teacher", dog, bird, "-n", "6", "--temperature", "0.45", "--seed", "4", "-o", data)
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	items, err := sketch.ReadNDJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]int{}
	for _, it := range items {
		words[it.Word]++
		if len(it.Drawing) < 11 {
			t.Errorf("%s drawing of %d points: distill keeps 11 or more", it.Word, len(it.Drawing))
		}
	}
	if words["dog"] != 6 || words["bird"] != 6 || len(items) != 12 {
		t.Fatalf("classes %v, want 6 dogs and 6 birds", words)
	}

	out := sketchRun(t, 0, "sketch", "eval", "--judge", dog, "--data", data, "--json")
	var res struct {
		Judge   string
		Size    float64
		Results []judgeResult
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	nll := map[string]float64{}
	for _, r := range res.Results {
		nll[r.Class] = r.NLL
	}
	if res.Judge != "dog" || res.Size <= 0 || len(res.Results) != 3 {
		t.Fatalf("judge report %s", out)
	}
	if !(nll["dog"] < nll["bird"]) {
		t.Errorf("the dog teacher scores dogs %.3f and birds %.3f: it should prefer dogs", nll["dog"], nll["bird"])
	}
	sketchRun(t, 2, "sketch", "eval", "--judge", dog, "--data", data, "--class", "cat")

	cont := filepath.Join(dir, "more.ndjson")
	sketchRun(t, 0, "sketch", "continue", data, "--index", "1", "--strokes", "1", "-n", "3", "--model", dog, "-o", cont)
	if n := sketchLines(t, cont); n != 3 {
		t.Errorf("continue wrote %d drawings, want 3", n)
	}
	sketchRun(t, 0, "sketch", "continue", data, "--index", "1", "--strokes", "1", "-n", "2", "--model", dog, "-o", filepath.Join(dir, "more.png"))
	sketchRun(t, 2, "sketch", "continue", data, "--index", "99", "--model", dog, "-o", filepath.Join(dir, "bad.png"))
	sample := filepath.Join(dir, "s.ndjson")
	sketchRun(t, 0, "sketch", "sample", "-n", "4", "--model", bird, "-o", sample)
	if n := sketchLines(t, sample); n != 4 {
		t.Errorf("sample wrote %d drawings, want 4", n)
	}
}

func TestSketchModelsAndClasses(t *testing.T) {
	if _, ok := builtinSketchModel(); !ok {
		t.Skip("no built-in sketch model in this build")
	}
	out := sketchRun(t, 0, "sketch", "models")
	if out != "sheep: sheep\nanimals: bear, bird, dog, dolphin, hedgehog, monkey, parrot, rabbit, sheep, tiger\n" {
		t.Errorf("sketch models printed %q", out)
	}
	dir := t.TempDir()
	errOut := sketchRunErr(t, 2, "sketch", "sample", "--class", "unicorn", "-o", filepath.Join(dir, "u.png"))
	if !strings.Contains(errOut, "sheep") || !strings.Contains(errOut, "unicorn") {
		t.Errorf("unknown class: %q should name the class and the ones the model knows", errOut)
	}
	errOut = sketchRunErr(t, 2, "sketch", "sample", "--model", "builtin:unicorn", "-o", filepath.Join(dir, "u.png"))
	if !strings.Contains(errOut, "builtin:sheep") {
		t.Errorf("unknown built-in model: %q should list the built-in models", errOut)
	}
	sketchRun(t, 0, "sketch", "sample", "-n", "2", "--model", "builtin:sheep", "--class", "sheep", "-o", filepath.Join(dir, "s.svg"))
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the output folder, want only s.svg", len(entries))
	}
	// The ten animals: a class of theirs is drawn in the 0-255 box of hand drawings.
	dogs := filepath.Join(dir, "dogs.ndjson")
	sketchRun(t, 0, "sketch", "sample", "-n", "3", "--model", "builtin:animals", "--class", "dog", "-o", dogs)
	ds, err := loadDrawings(dogs)
	if err != nil || len(ds) != 3 {
		t.Fatalf("%d dogs read back (%v)", len(ds), err)
	}
	for _, d := range ds {
		if b := d.Bounds(); max(b.Dx(), b.Dy()) > 2000 {
			t.Errorf("a dog %v x %v units: not rescaled to hand drawings", b.Dx(), b.Dy())
		}
	}
	if errOut := sketchRunErr(t, 2, "sketch", "sample", "--model", "builtin:animals", "--class", "cat", "-o", filepath.Join(dir, "c.png")); !strings.Contains(errOut, "bear, bird, dog") {
		t.Errorf("unknown class: %q should list the animals", errOut)
	}
	// Without --class, the animals are drawn from their classes (a random one each), not from
	// the prior N(0, I), whose vectors lie far from every class.
	m, err := loadSketch("builtin:animals")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sketchClasses("builtin:animals", m.W)
	if err != nil {
		t.Fatal(err)
	}
	zs, err := classZs(m, "builtin:animals", "", 40, 1)
	if err != nil {
		t.Fatal(err)
	}
	// fromAnchor is how far z lies from the nearest anchor of any class, in the class's
	// posterior sigmas (root mean square over z): about 1 for an anchor plus its noise.
	fromAnchor := func(z []float32) (float64, int) {
		best, class := math.Inf(1), -1
		for i, as := range c.Anchors {
			for _, a := range as {
				var e float64
				for k := range z {
					r := float64(z[k]-a[k]) / float64(c.Spread[i][k])
					e += r * r
				}
				if e = math.Sqrt(e / float64(len(z))); e < best {
					best, class = e, i
				}
			}
		}
		return best, class
	}
	seen := map[int]bool{}
	for _, z := range zs {
		d, i := fromAnchor(z)
		if d > 1.5 {
			t.Errorf("a sample without --class lies %.2f sigmas from the nearest anchor (of %s)", d, c.Names[i])
		}
		seen[i] = true
	}
	if len(seen) < 6 {
		t.Errorf("40 samples without --class come from %d of the 10 classes", len(seen))
	}
	// The prior's vectors, for contrast, lie far from every anchor.
	prior := rand.New(rand.NewPCG(1, 2))
	z := make([]float32, m.ZSize())
	for k := range z {
		z[k] = float32(prior.NormFloat64())
	}
	if d, _ := fromAnchor(z); d < 1.5 {
		t.Errorf("a vector of the prior lies %.2f sigmas from an anchor: the check above shows nothing", d)
	}
}

func sketchRun(t *testing.T, status int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if got := run(args, &stdout, &stderr); got != status {
		t.Fatalf("palette %s: status %d, want %d (stderr %q)", strings.Join(args, " "), got, status, stderr.String())
	}
	return stdout.String()
}

func sketchRunErr(t *testing.T, status int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if got := run(args, &stdout, &stderr); got != status {
		t.Fatalf("palette %s: status %d, want %d (stderr %q)", strings.Join(args, " "), got, status, stderr.String())
	}
	return stderr.String()
}

func sketchLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// The class pipeline on a small untrained VAE: sketch classes stores each class's Gaussian,
// sample --class draws from one (an unknown class is status 2 naming the known ones), classify
// names the nearest class of each drawing, continue decodes at a class's centre.
func TestSketchClassPipeline(t *testing.T) {
	dog := shared.Data(t, "sketch-rnn-models/dog.gen.json")
	bird := shared.Data(t, "sketch-rnn-models/bird.gen.json")
	dir := t.TempDir()
	data := filepath.Join(dir, "tiny.ndjson")
	sketchRun(t, 0, "sketch", "distill", "--teacher", dog, "--teacher", bird, "-n", "5", "--seed", "2", "-o", data)
	cfg := sketchrnn.DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize, cfg.MaxSeqLen = 8, 16, 4, 100
	w, err := sketchrnn.NewWeights(cfg, 50, 1)
	if err != nil {
		t.Fatal(err)
	}
	vae := filepath.Join(dir, "vae.safetensors")
	f, err := os.Create(vae)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	withClasses := filepath.Join(dir, "classes.safetensors")
	sketchRun(t, 0, "sketch", "classes", "--model", vae, "--data", data, "-o", withClasses)
	sketchRun(t, 0, "sketch", "sample", "--model", withClasses, "--class", "bird", "-n", "2", "-o", filepath.Join(dir, "b.ndjson"))
	if errOut := sketchRunErr(t, 2, "sketch", "sample", "--model", withClasses, "--class", "cat", "-o", filepath.Join(dir, "c.png")); !strings.Contains(errOut, "bird, dog") {
		t.Errorf("unknown class: %q should list bird, dog", errOut)
	}
	out := sketchRun(t, 0, "sketch", "classify", data, "--model", withClasses, "--json")
	var res struct{ Drawings, Labelled, Correct int }
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Drawings != 10 || res.Labelled != 10 {
		t.Errorf("classify: %s (%v)", out, err)
	}
	sketchRun(t, 0, "sketch", "continue", data, "--model", withClasses, "--class", "dog", "--strokes", "1", "-n", "2", "--max-len", "60", "--fit", "200", "-o", filepath.Join(dir, "k.svg"))
	sketchRunErr(t, 2, "sketch", "classify", data, "--model", vae) // no classes stored

	// --teachers ranks the anchors by each class's decoder; a class without one is status 2
	// naming the file it needs, and nothing is written.
	judged := filepath.Join(dir, "judged.safetensors")
	sketchRun(t, 0, "sketch", "classes", "--model", vae, "--data", data, "--teachers", filepath.Dir(dog), "-o", judged)
	sketchRun(t, 0, "sketch", "sample", "--model", judged, "--class", "dog", "-n", "2", "-o", filepath.Join(dir, "d.ndjson"))
	none := filepath.Join(dir, "none.safetensors")
	if errOut := sketchRunErr(t, 2, "sketch", "classes", "--model", vae, "--data", data, "--teachers", dir, "-o", none); !strings.Contains(errOut, "bird.gen.json") {
		t.Errorf("no teachers: %q should name the file the class needs", errOut)
	}
	if _, err := os.Stat(none); err == nil {
		t.Error("a failed sketch classes wrote its output")
	}

	// --size 255 rescales the model: the scale factor moves by 255 over the data's median side.
	small := filepath.Join(dir, "small.safetensors")
	sketchRun(t, 0, "sketch", "classes", "--model", vae, "--data", data, "--size", "255", "-o", small)
	items, err := loadItems(data)
	if err != nil {
		t.Fatal(err)
	}
	g, err := loadSketchModel(small)
	if err != nil {
		t.Fatal(err)
	}
	if want := w.ScaleFactor * 255 / medianSide(items); math.Abs(float64(g.ScaleFactor/want-1)) > 1e-5 {
		t.Errorf("rescaled scale factor %v, want %v", g.ScaleFactor, want)
	}
}
