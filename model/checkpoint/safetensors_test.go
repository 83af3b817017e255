package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func sample() (map[string]Tensor, map[string]string) {
	return map[string]Tensor{
			"encoder/mu/kernel": {Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
			"encoder/mu/bias":   {Shape: []int{3}, Data: []float32{-1, 0.5, 0}},
			"scalar":            {Shape: []int{}, Data: []float32{7}},
		}, map[string]string{
			"config": `{"z":3}`,
		}
}

func saved(t testing.TB) []byte {
	tensors, meta := sample()
	var b bytes.Buffer
	if err := Save(&b, tensors, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	data := saved(t)
	n := binary.LittleEndian.Uint64(data)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	want := `"encoder/mu/bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}`
	if !strings.Contains(string(data[8:8+n]), want) {
		t.Errorf("header %s does not contain %s", data[8:8+n], want)
	}
	if got := len(data) - 8 - int(n); got != 4*(6+3+1) {
		t.Errorf("data section has %d bytes, want 40", got)
	}
	f, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tensors, meta := sample()
	for name, w := range tensors {
		g := f.Tensors[name]
		if len(g.Shape) != len(w.Shape) || len(g.Data) != len(w.Data) {
			t.Fatalf("%s: got %v, want %v", name, g, w)
		}
		for i := range w.Data {
			if g.Data[i] != w.Data[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, g.Data[i], w.Data[i])
			}
		}
	}
	if f.Metadata["config"] != meta["config"] {
		t.Errorf("metadata: %v", f.Metadata)
	}
	if err := f.Expect(map[string][]int{"encoder/mu/kernel": {2, 3}, "encoder/mu/bias": {3}, "scalar": {}}); err != nil {
		t.Errorf("Expect: %v", err)
	}
}

// file builds a safetensors file from a header string and data bytes.
func file(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func floats(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func TestLoadRejects(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name, tensor, msg string
		data              []byte
	}{
		{"empty", "", "header length", nil},
		{"huge header", "", "outside", binary.LittleEndian.AppendUint64(nil, 1<<40)},
		{"not json", "", "not a JSON object", file("[1,2]   ", nil)},
		{"dtype", "a", "dtype", file(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, []byte{0, 0})},
		{"shape disagrees", "a", "shape [2] needs 8", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, floats(1))},
		{"gap", "a", "gap or overlap", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, floats(1, 2))},
		{"overlap", "b", "gap or overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, floats(1, 2))},
		{"truncated", "", "truncated", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, floats(1))},
		{"nan", "w", "value 1 is NaN", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, floats(1, nan))},
		{"inf", "w", "+Inf", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, floats(float32(math.Inf(1))))},
		{"negative dim", "a", "negative", file(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, floats(1))},
		{"bad metadata", "", "metadata", file(`{"__metadata__":{"a":1}}`, nil)},
		{"unknown field", "a", "bad header entry", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, floats(1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tc.data))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if fe.Tensor != tc.tensor || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %q (tensor %q), want tensor %q and %q", err, fe.Tensor, tc.tensor, tc.msg)
			}
		})
	}
}

func TestExpect(t *testing.T) {
	f, err := Load(bytes.NewReader(saved(t)))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Expect(map[string][]int{"encoder/mu/kernel": {3, 2}, "encoder/mu/bias": {3}, "missing": {1}})
	for _, want := range []string{`"encoder/mu/kernel": shape [2 3], want [3 2]`, `"missing": missing`, `"scalar": not expected`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Expect error %v does not say %s", err, want)
		}
	}
}

func TestSaveRejectsBadTensors(t *testing.T) {
	if err := Save(&bytes.Buffer{}, map[string]Tensor{"a": {Shape: []int{3}, Data: []float32{1}}}, nil); err == nil {
		t.Error("shape and data disagree, but Save accepted it")
	}
	if err := Save(&bytes.Buffer{}, map[string]Tensor{"__metadata__": {Shape: []int{1}, Data: []float32{1}}}, nil); err == nil {
		t.Error("reserved name accepted")
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(saved(f))
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, floats(1, 2)))
	f.Add(file(`{"__metadata__":{"k":"v"}}`, nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What loads saves and loads back the same.
		var b bytes.Buffer
		if err := Save(&b, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("Save of a loaded file: %v", err)
		}
		again, err := Load(&b)
		if err != nil {
			t.Fatalf("Load of a saved file: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("%d tensors, then %d", len(file.Tensors), len(again.Tensors))
		}
	})
}

// Expect's error is one line that counts the tensors and names the first few; CheckElements
// refuses shapes beyond MaxElements, even where their product overflows.
func TestExpectOneLineAndElements(t *testing.T) {
	f := &File{Tensors: map[string]Tensor{}}
	shapes := map[string][]int{}
	for i := range 10 {
		shapes[fmt.Sprintf("t%d", i)] = []int{i + 1}
	}
	err := f.Expect(shapes)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "10 tensors do not match") || !strings.Contains(err.Error(), "and 7 more") {
		t.Errorf("Expect = %v", err)
	}
	for _, s := range [][]int{{MaxElements + 1}, {1 << 40, 1 << 40, 1 << 40}, {-1}} {
		if CheckElements(map[string][]int{"a": s}) == nil {
			t.Errorf("CheckElements accepted %v", s)
		}
	}
	if err := CheckElements(map[string][]int{"a": {MaxElements / 2}, "b": {MaxElements / 2}}); err != nil {
		t.Error(err)
	}
}
