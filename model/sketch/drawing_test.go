package sketch

import (
	"math"
	"math/rand"
	"reflect"
	"testing"
)

// square is two strokes: a closed square, then a short tick.
var square = Drawing{
	{DX: 10, DY: 10}, {DX: 10}, {DY: 10}, {DX: -10}, {DY: -10, PenLift: true},
	{DX: 30, DY: 5}, {DX: 5, DY: 5, PenLift: true},
}

func TestStroke5(t *testing.T) {
	tests := []struct {
		name   string
		d      Drawing
		maxLen int
		want   [][5]float32
	}{
		{"padded", Drawing{{DX: 1, DY: 2}, {DX: 3, DY: 4, PenLift: true}}, 4, [][5]float32{
			{1, 2, 1, 0, 0}, {3, 4, 0, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 1},
		}},
		{"exact length has no end row", Drawing{{DX: 1, DY: 2, PenLift: true}}, 1, [][5]float32{{1, 2, 0, 1, 0}}},
		{"longer than maxLen is not truncated", Drawing{{DX: 1}, {DX: 2, PenLift: true}}, 1, [][5]float32{
			{1, 0, 1, 0, 0}, {2, 0, 0, 1, 0},
		}},
		{"empty", nil, 2, [][5]float32{{0, 0, 0, 0, 1}, {0, 0, 0, 0, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.Stroke5(tt.maxLen)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stroke5(%d) = %v, want %v", tt.maxLen, got, tt.want)
			}
			back := FromStroke5(got)
			if len(tt.d) == 0 && len(back) == 0 {
				return
			}
			if !reflect.DeepEqual(back, tt.d) {
				t.Errorf("FromStroke5(Stroke5) = %v, want %v", back, tt.d)
			}
		})
	}
}

func TestFromStroke5StopsAtEnd(t *testing.T) {
	s := [][5]float32{{1, 1, 1, 0, 0}, {2, 2, 0, 1, 0}, {0, 0, 0, 0, 1}, {9, 9, 1, 0, 0}}
	want := Drawing{{DX: 1, DY: 1}, {DX: 2, DY: 2, PenLift: true}}
	if got := FromStroke5(s); !reflect.DeepEqual(got, want) {
		t.Errorf("FromStroke5 = %v, want %v", got, want)
	}
	if got := FromStroke5([][5]float32{{0, 0, 0, 0, 1}, {1, 1, 1, 0, 0}}); len(got) != 0 {
		t.Errorf("FromStroke5 of a leading end row = %v, want empty", got)
	}
}

func TestStrokesRoundTrip(t *testing.T) {
	lines := square.Strokes()
	want := [][][2]float32{
		{{10, 10}, {20, 10}, {20, 20}, {10, 20}, {10, 10}},
		{{40, 15}, {45, 20}},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("Strokes = %v, want %v", lines, want)
	}
	if back := FromStrokes(lines); !reflect.DeepEqual(back, square) {
		t.Errorf("FromStrokes(Strokes) = %v, want %v", back, square)
	}
	// A last stroke without a pen lift is kept.
	open := Drawing{{DX: 1}, {DX: 1}}
	if got := open.Strokes(); len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("Strokes of an open stroke = %v", got)
	}
	if got := (Rect{10, 10, 45, 20}); square.Bounds() != got {
		t.Errorf("Bounds = %v, want %v", square.Bounds(), got)
	}
}

func TestClampScale(t *testing.T) {
	d := Drawing{{DX: 2000, DY: -3000}, {DX: 5, DY: -5, PenLift: true}}
	want := Drawing{{DX: 1000, DY: -1000}, {DX: 5, DY: -5, PenLift: true}}
	if got := d.Clamp(Limit); !reflect.DeepEqual(got, want) {
		t.Errorf("Clamp = %v, want %v", got, want)
	}
	if d[0].DX != 2000 {
		t.Error("Clamp modified its receiver")
	}
	if got := want.Scale(0.5); got[0].DX != 500 || got[1].DY != -2.5 || !got[1].PenLift {
		t.Errorf("Scale(0.5) = %v", got)
	}
}

