package sketch

import (
	"fmt"
	"strings"

	"github.com/latentpalette/palette/internal/regfile"
)

// DefaultSplit is the array Load reads from an .npz when the path names none: the split for
// reporting numbers. Tune on "valid" by naming it (FILE.npz:valid).
const DefaultSplit = "test"

// Load reads the drawings of a file for the command line: FILE.ndjson (Quick, Draw! NDJSON),
// FILE.npz or FILE.npz:SPLIT (a sketch-rnn array; SPLIT is train, valid or test, DefaultSplit
// if absent), or FILE.npy. For NDJSON with malformed lines it returns the good drawings and a
// LineErrors error; callers that want all or nothing treat any error as failure. A path that
// is not a regular file (a directory, device or pipe) is a *regfile.NotRegularError.
func Load(path string) ([]Drawing, error) {
	name, split := path, ""
	if i := strings.LastIndex(path, ":"); i >= 0 && strings.HasSuffix(strings.ToLower(path[:i]), ".npz") {
		name, split = path[:i], path[i+1:]
	}
	f, err := regfile.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".npz"):
		if split == "" {
			split = DefaultSplit
		}
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		ds, err := ReadNPZSplit(f, st.Size(), split)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return ds, nil
	case strings.HasSuffix(lower, ".npy"):
		ds, err := ReadNPY(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return ds, nil
	case strings.HasSuffix(lower, ".ndjson"), strings.HasSuffix(lower, ".jsonl"):
		items, err := ReadNDJSON(f)
		if err != nil {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return Drawings(items), err
	}
	return nil, fmt.Errorf("%s: unknown drawing file type: use .ndjson, .npz[:split] or .npy", name)
}
