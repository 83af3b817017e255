package sketch

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/latentpalette/palette/internal/shared"
)

func BenchmarkReadNPZ(b *testing.B) {
	data, err := os.ReadFile(sharedSheep(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadNPZ(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadNDJSON(b *testing.B) {
	data, err := os.ReadFile(shared.Data(b, "sketch/aaron_sheep.valid.ndjson"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadNDJSON(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// longestSheep is the valid sheep with the most points.
func longestSheep(b *testing.B) Drawing {
	ds, err := Load(sharedSheep(b) + ":valid")
	if err != nil {
		b.Fatal(err)
	}
	var d Drawing
	for _, s := range ds {
		if len(s) > len(d) {
			d = s
		}
	}
	return d
}

func BenchmarkWritePNG(b *testing.B) {
	d := longestSheep(b)
	for b.Loop() {
		if err := WritePNG(io.Discard, d, PNGOptions{Size: 256}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(d)), "points")
}

func BenchmarkRender(b *testing.B) {
	d := longestSheep(b)
	for b.Loop() {
		Render(d, Options{Size: 256})
	}
}

func BenchmarkWriteSVG(b *testing.B) {
	d := longestSheep(b)
	for b.Loop() {
		if err := WriteSVG(io.Discard, d, SVGOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSimplify(b *testing.B) {
	// A dense hand-drawn stroke: the longest sheep with each segment split into 8.
	var dense Drawing
	for _, p := range longestSheep(b) {
		for i := range 8 {
			dense = append(dense, Point{DX: p.DX / 8, DY: p.DY / 8, PenLift: p.PenLift && i == 7})
		}
	}
	for b.Loop() {
		dense.Simplify(DefaultEpsilon)
	}
	b.ReportMetric(float64(len(dense)), "points")
}

func BenchmarkStroke5(b *testing.B) {
	d := longestSheep(b)
	for b.Loop() {
		FromStroke5(d.Stroke5(250))
	}
}
