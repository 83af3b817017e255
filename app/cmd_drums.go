package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

func init() {
	register(command{name: "drums reconstruct", summary: "encode 2 bars of a drum MIDI file and decode them back", run: runDrumsReconstruct})
	register(command{name: "drums interpolate", summary: "decode evenly spaced points between two grooves into one MIDI file", run: runDrumsInterpolate})
	register(command{name: "drums sample", summary: "decode random latent points into grooves", run: runDrumsSample})
	register(command{name: "drums eval", summary: "measure the drum model on a split of the Groove MIDI Dataset (--json)", run: runDrumsEval})
	register(command{name: "drums render", summary: "render 2 bars of a drum MIDI file to a WAV file with the built-in kit", run: runDrumsRender})
}

// builtinDrums names the drum model that ships in the binary.
const builtinDrums = "builtin:drums"

// drumFlags are the flags every drum command shares.
type drumFlags struct {
	model string
	bpm   float64
}

func addDrumFlags(fs *flag.FlagSet) *drumFlags {
	f := &drumFlags{}
	fs.StringVar(&f.model, "model", builtinDrums, "drum model: FILE.safetensors or "+builtinDrums+" (the default)")
	fs.Float64Var(&f.bpm, "bpm", audio.DefaultBPM, fmt.Sprintf("tempo, %d to %d", audio.MinBPM, audio.MaxBPM))
	return f
}

// check refuses a tempo out of range.
func (f *drumFlags) check() error {
	if !(f.bpm >= audio.MinBPM && f.bpm <= audio.MaxBPM) {
		return usagef("--bpm %g is out of range: use %d to %d", f.bpm, audio.MinBPM, audio.MaxBPM)
	}
	return nil
}

// load returns the drum model the flags name.
func (f *drumFlags) load() (*musicvae.DrumModel, error) { return loadDrumModel(f.model) }

// loadDrumModel reads a drum model: the built-in one, or a checkpoint file.
func loadDrumModel(spec string) (*musicvae.DrumModel, error) {
	var r io.Reader
	name := spec
	if spec == "" || spec == builtinDrums {
		if len(assets.DrumsModel) == 0 {
			return nil, usagef("this build has no built-in drum model: give one with --model FILE.safetensors (palette train drums makes one)")
		}
		r, name = bytes.NewReader(assets.DrumsModel), builtinDrums
	} else {
		f, err := openInput(spec)
		if err != nil {
			return nil, usageError{fmt.Errorf("--model: %w", err)}
		}
		defer f.Close()
		r = f
	}
	m, err := musicvae.LoadDrumModel(r)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", name, err)}
	}
	return m, nil
}

// writeDrums writes patterns one after another as a General MIDI drum file, atomically.
func (f *drumFlags) writeDrums(path string, ps []drums.Pattern) error {
	var all drums.Pattern
	for _, p := range ps {
		all = append(all, p...)
	}
	opt := drums.WriteOptions{BPM: f.bpm}
	if err := writeFileAtomic(path, func(w io.Writer) error { return drums.WriteMIDI(w, all, opt) }); err != nil {
		return usageError{err}
	}
	return nil
}

// readGroove reads the drum part of the MIDI file at path and returns its 2 bars from bar on
// (a shorter part is padded with silence); what is wrong with the file or the bar is a usage
// error. Notices (a meter other than 4/4, a track picked by its pitches) go to stderr.
func readGroove(path string, bar int, stderr io.Writer) (drums.Pattern, error) {
	p, _, err := readGrooveTempo(path, bar, stderr)
	return p, err
}

// readGrooveTempo is readGroove that also returns the file's tempo (its first, in BPM).
func readGrooveTempo(path string, bar int, stderr io.Writer) (drums.Pattern, float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, usageError{fmt.Errorf("read %s: %w", path, err)}
	}
	defer f.Close()
	im, err := drums.ReadMIDI(f)
	var fe *drums.FormatError
	if errors.As(err, &fe) {
		return nil, 0, usagef("%s: %s", path, fe.Msg)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	for _, n := range im.Notices {
		fmt.Fprintf(stderr, "%s: %s\n", path, n)
	}
	bars := len(im.Bars)
	if bar < 0 || bar >= bars {
		return nil, 0, usagef("%s has %d bar(s): --bar %d is outside 0..%d", path, bars, bar, bars-1)
	}
	start := im.Bars[bar]
	w := make(drums.Pattern, drums.WindowSteps)
	copy(w, im.Pattern[start:min(len(im.Pattern), start+drums.WindowSteps)])
	if w.Hits() == 0 {
		return nil, 0, usagef("%s: bars %d-%d have no hits: choose others with --bar (0..%d)", path, bar, bar+1, bars-1)
	}
	return w, im.BPM, nil
}

// needOutput refuses a missing output path, and one whose folder does not exist.
func needOutput(path, want string) error {
	if path == "" {
		return usagef("no output file: add -o %s", want)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("cannot write %s: the folder %s does not exist", path, filepath.Dir(path))
	}
	return nil
}

// sameSteps counts the steps of a whose hits (their classes) are those of b.
func sameSteps(a, b drums.Pattern) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i].Token() == b[i].Token() {
			n++
		}
	}
	return n
}

func runDrumsReconstruct(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums reconstruct", flag.ContinueOnError)
	df := addDrumFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	bar := fs.Int("bar", 0, "first of the 2 bars to take (0-based)")
	pos, err := parseModelFlags(fs, args, "usage: palette drums reconstruct IN.mid -o OUT.mid [--bar B] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("need one drum MIDI file, got %d", len(pos))
	}
	if err := errors.Join(needOutput(*out, "OUT.mid"), df.check()); err != nil {
		return err
	}
	in, err := readGroove(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	zs, err := m.Encode([]drums.Pattern{in})
	if err != nil {
		return err
	}
	got, err := m.Decode(zs, vae.DecodeOptions{})
	if err != nil {
		return err
	}
	if err := df.writeDrums(*out, got); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d of %d steps as in bars %d-%d of %s\n", *out, sameSteps(in, got[0]), len(in), *bar, *bar+1, pos[0])
	return nil
}

func runDrumsInterpolate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums interpolate", flag.ContinueOnError)
	df := addDrumFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	steps := fs.Int("steps", 5, "grooves to decode, both ends included (2..100)")
	bar := fs.Int("bar", 0, "first of the 2 bars to take from A (0-based)")
	barB := fs.Int("bar-b", -1, "first of the 2 bars to take from B (default: --bar)")
	pos, err := parseModelFlags(fs, args, "usage: palette drums interpolate A.mid B.mid --steps N -o OUT.mid [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("need two drum MIDI files, got %d", len(pos))
	}
	if *steps < 2 || *steps > 100 {
		return usagef("--steps %d is outside 2..100", *steps)
	}
	if err := errors.Join(needOutput(*out, "OUT.mid"), df.check()); err != nil {
		return err
	}
	if *barB < 0 {
		*barB = *bar
	}
	a, err := readGroove(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	b, err := readGroove(pos[1], *barB, stderr)
	if err != nil {
		return err
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	mu, err := m.Encode([]drums.Pattern{a, b})
	if err != nil {
		return err
	}
	ps, err := m.Decode(musicvae.Lerp(mu[0], mu[1], *steps), vae.DecodeOptions{})
	if err != nil {
		return err
	}
	if err := df.writeDrums(*out, ps); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d grooves of 2 bars from %s to %s\n", *out, len(ps), pos[0], pos[1])
	return nil
}

func runDrumsSample(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums sample", flag.ContinueOnError)
	df := addDrumFlags(fs)
	out := fs.String("o", "", "output MIDI file")
	n := fs.Int("n", 4, "grooves to sample (1..100)")
	temp := fs.Float64("temperature", 0.5, "sampling temperature; 0 takes the most likely hits at each step")
	seed := fs.Int64("seed", 1, "seed of the latent points and the sampling")
	pos, err := parseModelFlags(fs, args, "usage: palette drums sample -n N --temperature T --seed S -o OUT.mid [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("drums sample takes no file arguments, got %d", len(pos))
	}
	if *n < 1 || *n > 100 {
		return usagef("-n %d is outside 1..100", *n)
	}
	if !(*temp >= 0 && *temp <= 10) {
		return usagef("--temperature %v is outside 0..10", *temp)
	}
	if err := errors.Join(needOutput(*out, "OUT.mid"), df.check()); err != nil {
		return err
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(*seed), 0x7a))
	zs := make([][]float32, *n)
	for i := range zs {
		zs[i] = make([]float32, m.ZSize())
		for k := range zs[i] {
			zs[i][k] = float32(rng.NormFloat64())
		}
	}
	ps, err := m.Decode(zs, vae.DecodeOptions{Temperature: *temp, Seed: *seed})
	if err != nil {
		return err
	}
	if err := df.writeDrums(*out, ps); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d sampled grooves of 2 bars at temperature %g\n", *out, len(ps), *temp)
	return nil
}

func runDrumsEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums eval", flag.ContinueOnError)
	df := addDrumFlags(fs)
	data := fs.String("data", "", "the Groove MIDI Dataset folder (with info.csv)")
	split := fs.String("split", "test", "the split to measure: train, validation or test")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pairs := fs.Int("pairs", 100, "random window pairs for the interpolation measure")
	maxWindows := fs.Int("max-windows", 0, "evaluate a seeded sample of this many windows (0: all)")
	seed := fs.Uint64("seed", 1, "seed of the sample and the pairs")
	pos, err := parseModelFlags(fs, args, "usage: palette drums eval --data DIR [--split test] [--json] [--model FILE]", stderr)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *data == "" {
		return usagef("need --data DIR and no other arguments")
	}
	if *pairs < 0 || *maxWindows < 0 {
		return usagef("--pairs and --max-windows must not be negative")
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	d, err := drums.LoadGroove(*data, *split)
	if err != nil {
		return usageError{err}
	}
	if len(d.Windows) == 0 {
		return usagef("%s: the %s split has no 2-bar windows with hits", *data, *split)
	}
	met, err := musicvae.Evaluate(musicvae.NewModel(m.Weights()), musicvae.DrumTokens(d.Windows),
		musicvae.EvalOptions{MaxWindows: *maxWindows, Pairs: *pairs, Seed: *seed})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(met)
	}
	_, err = fmt.Fprintf(stdout, "%s\nwindows %d  teacher-forced accuracy %.4f  reconstruction accuracy %.4f  kl %.2f  interpolation monotonicity %.3f\n",
		d, met.Windows, met.TeacherForcedAccuracy, met.ReconstructionAccuracy, met.KL, met.InterpolationMonotonicity)
	return err
}

const drumsRenderUsage = "usage: palette drums render IN.mid -o OUT.wav [--bpm B] [--loops N] [--bar B] [--rate HZ]"

func runDrumsRender(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums render", flag.ContinueOnError)
	out := fs.String("o", "", "the WAV file to write")
	bpm := fs.Float64("bpm", 0, fmt.Sprintf("tempo in quarter notes per minute, %d to %d (default: the file's)", audio.MinBPM, audio.MaxBPM))
	loops := fs.Int("loops", 1, "how many times to play the 2 bars, 1 to 64")
	bar := fs.Int("bar", 0, "the first of the 2 bars to render (0 is the first bar of the file)")
	rate := fs.Int("rate", 44100, "sample rate in Hz: 44100 or 48000")
	pos, err := parseModelFlags(fs, args, drumsRenderUsage, stderr)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0 || pos[0] == "":
		return usagef("no MIDI file given: %s", strings.SplitN(drumsRenderUsage, "\n", 2)[0])
	case len(pos) > 1:
		return usagef("one MIDI file at a time, got %d: %s", len(pos), strings.Join(pos, " "))
	case *loops < 1 || *loops > 64:
		return usagef("--loops %d is out of range: use 1 to 64", *loops)
	case *rate != 44100 && *rate != 48000:
		return usagef("--rate %d is not supported: use 44100 or 48000", *rate)
	case *bpm != 0 && !(*bpm >= audio.MinBPM && *bpm <= audio.MaxBPM):
		return usagef("--bpm %g is out of range: use %d to %d", *bpm, audio.MinBPM, audio.MaxBPM)
	}
	if err := needOutput(*out, "OUT.wav"); err != nil {
		return err
	}
	p, fileBPM, err := readGrooveTempo(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	if *bpm == 0 {
		*bpm = min(max(math.Round(fileBPM*100)/100, audio.MinBPM), audio.MaxBPM)
	}
	opts := audio.RenderOptions{BPM: *bpm, Loops: *loops, SampleRate: *rate}
	if err := writeFileAtomic(*out, func(w io.Writer) error { return audio.WriteDrumsWAV(w, p, opts) }); err != nil {
		return err
	}
	seconds := float64(len(p)**loops) * 60 / *bpm / drums.StepsPerQuarter
	fmt.Fprintf(stdout, "wrote %s: bars %d-%d, %d loop(s) at %g BPM on the built-in kit (%.1f s plus the last hits' ring)\n",
		*out, *bar, *bar+1, *loops, *bpm, seconds)
	return nil
}
