package drums

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

// BenchmarkReadMIDI reads a real performance of the Groove MIDI Dataset (about 1,900 hits).
func BenchmarkReadMIDI(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shared.Data(b, "groove"), "drummer1", "session1", "102_funk_95_beat_4-4.mid"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadMIDI(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteMIDI(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shared.Data(b, "groove"), "drummer1", "session1", "102_funk_95_beat_4-4.mid"))
	if err != nil {
		b.Fatal(err)
	}
	im := read(b, data)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteMIDI(&buf, im.Pattern, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
