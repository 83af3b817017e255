package magenta

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/checkpoint"
)

// Limits on what Read accepts, so that a hostile manifest cannot ask for unbounded memory.
const (
	MaxJSON = 16 << 20 // bytes of config.json or weights_manifest.json
	MaxData = 1 << 30  // bytes of all shards together
)

// Checkpoint is a Magenta.js MusicVAE checkpoint: its config and its floating-point weights by
// Magenta's variable names (encoder/mu/kernel, decoder/multi_rnn_cell/cell_0/lstm_cell/bias, ...).
type Checkpoint struct {
	Config  Config
	Tensors map[string]checkpoint.Tensor
}

type manifestGroup struct {
	Paths   []string         `json:"paths"`
	Weights []manifestWeight `json:"weights"`
}

type manifestWeight struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	DType        string        `json:"dtype"`
	Quantization *quantization `json:"quantization,omitempty"`
}

// quantization is tfjs's: uint8 and uint16 values mean q*scale+min, float16 is IEEE half precision.
type quantization struct {
	DType         string  `json:"dtype"`
	Min           float64 `json:"min,omitempty"`
	Scale         float64 `json:"scale,omitempty"`
	OriginalDType string  `json:"original_dtype,omitempty"`
}

// IsCheckpointDir reports whether path is a directory that holds a config.json or a
// weights_manifest.json: something to hand to ReadDir rather than to a safetensors loader.
func IsCheckpointDir(p string) bool {
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		return false
	}
	for _, f := range []string{ConfigFile, ManifestFile} {
		if _, err := os.Stat(filepath.Join(p, f)); err == nil {
			return true
		}
	}
	return false
}

// ReadDir reads the checkpoint directory at dir (see Read).
func ReadDir(dir string) (*Checkpoint, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("magenta checkpoint: %w", err)
	}
	if !st.IsDir() {
		return nil, formatErr(NoConfig, "", "%s is not a directory", dir)
	}
	return Read(os.DirFS(dir))
}

// Read reads a checkpoint directory: fsys is rooted at it. It accepts flat 2-bar melody models
// only, and reports what is wrong with a *FormatError. Weights that are not floating point
// (a global step) are left out; unknown names are kept, for the caller to ignore.
func Read(fsys fs.FS) (*Checkpoint, error) {
	raw, err := readSmall(fsys, ConfigFile, NoConfig)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	raw, err = readSmall(fsys, ManifestFile, NoManifest)
	if err != nil {
		return nil, err
	}
	groups, err := parseManifest(raw)
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{Config: cfg, Tensors: map[string]checkpoint.Tensor{}}
	var total int64
	for gi, g := range groups {
		data, err := readGroup(fsys, gi, g, &total)
		if err != nil {
			return nil, err
		}
		var off int64
		for _, w := range g.Weights {
			n := weightBytes(w)
			t, ok, err := decodeWeight(w, data[off:off+n])
			if err != nil {
				return nil, err
			}
			if ok {
				ck.Tensors[w.Name] = t
			}
			off += n
		}
	}
	return ck, nil
}

// readSmall reads a JSON file of the directory, bounded by MaxJSON; missing, it is an error of kind k.
func readSmall(fsys fs.FS, name string, missing ErrorKind) ([]byte, error) {
	// Look before opening: opening a named pipe waits for a writer, a device may never end.
	st, err := fs.Stat(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, formatErr(missing, "", "no %s: this is not a Magenta.js MusicVAE checkpoint directory", name)
	}
	if err != nil {
		return nil, formatErr(missing, name, "%v", errors.Unwrap(err))
	}
	if k := regfile.Kind(st.Mode()); k != "" {
		return nil, formatErr(missing, name, "is a %s, not a file", k)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, formatErr(missing, name, "%v", err)
	}
	defer f.Close()
	if st.Size() > MaxJSON {
		return nil, formatErr(TooLarge, name, "%d bytes is more than the %d this reader accepts", st.Size(), MaxJSON)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxJSON+1))
	if err != nil {
		return nil, formatErr(missing, name, "%v", err)
	}
	if len(b) > MaxJSON {
		return nil, formatErr(TooLarge, name, "more than %d bytes", MaxJSON)
	}
	return b, nil
}

