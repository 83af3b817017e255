package magenta

import (
	"math"
	"slices"
	"testing"
	"testing/fstest"
)

// FuzzRead: the reader never panics on any config, manifest and shards, and what it accepts is
// a melody model's config with tensors whose values fit their shapes and are finite.
func FuzzRead(f *testing.F) {
	d := validDir(f)
	f.Add(d[ConfigFile].Data, d[ManifestFile].Data, d["group1-shard1of1"].Data, []byte{})
	dir := memDir{}
	if err := write(dir, randomWeights(f, tiny, 1).Tensors(), 4096); err != nil {
		f.Fatal(err)
	}
	f.Add(dir[ConfigFile].Data, []byte(`[{"paths":["group1-shard1of1","group1-shard2of2"],"weights":[{"name":"a","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","min":-1,"scale":0.1}},{"name":"b","shape":[2,1],"dtype":"float32","quantization":{"dtype":"float16"}}]}]`),
		[]byte{1, 2}, []byte{3, 0, 0x3c, 0, 0})
	f.Add([]byte(`{"type":"MusicVAE","dataConverter":{"type":"DrumsConverter"}}`), []byte(`[]`), []byte{}, []byte{})
	f.Add([]byte(`{}`), []byte(`[{"paths":["../x"]}]`), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, config, manifest, shard1, shard2 []byte) {
		fsys := fstest.MapFS{
			ConfigFile:         {Data: config},
			ManifestFile:       {Data: manifest},
			"group1-shard1of1": {Data: shard1},
			"group1-shard2of2": {Data: shard2},
		}
		ck, err := Read(fsys)
		if err != nil {
			if ck != nil {
				t.Fatal("a checkpoint with an error")
			}
			if _, ok := err.(*FormatError); !ok {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if !slices.Contains([]string{"MelodyConverter", "DrumsConverter"}, ck.Config.DataConverter.Type) || ck.Config.DataConverter.Args.NumSteps != 32 {
			t.Fatalf("accepted config %+v", ck.Config)
		}
		for name, tn := range ck.Tensors {
			if tn.Size() != len(tn.Data) {
				t.Fatalf("%s: shape %v with %d values", name, tn.Shape, len(tn.Data))
			}
			for _, v := range tn.Data {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s holds %v", name, v)
				}
			}
		}
	})
}
