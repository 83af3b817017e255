// Package regfile opens the files a user names only when they are regular files: a named pipe
// would block the reader, a device would feed it without end or be replaced by a writer.
package regfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError reports a path that names something other than a regular file.
type NotRegularError struct {
	Path string
	Kind string // "directory", "named pipe", "device", "socket" or "special file"
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is a %s, not a file", e.Path, e.Kind)
}

// Kind names what a file mode stands for, in the words of NotRegularError; "" for a regular file.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}

// Check returns a *NotRegularError unless fi, the file at path, is a regular file.
func Check(path string, fi fs.FileInfo) error {
	if k := Kind(fi.Mode()); k != "" {
		return &NotRegularError{Path: path, Kind: k}
	}
	return nil
}

// Open opens path for reading if it is a regular file (following symbolic links). It looks
// before it opens, so that a device is never opened, and opens without blocking, so that a pipe
// put in the file's place in between cannot hang the caller; the opened file is checked again.
func Open(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := Check(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err == nil {
		err = Check(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the regular file at path, refusing one larger than limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, err
}
