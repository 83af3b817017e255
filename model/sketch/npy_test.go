package sketch

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// pickleDrawings pickles ds as sketch-rnn's files do: protocol 2, an object array of int16
// (n, 3) arrays, each built by _reconstruct and filled by BUILD with its raw bytes.
func pickleDrawings(ds []Drawing) []byte { return pickleDrawingsAs(ds, python2) }

// How Pythons write an array's raw bytes.
const (
	python2       = iota // a str: BINSTRING
	python3       = iota // bytes in protocol 3: BINBYTES, and str as BINUNICODE
	python3Codecs = iota // bytes in protocol 2: _codecs.encode(latin-1 str, 'latin1')
)

func pickleDrawingsAs(ds []Drawing, python int) []byte {
	var b bytes.Buffer
	global := func(module, name string) { fmt.Fprintf(&b, "c%s\n%s\n", module, name) }
	binint := func(n int) { b.WriteByte('J'); binary.Write(&b, binary.LittleEndian, int32(n)) }
	short := func(s string) { b.WriteByte('U'); b.WriteByte(byte(len(s))); b.WriteString(s) }
	if python != python2 {
		short = func(s string) {
			b.WriteByte('X')
			binary.Write(&b, binary.LittleEndian, int32(len(s)))
			b.WriteString(s)
		}
	}
	empty := func() { // _reconstruct(ndarray, (0,), 'b')
		global("numpy.core.multiarray", "_reconstruct")
		global("numpy", "ndarray")
		b.WriteString("K\x00\x85")
		short("b")
		b.WriteString("\x87R")
	}
	dtype := func(typ, order string) {
		global("numpy", "dtype")
		short(typ)
		b.WriteString("K\x00K\x01\x87R(K\x03")
		short(order)
		b.WriteString("NNN")
		binint(-1)
		binint(-1)
		b.WriteString("K\x00tb")
	}
	if python == python3 {
		b.WriteString("\x80\x03")
	} else {
		b.WriteString("\x80\x02")
	}
	empty()
	b.WriteString("(K\x01")
	binint(len(ds))
	b.WriteString("\x85")
	dtype("O8", "|")
	b.WriteString("\x89](")
	for _, d := range ds {
		empty()
		b.WriteString("(K\x01")
		binint(len(d))
		b.WriteString("K\x03\x86")
		dtype("i2", "<")
		b.WriteString("\x89")
		raw := make([]byte, 0, 6*len(d))
		for _, p := range d {
			pen := 0
			if p.PenLift {
				pen = 1
			}
			for _, v := range []int{int(p.DX), int(p.DY), pen} {
				raw = binary.LittleEndian.AppendUint16(raw, uint16(int16(v)))
			}
		}
		switch python {
		case python2:
			b.WriteByte('T')
			binary.Write(&b, binary.LittleEndian, int32(len(raw)))
			b.Write(raw)
		case python3:
			b.WriteByte('B')
			binary.Write(&b, binary.LittleEndian, int32(len(raw)))
			b.Write(raw)
		case python3Codecs:
			global("_codecs", "encode")
			var latin1 []rune
			for _, c := range raw {
				latin1 = append(latin1, rune(c))
			}
			short(string(latin1))
			short("latin1")
			b.WriteString("\x86R")
		}
		b.WriteString("tb")
	}
	b.WriteString("etb.")
	return b.Bytes()
}

// npyFile prefixes payload with a version 1.0 .npy header.
func npyFile(descr string, shape string, payload []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(out, h...), payload...)
}

func objectNPY(ds []Drawing) []byte {
	return npyFile("|O", fmt.Sprintf("(%d,)", len(ds)), pickleDrawings(ds))
}

func zipFiles(files map[string][]byte) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"train.npy", "valid.npy", "test.npy", "notes.txt"} {
		if data, ok := files[name]; ok {
			w, _ := z.Create(name)
			w.Write(data)
		}
	}
	z.Close()
	return b.Bytes()
}

var tick = Drawing{{DX: 3, DY: -4}, {DX: 5, DY: 6, PenLift: true}}

