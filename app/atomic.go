package main

import (
	"io"
	"os"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/internal/regfile"
)

// Every command reads and writes the files a user names through these: inputs must be regular
// files, and an output replaces only a regular file or makes a new one in an existing folder.

// writeFileAtomic writes path through write, all at once or not at all (see atomicfile.Write).
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, write)
}

// checkOutput refuses, before any work is done, an output path that writeFileAtomic would refuse
// (exitStatus makes it status 2).
func checkOutput(path string) error { return atomicfile.Check(path) }

// openInput opens a file the user named; a missing file, or a directory, device or pipe, is a
// usage error.
func openInput(path string) (*os.File, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, usageError{err}
	}
	return f, nil
}
