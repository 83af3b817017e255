package sketch

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// The readers refuse, naming the limit, drawings beyond the budgets, and read a byte-order mark.
func TestReadNDJSONLimitsAndBOM(t *testing.T) {
	items, err := ReadNDJSON(strings.NewReader("\xef\xbb\xbf" + `{"drawing":[[[0,1],[0,1]]]}` + "\n"))
	if err != nil || len(items) != 1 {
		t.Fatalf("with a byte-order mark: %d items, %v", len(items), err)
	}
	points := func(n int, raw bool) string {
		xs := strings.TrimSuffix(strings.Repeat("1,", n), ",")
		if raw {
			return fmt.Sprintf(`{"drawing":[[[%s],[%s],[%s]]]}`, xs, xs, xs)
		}
		return fmt.Sprintf(`{"drawing":[[[%s],[%s]]]}`, xs, xs)
	}
	for _, tc := range []struct{ line, limit string }{
		{points(MaxPoints+1, false), "sketch.MaxPoints"},
		{points(MaxRawPoints+1, true), "sketch.MaxRawPoints"},
	} {
		_, err := ReadNDJSON(strings.NewReader(tc.line))
		var le *LimitError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.limit) {
			t.Errorf("error %v does not name %s", err, tc.limit)
		}
	}
}

func TestCheckSheetSize(t *testing.T) {
	if err := CheckSheetSize(125, 8, 256); err != nil {
		t.Errorf("1000 drawings of 256 pixels: %v", err)
	}
	if err := CheckSheetSize(1, 1000, 4096); err == nil {
		t.Error("a sheet of 4096000 x 4096 pixels passed")
	}
	if err := WriteSheetPNG(&bytes.Buffer{}, [][]Drawing{make([]Drawing, 1000)}, Options{Size: 4096}); err == nil {
		t.Error("WriteSheetPNG drew a sheet beyond MaxSheetPixels")
	}
	for _, lw := range []float64{math.NaN(), math.Inf(1)} {
		if err := WriteSVG(&bytes.Buffer{}, Drawing{{1, 1, true}}, Options{LineWidth: lw}); err == nil {
			t.Errorf("WriteSVG took line width %v", lw)
		}
	}
}

// An adversarial zigzag of 100,000 points simplifies in linear time (spans of rdpSpan).
func BenchmarkSimplifyZigzag(b *testing.B) {
	line := make([][2]float32, 100000)
	amp := float32(1e5)
	for i := range line {
		line[i] = [2]float32{float32(i), amp * float32(1-2*(i%2))}
		amp *= 0.9999
	}
	d := FromStrokes([][][2]float32{line})
	for b.Loop() {
		d.Simplify(DefaultEpsilon)
	}
}
