// Package leanhttp serves iamd's API over HTTP/1.1 with as little work per request as the protocol
// allows, and hands every connection it does not serve to a net/http Server.
//
// Why: on the 2-core machines iamd is measured on, net/http's per-request machinery (a
// goroutine and a read for every request to watch for the client going away, a context, a
// parsed header map with an allocation per line, a chunking writer, the header sort) costs
// more CPU than authenticating, authorizing and answering the call. The fast path here reads
// a request head in place, makes one string of it, calls the same http.Handler with an
// ordinary *http.Request, and writes the buffered response with one system call — on Linux a
// raw one, which spares the scheduler a processor hand-off per request (rawio_linux.go).
//
// What a handler must not rely on, unlike with net/http: the *http.Request, its Header map
// and value slices, URL and Body are reused for the connection's next request, so nothing may
// keep them after ServeHTTP returns (strings taken from them stay valid); and the request's
// context ends when the connection does, not when the handler returns or the client goes
// away.
//
// The fast path is a strict subset of HTTP/1.1 (see parseHead): the request forms that AWS
// SDKs and CLIs send. Any request outside it — another method or version, chunked bodies,
// Expect, upgrades, odd header syntax, a head larger than the read buffer, anything net/http
// would refuse — is handed to the fallback net/http Server together with its connection,
// from the first byte of that request, so net/http answers it as it always would.
package leanhttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// readBufferSize is the per-connection read buffer, and so the largest request head the fast
// path serves; larger heads (and bodies) are fine, the head goes to net/http.
const readBufferSize = 8 << 10

// maxDiscard is how much of a body the handler left unread is skipped to keep the
// connection; beyond it the connection is closed, as net/http does.
const maxDiscard = 256 << 10

// Server serves HTTP/1.1 connections with the fallback's Handler and timeouts.
type Server struct {
	fb      *http.Server
	handoff *handoffListener

	mu      sync.Mutex
	ln      net.Listener
	conns   map[*conn]struct{}
	closing atomic.Bool
	fbOnce  sync.Once
	connsWG sync.WaitGroup

	// Lean, when set, says which request targets the fast path may serve; the others go to
	// net/http. The fast path buffers each answer whole, so a handler that streams large
	// bodies (S3's objects) keeps its targets off it. Set it before Serve.
	Lean func(target string) bool
}

// New returns a Server that serves with hs.Handler and hs's ReadHeaderTimeout, ReadTimeout,
// WriteTimeout, IdleTimeout and ErrorLog, and hands the connections it does not serve to hs.
func New(hs *http.Server) *Server {
	return &Server{fb: hs, conns: map[*conn]struct{}{}}
}

// Serve accepts connections on ln until Shutdown or Close; it returns http.ErrServerClosed
// then, like net/http. Connections of every Serve call share one fallback.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.ln = ln
	if s.handoff == nil {
		s.handoff = newHandoffListener(ln.Addr())
	}
	s.mu.Unlock()
	s.fbOnce.Do(func() {
		go s.fb.Serve(s.handoff)
	})
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return http.ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Running out of descriptors or an aborted handshake passes: wait and go on.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logf("leanhttp: accept error: %v; retrying in %v", err, backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		c := s.newConn(nc)
		if c == nil {
			nc.Close()
			continue
		}
		go c.serve()
	}
}

// Shutdown stops accepting, closes idle connections, lets requests in progress finish, then
// shuts the fallback down; like net/http's Shutdown, it returns ctx's error if ctx ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.mu.Unlock()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if s.closeIdle() == 0 {
			break
		}
		select {
		case <-ctx.Done():
			s.fb.Shutdown(ctx)
			return ctx.Err()
		case <-t.C:
		}
	}
	s.connsWG.Wait()
	err := s.fb.Shutdown(ctx)
	if s.handoff != nil {
		s.handoff.Close()
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.nc.Close()
	}
	s.mu.Unlock()
	err := s.fb.Close()
	if s.handoff != nil {
		s.handoff.Close()
	}
	return err
}

// closeIdle closes the connections waiting for a request and returns how many remain.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosed) {
			c.nc.Close()
		}
	}
	return len(s.conns)
}

