package standin

import (
	"github.com/latentpalette/palette/model/vae"
	"slices"
	"testing"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

var (
	_ palette.Model[melody.Melody]  = Melody{}
	_ palette.Model[sketch.Drawing] = Sketch{}
	_ palette.Model[drums.Pattern]  = Drums{}
)

func TestMelodyRoundTrip(t *testing.T) {
	var m palette.Model[melody.Melody] = Melody{}
	ex, err := examples.Melodies()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ex {
		zs, err := m.Encode([]melody.Melody{e.Item})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Decode(zs, vae.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[0].Notes(), e.Item.Notes()) {
			t.Errorf("%s: decoded %v, want %v", e.Name, got[0].Notes(), e.Item.Notes())
		}
	}
}

func TestMelodyBlendDiffers(t *testing.T) {
	ex, _ := examples.Melodies()
	var zs [4][]float32
	for i, e := range ex {
		z, _ := Melody{}.Encode([]melody.Melody{e.Item})
		zs[i] = z[0]
	}
	a, _ := Melody{}.Decode([][]float32{palette.Blend(zs, palette.Point{U: 0.3, V: 0.3}, false)}, vae.DecodeOptions{})
	b, _ := Melody{}.Decode([][]float32{palette.Blend(zs, palette.Point{U: 0.7, V: 0.6}, false)}, vae.DecodeOptions{})
	if slices.Equal(a[0], b[0]) || len(a[0].Notes()) == 0 {
		t.Errorf("two points decode to the same melody %v", a[0])
	}
}

func TestSketchRoundTrip(t *testing.T) {
	for _, e := range examples.Drawings() {
		zs, err := Sketch{}.Encode([]sketch.Drawing{e.Item})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Sketch{}.Decode(zs, vae.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n, want := len(got[0].Strokes()), len(e.Item.Strokes()); n < want/2 || n > want {
			t.Errorf("%s: %d strokes decoded, want about %d", e.Name, n, want)
		}
		b, want := got[0].Bounds(), e.Item.Bounds()
		r := max(b.Dx(), b.Dy()) / max(want.Dx(), want.Dy())
		if r < 0.5 || r > 2 {
			t.Errorf("%s: decoded size %v x %v", e.Name, b.Dx(), b.Dy())
		}
	}
}

func TestDrumsRoundTrip(t *testing.T) {
	ex, err := examples.Grooves()
	if err != nil {
		t.Fatal(err)
	}
	var zs [4][]float32
	for i, e := range ex {
		z, err := Drums{}.Encode([]drums.Pattern{e.Item})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Drums{}.Decode(z, vae.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[0], e.Item) {
			t.Errorf("%s: decoded %v, want %v", e.Name, got[0], e.Item)
		}
		zs[i] = z[0]
	}
	// Blends differ from point to point and keep what the corners share; sampling is seeded.
	at := func(u, v float64, o vae.DecodeOptions) drums.Pattern {
		p, err := Drums{}.Decode([][]float32{palette.Blend(zs, palette.Point{U: u, V: v}, false)}, o)
		if err != nil {
			t.Fatal(err)
		}
		return p[0]
	}
	a, b := at(0.3, 0.3, vae.DecodeOptions{}), at(0.7, 0.6, vae.DecodeOptions{})
	if slices.Equal(a, b) || !a[0].Hit(drums.Kick) || !b[0].Hit(drums.Kick) {
		t.Errorf("blends %v and %v: want two grooves with the kick on 1 all corners share", a, b)
	}
	hot := vae.DecodeOptions{Temperature: 1, Seed: 4}
	if s1, s2 := at(0.5, 0.5, hot), at(0.5, 0.5, hot); !slices.Equal(s1, s2) || slices.Equal(s1, at(0.5, 0.5, vae.DecodeOptions{})) {
		t.Error("sampling is not seeded, or temperature changes nothing")
	}
	if _, err := (Drums{}).Encode([]drums.Pattern{{{Velocity: [9]uint8{200}}}}); err == nil {
		t.Error("a velocity of 200 was encoded")
	}
}
