//go:build !unix

package regfile

// nonBlock is 0 where there are no named pipes to wait on.
const nonBlock = 0