func TestScaleFactor(t *testing.T) {
	// Offsets 1, 3, -1, -3 (dx and dy of two points): mean 0, population std sqrt(5).
	ds := []Drawing{{{DX: 1, DY: 3}}, {{DX: -1, DY: -3, PenLift: true}}}
	if got, want := ScaleFactor(ds), float32(math.Sqrt(5)); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("ScaleFactor = %v, want %v", got, want)
	}
	if got := ScaleFactor(nil); got != 1 {
		t.Errorf("ScaleFactor(nil) = %v, want 1", got)
	}
}

func TestAugment(t *testing.T) {
	// A long single stroke: the absolute end point must stay within the scale range, the stroke
	// ends and its first two points must survive (a drop folds into the point before), and some points must go.
	var d Drawing
	for range 200 {
		d = append(d, Point{DX: 1, DY: 1})
	}
	d[len(d)-1].PenLift = true
	rng := rand.New(rand.NewSource(1))
	dropped := 0
	for range 50 {
		a := Augment(d, rng)
		dropped += len(d) - len(a)
		r := a.Bounds()
		if r.MaxX < 200*0.85-1e-3 || r.MaxX > 200*1.15+1e-3 || r.MaxY < 200*0.85-1e-3 || r.MaxY > 200*1.15+1e-3 {
			t.Fatalf("augmented end point (%v, %v) outside the scale range", r.MaxX, r.MaxY)
		}
		if !a[len(a)-1].PenLift || a[0] != a[1] {
			t.Fatalf("augment broke the stroke ends: %v", a[:3])
		}
	}
	// Points 4..199 may go with p = 0.1: expect about 50*196*0.1 = 980.
	if dropped < 800 || dropped > 1200 {
		t.Errorf("dropped %d points in 50 augmentations, want about 980", dropped)
	}
}

func TestDropPointsKeepsShape(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	d := square
	for range 100 {
		a := dropPoints(d, 1, rng)
		// Every stroke end keeps its absolute position.
		got, want := a.Strokes(), d.Strokes()
		if len(got) != len(want) {
			t.Fatalf("dropPoints changed the number of strokes: %v", got)
		}
		for i := range got {
			if got[i][len(got[i])-1] != want[i][len(want[i])-1] {
				t.Fatalf("stroke %d ends at %v, want %v", i, got[i][len(got[i])-1], want[i][len(want[i])-1])
			}
		}
	}
	// With probability 1 the square's 4th point (the first eligible) goes.
	if a := dropPoints(square, 1, rng); len(a) != len(square)-1 {
		t.Errorf("dropPoints(p=1) kept %d of %d points", len(a), len(square))
	}
}

// Resimplify thins a dense drawing at a tolerance that scales with its size: the strokes keep
// their number and their ends, the box moves by less than the tolerance, points go.
func TestResimplify(t *testing.T) {
	var lines [][][2]float32
	for s := range 2 { // two circles of 400 points, about 1,000 units across
		var line [][2]float32
		for i := range 400 {
			a := 2 * math.Pi * float64(i) / 400
			r := 500 + 3*math.Sin(float64(7*i)) // a wobble of 3 units: less than the largest tolerance
			line = append(line, [2]float32{float32(r*math.Cos(a)) + float32(s*100), float32(r * math.Sin(a))})
		}
		lines = append(lines, line)
	}
	d := FromStrokes(lines)
	rng := rand.New(rand.NewSource(3))
	fewer := 0
	for range 20 {
		r := Resimplify(d, rng)
		if len(r.Strokes()) != len(d.Strokes()) {
			t.Fatalf("%d strokes after resimplifying, want %d", len(r.Strokes()), len(d.Strokes()))
		}
		if len(r) < len(d) {
			fewer++
		}
		a, b := d.Bounds(), r.Bounds()
		tol := float32(2*1006/255.0) + 1e-2
		if abs32(a.MinX-b.MinX) > tol || abs32(a.MaxX-b.MaxX) > tol || abs32(a.MinY-b.MinY) > tol || abs32(a.MaxY-b.MaxY) > tol {
			t.Fatalf("the box moved from %v to %v", a, b)
		}
	}
	if fewer < 15 {
		t.Errorf("only %d of 20 resimplified drawings lost points", fewer)
	}
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }
