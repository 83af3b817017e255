//go:build unix

package atomicfile

import (
	"os"
	"syscall"
)

// keepOwner gives the file at name the owner and group of old, where the user may; a user who
// is not root can still keep a group they belong to. Errors are ignored: the bytes matter more.
func keepOwner(name string, old os.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if os.Chown(name, int(st.Uid), int(st.Gid)) != nil {
		os.Chown(name, -1, int(st.Gid))
	}
}
