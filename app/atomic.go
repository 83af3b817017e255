package main

import (
	"io"

	"github.com/latentpalette/palette/internal/atomicfile"
)

// writeFileAtomic writes path through write, all at once or not at all (see atomicfile.Write).
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, write)
}
