package cells

import (
	"bytes"
	"image"
	"image/gif"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/gomidi/midi/v2/smf"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

func TestWriteMelodiesMarkers(t *testing.T) {
	a := melody.Melody{melody.NoteOn(60), 0, 0, melody.NoteOff}
	b := melody.Melody{0, melody.NoteOn(64), 0, 0} // a rest first: the marker still starts the cell
	var buf bytes.Buffer
	if err := WriteMelodies(&buf, []melody.Melody{a, b, a}, []string{"one", "two", "three"}, melody.WriteOptions{BPM: 90}); err != nil {
		t.Fatal(err)
	}
	s, err := smf.ReadFrom(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var tick int
	for _, e := range s.Tracks[0] {
		tick += int(e.Delta)
		var text string
		if e.Message.GetMetaMarker(&text) {
			got = append(got, text+"@"+itoa(tick/(melody.TicksPerQuarter/melody.StepsPerQuarter)))
		}
	}
	if strings.Join(got, " ") != "one@0 two@4 three@8" {
		t.Errorf("markers %v", got)
	}
	var bpm float64
	for _, e := range s.Tracks[0] {
		if e.Message.GetMetaTempo(&bpm) {
			break
		}
	}
	if bpm < 89.99 || bpm > 90.01 {
		t.Errorf("tempo %v, want 90", bpm)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAddMarkersRefusesGarbage(t *testing.T) {
	if _, err := AddMarkers([]byte("not MIDI"), 120, nil); err == nil {
		t.Error("no error for garbage")
	}
}

func TestRenderSheets(t *testing.T) {
	m := melody.Melody{melody.NoteOn(60), 0, melody.NoteOn(72), melody.NoteOff}
	img, err := RenderMelodies([]melody.Melody{m, m, m, m, m}, SheetOptions{Cols: 2, Cell: 40})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 81 || b.Dy() != 121 {
		t.Errorf("sheet %v, want 81x121 (2 columns, 3 rows of 40 and the rules)", b)
	}
	p := make(drums.Pattern, drums.WindowSteps)
	p[0].Velocity[drums.Kick] = 127
	g, err := RenderGrooves([]drums.Pattern{p}, SheetOptions{Cell: 64})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.RGBAAt(1, 60); c == paper {
		t.Error("the kick on step 0 is not drawn at the bottom left")
	}
	if _, err := RenderMelodies(make([]melody.Melody, 100), SheetOptions{Cols: 1, Cell: 4096}); err == nil {
		t.Error("a sheet beyond MaxSheetPixels was drawn")
	}
}

func TestWriteGIF(t *testing.T) {
	line := sketch.Drawing{{DX: 0, DY: 0}, {DX: 50, DY: 0}, {DX: 0, DY: 50, PenLift: true}}
	dot := sketch.Drawing{{DX: 0, DY: 0}, {DX: 50, DY: 50, PenLift: true}}
	var buf bytes.Buffer
	if err := WriteGIF(&buf, []sketch.Drawing{line, dot, line}, GIFOptions{Drawing: sketch.Options{Size: 64}, Delay: 7, Loop: true}); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.Delay[1] != 7 || g.LoopCount != 0 || g.Image[0].Bounds().Dx() != 64 {
		t.Errorf("%d frames, delays %v, loop %d, size %v", len(g.Image), g.Delay, g.LoopCount, g.Image[0].Bounds())
	}
	if bytes.Equal(g.Image[0].Pix, g.Image[1].Pix) || !bytes.Equal(g.Image[0].Pix, g.Image[2].Pix) {
		t.Error("frames are not the drawings")
	}
	for _, n := range []int{0, MaxGIFFrames + 1} {
		if err := WriteGIF(&buf, make([]sketch.Drawing, n), GIFOptions{}); err == nil {
			t.Errorf("%d frames accepted", n)
		}
	}
}

// TestGIFFramesShareAScale: a drawing half the size of another is drawn half as large.
func TestGIFFramesShareAScale(t *testing.T) {
	big := sketch.Drawing{{DX: 0, DY: 0}, {DX: 100, DY: 0, PenLift: true}}
	small := sketch.Drawing{{DX: 0, DY: 0}, {DX: 50, DY: 0, PenLift: true}}
	var buf bytes.Buffer
	if err := WriteGIF(&buf, []sketch.Drawing{big, small}, GIFOptions{Drawing: sketch.Options{Size: 100, Margin: -1, LineWidth: 2}}); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	width := func(img *image.Paletted) int { // inked columns on the middle row
		n := 0
		for x := range img.Bounds().Dx() {
			if img.ColorIndexAt(x, 50) < 8 {
				n++
			}
		}
		return n
	}
	if a, b := width(g.Image[0]), width(g.Image[1]); a < 95 || b < 45 || b > 56 {
		t.Errorf("inked widths %d and %d, want about 100 and 50", a, b)
	}
}
