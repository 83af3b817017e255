package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestPadGeometry checks the mapping between the widget's pixels and (u, v) on a pad wider than
// tall: the square is centred, taps outside it clamp, and tiles and corners are found.
func TestPadGeometry(t *testing.T) {
	test.NewTempApp(t)
	p := NewPad([4]fyne.CanvasObject{})
	p.Resize(fyne.NewSize(500, 400)) // the square is 400 wide, from x = 50
	tests := []struct {
		pos     fyne.Position
		u, v    float64
		tile    int
		nearest int
	}{
		{fyne.NewPos(250, 200), 0.5, 0.5, -1, 3},
		{fyne.NewPos(50, 0), 0, 0, -1, 0}, // the tiles stand a little inside the corners
		{fyne.NewPos(70, 20), 0.05, 0.05, 0, 0},
		{fyne.NewPos(0, 0), 0, 0, -1, 0}, // left of the square: clamped
		{fyne.NewPos(430, 30), 0.95, 0.075, 1, 1},
		{fyne.NewPos(100, 380), 0.125, 0.95, 2, 2},
		{fyne.NewPos(430, 380), 0.95, 0.95, 3, 3},
		{fyne.NewPos(500, 400), 1, 1, -1, 3},
		{fyne.NewPos(150, 250), 0.25, 0.625, -1, 2},
	}
	for _, tt := range tests {
		u, v := p.pointAt(tt.pos)
		if math.Abs(u-tt.u) > 1e-6 || math.Abs(v-tt.v) > 1e-6 {
			t.Errorf("pointAt(%v) = (%v, %v), want (%v, %v)", tt.pos, u, v, tt.u, tt.v)
		}
		if got := p.cornerAt(tt.pos); got != tt.tile {
			t.Errorf("cornerAt(%v) = %d, want %d", tt.pos, got, tt.tile)
		}
		if got := p.nearestCorner(tt.pos); got != tt.nearest {
			t.Errorf("nearestCorner(%v) = %d, want %d", tt.pos, got, tt.nearest)
		}
	}
}

func TestPadReports(t *testing.T) {
	test.NewTempApp(t)
	p := NewPad([4]fyne.CanvasObject{})
	p.Resize(fyne.NewSize(400, 400))
	var moves [][2]float64
	p.OnMoved = func(u, v float64) { moves = append(moves, [2]float64{u, v}) }
	var menu []int
	p.OnCornerMenu = func(i int, _ fyne.Position) { menu = append(menu, i) }
	var keys []fyne.KeyName
	p.OnKey = func(e *fyne.KeyEvent) { keys = append(keys, e.Name) }

	p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 300)}})
	p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 300)}}) // no move: not reported
	p.DragEnd()
	test.TapSecondaryAt(p, fyne.NewPos(380, 380))
	test.TapSecondaryAt(p, fyne.NewPos(200, 200)) // not on a tile
	p.TypedRune(' ')                              // the space bar's rune: dropped, its key event is passed on
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	p.SetPoint(2, -1) // programmatic: clamped, not reported

	if len(moves) != 1 || moves[0] != [2]float64{0.25, 0.75} {
		t.Errorf("moves %v, want one to (0.25, 0.75)", moves)
	}
	if len(menu) != 1 || menu[0] != 3 {
		t.Errorf("corner menus %v, want the bottom-right one", menu)
	}
	if len(keys) != 2 || keys[0] != fyne.KeySpace || keys[1] != fyne.KeyEscape {
		t.Errorf("keys %v, want space and escape passed on", keys)
	}
	if u, v := p.Point(); u != 1 || v != 0 {
		t.Errorf("SetPoint(2, -1) left the puck at (%v, %v)", u, v)
	}
}
