// Package examples holds the built-in example corners the palette opens with: four short
// melodies composed for it and four sheep drawn by hand, so a first run needs no file.
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

// Items returns the items of named corners, without their names.
func Items[T any](ns [4]Named[T]) [4]T {
	var out [4]T
	for i, n := range ns {
		out[i] = n.Item
	}
	return out
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
func Melodies() ([4]Named[melody.Melody], error) { return parseAll("melody", melodies, ParseScore) }

// parseAll parses the four scores of examples with parse; what names them in an error.
func parseAll[T any](what string, examples []struct{ name, score string }, parse func(string) (T, error)) ([4]Named[T], error) {
	var out [4]Named[T]
	for i, e := range examples {
		item, err := parse(e.score)
		if err != nil {
			return out, fmt.Errorf("example %s %q: %w", what, e.name, err)
		}
		out[i] = Named[T]{e.name, item}
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

// Drawings returns the example drawings for the corners: four sheep, as the sketch model is
// trained on crowd-drawn sheep, in stroke-3 at the scale of its data (about 250 units across,
// y pointing down). Each is drawn as a person would: the woolly body, the head and its details,
// then the legs.
func Drawings() [4]Named[sketch.Drawing] {
	body := fleece{135, 85, 80, 45, 10}
	woolly := [][][2]float32{
		body.outline(12, math.Pi+0.35),
		ellipseAt(32, 80, 25, 17, -0.35, 12), // the head, facing left
		{{42, 64}, {58, 50}, {52, 68}},       // an ear
		{{22, 76}, {24, 78}},                 // an eye
	}
	woolly = append(woolly, body.legs(172, 7, 88, 110, 160, 182)...)

	body = fleece{105, 88, 72, 42, 13}
	right := [][][2]float32{
		body.outline(9, -0.35),
		ellipseAt(200, 92, 28, 15, 0.7, 12), // a long face, facing right
		{{194, 76}, {178, 64}, {200, 70}},
		{{206, 88}, {208, 90}},
		{{33, 80}, {20, 72}, {12, 80}}, // the tail
	}
	right = append(right, body.legs(170, 0, 55, 75, 130, 150)...)

	body = fleece{135, 95, 70, 64, 11}
	round := [][][2]float32{
		body.outline(11, math.Pi+0.5),
		ellipse(48, 110, 18, 22, 10), // a face looking out
		{{34, 96}, {20, 90}},
		{{42, 104}, {43, 105}},
		{{54, 104}, {55, 105}},
		{{44, 120}, {48, 123}, {52, 120}},
	}
	round = append(round, body.legs(185, 0, 100, 122, 150, 172)...)

	body = fleece{135, 80, 95, 32, 9}
	long := [][][2]float32{
		body.outline(14, math.Pi+0.3),
		ellipseAt(28, 70, 24, 15, -0.4, 12),
		{{38, 58}, {50, 48}, {46, 62}},
		{{22, 66}, {24, 68}},
		{{226, 70}, {242, 58}, {254, 66}, {250, 80}, {238, 80}, {238, 70}}, // a curly tail
	}
	long = append(long, body.legs(165, 0, 70, 90, 180, 200)...)

	return [4]Named[sketch.Drawing]{
		{"Woolly", fromOrigin(woolly)},
		{"Facing right", fromOrigin(right)},
		{"Round", fromOrigin(round)},
		{"Long", fromOrigin(long)},
	}
}

// fromOrigin is sketch.FromStrokes with the first point at the origin, as the drawings of
// sketch-rnn's data sets start: the encoder never saw a first jump across the page.
func fromOrigin(lines [][][2]float32) sketch.Drawing {
	d := sketch.FromStrokes(lines)
	d[0].DX, d[0].DY = 0, 0
	return d
}

// fleece is a sheep's woolly body: the ellipse of radii rx, ry around (cx, cy), scalloped with
// bumps of height h.
type fleece struct{ cx, cy, rx, ry, h float64 }

// outline goes once round the fleece from angle start in bumps scallops of four segments each.
func (f fleece) outline(bumps int, start float64) [][2]float32 {
	const per = 4
	n := bumps * per
	l := make([][2]float32, n+1)
	for i := range l {
		t := start + 2*math.Pi*float64(i)/float64(n)
		s := f.h * math.Abs(math.Sin(math.Pi*float64(i)/per))
		l[i] = [2]float32{float32(f.cx + (f.rx+s)*math.Cos(t)), float32(f.cy + (f.ry+s)*math.Sin(t))}
	}
	return l
}

// legs hang from the underside of the fleece down to y bottom, one at each x: a single line,
// or two lines w apart joined at the hoof.
func (f fleece) legs(bottom, w float64, xs ...float64) [][][2]float32 {
	var out [][][2]float32
	for _, x := range xs {
		u := (x - f.cx) / f.rx
		top := float32(f.cy + f.ry*math.Sqrt(max(0, 1-u*u)) + f.h/2)
		l, r, b := float32(x), float32(x+w), float32(bottom)
		if w == 0 {
			out = append(out, [][2]float32{{l, top}, {l, b}})
		} else {
			out = append(out, [][2]float32{{l, top}, {l, b}, {r, b}, {r, top}})
		}
	}
	return out
}

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