func (s *Server) logf(format string, args ...any) {
	if s.fb.ErrorLog != nil {
		s.fb.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Connection states: a connection is idle while it waits for a request; Shutdown closes idle
// connections only, and a connection that sees its state turned to closed stops.
const (
	stateActive int32 = iota
	stateIdle
	stateClosed
)

type conn struct {
	s      *Server
	nc     net.Conn
	io     io.ReadWriter // nc's reads and writes (socketIO)
	br     *bufio.Reader
	remote string
	ctx    context.Context
	cancel context.CancelFunc // ends ctx when the connection ends
	state  atomic.Int32
	names  map[string]string // interned header names
	// lastPOST: the last request served was a POST (see serve).
	lastPOST bool

	rdeadline, wdeadline time.Time // the deadlines last set on nc
	now                  time.Time // when the last response was ready, then written (see serve)
	out                  []byte    // the response being written
	w                    response
	date                 dateCache

	// What each request reuses, as the requests of a connection come one after another:
	// the parsed head, the *http.Request and its body. blank is a request with nothing set but
	// the connection's context, copied over req to start each request afresh.
	head  head
	req   http.Request
	blank http.Request
	body  requestBody
}

func (s *Server) newConn(nc net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil
	}
	// The connection's context carries net/http's values and is every request's context (see
	// serveOne); it ends when the connection does.
	ctx := context.WithValue(context.Background(), http.ServerContextKey, s.fb)
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, nc.LocalAddr())
	ctx, cancel := context.WithCancel(ctx)
	c := &conn{s: s, nc: nc, remote: nc.RemoteAddr().String(), ctx: ctx, cancel: cancel,
		names: map[string]string{}}
	c.blank = *new(http.Request).WithContext(ctx)
	c.state.Store(stateActive)
	s.conns[c] = struct{}{}
	s.connsWG.Add(1)
	return c
}

// forget drops c from the server's books; the connection is closed or handed off.
func (c *conn) forget() {
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	c.s.connsWG.Done()
}

// slack is how far a connection deadline may lag behind its exact value: deadlines move at
// most once per slack under steady load instead of twice per request. It is a sixteenth of
// the timeout, at most a second.
func slack(d time.Duration) time.Duration { return min(d/16, time.Second) }

func (c *conn) setReadDeadline(now time.Time, d time.Duration) {
	if d <= 0 {
		if !c.rdeadline.IsZero() {
			c.nc.SetReadDeadline(time.Time{})
			c.rdeadline = time.Time{}
		}
		return
	}
	if t := now.Add(d); t.Sub(c.rdeadline) > slack(d) || t.Before(c.rdeadline) {
		c.nc.SetReadDeadline(t)
		c.rdeadline = t
	}
}

func (c *conn) setWriteDeadline(now time.Time, d time.Duration) {
	if d <= 0 {
		return
	}
	if t := now.Add(d); t.Sub(c.wdeadline) > slack(d) || t.Before(c.wdeadline) {
		c.nc.SetWriteDeadline(t)
		c.wdeadline = t
	}
}

// idleTimeout is how long a kept-alive connection may wait for its next request.
func (c *conn) idleTimeout() time.Duration {
	if t := c.s.fb.IdleTimeout; t > 0 {
		return t
	}
	return c.s.fb.ReadTimeout
}

func (c *conn) headerTimeout() time.Duration {
	if t := c.s.fb.ReadHeaderTimeout; t > 0 {
		return t
	}
	return c.s.fb.ReadTimeout
}

func (c *conn) serve() {
	handedOff := false
	defer func() {
		if !handedOff {
			c.nc.Close()
		}
		c.cancel()
		c.forget()
	}()
	c.io = socketIO(c.nc)
	c.br = bufio.NewReaderSize(c.io, readBufferSize)
	first := true
	// The wait for the next request starts when the last response was written; serveOne
	// reads the clock then, and the deadlines below are measured from it.
	c.now = time.Now()
	for {
		// Wait for the next request: the header timeout bounds the first, the idle timeout
		// the wait for later ones.
		wait := c.idleTimeout()
		if first {
			wait = c.headerTimeout()
		}
		c.setReadDeadline(c.now, wait)
		c.state.Store(stateIdle)
		if c.s.closing.Load() {
			return
		}
		// Like net/http, wait for four bytes of any request after the first (none is shorter),
		// and end the connection silently if they do not come.
		atLeast := 4
		if first {
			atLeast = 1
		}
		if _, err := c.br.Peek(atLeast); err != nil {
			return
		}
		if !c.state.CompareAndSwap(stateIdle, stateActive) {
			return // Shutdown closed it
		}
		if c.lastPOST {
			// As net/http does for old clients that end a POST body with CRLF: up to four
			// CR or LF bytes before the next request are skipped.
			peek, _ := c.br.Peek(min(4, c.br.Buffered()))
			n := 0
			for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
				n++
			}
			c.br.Discard(n)
		}
		h, n := c.readHead(first)
		first = false
		if n < 0 {
			return
		}
		if h == nil {
			handedOff = c.handOff()
			return
		}
		if !c.serveOne(h) {
			return
		}
		if c.s.closing.Load() {
			return
		}
	}
}

