package magenta

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/nn"
	"github.com/latentpalette/palette/model/palette"
)

// The Node harness (testdata/node) runs @magenta/music on a checkpoint that Write exported.
// These tests skip where node or npm is missing; they install the harness's packages with
// npm ci on first use.

var (
	npmOnce sync.Once
	npmErr  error
)

const harnessDir = "testdata/node"

// needHarness skips t without node and npm, and installs the harness's packages once.
func needHarness(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: skipping the comparison with Magenta.js (install Node 20 and npm to run it)", tool)
		}
	}
	npmOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(harnessDir, "node_modules", "@magenta", "music", "package.json")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = harnessDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			npmErr = fmt.Errorf("npm ci in %s: %v\n%s", harnessDir, err, out)
		}
	})
	if npmErr != nil {
		t.Fatal(npmErr)
	}
}

type harnessRequest struct {
	Decode      [][]float32     `json:"decode,omitempty"`
	Encode      []melody.Melody `json:"encode,omitempty"`
	Interpolate []melody.Melody `json:"interpolate,omitempty"`
	Bench       *benchRequest   `json:"bench,omitempty"`
}

type benchRequest struct {
	Repeats int             `json:"repeats"`
	Z       [][]float32     `json:"z"`
	Corners []melody.Melody `json:"corners"`
}

type harnessReply struct {
	Backend     string          `json:"backend"`
	TFJS        string          `json:"tfjs"`
	WasmSIMD    bool            `json:"wasm_simd"`
	Decode      []melody.Melody `json:"decode"`
	Encode      [][]float32     `json:"encode"`
	Interpolate []melody.Melody `json:"interpolate"`
	Bench       *timings        `json:"bench"`
}

// timings are median milliseconds of the four race rows, wall-clock and CPU time.
type timings struct {
	Decode1        float64 `json:"decode1_ms"`
	Decode16       float64 `json:"decode16_ms"`
	Encode         float64 `json:"encode_ms"`
	Interpolate    float64 `json:"interpolate_ms"`
	Decode1CPU     float64 `json:"decode1_cpu_ms"`
	Decode16CPU    float64 `json:"decode16_cpu_ms"`
	EncodeCPU      float64 `json:"encode_cpu_ms"`
	InterpolateCPU float64 `json:"interpolate_cpu_ms"`
}

// runHarness answers req with Magenta.js on backend ("wasm" or "cpu") over the checkpoint in dir.
func runHarness(t testing.TB, dir, backend string, req harnessRequest) harnessReply {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "harness.js", dir, "--backend", backend)
	cmd.Dir = harnessDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := stderr.Bytes()
		if len(msg) > 4000 {
			msg = msg[len(msg)-4000:]
		}
		t.Fatalf("node harness.js (%s): %v\n%s", backend, err, msg)
	}
	var r harnessReply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("harness reply %q: %v", out, err)
	}
	return r
}

// exportModel writes w as a Magenta.js checkpoint into a fresh directory.
func exportModel(t testing.TB, w *musicvae.Weights) string {
	t.Helper()
	dir := t.TempDir()
	if err := Export(Dir(dir), w); err != nil {
		t.Fatal(err)
	}
	return dir
}

// randomZs draws n z vectors of size zSize from N(0, 1).
func randomZs(n, zSize int, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	zs := make([][]float32, n)
	for i := range zs {
		zs[i] = make([]float32, zSize)
		for j := range zs[i] {
			zs[i][j] = float32(rng.NormFloat64())
		}
	}
	return zs
}

// randomMelodies makes n melodies of 32 steps: note-ons, holds and note-offs.
func randomMelodies(n int, seed uint64) []melody.Melody {
	rng := rand.New(rand.NewPCG(seed, 2))
	ms := make([]melody.Melody, n)
	for i := range ms {
		m := make(melody.Melody, melody.WindowSteps)
		for s := range m {
			switch r := rng.IntN(10); {
			case r < 4:
				m[s] = melody.NoteOn(48 + rng.IntN(36))
			case r < 5:
				m[s] = melody.NoteOff
			default:
				m[s] = melody.NoEvent
			}
		}
		ms[i] = m
	}
	return ms
}