func TestReadNPZRoundTrip(t *testing.T) {
	files := map[string][]byte{
		"train.npy": objectNPY([]Drawing{square, tick}),
		"valid.npy": objectNPY([]Drawing{tick}),
		"test.npy":  objectNPY(nil),
		"notes.txt": []byte("ignored"),
	}
	data := zipFiles(files)
	got, err := ReadNPZ(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Drawing{"train": {square, tick}, "valid": {tick}, "test": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadNPZ = %v, want %v", got, want)
	}
	split, err := ReadNPZSplit(bytes.NewReader(data), int64(len(data)), "valid")
	if err != nil || !reflect.DeepEqual(split, []Drawing{tick}) {
		t.Errorf("ReadNPZSplit(valid) = %v, %v", split, err)
	}
}

func TestReadNPYPythons(t *testing.T) {
	ds := []Drawing{square, {{DX: -300, DY: 255, PenLift: true}}}
	for _, py := range []int{python2, python3, python3Codecs} {
		data := npyFile("|O", "(2,)", pickleDrawingsAs(ds, py))
		got, err := ReadNPY(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(got, ds) {
			t.Errorf("pickle variant %d: ReadNPY = %v, %v; want %v", py, got, err, ds)
		}
	}
}

func TestReadNPYPlain(t *testing.T) {
	le := []byte{3, 0, 0xfc, 0xff, 0, 0, 5, 0, 6, 0, 1, 0}  // int16 rows (3,-4,0), (5,6,1)
	be := []byte{0, 3, 0, 5, 0xff, 0xfc, 0, 6, 0, 0, 0, 1}  // the same, big-endian, column-major
	f4 := binary.LittleEndian.AppendUint32(nil, 0x40400000) // 3.0
	f4 = binary.LittleEndian.AppendUint32(f4, 0xc0800000)   // -4.0
	f4 = binary.LittleEndian.AppendUint32(f4, 0)            // 0
	f4 = append(f4, binary.LittleEndian.AppendUint32(nil, 0x40a00000)...)
	f4 = append(f4, binary.LittleEndian.AppendUint32(nil, 0x40c00000)...)
	f4 = append(f4, binary.LittleEndian.AppendUint32(nil, 0x3f800000)...)
	fortran := npyFile(">i2", "(2, 3)", be)
	fortran = bytes.Replace(fortran, []byte("'fortran_order': False"), []byte("'fortran_order': True "), 1)
	tests := []struct {
		name string
		data []byte
	}{
		{"int16", npyFile("<i2", "(2, 3)", le)},
		{"big-endian fortran", fortran},
		{"float32", npyFile("<f4", "(2, 3)", f4)},
	}
	for _, tt := range tests {
		got, err := ReadNPY(bytes.NewReader(tt.data))
		if err != nil || !reflect.DeepEqual(got, []Drawing{tick}) {
			t.Errorf("%s: ReadNPY = %v, %v; want %v", tt.name, got, err, tick)
		}
	}
}

func TestHostilePickleRefused(t *testing.T) {
	const marker = "/tmp/sketch-hostile-pickle-ran"
	os.Remove(marker)
	tests := []struct {
		file         string
		module, name string
	}{
		{"hostile_system.npy", "posix", "system"},
		{"hostile_eval.npy", "builtins", "eval"},
		{"hostile.npz", "posix", "system"},
	}
	for _, tt := range tests {
		data, err := os.ReadFile("testdata/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(tt.file, ".npz") {
			_, err = ReadNPZ(bytes.NewReader(data), int64(len(data)))
		} else {
			_, err = ReadNPY(bytes.NewReader(data))
		}
		var ue *UnsafePickleError
		if !errors.As(err, &ue) || ue.Module != tt.module || ue.Name != tt.name {
			t.Errorf("%s: err = %v, want the global %s.%s refused", tt.file, err, tt.module, tt.name)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("%s exists: a hostile pickle ran", marker)
	}
}

func TestReadNPZBadInput(t *testing.T) {
	good := zipFiles(map[string][]byte{"train.npy": objectNPY([]Drawing{square, tick})})
	pickled := pickleDrawings([]Drawing{square})
	tests := []struct {
		name string
		data []byte
		want string // in the error
	}{
		{"truncated zip", good[:len(good)/2], "zip: not a valid zip file"},
		{"not a zip", []byte("hello, world"), "zip: not a valid zip file"},
		{"no arrays", zipFiles(map[string][]byte{"notes.txt": []byte("x")}), "no .npy arrays"},
		{"no npy magic", zipFiles(map[string][]byte{"train.npy": []byte("PK not numpy")}), "no \\x93NUMPY magic"},
		{"not a pickle", zipFiles(map[string][]byte{"train.npy": npyFile("|O", "(1,)", []byte("hello world"))}), "not used by NumPy arrays"},
		{"truncated pickle", zipFiles(map[string][]byte{"train.npy": npyFile("|O", "(1,)", pickled[:len(pickled)-20])}), "pickle truncated"},
		{"count mismatch", zipFiles(map[string][]byte{"train.npy": npyFile("|O", "(2,)", pickled)}), "header says 2 drawings, pickle holds 1"},
		{"wrong shape", zipFiles(map[string][]byte{"train.npy": npyFile("<i2", "(2, 2)", make([]byte, 8))}), "want (n, 3)"},
		{"short data", zipFiles(map[string][]byte{"train.npy": npyFile("<i2", "(2, 3)", make([]byte, 8))}), "holds 8 bytes, want 12"},
		{"absurd offset", zipFiles(map[string][]byte{"train.npy": npyFile("<f8", "(1, 3)", append(binary.LittleEndian.AppendUint64(nil, 0x7ff8000000000001), make([]byte, 16)...))}), "must be finite"},
		{"empty drawing", zipFiles(map[string][]byte{"train.npy": npyFile("<i2", "(0, 3)", nil)}), "empty drawing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadNPZ(bytes.NewReader(tt.data), int64(len(tt.data)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
