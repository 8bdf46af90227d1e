//go:build !race

package leanhttp

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a TCP connection's socket with raw system calls, through
// syscall.RawConn, so that the runtime's poller still waits for readiness and applies the
// deadlines.
//
// Why: a write on a loopback or LAN socket runs much of the receiver's network stack inline,
// for tens of microseconds. An ordinary system call tells the scheduler the goroutine may block;
// the runtime's monitor then takes the processor away and hands it to another thread, and the
// writer must win one back when it returns. At thousands of requests a second that costs more
// CPU than the write. The socket is non-blocking, so a raw call never blocks: it returns EAGAIN
// and the poller waits, as for any other read or write.
type rawIO struct {
	rc syscall.RawConn
}

// socketIO returns how to read and write nc: raw system calls on its socket where it has one,
// else nc itself.
func socketIO(nc net.Conn) io.ReadWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	return &rawIO{rc: rc}
}

func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false // the poller waits for data, within the read deadline
			}
			n, errno = int(m), e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (r *rawIO) Write(p []byte) (int, error) {
	written := 0
	var errno syscall.Errno
	err := r.rc.Write(func(fd uintptr) bool {
		for written < len(p) {
			m, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[written])), uintptr(len(p)-written))
			switch e {
			case 0:
				written += int(m)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // the socket buffer is full: the poller waits, within the write deadline
			default:
				errno = e
				return true
			}
		}
		return true
	})
	if err == nil && errno != 0 {
		err = errno
	}
	return written, err
}
