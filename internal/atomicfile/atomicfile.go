// Package atomicfile writes files all at once or not at all: into a temporary file beside the
// target, then renamed over it, so a failure never leaves a partial file or clobbers the old one.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/latentpalette/palette/internal/regfile"
)

// TargetError reports an output path that cannot be written as a file: a directory, a device
// or another special file (a *regfile.NotRegularError), or a name in a folder that does not exist.
type TargetError struct {
	Path string
	Err  error
}

func (e *TargetError) Error() string { return e.Err.Error() }
func (e *TargetError) Unwrap() error { return e.Err }

// Check reports, with a *TargetError, why Write could not write path: only a regular file (or a
// symbolic link to one) is replaced, and a new file needs a folder to go in.
func Check(path string) error {
	_, _, err := target(path)
	return err
}

// target resolves path to the file Write replaces, and returns that file, or nil for a new one.
func target(path string) (string, os.FileInfo, error) {
	if fi, err := os.Stat(path); err == nil {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
		if err := regfile.Check(path, fi); err != nil {
			return "", nil, &TargetError{Path: path, Err: err}
		}
		return path, fi, nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", nil, &TargetError{Path: path, Err: fmt.Errorf("cannot write %s: the folder %s does not exist", path, dir)}
	}
	return path, nil, nil
}

// Write writes path through write. On any error the temporary file is removed and path is
// left as it was. Only a regular file is replaced: a directory, device or named pipe at path,
// or a folder that does not exist, is a *TargetError and nothing is written. A file that
// exists keeps its permission bits (a new one gets 0644) and, as far as the user may give
// them, its owner and group; a symbolic link keeps pointing where it did: the file it points
// to is replaced.
func Write(path string, write func(io.Writer) error) (err error) {
	path, old, err := target(path)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if old != nil {
		mode = old.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if old != nil {
		keepOwner(f.Name(), old) // best effort: only root may give a file to another user
	}
	if err = os.Chmod(f.Name(), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
