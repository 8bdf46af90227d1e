package upstream

import (
	"context"
	"errors"
	"io"
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
	src    io.Reader
	left   int64 // bytes of src still to deliver; -1: unknown length
	cancel context.CancelCauseFunc

	held    byte // the last byte, held back while holding
	holding bool

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
		if err != nil && err != io.EOF {
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
	b.cancel(err)
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
