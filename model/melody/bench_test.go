package melody

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/grid"
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

// pop909Song reads a POP909 song: played in, its beat at a phase of the tick grid.
func pop909Song(b *testing.B) []byte {
	data, err := os.ReadFile(filepath.Join(shared.Data(b, "pop909/test"), "850.mid"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkFindGrid finds the beat grid of a real song from the notes of all its tracks.
func BenchmarkFindGrid(b *testing.B) {
	t, err := decodeSMF(pop909Song(b))
	if err != nil {
		b.Fatal(err)
	}
	sort.SliceStable(t.tempos, func(i, j int) bool { return t.tempos[i].tick < t.tempos[j].tick })
	onsets, hint := t.onsets(), grid.Hint{Beats: t.ownBeats()}
	b.ReportMetric(float64(len(onsets)), "onsets")
	for b.Loop() {
		if _, err := grid.Find(onsets, hint); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportPlayedIn reads a real song without its beats file: decoding, the grid, the melody.
func BenchmarkImportPlayedIn(b *testing.B) {
	data := pop909Song(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Import(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