// parseManifest parses weights_manifest.json and checks every entry: names unique and not those
// of other kinds of model, shapes valid, dtypes known, shard paths inside the directory, and the
// total size within MaxData. It reads no shard.
func parseManifest(data []byte) ([]manifestGroup, error) {
	var groups []manifestGroup
	if err := json.Unmarshal(data, &groups); err != nil {
		return nil, formatErr(BadManifest, ManifestFile, "not a JSON array of weight groups: %v", err)
	}
	if len(groups) == 0 {
		return nil, formatErr(BadManifest, ManifestFile, "no weight groups")
	}
	seen := map[string]bool{}
	var names []string
	var total, values int64
	for gi, g := range groups {
		for _, p := range g.Paths {
			if !fs.ValidPath(p) || p == "." {
				return nil, formatErr(BadManifest, ManifestFile, "group %d: shard path %q is not a file inside the checkpoint directory", gi+1, p)
			}
		}
		if len(g.Paths) == 0 && len(g.Weights) > 0 {
			return nil, formatErr(BadManifest, ManifestFile, "group %d has weights but no shard files", gi+1)
		}
		for _, w := range g.Weights {
			if w.Name == "" {
				return nil, formatErr(BadManifest, ManifestFile, "group %d: a weight without a name", gi+1)
			}
			if seen[w.Name] {
				return nil, formatErr(BadManifest, ManifestFile, "weight %q is listed twice", w.Name)
			}
			seen[w.Name] = true
			names = append(names, w.Name)
			elems := int64(1)
			for _, d := range w.Shape {
				if d < 0 || (d > 0 && elems > MaxData/int64(d)) {
					return nil, formatErr(BadManifest, ManifestFile, "weight %q: shape %v is negative or too large", w.Name, w.Shape)
				}
				elems *= int64(d)
			}
			width, err := valueBytes(w)
			if err != nil {
				return nil, err
			}
			if values += elems; values > checkpoint.MaxElements {
				return nil, formatErr(TooLarge, ManifestFile, "the weights hold more than checkpoint.MaxElements (%d) values", checkpoint.MaxElements)
			}
			total += elems * width
			if total > MaxData {
				return nil, formatErr(TooLarge, ManifestFile, "the weights take more than %d bytes", MaxData)
			}
		}
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	return groups, nil
}

// valueBytes is the width of one stored value of w.
func valueBytes(w manifestWeight) (int64, error) {
	if q := w.Quantization; q != nil {
		switch q.DType {
		case "uint8":
			return 1, nil
		case "uint16", "float16":
			return 2, nil
		}
		return 0, formatErr(BadManifest, ManifestFile, "weight %q: quantization dtype %q is not uint8, uint16 or float16", w.Name, q.DType)
	}
	switch w.DType {
	case "float32", "int32":
		return 4, nil
	case "bool":
		return 1, nil
	}
	return 0, formatErr(BadManifest, ManifestFile, "weight %q: dtype %q is not float32, int32 or bool", w.Name, w.DType)
}

// weightBytes is the size of w's data; parseManifest has checked it.
func weightBytes(w manifestWeight) int64 {
	width, _ := valueBytes(w)
	n := width
	for _, d := range w.Shape {
		n *= int64(d)
	}
	return n
}

// readGroup checks that a group's shards exist and add up to its weights, and returns their
// bytes concatenated. total counts the bytes of all groups read so far.
func readGroup(fsys fs.FS, gi int, g manifestGroup, total *int64) ([]byte, error) {
	var want int64
	for _, w := range g.Weights {
		want += weightBytes(w)
	}
	var have int64
	for _, p := range g.Paths {
		st, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, formatErr(MissingShard, p, "shard %q of group %d is missing: %v", p, gi+1, errors.Unwrap(err))
		}
		if k := regfile.Kind(st.Mode()); k != "" {
			return nil, formatErr(MissingShard, p, "shard %q of group %d is a %s, not a file", p, gi+1, k)
		}
		have += st.Size()
		if *total+have > MaxData {
			return nil, formatErr(TooLarge, p, "the shards hold more than %d bytes", MaxData)
		}
	}
	if have != want {
		return nil, formatErr(SizeMismatch, ManifestFile, "group %d: its %d weights take %d bytes, its %d shards hold %d",
			gi+1, len(g.Weights), want, len(g.Paths), have)
	}
	*total += have
	data := make([]byte, 0, have)
	for _, p := range g.Paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, formatErr(MissingShard, p, "reading shard: %v", err)
		}
		data = append(data, b...)
		if int64(len(data)) > have {
			return nil, formatErr(SizeMismatch, p, "shard grew while it was read")
		}
	}
	if int64(len(data)) != have {
		return nil, formatErr(SizeMismatch, ManifestFile, "group %d: read %d bytes of %d", gi+1, len(data), have)
	}
	return data, nil
}

// decodeWeight turns a weight's bytes into float32 values; ok is false for weights that are not
// floating point, which Read leaves out.
func decodeWeight(w manifestWeight, b []byte) (t checkpoint.Tensor, ok bool, err error) {
	q := w.Quantization
	if q == nil && w.DType != "float32" {
		return t, false, nil
	}
	shape := append([]int{}, w.Shape...)
	t = checkpoint.Tensor{Shape: shape}
	switch {
	case q == nil:
		t.Data = make([]float32, len(b)/4)
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case q.DType == "float16":
		t.Data = make([]float32, len(b)/2)
		for i := range t.Data {
			t.Data[i] = float16(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case q.DType == "uint8":
		t.Data = make([]float32, len(b))
		for i, v := range b {
			t.Data[i] = float32(float64(v)*q.Scale + q.Min)
		}
	default: // uint16
		t.Data = make([]float32, len(b)/2)
		for i := range t.Data {
			t.Data[i] = float32(float64(binary.LittleEndian.Uint16(b[2*i:]))*q.Scale + q.Min)
		}
	}
	for i, v := range t.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return t, false, formatErr(BadValue, ManifestFile, "weight %q: value %d is %v", w.Name, i, v)
		}
	}
	return t, true, nil
}

// float16 converts an IEEE 754 half-precision value to float32.
func float16(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac * 2^-24
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}