// interpolate4x4 is Magenta.js's interpolateTensors with 4 inputs and 4 steps, in our code:
// encode the corners, blend bilinearly (Magenta's input order is top-left, bottom-left,
// top-right, bottom-right), decode the 16 blends row by row.
func interpolate4x4(m *musicvae.Model, corners []melody.Melody) ([]melody.Melody, [][]float32) {
	mu := encodeMel(m, corners)
	c := [4][]float32{palette.TopLeft: mu[0], palette.BottomLeft: mu[1], palette.TopRight: mu[2], palette.BottomRight: mu[3]}
	zs := make([][]float32, 0, 16)
	for y := range 4 {
		for x := range 4 {
			zs = append(zs, palette.Blend(c, palette.Point{U: float64(x) / 3, V: float64(y) / 3}, false))
		}
	}
	return decodeZ(m, zs), zs
}

// stepLogits returns the decoder's logits at step len(prefix) after teacher-forcing prefix:
// the plain math of Magenta's decoder, to judge a disagreement at a near tie.
func stepLogits(w *musicvae.Weights, z []float32, prefix melody.Melody) []float32 {
	state := make([]float32, w.ZToState.Out)
	w.ZToState.Apply(state, z)
	L := len(w.Dec)
	cs, hs := make([][]float32, L), make([][]float32, L)
	off := 0
	for k, d := range w.Config.DecoderSizes {
		cs[k], hs[k] = make([]float32, d), make([]float32, d)
		for i := range d {
			cs[k][i], hs[k][i] = nn.Tanh(state[off+i]), nn.Tanh(state[off+d+i])
		}
		off += 2 * d
	}
	classes := w.Out.Out // 90 melody events, or 512 drum hit sets
	logits := make([]float32, classes)
	for t := 0; t <= len(prefix); t++ {
		for k, cell := range w.Dec {
			pre := make([]float32, 4*cell.Hidden)
			if k == 0 {
				cell.AddInput(pre, classes, z, len(z))
				if t > 0 {
					cell.AddOneHot(pre, 0, prefix[t-1])
				}
			} else {
				cell.AddInput(pre, 0, hs[k-1], len(hs[k-1]))
			}
			cell.Step(pre, cs[k], hs[k])
		}
		w.Out.Apply(logits, hs[L-1])
	}
	return logits
}

// tieTolerance: where the two choices' logits are this close, float rounding may pick either.
const tieTolerance = 1e-4

// compareTokens requires ours and theirs to be equal, except where they first part at a step
// whose two choices' logits lie within tieTolerance (after that the melodies may differ).
func compareTokens(t *testing.T, what string, w *musicvae.Weights, zs [][]float32, ours, theirs []melody.Melody) {
	t.Helper()
	if len(ours) != len(theirs) {
		t.Fatalf("%s: %d melodies from us, %d from Magenta.js", what, len(ours), len(theirs))
	}
	for i := range ours {
		for s := range ours[i] {
			if ours[i][s] == theirs[i][s] {
				continue
			}
			l := stepLogits(w, zs[i], ours[i][:s])
			if d := math.Abs(float64(l[ours[i][s]] - l[theirs[i][s]])); d < tieTolerance {
				t.Logf("%s %d: step %d is a near tie (logits %d and %d differ by %.2g): the rest is not compared", what, i, s, ours[i][s], theirs[i][s], d)
			} else {
				t.Errorf("%s %d: step %d: ours %d, Magenta.js %d (logits differ by %.3g)\n ours   %v\n theirs %v", what, i, s, ours[i][s], theirs[i][s], d, ours[i], theirs[i])
			}
			break
		}
	}
}

