package sketch

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestFromHand(t *testing.T) {
	// A square of side 100 drawn with a point every pixel, at an offset on the screen, and a
	// dot: the square keeps only its corners, scaled to HandSize, and the dot stays a dot.
	var square [][2]float32
	for _, c := range [][2]float32{{10, 20}, {110, 20}, {110, 120}, {10, 120}, {10, 20}} {
		if n := len(square); n > 0 {
			prev := square[n-1]
			for k := 1; k < 100; k++ {
				f := float32(k) / 100
				square = append(square, [2]float32{prev[0] + (c[0]-prev[0])*f, prev[1] + (c[1]-prev[1])*f})
			}
		}
		square = append(square, c)
	}
	tests := []struct {
		name  string
		lines [][][2]float32
		want  [][][2]float32 // Strokes() of the result
		err   error
	}{
		{"square and dot", [][][2]float32{square, nil, {{60, 70}}},
			[][][2]float32{{{0, 0}, {255, 0}, {255, 255}, {0, 255}, {0, 0}}, {{127.5, 127.5}}}, nil},
		{"wide line keeps its aspect", [][][2]float32{{{0, 0}, {50, 10}, {100, 0}}},
			[][][2]float32{{{0, 0}, {127.5, 25.5}, {255, 0}}}, nil},
		{"one point", [][][2]float32{{{5, 5}}}, [][][2]float32{{{0, 0}}}, nil},
		{"nothing", [][][2]float32{nil, {}}, nil, ErrEmptyDrawing},
		{"not a number", [][][2]float32{{{0, 0}, {float32(math.NaN()), 1}}}, nil, FormatError("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := FromHand(tt.lines)
			if tt.err != nil {
				var fe FormatError
				if err == nil || !(errors.Is(err, tt.err) || errors.As(tt.err, &fe) && errors.As(err, &fe)) {
					t.Fatalf("FromHand = %v, %v; want error %v", d, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := d.Strokes()
			if len(got) != len(tt.want) {
				t.Fatalf("strokes %v, want %v", got, tt.want)
			}
			for i := range got {
				if !slices.EqualFunc(got[i], tt.want[i], func(a, b [2]float32) bool {
					return math.Abs(float64(a[0]-b[0])) < 1e-3 && math.Abs(float64(a[1]-b[1])) < 1e-3
				}) {
					t.Errorf("stroke %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
			if d[0].DX != 0 || d[0].DY != 0 {
				t.Errorf("first offset %v, want the drawing to start at its first point", d[0])
			}
		})
	}
}

func TestValidate(t *testing.T) {
	inf := float32(math.Inf(1))
	long := make(Drawing, MaxPoints+1)
	for _, tt := range []struct {
		name string
		d    Drawing
		ok   bool
	}{
		{"drawing", Drawing{{0, 0, false}, {10, 5, true}}, true},
		{"empty", nil, false},
		{"too long", long, false},
		{"infinite", Drawing{{inf, 0, true}}, false},
		{"NaN", Drawing{{0, float32(math.NaN()), true}}, false},
		{"beyond MaxCoord", Drawing{{2 * MaxCoord, 0, true}}, false},
	} {
		if err := tt.d.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}
