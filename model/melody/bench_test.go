package melody

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

// BenchmarkReadMIDI reads a real tune with a chord track beside its melody.
func BenchmarkReadMIDI(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shared.Data(b, "nottingham/full/train"), "ashover10.mid"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadMIDI(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteMIDI(b *testing.B) {
	ws, err := LoadWindows(shared.Data(b, "nottingham/melody/test"), false)
	if err != nil {
		b.Fatal(err)
	}
	m := Concat(ws[:9]...) // an interpolation's worth
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteMIDI(&buf, m, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadWindows(b *testing.B) {
	dir := shared.Data(b, "nottingham/melody/train")
	for _, transpose := range []bool{false, true} {
		name := "plain"
		if transpose {
			name = "transposed"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := LoadWindows(dir, transpose); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWindows(b *testing.B) {
	d, err := os.ReadFile(filepath.Join(shared.Data(b, "nottingham/melody/train"), "ashover10.mid"))
	if err != nil {
		b.Fatal(err)
	}
	segs, err := ReadMIDI(bytes.NewReader(d))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Windows(segs, WindowSteps, WindowHop)
	}
}
