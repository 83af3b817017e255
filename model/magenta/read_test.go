package magenta

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/musicvae"
)

// memDir is a DirWriter into a MapFS, so tests write and read without touching the disk.
type memDir fstest.MapFS

func (d memDir) WriteFile(name string, data []byte) error {
	d[name] = &fstest.MapFile{Data: append([]byte(nil), data...)}
	return nil
}

const melodyConfig = `{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}}}`

// tiny is a small melody model config for fast tests.
var tiny = musicvae.Config{EncoderSize: 8, DecoderSizes: []int{6, 5}, ZSize: 4}

func randomWeights(t testing.TB, c musicvae.Config, seed uint64) *musicvae.Weights {
	t.Helper()
	w, err := musicvae.NewWeights(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	// NewWeights leaves biases at zero; give them values so that a mix-up shows.
	for _, tn := range w.Tensors() {
		for i := range tn.Data {
			if tn.Data[i] == 0 {
				tn.Data[i] = float32(i%7)*0.01 - 0.03
			}
		}
	}
	return w
}

func equalTensors(t *testing.T, got, want map[string]checkpoint.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s missing", name)
		case !slices.Equal(g.Shape, w.Shape):
			t.Errorf("%s: shape %v, want %v", name, g.Shape, w.Shape)
		case !slices.Equal(g.Data, w.Data):
			t.Errorf("%s: values differ", name)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       musicvae.Config
		shardSize int
		shards    int
	}{
		{"tiny, one shard", tiny, ShardSize, 1},
		{"tiny, weights straddle 1000-byte shards", tiny, 1000, 0},
		{"mel_2bar_small, 4 MiB shards", musicvae.Small, ShardSize, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := randomWeights(t, tc.cfg, 3)
			dir := memDir{}
			if err := write(dir, w.Tensors(), tc.shardSize); err != nil {
				t.Fatal(err)
			}
			if got := string(dir[ConfigFile].Data); got != melodyConfig {
				t.Errorf("config.json = %s, want %s", got, melodyConfig)
			}
			var groups []manifestGroup
			if err := json.Unmarshal(dir[ManifestFile].Data, &groups); err != nil || len(groups) != 1 {
				t.Fatalf("manifest: %v, %d groups", err, len(groups))
			}
			paths := groups[0].Paths
			if tc.shards > 0 && len(paths) != tc.shards {
				t.Errorf("%d shards, want %d", len(paths), tc.shards)
			}
			for i, p := range paths {
				if want := fmt.Sprintf("group1-shard%dof%d", i+1, len(paths)); p != want {
					t.Errorf("shard %d is named %q, want %q", i, p, want)
				}
				if n := len(dir[p].Data); i < len(paths)-1 && n != tc.shardSize {
					t.Errorf("shard %s holds %d bytes, want %d", p, n, tc.shardSize)
				}
			}
			ck, err := Read(fstest.MapFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			if ck.Config.DataConverter.Type != "MelodyConverter" || ck.Config.DataConverter.Args.NumSteps != 32 {
				t.Errorf("config %+v", ck.Config)
			}
			equalTensors(t, ck.Tensors, w.Tensors())
			w2, err := Weights(ck.Tensors)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(w2.Config.DecoderSizes, tc.cfg.DecoderSizes) || w2.Config.EncoderSize != tc.cfg.EncoderSize || w2.Config.ZSize != tc.cfg.ZSize {
				t.Errorf("inferred config %+v, want %+v", w2.Config, tc.cfg)
			}
			equalTensors(t, w2.Tensors(), w.Tensors())
		})
	}
}

