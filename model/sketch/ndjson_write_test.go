package sketch

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// Written NDJSON reads back as the same drawings (moved to start at their first point, rounded
// to whole units) with their labels.
func TestWriteNDJSONRoundTrip(t *testing.T) {
	items := []Item{
		{Word: "square", KeyID: "a-1", Drawing: square},
		{Word: "dot", Drawing: dotted.Translated()},
		{Word: "frac", Drawing: Drawing{{DX: 0, DY: 0}, {DX: 10.4, DY: -3.6}, {DX: 1.2, DY: 7.7, PenLift: true}, {DX: -30, DY: 2, PenLift: true}}},
	}
	var buf bytes.Buffer
	if err := WriteNDJSON(&buf, items); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(items) {
		t.Fatalf("%d lines, want %d:\n%s", n, len(items), buf.String())
	}
	back, err := ReadNDJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(items) {
		t.Fatalf("read %d items, wrote %d", len(back), len(items))
	}
	for i, it := range items {
		got := back[i]
		if got.Word != it.Word || got.KeyID != it.KeyID {
			t.Errorf("item %d: word %q id %q, want %q %q", i, got.Word, got.KeyID, it.Word, it.KeyID)
		}
		want := it.Drawing.Translated()
		if len(got.Drawing) != len(want) {
			t.Fatalf("item %d: %d points, want %d", i, len(got.Drawing), len(want))
		}
		// Absolute positions are rounded, so each point is within half a unit per axis.
		var gx, gy, wx, wy float64
		for k := range want {
			gx, gy = gx+float64(got.Drawing[k].DX), gy+float64(got.Drawing[k].DY)
			wx, wy = wx+float64(want[k].DX), wy+float64(want[k].DY)
			if got.Drawing[k].PenLift != want[k].PenLift {
				t.Errorf("item %d point %d: pen lift %v, want %v", i, k, got.Drawing[k].PenLift, want[k].PenLift)
			}
			if math.Abs(gx-wx) > 1 || math.Abs(gy-wy) > 1 {
				t.Errorf("item %d point %d at (%v, %v), want (%v, %v)", i, k, gx, gy, wx, wy)
			}
		}
	}
}
