package upstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// GETs of a plain-HTTP backend are sent on connections of the backend's own (rawConns), not
// through the transport, so that the body can go from the backend's socket to the client's
// without passing through iamd: net/http's client reads a body through its own buffer, which
// leaves a copy into iamd and a copy out for every byte. With client, iamd and backend sharing
// the CPUs, those two copies cost a large object GET half its throughput. Here, once the
// response's headers are read, the body is handed to the client's writer as a reader of the
// backend's socket; net/http's response passes that on to the client's socket's ReadFrom,
// which on Linux moves the bytes with splice(2). A client over TLS, or a writer without
// ReadFrom, gets the same bytes copied.

// spliceStep is how much one ReadFrom moves: the front's writer extends the connection's
// deadlines between steps, so a long transfer that keeps moving is not cut.
const spliceStep = 8 << 20

// maxIdleRaw bounds the idle connections kept for raw GETs.
const maxIdleRaw = 64

// rawIdleTimeout is how long an idle connection is kept: less than the idle timeouts of
// common servers, so a kept connection is rarely one the backend has closed (and a GET that
// meets one is sent again on a new connection).
const rawIdleTimeout = 30 * time.Second

type rawConn struct {
	net.Conn
	br    *bufio.Reader
	since time.Time // when it went idle
}

// rawConns is the pool of connections raw GETs use.
type rawConns struct {
	mu     sync.Mutex
	idle   []*rawConn
	dialer net.Dialer
	addr   string
	// headerTimeout and dataTimeout bound the wait for the response's headers (Config's
	// ResponseHeaderTimeout and DataResponseHeaderTimeout).
	headerTimeout, dataTimeout time.Duration
}

func (p *rawConns) get() *rawConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if now.Sub(c.since) < rawIdleTimeout {
			return c
		}
		c.Close()
	}
	return nil
}

func (p *rawConns) put(c *rawConn) {
	c.since = time.Now()
	p.mu.Lock()
	if len(p.idle) < maxIdleRaw {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (p *rawConns) dial(ctx context.Context) (*rawConn, error) {
	c, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c, br: bufio.NewReaderSize(c, 16<<10)}, nil
}

// roundTrip sends the bodiless request out and reads its response's headers. The caller owns
// the connection afterwards: release returns it to the pool or closes it.
func (p *rawConns) roundTrip(ctx context.Context, out *http.Request, timeout time.Duration) (*http.Response, *rawConn, error) {
	if c := p.get(); c != nil {
		resp, err := p.exchange(ctx, c, out, timeout)
		if err == nil {
			return resp, c, nil
		}
		c.Close()
		var ne net.Error
		if ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout() {
			return nil, nil, err // the client left, or the backend is slow: not a closed connection
		}
		// A kept connection the backend closed meanwhile: a GET may be sent again.
	}
	c, err := p.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	resp, err := p.exchange(ctx, c, out, timeout)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return resp, c, nil
}

func (p *rawConns) exchange(ctx context.Context, c *rawConn, out *http.Request, timeout time.Duration) (*http.Response, error) {
	c.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := out.Write(c); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(c.br, out)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c.SetDeadline(time.Time{})
	return resp, nil
}

// relay sends resp's body, of resp.ContentLength bytes read from c, to w: the bytes c has
// buffered first, then the rest straight from the socket. The connection goes back to the
// pool when the body is through and the backend keeps it open. A body that breaks off aborts
// the client's connection, as stream does.
func (p *rawConns) relay(ctx context.Context, w http.ResponseWriter, resp *http.Response, c *rawConn) {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	left := resp.ContentLength
	if n := min(int64(c.br.Buffered()), left); n > 0 {
		b, _ := c.br.Peek(int(n))
		if _, err := w.Write(b); err != nil {
			stop()
			c.Close()
			return
		}
		c.br.Discard(int(n))
		left -= n
	}
	copyTo := io.Copy
	if rf, ok := w.(io.ReaderFrom); ok {
		copyTo = func(_ io.Writer, src io.Reader) (int64, error) { return rf.ReadFrom(src) }
	}
	for left > 0 {
		n, err := copyTo(w, &io.LimitedReader{R: c.Conn, N: min(left, spliceStep)})
		left -= n
		if err != nil || n == 0 {
			// The backend's body broke off, or the client went away (ReadFrom does not say
			// which side failed): either way the client must not take what it has for the
			// whole object.
			stop()
			c.Close()
			if ctx.Err() != nil {
				return
			}
			panic(http.ErrAbortHandler)
		}
	}
	if !stop() {
		c.Close() // the deadline may have been moved: do not keep the connection
		return
	}
	if resp.Close || c.br.Buffered() > 0 {
		c.Close()
		return
	}
	p.put(c)
}