// manifest builds weights_manifest.json text from groups of (paths, weights).
func manifest(t testing.TB, groups ...manifestGroup) []byte {
	t.Helper()
	b, err := json.Marshal(groups)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func f32(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func TestReadQuantized(t *testing.T) {
	// Four weights in one group over three shards: float32 [2,2] straddling shards 1 and 2,
	// uint8 [3], uint16 [2] straddling shards 2 and 3, float16 [4]; an int32 global step and an
	// unknown float name in a second group.
	var data []byte
	data = append(data, f32(1.5, -2, 0.25, 3)...)
	data = append(data, 0, 10, 255)                              // uint8: q*0.5 - 1
	data = binary.LittleEndian.AppendUint16(data, 0)             // uint16: q*0.001 + 2
	data = binary.LittleEndian.AppendUint16(data, 65535)         //
	for _, h := range []uint16{0x3c00, 0xc000, 0x3555, 0x0001} { // 1, -2, 0.33325195, 2^-24
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	fsys := fstest.MapFS{
		ConfigFile: {Data: []byte(melodyConfig)},
		ManifestFile: {Data: manifest(t,
			manifestGroup{Paths: []string{"a", "b", "c"}, Weights: []manifestWeight{
				{Name: "f", Shape: []int{2, 2}, DType: "float32"},
				{Name: "u8", Shape: []int{3}, DType: "float32", Quantization: &quantization{DType: "uint8", Min: -1, Scale: 0.5}},
				{Name: "u16", Shape: []int{2}, DType: "float32", Quantization: &quantization{DType: "uint16", Min: 2, Scale: 0.001}},
				{Name: "h", Shape: []int{4}, DType: "float32", Quantization: &quantization{DType: "float16"}},
			}},
			manifestGroup{Paths: []string{"d"}, Weights: []manifestWeight{
				{Name: "global_step", Shape: []int{}, DType: "int32"},
				{Name: "something/else", Shape: []int{1}, DType: "float32"},
			}})},
		"a": {Data: data[:6]},
		"b": {Data: data[6:20]},
		"c": {Data: data[20:]},
		"d": {Data: append(f32(0)[:4:4], f32(7)...)},
	}
	ck, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]checkpoint.Tensor{
		"f":              {Shape: []int{2, 2}, Data: []float32{1.5, -2, 0.25, 3}},
		"u8":             {Shape: []int{3}, Data: []float32{-1, 4, 126.5}},
		"u16":            {Shape: []int{2}, Data: []float32{2, float32(65535*0.001 + 2)}},
		"h":              {Shape: []int{4}, Data: []float32{1, -2, 0.33325195, 1.0 / (1 << 24)}},
		"something/else": {Shape: []int{1}, Data: []float32{7}},
	}
	equalTensors(t, ck.Tensors, want)
}

func TestFloat16(t *testing.T) {
	for _, tc := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xbc00, -1}, {0x7bff, 65504}, {0x0400, 1.0 / (1 << 14)},
		{0x03ff, 1023.0 / (1 << 24)}, {0x8001, -1.0 / (1 << 24)}, {0x4248, 3.140625},
	} {
		if got := float16(tc.h); got != tc.want {
			t.Errorf("float16(%#04x) = %v, want %v", tc.h, got, tc.want)
		}
	}
	if v := float16(0x7c00); !math.IsInf(float64(v), 1) {
		t.Errorf("float16(0x7c00) = %v, want +Inf", v)
	}
	if v := float16(0x7e00); !math.IsNaN(float64(v)) {
		t.Errorf("float16(0x7e00) = %v, want NaN", v)
	}
}

// validDir is a small valid checkpoint directory: one float32 weight of 2 values in one shard.
func validDir(t testing.TB) fstest.MapFS {
	return fstest.MapFS{
		ConfigFile: {Data: []byte(melodyConfig)},
		ManifestFile: {Data: manifest(t, manifestGroup{Paths: []string{"group1-shard1of1"},
			Weights: []manifestWeight{{Name: "decoder/output_projection/bias", Shape: []int{2}, DType: "float32"}}})},
		"group1-shard1of1": {Data: f32(1, 2)},
	}
}

