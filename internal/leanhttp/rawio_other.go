//go:build !linux || race

package leanhttp

import (
	"io"
	"net"
)

// socketIO returns how to read and write nc: on Linux, raw system calls on its socket
// (rawio_linux.go); elsewhere, and under the race detector, nc itself. The standard calls tell
// the race detector that a write to a socket happens before the read that receives it; raw
// calls do not, so a test that waits for a response before reading what the handler wrote
// would be reported as a race.
func socketIO(nc net.Conn) io.ReadWriter { return nc }