// readHead reads a whole request head into the buffer and parses it. It returns the head, or
// nil when the request is for net/http (n ≥ 0), or n < 0 when the connection failed.
func (c *conn) readHead(first bool) (h *head, n int) {
	buf, _ := c.br.Peek(c.br.Buffered())
	end := headEnd(buf, 0)
	if end == -1 {
		// The head arrives in pieces: the header timeout bounds the rest of it.
		if !first {
			c.setReadDeadline(time.Now(), c.headerTimeout())
		}
		for end == -1 {
			if len(buf) == c.br.Size() {
				return nil, 0 // larger than the fast path serves
			}
			scanned := len(buf)
			// Peek blocks until one more byte than buffered has arrived.
			if _, err := c.br.Peek(len(buf) + 1); err != nil {
				// A head cut short by the end of the stream gets net/http's answer (a 400);
				// one cut short by a timeout, its silence.
				if errors.Is(err, bufio.ErrBufferFull) || errors.Is(err, io.EOF) {
					return nil, 0
				}
				return nil, -1
			}
			buf, _ = c.br.Peek(c.br.Buffered())
			end = headEnd(buf, scanned)
		}
	}
	if end < 0 {
		return nil, 0
	}
	if !parseHead(buf[:end], c.names, &c.head) || c.s.Lean != nil && !c.s.Lean(c.head.target) {
		return nil, 0
	}
	return &c.head, end
}

// handOff gives the connection, with the request it could not serve still unread in the
// buffer, to the fallback net/http server. It reports whether net/http took it.
func (c *conn) handOff() bool {
	if c.s.closing.Load() {
		return false
	}
	c.nc.SetDeadline(time.Time{}) // net/http sets its own
	return c.s.handoff.give(&bufferedConn{Conn: c.nc, br: c.br})
}

// serveOne serves the request whose head h is at the front of the buffer; it reports whether
// the connection can carry another request.
func (c *conn) serveOne(h *head) bool {
	c.lastPOST = h.method == http.MethodPost
	c.br.Discard(h.headerSize)
	if int64(c.br.Buffered()) < h.length {
		// The body is still on its way: the read timeout bounds the whole request.
		if t := c.s.fb.ReadTimeout; t > 0 {
			c.rdeadline = time.Now().Add(t)
			c.nc.SetReadDeadline(c.rdeadline)
		}
	}
	body := &c.body
	*body = requestBody{r: io.LimitedReader{R: c.br, N: h.length}}
	// The request's context is the connection's, which ends with the connection. net/http
	// ends a request's context when its handler returns or the client goes away; iamd's
	// handlers start nothing that outlives the call and take microseconds, and a context of
	// each request's own would cost an allocation (and a copy of the request to carry it).
	req := &c.req
	*req = c.blank
	req.Method = h.method
	req.URL = h.url
	req.Proto = "HTTP/1.1"
	req.ProtoMajor, req.ProtoMinor = 1, 1
	req.Header = h.header
	req.Body = http.NoBody
	req.ContentLength = h.length
	req.Close = h.close
	req.Host = h.host
	req.RemoteAddr = c.remote
	req.RequestURI = h.target
	if h.length > 0 {
		req.Body = body
	}
	w := &c.w
	w.reset()
	if !c.call(w, req) {
		return false
	}
	body.closed = true
	keep := !h.close && !c.s.closing.Load()
	broken := false
	if left := body.r.N; left > 0 {
		if left > maxDiscard {
			keep = false
		} else if body.ended {
			// The handler read until the stream ended mid-body: answer, without announcing
			// it, then end the connection — as net/http does.
			broken = true
		} else if _, err := c.br.Discard(int(left)); err != nil {
			keep = false // the unread rest never came: the answer says the connection ends
		}
	}
	c.now = time.Now()
	c.out = w.appendTo(c.out[:0], keep, c.date.get(c.now))
	c.setWriteDeadline(c.now, c.s.fb.WriteTimeout)
	if _, err := c.io.Write(c.out); err != nil {
		return false
	}
	c.now = time.Now() // a client slow to take the response does not shorten its idle wait
	if cap(c.out) > 64<<10 {
		c.out = nil
	}
	return keep && !broken
}

