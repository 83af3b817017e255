// Package examples holds the built-in example corners the palette opens with: four short
// melodies composed for it and four simple drawings made by hand, so a first run needs no file.
package examples

import (
	"fmt"
	"math"
	"strings"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

// Named is an example item with a name to show.
type Named[T any] struct {
	Name string
	Item T
}

// melodies are 2-bar phrases, one token per 16th step: a note name starts a note (C4 is
// middle C), "-" holds it, "." rests. Bars are separated by "|" for the reader only.
var melodies = []struct{ name, score string }{
	{"Lullaby", "C5 - - - D5 - E5 - G5 - - - E5 - D5 - | C5 - - - A4 - - - G4 - - - . . . ."},
	{"Jig", "G4 - B4 D5 - B4 G4 - B4 D5 - G5 E5 - D5 - | C5 - E5 - D5 B4 - G4 A4 - F4 - G4 - - -"},
	{"Low riff", "A3 - . A3 C4 - D4 - E4 - . E4 D4 - C4 - | A3 - . A3 C4 - D4 - G4 - E4 - D4 - C4 -"},
	{"Arpeggios", "E5 G5 C6 G5 E5 G5 C6 G5 F5 A5 C6 A5 F5 A5 C6 A5 | D5 G5 B5 G5 D5 G5 B5 G5 C5 E5 G5 E5 C6 - - -"},
}

// Melodies returns the example melodies for the corners, top-left, top-right, bottom-left,
// bottom-right. An error means a typo in a score above (the tests catch it).
func Melodies() ([4]Named[melody.Melody], error) {
	var out [4]Named[melody.Melody]
	for i, m := range melodies {
		mel, err := ParseScore(m.score)
		if err != nil {
			return out, fmt.Errorf("example melody %q: %w", m.name, err)
		}
		out[i] = Named[melody.Melody]{m.name, mel}
	}
	return out, nil
}

// ParseScore reads the token notation of the examples into a melody.
func ParseScore(score string) (melody.Melody, error) {
	var m melody.Melody
	sounding := false
	for _, tok := range strings.Fields(score) {
		switch tok {
		case "|":
			continue
		case "-":
			m = append(m, melody.NoEvent)
		case ".":
			if sounding {
				m = append(m, melody.NoteOff)
			} else {
				m = append(m, melody.NoEvent)
			}
			sounding = false
		default:
			p, err := pitchOf(tok)
			if err != nil {
				return nil, err
			}
			m = append(m, melody.NoteOn(p))
			sounding = true
		}
	}
	return m, m.Validate()
}

func pitchOf(name string) (int, error) {
	steps := map[byte]int{'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}
	s, ok := steps[name[0]]
	rest := name[1:]
	if !ok || rest == "" {
		return 0, fmt.Errorf("bad note %q", name)
	}
	switch rest[0] {
	case '#':
		s++
		rest = rest[1:]
	case 'b':
		s--
		rest = rest[1:]
	}
	var oct int
	if _, err := fmt.Sscanf(rest, "%d", &oct); err != nil {
		return 0, fmt.Errorf("bad octave in %q", name)
	}
	p := 12*(oct+1) + s
	if p < melody.MinPitch || p > melody.MaxPitch {
		return 0, fmt.Errorf("note %q is outside the model's range", name)
	}
	return p, nil
}

// Drawings returns the example drawings for the corners: a house, a sun, a fish and a flower,
// in stroke-3 at the scale of Quick, Draw! (about 250 units across).
func Drawings() [4]Named[sketch.Drawing] {
	house := [][][2]float32{
		{{40, 230}, {40, 120}, {200, 120}, {200, 230}, {40, 230}},
		{{25, 125}, {120, 40}, {215, 125}},
		{{100, 230}, {100, 170}, {140, 170}, {140, 230}},
		{{155, 145}, {185, 145}, {185, 170}, {155, 170}, {155, 145}},
	}
	sun := [][][2]float32{circle(125, 125, 55, 20)}
	for k := range 8 {
		a := float64(k) * math.Pi / 4
		sun = append(sun, [][2]float32{pt(125, 125, 75, a), pt(125, 125, 115, a)})
	}
	fish := [][][2]float32{
		ellipse(110, 125, 80, 45, 24),
		{{190, 125}, {240, 85}, {240, 165}, {190, 125}},
		circle(70, 115, 7, 8),
		{{120, 95}, {130, 125}, {120, 155}},
	}
	flower := [][][2]float32{
		{{125, 150}, {120, 200}, {125, 245}},
		{{122, 205}, {90, 185}, {122, 195}},
		circle(125, 105, 18, 12),
	}
	for k := range 6 {
		a := float64(k) * math.Pi / 3
		c := pt(125, 105, 45, a)
		flower = append(flower, ellipseAt(c[0], c[1], 25, 13, a, 12))
	}
	return [4]Named[sketch.Drawing]{
		{"House", sketch.FromStrokes(house)},
		{"Sun", sketch.FromStrokes(sun)},
		{"Fish", sketch.FromStrokes(fish)},
		{"Flower", sketch.FromStrokes(flower)},
	}
}

func pt(cx, cy, r, a float64) [2]float32 {
	return [2]float32{float32(cx + r*math.Cos(a)), float32(cy + r*math.Sin(a))}
}

func circle(cx, cy, r float64, n int) [][2]float32 { return ellipse(cx, cy, r, r, n) }

func ellipse(cx, cy, rx, ry float64, n int) [][2]float32 {
	return ellipseAt(float32(cx), float32(cy), rx, ry, 0, n)
}

// ellipseAt is a closed polyline of n segments around (cx, cy), its x axis turned by angle a.
func ellipseAt(cx, cy float32, rx, ry, a float64, n int) [][2]float32 {
	l := make([][2]float32, n+1)
	for i := range l {
		t := 2 * math.Pi * float64(i) / float64(n)
		x, y := rx*math.Cos(t), ry*math.Sin(t)
		l[i] = [2]float32{cx + float32(x*math.Cos(a)-y*math.Sin(a)), cy + float32(x*math.Sin(a)+y*math.Cos(a))}
	}
	return l
}
