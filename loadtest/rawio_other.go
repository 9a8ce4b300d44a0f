//go:build !linux

package loadtest

import (
	"io"
	"net"
)

// newRawIO returns conn: raw reads and writes (rawio_linux.go) are for Linux only.
func newRawIO(conn net.Conn) io.ReadWriter { return conn }