func TestReadBadInput(t *testing.T) {
	weights := func(ws ...manifestWeight) []byte {
		return manifest(t, manifestGroup{Paths: []string{"group1-shard1of1"}, Weights: ws})
	}
	w2 := manifestWeight{Name: "w", Shape: []int{2}, DType: "float32"}
	for _, tc := range []struct {
		name   string
		change func(fstest.MapFS)
		kind   ErrorKind
		msg    string
	}{
		{"no config.json", func(d fstest.MapFS) { delete(d, ConfigFile) }, NoConfig, "no config.json"},
		{"config.json is a directory", func(d fstest.MapFS) {
			delete(d, ConfigFile)
			d[ConfigFile+"/x"] = &fstest.MapFile{}
		}, NoConfig, "directory"},
		{"config not JSON", func(d fstest.MapFS) { d[ConfigFile].Data = []byte("{type") }, BadConfig, "not valid JSON"},
		{"not MusicVAE", func(d fstest.MapFS) { d[ConfigFile].Data = []byte(`{"type":"MusicRNN"}`) }, NotMelody, "MusicRNN"},
		{"drums of 4 bars", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"DrumsConverter","args":{"numSteps":64}}}`)
		}, NotMelody, "numSteps 64"},
		{"trio", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"TrioConverter","args":{"numSteps":256,"numSegments":16}}}`)
		}, NotMelody, "TrioConverter"},
		{"16-bar hierarchical melody", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":256,"numSegments":16,"minPitch":21,"maxPitch":108}}}`)
		}, NotMelody, "hierarchical"},
		{"4 bars", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":64,"minPitch":21,"maxPitch":108}}}`)
		}, NotMelody, "numSteps 64"},
		{"other pitch range", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":0,"maxPitch":127}}}`)
		}, NotMelody, "pitch range"},
		{"chords", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}},"chordEncoder":"PitchChordEncoder"}`)
		}, NotMelody, "chord"},
		{"key conditioning", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}},"conditionOnKey":true}`)
		}, NotMelody, "key"},
		{"extra controls", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}},"extraControls":[{"name":"density","depth":1}]}`)
		}, NotMelody, "controls"},
		{"boolean decoder", func(d fstest.MapFS) {
			d[ConfigFile].Data = []byte(`{"type":"MusicVAE","dataConverter":{"type":"MelodyConverter","args":{"numSteps":32,"minPitch":21,"maxPitch":108}},"useBooleanDecoder":true}`)
		}, NotMelody, "boolean"},
		{"conductor weights", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "decoder/hierarchical_level_0/conductor/kernel", Shape: []int{2}, DType: "float32"})
		}, NotMelody, "conductor"},
		{"no manifest", func(d fstest.MapFS) { delete(d, ManifestFile) }, NoManifest, "no weights_manifest.json"},
		{"manifest not JSON", func(d fstest.MapFS) { d[ManifestFile].Data = []byte(`{"paths":[]}`) }, BadManifest, "not a JSON array"},
		{"empty manifest", func(d fstest.MapFS) { d[ManifestFile].Data = []byte(`[]`) }, BadManifest, "no weight groups"},
		{"duplicate name", func(d fstest.MapFS) { d[ManifestFile].Data = weights(w2, w2) }, BadManifest, "twice"},
		{"sizes: shard too short", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{3}, DType: "float32"})
		}, SizeMismatch, "take 12 bytes, its 1 shards hold 8"},
		{"sizes: shard too long", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{1}, DType: "float32"})
		}, SizeMismatch, "take 4 bytes, its 1 shards hold 8"},
		{"sizes: quantized width", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{2}, DType: "float32", Quantization: &quantization{DType: "uint8", Scale: 1}})
		}, SizeMismatch, "take 2 bytes"},
		{"missing shard", func(d fstest.MapFS) { delete(d, "group1-shard1of1") }, MissingShard, "missing"},
		{"shard outside the directory", func(d fstest.MapFS) {
			d[ManifestFile].Data = manifest(t, manifestGroup{Paths: []string{"../x"}, Weights: []manifestWeight{w2}})
		}, BadManifest, "not a file inside"},
		{"weights without shards", func(d fstest.MapFS) {
			d[ManifestFile].Data = manifest(t, manifestGroup{Weights: []manifestWeight{w2}})
		}, BadManifest, "no shard files"},
		{"unknown dtype", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{2}, DType: "complex64"})
		}, BadManifest, "complex64"},
		{"unknown quantization", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{2}, DType: "float32", Quantization: &quantization{DType: "int4"}})
		}, BadManifest, "int4"},
		{"negative shape", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{-2, -1}, DType: "float32"})
		}, BadManifest, "negative"},
		{"huge shape", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{1 << 20, 1 << 20, 1 << 20}, DType: "float32"})
		}, BadManifest, "too large"},
		{"too many bytes", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{1 << 29}, DType: "float32"})
		}, TooLarge, "more than"},
		{"nameless weight", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Shape: []int{2}, DType: "float32"})
		}, BadManifest, "without a name"},
		{"NaN", func(d fstest.MapFS) { d["group1-shard1of1"].Data = f32(1, float32(math.NaN())) }, BadValue, "NaN"},
		{"Inf in float16", func(d fstest.MapFS) {
			d[ManifestFile].Data = weights(manifestWeight{Name: "w", Shape: []int{4}, DType: "float32", Quantization: &quantization{DType: "float16"}})
			d["group1-shard1of1"].Data = []byte{0, 0, 0, 0x7c, 0, 0, 0, 0}
		}, BadValue, "Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := validDir(t)
			tc.change(d)
			ck, err := Read(d)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Read = %v, %v; want a *FormatError", ck, err)
			}
			if fe.Kind != tc.kind || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q (%v), want kind %v containing %q", err, fe.Kind, tc.kind, tc.msg)
			}
			if ck != nil {
				t.Error("a checkpoint with the error")
			}
		})
	}
}

func TestInferConfigErrors(t *testing.T) {
	good := randomWeights(t, tiny, 1).Tensors()
	for _, tc := range []struct {
		name   string
		change func(map[string]checkpoint.Tensor)
		msg    string
	}{
		{"no encoder", func(m map[string]checkpoint.Tensor) { delete(m, encFwBias) }, "no encoder/"},
		{"no decoder", func(m map[string]checkpoint.Tensor) { delete(m, decBias(0)) }, "no decoder/"},
		{"two encoder layers", func(m map[string]checkpoint.Tensor) {
			m["encoder/cell_1/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/bias"] = m[encFwBias]
		}, "single-layer"},
		{"odd gates", func(m map[string]checkpoint.Tensor) {
			m[decBias(1)] = checkpoint.Tensor{Shape: []int{7}, Data: make([]float32, 7)}
		}, "4 gates"},
		{"wrong input classes", func(m map[string]checkpoint.Tensor) {
			m[encFwKernel] = checkpoint.Tensor{Shape: []int{9 + 8, 32}, Data: make([]float32, 17*32)}
		}, "90-class"},
		{"wrong kernel shape", func(m map[string]checkpoint.Tensor) {
			m["decoder/output_projection/kernel"] = checkpoint.Tensor{Shape: []int{4, 90}, Data: make([]float32, 360)}
		}, "output_projection/kernel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]checkpoint.Tensor{}
			for k, v := range good {
				m[k] = v
			}
			tc.change(m)
			if _, err := Weights(m); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Weights = %v, want an error containing %q", err, tc.msg)
			}
		})
	}
}

func TestExportRefusesUnequalDecoder(t *testing.T) {
	dir := memDir{}
	err := Export(dir, randomWeights(t, tiny, 1))
	if err == nil || !strings.Contains(err.Error(), "one size") {
		t.Errorf("Export of decoder sizes %v = %v, want an error", tiny.DecoderSizes, err)
	}
	if len(dir) != 0 {
		t.Errorf("wrote %d files", len(dir))
	}
	eq := tiny
	eq.DecoderSizes = []int{6, 6, 6}
	if err := Export(dir, randomWeights(t, eq, 1)); err != nil {
		t.Error(err)
	}
}

func TestWeightsWithoutSigma(t *testing.T) {
	w := randomWeights(t, tiny, 2)
	m := w.Tensors()
	delete(m, sigmaKernel)
	delete(m, sigmaBias)
	got, err := Weights(m)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Mu.Kernel, w.Mu.Kernel) || slices.ContainsFunc(got.Sigma.Kernel, func(v float32) bool { return v != 0 }) {
		t.Error("mu not kept or sigma not zero")
	}
}

// A drums_2bar checkpoint (drum-roll input, 512 tokens) is read as a drum model.
func TestInferConfigDrums(t *testing.T) {
	want := musicvae.Config{EncoderSize: 8, DecoderSizes: []int{6, 6}, ZSize: 4}.Drums()
	got, err := InferConfig(randomWeights(t, want, 3).Tensors())
	if err != nil {
		t.Fatal(err)
	}
	if got.Tokens != want.Tokens || got.Input != want.Input || got.EncoderSize != 8 || got.ZSize != 4 || len(got.DecoderSizes) != 2 {
		t.Errorf("inferred %+v, want %+v", got, want)
	}
}
