package magenta

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/musicvae"
)

// ShardSize is the size of the shards Write cuts the weights into, as Magenta's converter does.
const ShardSize = 4 << 20

// DirWriter receives the files of a checkpoint directory by name. The app writes them into a
// temporary directory that it renames into place, so that a failure leaves nothing half written.
type DirWriter interface {
	WriteFile(name string, data []byte) error
}

// Dir is a DirWriter over an existing directory of the file system.
type Dir string

// WriteFile writes data to the file name inside d.
func (d Dir) WriteFile(name string, data []byte) error {
	return os.WriteFile(filepath.Join(string(d), name), data, 0o644)
}

// Export writes a melody model as a checkpoint that Magenta.js loads (see Write). It refuses
// models that Magenta.js cannot run: its decoder splits z's initial state into equal parts, so
// every decoder layer must have the same size.
func Export(dst DirWriter, w *musicvae.Weights) error {
	if err := Exportable(w.Config); err != nil {
		return err
	}
	return Write(dst, w.Tensors())
}

// Exportable reports why Magenta.js could not run a model of config c, or nil if it can.
func Exportable(c musicvae.Config) error {
	for _, d := range c.DecoderSizes {
		if d != c.DecoderSizes[0] {
			return fmt.Errorf("magenta: decoder layers of sizes %v: Magenta.js runs only decoders whose layers have one size", c.DecoderSizes)
		}
	}
	return nil
}

// Write writes tensors as a 2-bar checkpoint that Magenta.js loads: config.json (MelodyConfig,
// or DrumsConfig for a drum model's 512-token output), weights_manifest.json with one group, and float32 shards of ShardSize bytes
// named group1-shard1of2 and so on. Weights are stored in name order.
func Write(dst DirWriter, tensors map[string]checkpoint.Tensor) error {
	return write(dst, tensors, ShardSize)
}

func write(dst DirWriter, tensors map[string]checkpoint.Tensor, shardSize int) error {
	names := make([]string, 0, len(tensors))
	var total int
	for name, t := range tensors {
		if name == "" {
			return fmt.Errorf("magenta: a tensor without a name")
		}
		if t.Size() != len(t.Data) {
			return fmt.Errorf("magenta: tensor %q: shape %v needs %d values, has %d", name, t.Shape, t.Size(), len(t.Data))
		}
		names = append(names, name)
		total += 4 * len(t.Data)
	}
	if len(names) == 0 {
		return fmt.Errorf("magenta: no tensors to write")
	}
	slices.Sort(names)
	group := manifestGroup{Weights: make([]manifestWeight, 0, len(names))}
	data := make([]byte, 0, total)
	for _, name := range names {
		t := tensors[name]
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		group.Weights = append(group.Weights, manifestWeight{Name: name, Shape: shape, DType: "float32"})
		for _, v := range t.Data {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
	}
	shards := max(1, (len(data)+shardSize-1)/shardSize)
	for i := range shards {
		name := fmt.Sprintf("group1-shard%dof%d", i+1, shards)
		group.Paths = append(group.Paths, name)
		if err := dst.WriteFile(name, data[i*shardSize:min(len(data), (i+1)*shardSize)]); err != nil {
			return fmt.Errorf("magenta: write %s: %w", name, err)
		}
	}
	manifest, err := json.Marshal([]manifestGroup{group})
	if err != nil {
		return fmt.Errorf("magenta: manifest: %w", err)
	}
	cfg := MelodyConfig
	if out, ok := tensors[outBias]; ok && len(out.Shape) == 1 && out.Shape[0] == drumTokens {
		cfg = DrumsConfig
	}
	config, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("magenta: config: %w", err)
	}
	// The config last: a reader that finds it finds the whole checkpoint.
	if err := dst.WriteFile(ManifestFile, manifest); err != nil {
		return fmt.Errorf("magenta: write %s: %w", ManifestFile, err)
	}
	if err := dst.WriteFile(ConfigFile, config); err != nil {
		return fmt.Errorf("magenta: write %s: %w", ConfigFile, err)
	}
	return nil
}

// drumTokens is the output size of a drum model (a 9-bit set of drum classes per step).
var drumTokens = musicvae.Config{}.Drums().Tokens