// TestMagentaJS exports the shipped melody model (assets.MelodyModel) and a randomly initialised
// mel_2bar_small-sized one (or the model that $LP_MAGENTA_MODEL names, a .safetensors checkpoint
// or a Magenta.js directory), loads each with @magenta/music on its WebAssembly and pure-JS
// backends, and requires the same greedy tokens for the same z vectors (decode, and a 4x4
// interpolation) and the same mu (within 1e-4).
func TestMagentaJS(t *testing.T) {
	needHarness(t)
	shipped, _, err := musicvae.Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatalf("the shipped melody model: %v", err)
	}
	other, name := randomWeights(t, musicvae.Small, 11), "random mel_2bar_small"
	if path := os.Getenv("LP_MAGENTA_MODEL"); path != "" {
		other, name = loadTestModel(t, path), filepath.Base(path)
		t.Logf("model %s: %+v", path, other.Config)
	}
	t.Run("shipped", func(t *testing.T) { agreeWithMagentaJS(t, shipped) })
	t.Run(name, func(t *testing.T) { agreeWithMagentaJS(t, other) })
}

// TestMagentaJSDrums does the same for the shipped drum model (Magenta's drums_2bar layout:
// Magenta.js reads it with its DrumsConverter; the encoder reads the drum roll).
func TestMagentaJSDrums(t *testing.T) {
	needHarness(t)
	w, _, err := musicvae.Load(bytes.NewReader(assets.DrumsModel))
	if err != nil {
		t.Fatalf("the shipped drum model: %v", err)
	}
	if w.Config.Input != musicvae.InputDrumRoll {
		t.Fatalf("the shipped drum model reads %q, not a drum roll", w.Config.Input)
	}
	agreeWithMagentaJS(t, w)
}

// randomGrooves makes n windows of drum tokens (a bit per drum class hit): a kick, snare and
// hat pattern with random extra hits and rests.
func randomGrooves(n int, seed uint64) []melody.Melody {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]melody.Melody, n)
	for i := range out {
		m := make(melody.Melody, melody.WindowSteps)
		for s := range m {
			tok := 0
			if s%2 == 0 && rng.IntN(4) > 0 {
				tok |= 1 << 2 // closed hi-hat
			}
			if s%8 == 0 {
				tok |= 1 << 0 // kick
			}
			if s%8 == 4 {
				tok |= 1 << 1 // snare
			}
			if rng.IntN(6) == 0 {
				tok |= 1 << rng.IntN(9)
			}
			m[s] = tok
		}
		out[i] = m
	}
	return out
}

func agreeWithMagentaJS(t *testing.T, w *musicvae.Weights) {
	dir := exportModel(t, w)
	m := musicvae.NewModel(w)
	zs := randomZs(16, w.Config.ZSize, 5)
	mels := randomMelodies(8, 6)
	if w.Config.Input == musicvae.InputDrumRoll {
		mels = randomGrooves(8, 6)
	}
	corners := mels[:4]
	req := harnessRequest{Decode: zs, Encode: mels, Interpolate: corners}
	ours := decodeZ(m, zs)
	mu := encodeMel(m, mels)
	interp, interpZs := interpolate4x4(m, corners)
	for _, backend := range []string{"wasm", "cpu"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "cpu" && testing.Short() {
				t.Skip("-short: Magenta.js's pure-JS backend takes tens of seconds")
			}
			r := runHarness(t, dir, backend, req)
			if r.Backend != backend {
				t.Fatalf("Magenta.js ran on %q, want %q", r.Backend, backend)
			}
			compareTokens(t, "decode", w, zs, ours, r.Decode)
			compareTokens(t, "interpolation", w, interpZs, interp, r.Interpolate)
			if len(r.Encode) != len(mu) {
				t.Fatalf("encode: %d mu from Magenta.js, want %d", len(r.Encode), len(mu))
			}
			worst := 0.0
			for i := range mu {
				for j := range mu[i] {
					worst = max(worst, math.Abs(float64(mu[i][j]-r.Encode[i][j])))
				}
			}
			if worst > 1e-4 {
				t.Errorf("encode: mu differs from Magenta.js's by up to %.3g, want <= 1e-4", worst)
			}
			t.Logf("tfjs %s on %s: %d decodes and 16 interpolations agree; mu within %.2g", r.TFJS, r.Backend, len(zs), worst)
		})
	}
}

