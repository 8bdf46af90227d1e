//go:build !linux

package h1

import (
	"io"
	"net"
)

// socketIO returns how to read and write nc: on Linux, raw system calls on its socket
// (rawio_linux.go); elsewhere nc itself.
func socketIO(nc net.Conn) io.ReadWriter { return nc }
