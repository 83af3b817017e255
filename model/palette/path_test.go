package palette

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Path
		err  string
	}{
		{"0,0 1,1", Path{{0, 0}, {1, 1}}, ""},
		{" 0.5,0.25;1,0\t0,1\n", Path{{0.5, 0.25}, {1, 0}, {0, 1}}, ""},
		{"1e-1,.5 1,1", Path{{0.1, 0.5}, {1, 1}}, ""},
		{"0,0", nil, "1 point(s): a path needs at least 2"},
		{"", nil, "0 point(s)"},
		{"0,0 1,1.5", nil, "point 2 (1,1.5) is outside the unit square"},
		{"-0.1,0 1,1", nil, "point 1 (-0.1,0) is outside"},
		{"0,0 NaN,1", nil, "outside the unit square"},
		{"0,0 Inf,1", nil, "outside the unit square"},
		{"0,0 1", nil, `point 2 "1" is not u,v`},
		{"0,0 a,b", nil, `point 2 "a,b" is not two numbers`},
		{"0,0 1,1,1", nil, "is not two numbers"},
		{strings.Repeat("0,0 ", MaxPathPoints+1), nil, "more than 10000"},
	} {
		got, err := ParsePath(tc.in)
		if tc.err != "" {
			var pe *PathError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &pe) {
				t.Errorf("ParsePath(%.30q) = %v, want error %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("ParsePath(%q) = %v, %v", tc.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("ParsePath(%q)[%d] = %v, want %v", tc.in, i, got[i], tc.want[i])
			}
		}
		back, err := ParsePath(got.String())
		if err != nil || len(back) != len(got) {
			t.Errorf("String() %q does not read back: %v", got.String(), err)
		}
	}
}

func TestPathAt(t *testing.T) {
	p := Path{{0, 0}, {1, 0}, {1, 1}} // length 2
	for _, tc := range []struct {
		t    float64
		want Point
	}{{-1, Point{0, 0}}, {0, Point{0, 0}}, {0.25, Point{0.5, 0}}, {0.5, Point{1, 0}}, {0.75, Point{1, 0.5}}, {1, Point{1, 1}}, {2, Point{1, 1}}, {math.NaN(), Point{0, 0}}} {
		if got := p.At(tc.t); math.Abs(got.U-tc.want.U) > 1e-12 || math.Abs(got.V-tc.want.V) > 1e-12 {
			t.Errorf("At(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
	if got := (Path{{0.3, 0.3}, {0.3, 0.3}}).At(0.5); got != (Point{0.3, 0.3}) {
		t.Errorf("a path of no length: At(0.5) = %v", got)
	}
	ev := p.Even(5)
	if len(ev) != 5 || ev[0] != p[0] || ev[4] != p[2] || ev[2] != (Point{1, 0}) {
		t.Errorf("Even(5) = %v", ev)
	}
	lp := p.Loop(4)
	if len(lp) != 4 || lp[0] != p[0] || lp[2] != (Point{1, 0}) || lp[3] != (Point{1, 0.5}) {
		t.Errorf("Loop(4) = %v", lp)
	}
}

// FuzzParsePath checks that any text gives a valid path or a PathError, never a panic, and that
// a path read back from its String is the same length.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"0,0 1,1", "0.1,0.2;0.3,0.4", "0,0", "1e308,0 0,0", "0x1p-2,0 1,1", ",", "0,,0 1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			var pe *PathError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a PathError", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed path is invalid: %v", err)
		}
		back, err := ParsePath(p.String())
		if err != nil || len(back) != len(p) {
			t.Fatalf("%q read back as %v, %v", p.String(), back, err)
		}
		for _, pt := range p.Even(7) {
			if pt.U < 0 || pt.U > 1 || pt.V < 0 || pt.V > 1 {
				t.Fatalf("Even left the square: %v", pt)
			}
		}
	})
}
