package upstream

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
)

// errClosed is what a bodyReader reads once its handler has returned.
var errClosed = errors.New("upstream: request body read after the handler returned")

// errTooLong is a body longer than its Content-Length.
var errTooLong = errors.New("upstream: request body longer than its Content-Length")

// bodyReader is the client's body on its way to the backend. The front checks the body while
// it streams and may fail it at any point, even instead of ending it (a trailing checksum, the
// last chunk's signature), so with a known length the last byte is held back until src has
// ended: until then the backend has an incomplete request, which it stores nothing of. A
// failure cancels the upstream request, which closes its connection.
type bodyReader struct {
	src   io.Reader
	left  int64 // bytes of src still to deliver; -1: unknown length
	abort func(error)

	held    byte // the last byte, held back while holding
	holding bool

	done   atomic.Bool // src ended, and its every byte was delivered
	closed atomic.Bool
	mu     sync.Mutex
	err    error // src's failure
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.left < 0 {
		n, err := b.src.Read(p)
		if err == io.EOF {
			b.done.Store(true)
		} else if err != nil {
			return n, b.fail(err)
		}
		return n, err
	}
	if b.holding {
		return b.release(p)
	}
	if b.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.src.Read(p)
	b.left -= int64(n)
	if b.left > 0 {
		switch {
		case err == io.EOF:
			return n, b.fail(io.ErrUnexpectedEOF)
		case err != nil:
			return n, b.fail(err)
		}
		return n, nil
	}
	// All bytes are in: src must end now, before the last of them goes on.
	switch {
	case err == io.EOF:
		b.done.Store(true)
		return n, io.EOF
	case err != nil:
		return n - 1, b.fail(err)
	}
	b.held, b.holding = p[n-1], true
	if n > 1 {
		return n - 1, nil
	}
	return b.release(p)
}

// release waits for src's end and then delivers the held byte.
func (b *bodyReader) release(p []byte) (int, error) {
	var one [1]byte
	for range 100 {
		n, err := b.src.Read(one[:])
		if n > 0 {
			return 0, b.fail(errTooLong)
		}
		if err == io.EOF {
			b.holding = false
			b.done.Store(true)
			p[0] = b.held
			return 1, io.EOF
		}
		if err != nil {
			return 0, b.fail(err)
		}
	}
	return 0, b.fail(io.ErrNoProgress)
}

// fail records src's failure and aborts the upstream request.
func (b *bodyReader) fail(err error) error {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	b.abort(err)
	return err
}

// failure is the body's failure, if it had one.
func (b *bodyReader) failure() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Close stops further reads; the client's body belongs to the front, which closes it.
func (b *bodyReader) Close() error {
	b.closed.Store(true)
	return nil
}

// upload is one forwarded request's means of aborting.
type upload struct {
	cancel context.CancelCauseFunc
	body   *bodyReader // nil without a body
	mu     sync.Mutex
	conn   net.Conn
}

func (u *upload) gotConn(info httptrace.GotConnInfo) {
	u.mu.Lock()
	u.conn = info.Conn
	u.mu.Unlock()
}

// abort ends the upstream request. While its body is not through, the connection is reset
// first (SO_LINGER 0: a TCP RST, not a FIN), before the transport closes it: a backend reading
// the body then sees an error, not an end, and cannot take the bytes it has for a whole
// (versitygw's posix backend, reading a streamed body, would store them).
func (u *upload) abort(cause error) {
	if u.body != nil && !u.body.done.Load() {
		u.mu.Lock()
		c := u.conn
		u.mu.Unlock()
		resetOnClose(c)
	}
	u.cancel(cause)
}

// resetOnClose makes c's close a TCP reset.
func resetOnClose(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
}
