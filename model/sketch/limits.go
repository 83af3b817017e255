package sketch

import "fmt"

// The readers' and writers' budgets: what a file may ask them to build, checked before they
// build it, so that a small hostile file cannot take unbounded memory or time.
const (
	// MaxPoints is the most points a drawing may have to be kept by the app: sketch-rnn's data
	// sets stop at 250 and hand-made drawings are simplified, so more is not a drawing.
	MaxPoints = 10000
	// MaxRawPoints is the most points a raw (unsimplified) Quick, Draw! drawing may have before
	// it is simplified; the pen records about one per pixel.
	MaxRawPoints = 100000
	// MaxFilePoints is the most points all the drawings of one file may have together (12 bytes
	// each in memory): sketch-rnn's largest .npz files hold about 8 million.
	MaxFilePoints = 25_000_000
	// MaxArrayBytes is the most bytes one .npy array (alone or in an .npz) may inflate to.
	MaxArrayBytes = 128 << 20
	// MaxSheetPixels is the largest PNG sheet the writers draw: 8192 x 8192 pixels, 256 MiB.
	MaxSheetPixels = 1 << 26
)

// LimitError reports input beyond one of the budgets above; Limit names it.
type LimitError struct {
	What  string // what was too large, with its size
	Limit string // the budget: "sketch.MaxPoints (10000)"
}

func (e *LimitError) Error() string { return fmt.Sprintf("sketch: %s, more than %s", e.What, e.Limit) }

func limitErr(limit string, n int, format string, a ...any) error {
	return &LimitError{What: fmt.Sprintf(format, a...), Limit: fmt.Sprintf("sketch.%s (%d)", limit, n)}
}

// CheckSheetSize reports a PNG sheet of rows x cols cells of size pixels that would be larger
// than MaxSheetPixels.
func CheckSheetSize(rows, cols, size int) error {
	rows, cols, size = max(rows, 1), max(cols, 1), max(size, 1)
	if int64(rows)*int64(size)*int64(cols)*int64(size) > MaxSheetPixels {
		return limitErr("MaxSheetPixels", MaxSheetPixels, "a sheet of %d x %d pixels", cols*size, rows*size)
	}
	return nil
}
