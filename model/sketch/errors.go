package sketch

import (
	"fmt"
	"strings"
)

// FormatError reports input that is not a valid drawing file (like png.FormatError).
type FormatError string

func (e FormatError) Error() string { return "sketch: invalid format: " + string(e) }

// UnsafePickleError reports a pickle that asks for a Python global other than the NumPy array
// machinery; such files are refused before anything in them is interpreted further.
type UnsafePickleError struct {
	Module, Name string
}

func (e *UnsafePickleError) Error() string {
	return fmt.Sprintf("sketch: refusing pickle global %s.%s: only NumPy arrays are allowed (the file may be hostile)", e.Module, e.Name)
}

// LineError is one malformed line of an NDJSON file.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// LineErrors lists the malformed lines of an NDJSON file whose other lines were read.
type LineErrors []*LineError

func (e LineErrors) Error() string {
	const shown = 3
	var b strings.Builder
	fmt.Fprintf(&b, "sketch: %d malformed line(s): ", len(e))
	for i, le := range e {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more", len(e)-shown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(le.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As look at each line's error.
func (e LineErrors) Unwrap() []error {
	errs := make([]error, len(e))
	for i, le := range e {
		errs[i] = le
	}
	return errs
}
