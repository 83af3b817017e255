package sketch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

func readNPZFile(tb testing.TB, path string) map[string][]Drawing {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := ReadNPZ(f, st.Size())
	if err != nil {
		tb.Fatalf("ReadNPZ(%s): %v", path, err)
	}
	return m
}

func readNDJSONFile(tb testing.TB, path string) []Item {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	items, err := ReadNDJSON(f)
	if err != nil {
		tb.Fatalf("ReadNDJSON(%s): %v", path, err)
	}
	return items
}

// shifted returns the absolute strokes of d moved so that the minimum is 0, as the NDJSON
// files store them.
func shifted(d Drawing) [][][2]float32 {
	lines := d.Strokes()
	r := d.Bounds()
	for _, l := range lines {
		for i := range l {
			l[i][0] -= r.MinX
			l[i][1] -= r.MinY
		}
	}
	return lines
}

func TestReadSharedData(t *testing.T) {
	counts := map[string][3]int{
		"aaron_sheep": {7400, 300, 300},
		"short_kanji": {10000, 600, 500},
		"omniglot":    {30000, 1000, 1000},
	}
	for name, want := range counts {
		t.Run(name, func(t *testing.T) {
			if testing.Short() && name != "aaron_sheep" {
				t.Skip("-short: only aaron_sheep")
			}
			npz := readNPZFile(t, shared.Data(t, "sketch/"+name+".npz"))
			for i, split := range []string{"train", "valid", "test"} {
				ds := npz[split]
				if len(ds) != want[i] {
					t.Errorf("%s.npz %s: %d drawings, want %d", name, split, len(ds), want[i])
				}
				if split == "train" && testing.Short() {
					continue
				}
				items := readNDJSONFile(t, shared.Data(t, "sketch/"+name+"."+split+".ndjson"))
				if len(items) != len(ds) {
					t.Fatalf("%s.%s.ndjson: %d drawings, npz has %d", name, split, len(items), len(ds))
				}
				for j, it := range items {
					if got, want := shifted(it.Drawing), shifted(ds[j]); !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %s drawing %d (%s): ndjson strokes differ from npz", name, split, j, it.KeyID)
					}
				}
				if items[0].Word == "" || !strings.HasPrefix(items[0].KeyID, name) {
					t.Errorf("first item word %q key %q", items[0].Word, items[0].KeyID)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	npz := shared.Data(t, "sketch/aaron_sheep.npz")
	tests := []struct {
		path string
		n    int
	}{
		{npz, 300},
		{npz + ":train", 7400},
		{npz + ":valid", 300},
		{shared.Data(t, "sketch/aaron_sheep.valid.ndjson"), 300},
	}
	for _, tt := range tests {
		ds, err := Load(tt.path)
		if err != nil || len(ds) != tt.n {
			t.Errorf("Load(%s) = %d drawings, %v; want %d", tt.path, len(ds), err, tt.n)
		}
	}
	if _, err := Load(npz + ":nope"); err == nil || !strings.Contains(err.Error(), `no split "nope"`) {
		t.Errorf("Load of a missing split: %v", err)
	}
	var fe FormatError
	if _, err := Load(npz + ":nope"); !errors.As(err, &fe) {
		t.Errorf("Load of a missing split: %T is not a FormatError", err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte(`{"word":"a","drawing":[[[1],[2]]]}`+"\n{oops\n"), 0o644)
	if ds, err := Load(bad); len(ds) != 1 || !errors.As(err, new(LineErrors)) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Load(bad.ndjson) = %d drawings, %v; want 1 and line 2 reported", len(ds), err)
	}
	npy := filepath.Join(dir, "one.npy")
	os.WriteFile(npy, npyFile("<i2", "(2, 3)", []byte{3, 0, 0xfc, 0xff, 0, 0, 5, 0, 6, 0, 1, 0}), 0o644)
	if ds, err := Load(npy); err != nil || !reflect.DeepEqual(ds, []Drawing{tick}) {
		t.Errorf("Load(one.npy) = %v, %v", ds, err)
	}
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("x"), 0o644)
	for p, want := range map[string]string{"missing.npz": "no such file", "x.txt": "unknown drawing file type"} {
		if _, err := Load(filepath.Join(dir, p)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s) = %v, want an error saying %q", p, err, want)
		}
	}
}

func TestReadNDJSON(t *testing.T) {
	in := strings.Join([]string{
		`{"word":"sheep","key_id":"a","drawing":[[[0,10],[0,0]],[[5],[5]]]}`,
		`{"word":"cat","key_id":12345,"drawing":[[[1,2,3],[4,5,6],[0,10,20]]],"countrycode":"US"}`,
		``,
		`{"word":"bad json"`,
		`{"word":"empty","drawing":[]}`,
		`{"word":"no drawing"}`,
		`{"word":"mismatch","drawing":[[[1,2],[3]]]}`,
		`{"word":"huge","drawing":[[[1,2e7],[3,4]]]}`,
		`{"word":"four arrays","drawing":[[[1],[2],[3],[4]]]}`,
		`{"word":"last","key_id":"z","drawing":[[[7],[8]]]}`,
	}, "\n")
	items, err := ReadNDJSON(strings.NewReader(in))
	want := []Item{
		{Word: "sheep", KeyID: "a", Drawing: Drawing{{0, 0, false}, {10, 0, true}, {-5, 5, true}}},
		// Raw (with times): scaled to 255 and simplified, starting at its first point.
		{Word: "cat", KeyID: "12345", Drawing: Drawing{{0, 0, false}, {255, 255, true}}},
		{Word: "last", KeyID: "z", Drawing: Drawing{{0, 0, true}}},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items = %+v, want %+v", items, want)
	}
	var le LineErrors
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want LineErrors", err)
	}
	var lines []int
	for _, e := range le {
		lines = append(lines, e.Line)
		var fe FormatError
		if !errors.As(e, &fe) {
			t.Errorf("line %d: %T is not a FormatError", e.Line, e.Err)
		}
	}
	if want := []int{4, 5, 6, 7, 8, 9}; !reflect.DeepEqual(lines, want) {
		t.Errorf("bad lines = %v, want %v (%v)", lines, want, err)
	}
	for _, s := range []string{"line 5: sketch: invalid format: empty drawing", "and 3 more"} {
		if !strings.Contains(err.Error(), s) && !strings.Contains(le[1].Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func sharedSheep(tb testing.TB) string {
	return shared.Data(tb, "sketch/aaron_sheep.npz")
}
