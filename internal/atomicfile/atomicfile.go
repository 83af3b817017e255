// Package atomicfile writes files all at once or not at all: into a temporary file beside the
// target, then renamed over it, so a failure never leaves a partial file or clobbers the old one.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes path through write. On any error the temporary file is removed and path is
// left as it was. A file that exists keeps its permission bits (a new one gets 0644) and, as far
// as the user may give them, its owner and group; a symbolic link keeps pointing where it did:
// the file it points to is replaced.
func Write(path string, write func(io.Writer) error) (err error) {
	mode := os.FileMode(0o644)
	var old os.FileInfo // the file replaced, if any
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSymlink != 0 {
			if target, err := filepath.EvalSymlinks(path); err == nil {
				path = target
				fi, _ = os.Stat(path)
			}
		}
		if fi != nil && fi.Mode().IsRegular() {
			mode = fi.Mode().Perm()
			old = fi
		}
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
