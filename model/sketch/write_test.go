package sketch

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dotted is square plus a one-point stroke, which must show as a dot.
var dotted = append(append(Drawing{}, square...), Point{DX: -20, DY: 10, PenLift: true})

func TestGoldenPNG(t *testing.T) {
	var buf bytes.Buffer
	opt := PNGOptions{Size: 48, LineWidth: 3, Color: color.RGBA{200, 0, 0, 255}}
	if err := WritePNG(&buf, dotted, opt); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "dotted.png")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := decodePNG(t, mustRead(t, golden))
	got := decodePNG(t, buf.Bytes())
	if got.Bounds() != want.Bounds() {
		t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
	}
	diff := 0
	for y := range got.Bounds().Dy() {
		for x := range got.Bounds().Dx() {
			if !near(got.At(x, y), want.At(x, y), 2) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d pixels differ from %s (run go test -update to accept a deliberate change)", diff, golden)
	}
}

func TestRender(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	tests := []struct {
		name   string
		opt    Options
		corner color.RGBA // pixel (0, 0)
		size   image.Point
	}{
		{"transparent", Options{Size: 100, Margin: 10, LineWidth: 4}, color.RGBA{}, image.Point{100, 100}},
		{"white", Options{Size: 100, Margin: 10, LineWidth: 4, Background: color.White, Color: red}, color.RGBA{255, 255, 255, 255}, image.Point{100, 100}},
		{"no margin", Options{Size: 70, Margin: -1, LineWidth: 4}, color.RGBA{}, image.Point{70, 70}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// square's box is 35 x 10 drawing units: it fills the width, centred vertically.
			img := Render(square, tt.opt)
			if got := img.Bounds().Size(); got != tt.size {
				t.Fatalf("size %v, want %v", got, tt.size)
			}
			if got := img.RGBAAt(0, 0); got != tt.corner {
				t.Errorf("corner %v, want %v", got, tt.corner)
			}
			// The square's top-left corner is at the left margin, 10/35 of the width up from centre.
			side := float64(tt.opt.Size) - 2*max(tt.opt.Margin, 0)
			x := max(tt.opt.Margin, 0)
			y := float64(tt.opt.Size)/2 - side*5/35
			ink := img.RGBAAt(int(x)+1, int(y)+1)
			want := tt.opt.Color
			if want == nil {
				want = color.Black
			}
			if !near(ink, want, 8) {
				t.Errorf("pixel at the square's corner (%d, %d) is %v, want ink %v", int(x)+1, int(y)+1, ink, want)
			}
			if got := img.RGBAAt(tt.opt.Size/2, tt.opt.Size-2); got != tt.corner {
				t.Errorf("pixel below the drawing is %v, want background", got)
			}
		})
	}
}

func TestRenderSheet(t *testing.T) {
	img := RenderSheet([][]Drawing{{square, nil, tick}, {dotted}}, Options{Size: 40, Background: color.White})
	if got := img.Bounds().Size(); got != (image.Point{120, 80}) {
		t.Fatalf("sheet size %v, want 120x80", got)
	}
	for _, c := range []struct {
		cell image.Rectangle
		ink  bool
	}{
		{image.Rect(0, 0, 40, 40), true},
		{image.Rect(40, 0, 80, 40), false},
		{image.Rect(80, 0, 120, 40), true},
		{image.Rect(0, 40, 40, 80), true},
		{image.Rect(40, 40, 120, 80), false},
	} {
		if got := !inkBox(img.SubImage(c.cell).(*image.RGBA)).Empty(); got != c.ink {
			t.Errorf("cell %v has ink %v, want %v", c.cell, got, c.ink)
		}
	}
}

func TestWriteSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, dotted, SVGOptions{Size: 64, LineWidth: 4, Color: color.NRGBA{0x12, 0x34, 0x56, 0x80}, Background: color.White}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{
		`width="64" height="64" viewBox="7.5 0 40 40"`, // box 35 x 20, margin 4 px = 2.5 units
		`<rect x="7.5" y="0" width="40" height="40" fill="#ffffff"/>`,
		`stroke="#123456" stroke-opacity="0.502" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"`,
		`<path d="M10 10 L20 10 L20 20 L10 20 L10 10"/>`,
		`<path d="M40 15 L45 20"/>`,
		`<path d="M25 30 h0"/>`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %s:\n%s", want, svg)
		}
	}
	if n := strings.Count(svg, "<path"); n != 3 {
		t.Errorf("%d paths, want 3 (one per stroke)", n)
	}
}

// TestSVGRenders has rsvg-convert draw our SVGs and compares the ink with our PNG writer's.
func TestSVGRenders(t *testing.T) {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		t.Skip("rsvg-convert is not installed (Debian: librsvg2-bin); skipping the SVG renderer check")
	}
	opt := Options{Size: 96, LineWidth: 3}
	tests := []struct {
		name  string
		rows  [][]Drawing
		sheet bool
	}{
		{"drawing", [][]Drawing{{dotted}}, false},
		{"sheet", [][]Drawing{{square, tick}, {nil, dotted}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var svg bytes.Buffer
			var want *image.RGBA
			if tt.sheet {
				WriteSheetSVG(&svg, tt.rows, opt)
				want = RenderSheet(tt.rows, opt)
			} else {
				WriteSVG(&svg, tt.rows[0][0], opt)
				want = Render(tt.rows[0][0], opt)
			}
			cmd := exec.Command(rsvg, "--format", "png")
			cmd.Stdin = &svg
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("rsvg-convert: %v\n%s", err, svg.String())
			}
			got := decodePNG(t, out)
			if got.Bounds() != want.Bounds() {
				t.Fatalf("rsvg-convert made %v, our PNG is %v", got.Bounds(), want.Bounds())
			}
			gb, wb := inkBox(got), inkBox(want)
			if wb.Empty() || absInt(gb.Min.X-wb.Min.X) > 1 || absInt(gb.Min.Y-wb.Min.Y) > 1 || absInt(gb.Max.X-wb.Max.X) > 1 || absInt(gb.Max.Y-wb.Max.Y) > 1 {
				t.Errorf("rsvg-convert inked %v, our PNG writer %v", gb, wb)
			}
			if iou := inkIoU(got, want); iou < 0.85 {
				t.Errorf("ink overlap (intersection over union) %.2f, want >= 0.85", iou)
			}
		})
	}
}