// call runs the handler; a panic closes the connection without a response, as in net/http.
func (c *conn) call(w *response, req *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				c.s.logf("leanhttp: panic serving %s: %v\n%s", c.remote, v, debug.Stack())
			}
			ok = false
		}
	}()
	c.s.fb.Handler.ServeHTTP(w, req)
	return true
}

// requestBody is a request's body, read straight from the connection's buffer.
type requestBody struct {
	r      io.LimitedReader
	closed bool
	ended  bool // the stream ended before the body did
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.r.Read(p)
	if err == io.EOF && b.r.N > 0 {
		b.ended = true
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *requestBody) Close() error {
	b.closed = true
	return nil
}

// response buffers a handler's response, to be written with one system call.
type response struct {
	header http.Header
	status int
	body   []byte
	keys   []string
}

func (w *response) reset() {
	if w.header == nil {
		w.header = make(http.Header, 4)
	}
	clear(w.header)
	w.status = 0
	if cap(w.body) > 64<<10 {
		w.body = nil
	}
	w.body = w.body[:0]
}

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(status int) {
	if w.status != 0 || status < 200 {
		return // informational responses are not sent; the first final status wins
	}
	w.status = status
}

func (w *response) Write(p []byte) (int, error) {
	if err := w.start(); err != nil {
		return 0, err
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *response) WriteString(s string) (int, error) {
	if err := w.start(); err != nil {
		return 0, err
	}
	w.body = append(w.body, s...)
	return len(s), nil
}

// start is the status check of a body write: a write without WriteHeader means 200, and a
// status that has no body refuses one.
func (w *response) start() error {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !bodyAllowed(w.status) {
		return http.ErrBodyNotAllowed
	}
	return nil
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// appendTo appends the response as it goes on the wire: what net/http would send for the
// same handler calls, with a Content-Length (the whole body is known) and a Date.
func (w *response) appendTo(b []byte, keep bool, date []byte) []byte {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	if text := http.StatusText(w.status); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(w.status), 10)
	}
	b = append(b, "\r\n"...)
	if v, ok := w.header["Connection"]; ok && len(v) > 0 && equalFold(v[0], "close") {
		keep = false
	}
	_, hasType := w.header["Content-Type"]
	if !hasType && len(w.body) > 0 {
		w.header["Content-Type"] = []string{http.DetectContentType(w.body)}
	}
	w.keys = w.keys[:0]
	for k := range w.header {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue // decided here, from what is actually sent
		}
		if isToken(k) {
			w.keys = append(w.keys, k)
		}
	}
	slices.Sort(w.keys)
	for _, k := range w.keys {
		for _, v := range w.header[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendHeaderValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	if _, ok := w.header["Date"]; !ok {
		b = append(b, "Date: "...)
		b = append(b, date...)
		b = append(b, "\r\n"...)
	}
	if bodyAllowed(w.status) {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(w.body)), 10)
		b = append(b, "\r\n"...)
	}
	if !keep {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, w.body...)
}

// appendHeaderValue writes v with CR and LF turned to spaces, so a value cannot split the
// response (net/http does the same).
func appendHeaderValue(b []byte, v string) []byte {
	if strings.IndexByte(v, '\r') < 0 && strings.IndexByte(v, '\n') < 0 {
		return append(b, v...) // the usual value: nothing to replace
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// dateCache formats the Date header once a second.
type dateCache struct {
	sec int64
	b   []byte
}

func (d *dateCache) get(now time.Time) []byte {
	if s := now.Unix(); s != d.sec || d.b == nil {
		d.sec = s
		d.b = now.UTC().AppendFormat(d.b[:0], http.TimeFormat)
	}
	return d.b
}

// bufferedConn is a connection whose first bytes are still in br.
type bufferedConn struct {
	net.Conn
	br *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if c.br.Buffered() > 0 {
		return c.br.Read(p)
	}
	return c.Conn.Read(p)
}

// ReadFrom is the connection's own (a TCP connection's splices or sends a file): net/http's
// responses use it for bodies given as readers. Only reads are buffered here.
func (c *bufferedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// handoffListener is the fallback server's listener: it accepts the connections the fast
// path gives it.
type handoffListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *handoffListener) give(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }
