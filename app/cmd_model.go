package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/magenta"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

func init() {
	register(command{
		name:    "model convert",
		summary: "convert a melody model between our .safetensors and a Magenta.js checkpoint directory",
		run:     runModelConvert,
	})
	register(command{
		name:    "melody encode",
		summary: "print mu, the latent vector of 2 bars of a MIDI melody",
		run:     runMelodyEncode,
	})
	register(command{
		name:    "melody decode",
		summary: "print the greedy 90-class tokens the melody model decodes from z vectors",
		run:     runMelodyDecode,
	})
}

// builtinSpec names the melody model that ships in the binary.
const builtinSpec = "builtin:melody"

// builtinMelodyModel returns the melody weights that ship in the binary.
func builtinMelodyModel() ([]byte, bool) { return assets.MelodyModel, len(assets.MelodyModel) > 0 }

const modelFlagHelp = "melody model: FILE.safetensors, a Magenta.js checkpoint directory, or " + builtinSpec + " (the default)"

// loadMelodyWeights reads the melody model that spec names: builtin:melody (or ""), a
// .safetensors checkpoint, or a Magenta.js MusicVAE checkpoint directory. What is wrong with the
// file or directory is a usage error.
func loadMelodyWeights(spec string) (*musicvae.Weights, error) {
	if spec == "" || spec == builtinSpec {
		data, ok := builtinMelodyModel()
		if !ok {
			return nil, usagef("this build has no built-in melody model yet: pass --model FILE.safetensors or a Magenta.js checkpoint directory")
		}
		w, _, err := musicvae.Load(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("built-in melody model: %w", err)
		}
		return w, nil
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		w, err := magenta.LoadDir(spec)
		if err != nil {
			return nil, usageError{fmt.Errorf("model %s: %w", spec, err)}
		}
		return w, nil
	}
	f, err := openInput(spec)
	if err != nil {
		return nil, usageError{fmt.Errorf("model: %w", err)}
	}
	defer f.Close()
	w, err := loadMelodyCheckpoint(f)
	if err != nil {
		return nil, usageError{fmt.Errorf("model %s: %w (want a melody .safetensors checkpoint or a Magenta.js checkpoint directory)", spec, err)}
	}
	return w, nil
}

// loadMelodyCheckpoint is musicvae.Load with one more budget: a config that names more decoder
// layers than the file has tensors cannot fit it, and is refused before its shapes are built.
func loadMelodyCheckpoint(r io.Reader) (*musicvae.Weights, error) {
	f, err := checkpoint.Load(r)
	if err != nil {
		return nil, err
	}
	var c struct {
		DecoderSizes []json.RawMessage `json:"decoder_sizes"`
	}
	if json.Unmarshal([]byte(f.Metadata[musicvae.MetaConfig]), &c) == nil && 2*len(c.DecoderSizes) > len(f.Tensors) {
		return nil, fmt.Errorf("musicvae: the config names %d decoder layers, the file holds %d tensors", len(c.DecoderSizes), len(f.Tensors))
	}
	return musicvae.FromFile(f)
}

// loadMelodyModel is loadMelodyWeights ready for inference: the value of --model on every
// melody command.
func loadMelodyModel(spec string) (*musicvae.Model, error) {
	w, err := loadMelodyWeights(spec)
	if err != nil {
		return nil, err
	}
	return musicvae.NewModel(w), nil
}

// parseModelFlags parses args with flags anywhere among the positionals; --help prints the usage
// and returns flag.ErrHelp, which run turns into exit status 0.
func parseModelFlags(fs *flag.FlagSet, args []string, usage string, stderr io.Writer) ([]string, error) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), usage)
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fs.Usage()
		return nil, err
	}
	if err != nil {
		return nil, usagef("%v (%s)", err, strings.SplitN(usage, "\n", 2)[0])
	}
	return pos, nil
}

const convertUsage = "usage: palette model convert IN OUT\n" +
	"  IN:  builtin:melody, FILE.safetensors or a Magenta.js MusicVAE checkpoint directory\n" +
	"  OUT: FILE.safetensors, or else a directory to write a Magenta.js checkpoint into"

func runModelConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("model convert", flag.ContinueOnError)
	pos, err := parseModelFlags(fs, args, convertUsage, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("want IN and OUT, got %d argument(s): %s", len(pos), strings.SplitN(convertUsage, "\n", 2)[0])
	}
	in, out := pos[0], pos[1]
	w, err := loadMelodyWeights(in)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return usagef("cannot write %s: the folder %s does not exist", out, filepath.Dir(out))
	}
	c := w.Config
	what := fmt.Sprintf("melody model (encoder %d, decoder %v, z %d; %d parameters)", c.EncoderSize, c.DecoderSizes, c.ZSize, w.NumParams())
	if strings.HasSuffix(strings.ToLower(out), ".safetensors") {
		if fi, err := os.Stat(out); err == nil && fi.IsDir() {
			return usagef("%s is a directory: name a file to write the .safetensors checkpoint to", out)
		}
		meta := map[string]string{musicvae.MetaNotes: "converted from " + filepath.Base(in)}
		if err := writeFileAtomic(out, func(f io.Writer) error { return w.Save(f, meta) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %s\n", out, what)
		return nil
	}
	if err := magenta.Exportable(c); err != nil {
		return usagef("%s cannot be written as a Magenta.js checkpoint: %v", in, strings.TrimPrefix(err.Error(), "magenta: "))
	}
	if fi, err := os.Stat(out); err == nil {
		if !fi.IsDir() {
			return usagef("%s is a file: a Magenta.js checkpoint is a directory (end OUT in .safetensors for our format)", out)
		}
		if !magenta.IsCheckpointDir(out) && !isEmptyDir(out) {
			return usagef("%s is a directory that holds something other than a checkpoint: choose a new or empty one", out)
		}
	}
	if err := writeDirAtomic(out, func(dir string) error { return magenta.Export(magenta.Dir(dir), w) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: Magenta.js MusicVAE checkpoint of a 2-bar %s\n", out, what)
	return nil
}

func isEmptyDir(path string) bool {
	entries, err := os.ReadDir(path)
	return err == nil && len(entries) == 0
}

// writeDirAtomic fills a directory through write: into a temporary directory beside path, then
// renamed into place, replacing what was at path only once the new one is complete.
func writeDirAtomic(path string, write func(dir string) error) (err error) {
	path = filepath.Clean(path)
	tmp, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, statErr := os.Stat(path); statErr == nil {
		old := tmp + ".old"
		if err = os.Rename(path, old); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err = os.Rename(tmp, path); err != nil {
			os.Rename(old, path) // put the previous checkpoint back
			return fmt.Errorf("write %s: %w", path, err)
		}
		os.RemoveAll(old)
		return nil
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

const encodeUsage = "usage: palette melody encode IN.mid [--json] [--bar B] [--model M]"

func runMelodyEncode(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody encode", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print mu as a JSON array (default: numbers on one line)")
	bar := fs.Int("bar", 0, "the first of the 2 bars to encode (0 is the first bar of the file)")
	mf := addModelFlags(fs)
	pos, err := parseModelFlags(fs, args, encodeUsage, stderr)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("no MIDI file given: %s", encodeUsage)
	case len(pos) > 1:
		return usagef("one MIDI file at a time, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	win, err := readWindowNoting(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	mus, err := encodeMelodies(m, mf.model, win)
	if err != nil {
		return err
	}
	mu := mus[0]
	if *asJSON {
		return json.NewEncoder(stdout).Encode(mu)
	}
	return printLine(stdout, mu)
}

const decodeUsage = "usage: palette melody decode --z FILE.json [--json] [--model M]\n" +
	"  FILE.json holds one z (a JSON array of numbers) or several (an array of such arrays); - reads standard input"

func runMelodyDecode(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody decode", flag.ContinueOnError)
	zPath := fs.String("z", "", "JSON file of one z or an array of z vectors (- for standard input)")
	asJSON := fs.Bool("json", false, "print a JSON array with one array of tokens per z (default: one line of tokens per z)")
	mf := addModelFlags(fs)
	pos, err := parseModelFlags(fs, args, decodeUsage, stderr)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q: %s", pos[0], strings.SplitN(decodeUsage, "\n", 2)[0])
	case *zPath == "":
		return usagef("no z vectors: add --z FILE.json")
	}
	var data []byte
	if *zPath == "-" {
		data, err = io.ReadAll(io.LimitReader(os.Stdin, maxZFile+1))
	} else {
		data, err = regfile.ReadFile(*zPath, maxZFile)
	}
	if err != nil {
		return usageError{fmt.Errorf("--z: %w", err)}
	}
	zs, err := parseZs(data)
	if err != nil {
		return usagef("--z %s: %v", shorten(*zPath, 200), err)
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	for i, z := range zs {
		if len(z) != m.W.Config.ZSize {
			return usagef("--z %s: z %d has %d values, the model's z has %d", *zPath, i, len(z), m.W.Config.ZSize)
		}
	}
	out, err := m.Decode(zs, vae.DecodeOptions{})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	for _, tokens := range out {
		if err := printLine(stdout, tokens); err != nil {
			return err
		}
	}
	return nil
}

// maxZFile bounds a z file: thousands of z vectors of 512 values.
const maxZFile = 64 << 20

// parseZs reads one z (an array of numbers) or several (an array of arrays of numbers).
func parseZs(data []byte) ([][]float32, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var many [][]float32
	if err := json.Unmarshal(data, &many); err == nil {
		if len(many) == 0 {
			return nil, errors.New("no z vectors in the file")
		}
		for i, z := range many {
			if len(z) == 0 {
				return nil, fmt.Errorf("z %d is empty", i)
			}
		}
		return many, nil
	}
	var one []float32
	if err := json.Unmarshal(data, &one); err != nil {
		return nil, errors.New("not a JSON array of numbers, nor an array of such arrays")
	}
	if len(one) == 0 {
		return nil, errors.New("the z vector is empty")
	}
	return [][]float32{one}, nil
}

// printLine prints values separated by spaces on one line.
func printLine[T any](w io.Writer, values []T) error {
	var sb strings.Builder
	for i, v := range values {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprint(&sb, v)
	}
	sb.WriteByte('\n')
	_, err := io.WriteString(w, sb.String())
	return err
}

// encodeMelodies returns mu of each window; a mu that is not finite is the model file's fault.
func encodeMelodies(m *musicvae.Model, spec string, ws ...melody.Melody) ([][]float32, error) {
	mus, err := m.Encode(ws)
	if err != nil {
		return nil, err
	}
	if err := finiteVectors(mus); err != nil {
		return nil, modelFault(spec, "the encoder's output", err)
	}
	return mus, nil
}

// finiteVectors reports the first value of vs that is NaN or infinite.
func finiteVectors(vs [][]float32) error {
	for i, v := range vs {
		for k, x := range v {
			if !finite(x) {
				return fmt.Errorf("vector %d, value %d is %v", i, k, x)
			}
		}
	}
	return nil
}

func finite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// modelFault reports an output of the model that cannot be written: with a model file of the
// user's, the weights are out of range (a usage error); with the built-in one, it is ours.
func modelFault(spec, what string, err error) error {
	if spec == "" || spec == builtinSpec {
		return fmt.Errorf("built-in model: %s is not finite: %w", what, err)
	}
	return usagef("model %s: %s is not finite (%v): its weights are out of range", shorten(spec, 200), what, err)
}