func TestSimplify(t *testing.T) {
	tests := []struct {
		name string
		in   [][][2]float32
		eps  float64
		want [][][2]float32
	}{
		{"collinear points go", [][][2]float32{{{0, 0}, {1, 0}, {2, 0}, {3, 0}}}, 2, [][][2]float32{{{0, 0}, {3, 0}}}},
		{"small wiggle goes", [][][2]float32{{{0, 0}, {5, 1}, {10, -1}, {20, 0}}}, 2, [][][2]float32{{{0, 0}, {20, 0}}}},
		{"corner stays", [][][2]float32{{{0, 0}, {5, 0}, {10, 0}, {10, 5}, {10, 10}}}, 2, [][][2]float32{{{0, 0}, {10, 0}, {10, 10}}}},
		{"square with midpoints", [][][2]float32{{{0, 0}, {5, 0}, {10, 0}, {10, 5}, {10, 10}, {5, 10}, {0, 10}, {0, 5}, {0, 0}}}, 2,
			[][][2]float32{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}},
		{"exactly epsilon stays out", [][][2]float32{{{0, 0}, {5, 2}, {10, 0}}}, 2, [][][2]float32{{{0, 0}, {10, 0}}}},
		{"just over epsilon stays", [][][2]float32{{{0, 0}, {5, 2.5}, {10, 0}}}, 2, [][][2]float32{{{0, 0}, {5, 2.5}, {10, 0}}}},
		{"strokes are kept apart", [][][2]float32{{{0, 0}, {1, 0}, {2, 0}}, {{7, 7}}, {{9, 9}, {9, 10}}}, 2,
			[][][2]float32{{{0, 0}, {2, 0}}, {{7, 7}}, {{9, 9}, {9, 10}}}},
		{"zero epsilon keeps bends", [][][2]float32{{{0, 0}, {1, 1}, {2, 0}, {3, 0}, {4, 0}}}, 0, [][][2]float32{{{0, 0}, {1, 1}, {2, 0}, {4, 0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromStrokes(tt.in).Simplify(tt.eps).Strokes()
			if !equalLines(got, tt.want) {
				t.Errorf("Simplify(%v) = %v, want %v", tt.eps, got, tt.want)
			}
		})
	}
}

func TestSimplifySheep(t *testing.T) {
	// A larger epsilon drops more points, and every stroke survives.
	ds, err := Load(sharedSheep(t) + ":valid")
	if err != nil {
		t.Fatal(err)
	}
	var before, at2, at8 int
	for _, d := range ds {
		before += len(d)
		at2 += len(d.Simplify(DefaultEpsilon))
		s := d.Simplify(8)
		at8 += len(s)
		if len(s.Strokes()) != len(d.Strokes()) {
			t.Fatalf("Simplify changed the number of strokes")
		}
	}
	if at2 >= before || at8 >= at2 {
		t.Errorf("points: %d, at epsilon 2: %d, at 8: %d", before, at2, at8)
	}
}

func equalLines(a, b [][][2]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodePNG(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba
}

func near(a, b color.Color, tol int) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	for _, d := range []int{int(ar>>8) - int(br>>8), int(ag>>8) - int(bg>>8), int(ab>>8) - int(bb>>8), int(aa>>8) - int(ba>>8)} {
		if absInt(d) > tol {
			return false
		}
	}
	return true
}

func absInt(v int) int { return max(v, -v) }

// inkBox is the box of the pixels with alpha above a quarter (the writers' background is transparent).
func inkBox(img *image.RGBA) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.A > 64 && !(c.R > 200 && c.G > 200 && c.B > 200) {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func inkIoU(a, b *image.RGBA) float64 {
	var inter, union int
	for i := 3; i < len(a.Pix); i += 4 {
		ia, ib := a.Pix[i] > 64, b.Pix[i] > 64
		if ia && ib {
			inter++
		}
		if ia || ib {
			union++
		}
	}
	return float64(inter) / float64(union)
}

// TestWritersSurviveBadNumbers: model output can hold NaN, infinities or huge offsets; the
// writers leave those points out instead of panicking, and still draw the rest.
func TestWritersSurviveBadNumbers(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		name string
		d    Drawing
		ink  bool
	}{
		{"NaN", Drawing{{DX: nan, DY: 1, PenLift: true}, {DX: 1, DY: 1}, {DX: 5, DY: 1, PenLift: true}}, false},
		{"infinity", Drawing{{DX: 1, DY: 1}, {DX: 5, DY: 1, PenLift: true}, {DX: inf, DY: 1, PenLift: true}}, true},
		{"huge", Drawing{{DX: 1e30, DY: 1}, {DX: 1, DY: 1, PenLift: true}, {DX: -1e30, DY: 5, PenLift: true}}, true},
		{"tiny", Drawing{{DX: 1e-30, DY: 1e-30}, {DX: 1e-30, DY: 1e-30, PenLift: true}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{64, 600} { // the rasterizer switches to floating point above 512
				img := Render(tt.d, Options{Size: size})
				if tt.ink && inkBox(img).Empty() {
					t.Errorf("size %d: no ink", size)
				}
				var svg bytes.Buffer
				if err := WriteSVG(&svg, tt.d, Options{Size: size}); err != nil || strings.Contains(svg.String(), "NaN") || strings.Contains(svg.String(), "Inf") {
					t.Errorf("size %d: WriteSVG = %v:\n%s", size, err, svg.String())
				}
			}
		})
	}
}
