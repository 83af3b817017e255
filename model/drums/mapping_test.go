package drums

import "testing"

// The mapping of note-seq's DEFAULT_DRUM_TYPE_PITCHES: each pitch in one class only, and each
// class's decoding pitch its first.
func TestMapping(t *testing.T) {
	sizes := [NumClasses]int{2, 15, 11, 7, 7, 7, 5, 5, 4}
	seen := map[uint8]Class{}
	for c, ps := range classPitches {
		if len(ps) != sizes[c] {
			t.Errorf("%s has %d pitches, want %d", Class(c), len(ps), sizes[c])
		}
		for _, p := range ps {
			if prev, ok := seen[p]; ok {
				t.Errorf("pitch %d is in %s and %s", p, prev, Class(c))
			}
			seen[p] = Class(c)
			if got, ok := ClassOf(int(p)); !ok || got != Class(c) {
				t.Errorf("ClassOf(%d) = %s, %v; want %s", p, got, ok, Class(c))
			}
		}
	}
	pitches := [NumClasses]int{36, 38, 42, 46, 45, 48, 50, 49, 51}
	for c, want := range pitches {
		if got := Class(c).Pitch(); got != want {
			t.Errorf("%s plays on %d, want %d", Class(c), got, want)
		}
	}
	for _, p := range []int{-1, 0, 21, 23, 88, 127, 128} {
		if c, ok := ClassOf(p); ok {
			t.Errorf("ClassOf(%d) = %s, want none", p, c)
		}
	}
	if Class(NumClasses).Pitch() != 0 || Class(-1).Pitch() != 0 {
		t.Error("a class outside 0..8 has a pitch")
	}
}