// toFloat16 rounds v to the nearest IEEE half-precision value (normal range; the tests' weights
// are well inside it) and returns its bits.
func toFloat16(v float32) uint16 {
	b := math.Float32bits(v)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	frac := b & 0x7fffff
	if exp <= 0 {
		return sign // flush tiny values to zero
	}
	h := uint32(exp)<<10 | frac>>13
	if frac&0x1fff > 0x1000 || (frac&0x1fff == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

// writeQuantized writes tensors as a checkpoint whose weights are stored, in turn, as uint8,
// uint16 and float16 (tfjs's quantization), in two groups of shards that weights straddle.
func writeQuantized(t testing.TB, dir string, tensors map[string]checkpoint.Tensor) {
	t.Helper()
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	slices.Sort(names)
	var groups []manifestGroup
	for g, part := range [][]string{names[:len(names)/2], names[len(names)/2:]} {
		var data []byte
		group := manifestGroup{}
		for i, name := range part {
			tn := tensors[name]
			lo, hi := slices.Min(tn.Data), slices.Max(tn.Data)
			mw := manifestWeight{Name: name, Shape: tn.Shape, DType: "float32"}
			switch i % 3 {
			case 0, 1:
				levels, q := 255.0, "uint8"
				if i%3 == 1 {
					levels, q = 65535, "uint16"
				}
				scale := float64(hi-lo) / levels
				if scale == 0 {
					scale = 1
				}
				mw.Quantization = &quantization{DType: q, Min: float64(lo), Scale: scale, OriginalDType: "float32"}
				for _, v := range tn.Data {
					n := math.Round((float64(v) - float64(lo)) / scale)
					if q == "uint8" {
						data = append(data, byte(n))
					} else {
						data = binary.LittleEndian.AppendUint16(data, uint16(n))
					}
				}
			default:
				mw.Quantization = &quantization{DType: "float16", OriginalDType: "float32"}
				for _, v := range tn.Data {
					data = binary.LittleEndian.AppendUint16(data, toFloat16(v))
				}
			}
			group.Weights = append(group.Weights, mw)
		}
		cut := len(data) / 3 // three shards of unequal size, cut inside weights
		for s, piece := range [][]byte{data[:cut], data[cut : 2*cut+1], data[2*cut+1:]} {
			name := fmt.Sprintf("group%d-shard%dof3", g+1, s+1)
			group.Paths = append(group.Paths, name)
			if err := os.WriteFile(filepath.Join(dir, name), piece, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		groups = append(groups, group)
	}
	m, err := json.Marshal(groups)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), m, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(melodyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMagentaJSQuantized: a checkpoint with uint8, uint16 and float16 weights in two groups
// decodes and encodes the same in Magenta.js as in our reading of it, so our dequantization is
// tfjs's.
func TestMagentaJSQuantized(t *testing.T) {
	needHarness(t)
	dir := t.TempDir()
	writeQuantized(t, dir, randomWeights(t, musicvae.Config{EncoderSize: 64, DecoderSizes: []int{48, 48}, ZSize: 16}, 31).Tensors())
	w, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := musicvae.NewModel(w)
	zs := randomZs(8, w.Config.ZSize, 32)
	mels := randomMelodies(4, 33)
	r := runHarness(t, dir, "wasm", harnessRequest{Decode: zs, Encode: mels})
	compareTokens(t, "decode", w, zs, decodeZ(m, zs), r.Decode)
	mu := encodeMel(m, mels)
	worst := 0.0
	for i := range mu {
		for j := range mu[i] {
			worst = max(worst, math.Abs(float64(mu[i][j]-r.Encode[i][j])))
		}
	}
	if worst > 1e-4 {
		t.Errorf("encode: mu differs from Magenta.js's by up to %.3g, want <= 1e-4", worst)
	}
}

// loadTestModel reads a melody model from a .safetensors file or a Magenta.js directory.
func loadTestModel(t *testing.T, path string) *musicvae.Weights {
	t.Helper()
	if IsCheckpointDir(path) {
		w, err := LoadDir(path)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, _, err := musicvae.Load(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return w
}
