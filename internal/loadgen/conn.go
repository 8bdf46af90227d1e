package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// conn is the load tool's own HTTP/1.1 client connection: one request at a time, kept alive.
// It exists because net/http's client spends about as much CPU per call as the server it
// measures (a hello-world net/http server on this project's 2-core machine answered 16,000
// calls/s to net/http's client and 26,000 to this one), and the load tool shares the machine
// with that server. Each request is one write; the response is read through one buffered
// reader. It understands Content-Length, chunked and close-delimited bodies, and
// "Connection: close". S3 calls (s3.go) use it too: their heads are built per call, large
// request bodies are written from a shared payload in place, and the bodies of successful
// GETs are counted and dropped instead of kept. A conn is used by one goroutine at a time.
type conn struct {
	addr   string      // host:port to dial
	tlsCfg *tls.Config // nil for plain http
	head   []byte      // the request line and the headers every call shares

	c        net.Conn
	br       *bufio.Reader
	reused   bool      // c has carried a response already
	deadline time.Time // when the deadline on c was last pushed forward
	ctx      context.Context
	stopCtx  func() bool
	out      []byte
	body     bytes.Buffer // the last response's body
	scratch  []byte       // the buffer dropped response bodies are read into
}

// callTimeout bounds a silence of the connection: its deadline is pushed forward (at most once a
// second) as bytes move, so a 64 MiB body takes as long as it takes but a stalled server fails
// the call.
const callTimeout = 30 * time.Second

// maxResponse bounds a response body the load tool keeps; nothing it calls answers more, apart
// from S3 GETs, whose successful bodies are counted and dropped.
const maxResponse = 1 << 20

// request is one call on the wire.
type request struct {
	// head is the request line and the headers every such call shares, each line ending in
	// CRLF; Content-Length, X-Amz-Date, Authorization and X-Amz-Security-Token follow it.
	head              []byte
	date, auth, token string
	body              []byte   // the body, written with the head
	stream            *payload // when set, the body instead: written from the shared payload in place
	// discard drops the body of a 2xx answer, counting its bytes, instead of keeping it.
	discard bool
	// noBody says the answer has no body whatever its headers say (a HEAD request's).
	noBody bool
}

// inlineMax is the largest payload written in one piece with the head.
const inlineMax = 64 << 10

func newConn(scheme, host, path string) *conn {
	addr := host
	if _, _, err := net.SplitHostPort(host); err != nil {
		addr = net.JoinHostPort(host, map[string]string{"http": "80", "https": "443"}[scheme])
	}
	c := &conn{addr: addr}
	if scheme == "https" {
		name, _, err := net.SplitHostPort(addr)
		if err != nil {
			name = host
		}
		c.tlsCfg = &tls.Config{ServerName: name, NextProtos: []string{"http/1.1"}}
	}
	c.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: iamd-bench\r\nContent-Type: %s\r\n",
		path, host, formContentType)
	return c
}

// errRetry marks a failure on a reused connection before any byte of a response arrived: the
// server had closed the idle connection, and the call can be made again on a new one.
var errRetry = errors.New("connection closed before the response")

// roundTrip sends one signed form POST and returns the status and the body, valid until the
// next call.
func (c *conn) roundTrip(ctx context.Context, date, auth, token string, body []byte) (int, []byte, error) {
	status, resp, _, err := c.do(ctx, &request{head: c.head, date: date, auth: auth, token: token, body: body})
	return status, resp, err
}

// do sends req and returns the status, the body kept (valid until the next call) and the
// length of the body read, kept or dropped.
func (c *conn) do(ctx context.Context, req *request) (int, []byte, int64, error) {
	for attempt := 0; ; attempt++ {
		status, n, err := c.try(ctx, req)
		if err == nil {
			return status, c.body.Bytes(), n, nil
		}
		c.close()
		if ctx.Err() != nil {
			return 0, nil, 0, ctx.Err()
		}
		if !errors.Is(err, errRetry) || attempt > 0 {
			return 0, nil, 0, err
		}
	}
}

func (c *conn) try(ctx context.Context, req *request) (int, int64, error) {
	if c.c == nil {
		if err := c.dial(ctx); err != nil {
			return 0, 0, err
		}
	}
	if ctx != c.ctx {
		// Cancelling the run's context must cut a call short: it moves the deadline to the past.
		if c.stopCtx != nil {
			c.stopCtx()
		}
		nc := c.c
		c.ctx, c.stopCtx = ctx, context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	}
	length := int64(len(req.body))
	if req.stream != nil {
		length = req.stream.size
	}
	b := append(c.out[:0], req.head...)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, length, 10)
	b = append(b, "\r\nX-Amz-Date: "...)
	b = append(b, req.date...)
	b = append(b, "\r\nAuthorization: "...)
	b = append(b, req.auth...)
	if req.token != "" {
		b = append(b, "\r\nX-Amz-Security-Token: "...)
		b = append(b, req.token...)
	}
	b = append(b, "\r\n\r\n"...)
	b = append(b, req.body...)
	c.out = b
	reused := c.reused
	if _, err := c.write(b); err != nil {
		if reused {
			return 0, 0, fmt.Errorf("%w: %v", errRetry, err)
		}
		return 0, 0, err
	}
	if req.stream != nil {
		if err := req.stream.writeTo(c); err != nil {
			// A server may answer before it has read the whole body (a refused signature) and
			// close: its answer is the call's outcome, if it can still be read.
			c.touch()
			if status, n, rerr := c.read(req); rerr == nil {
				c.close()
				return status, n, nil
			}
			if reused {
				return 0, 0, fmt.Errorf("%w: %v", errRetry, err)
			}
			return 0, 0, err
		}
	}
	if reused {
		// A server that closed the idle connection answers the write with EOF or a reset.
		if _, err := c.br.Peek(1); err != nil {
			return 0, 0, fmt.Errorf("%w: %v", errRetry, err)
		}
	}
	status, n, err := c.read(req)
	if err != nil {
		return 0, 0, err
	}
	c.reused = true
	return status, n, nil
}

// read reads the answer to req, and closes the connection if the answer says so.
func (c *conn) read(req *request) (int, int64, error) {
	var scratch []byte
	if req.discard {
		if c.scratch == nil {
			c.scratch = make([]byte, 256<<10)
		}
		scratch = c.scratch
	}
	status, keep, n, err := readResponseTo(c.br, &c.body, maxResponse, scratch, req.noBody)
	if err != nil {
		return 0, 0, err
	}
	if !keep {
		c.close()
	}
	return status, n, nil
}

// touch pushes the connection's deadline callTimeout ahead, at most once a second, unless the
// call's context has ended (the AfterFunc that set the deadline to the past must win).
func (c *conn) touch() {
	if now := time.Now(); now.Sub(c.deadline) > time.Second {
		c.c.SetDeadline(now.Add(callTimeout))
		c.deadline = now
		if c.ctx != nil && c.ctx.Err() != nil {
			c.c.SetDeadline(time.Unix(1, 0))
		}
	}
}

// write writes b to the connection, pushing its deadline first.
func (c *conn) write(b []byte) (int, error) {
	c.touch()
	return c.c.Write(b)
}

// Write makes a conn the destination of a streamed payload.
func (c *conn) Write(b []byte) (int, error) { return c.write(b) }

// timedReader reads the connection, pushing its deadline first: callTimeout bounds each wait
// for bytes, not a whole body.
type timedReader struct{ c *conn }

func (t timedReader) Read(p []byte) (int, error) {
	t.c.touch()
	return t.c.c.Read(p)
}

func (c *conn) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	if c.tlsCfg != nil {
		tc := tls.Client(nc, c.tlsCfg)
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			nc.Close()
			return err
		}
		nc = tc
	}
	if c.br == nil {
		c.br = bufio.NewReaderSize(timedReader{c}, 8<<10)
	} else {
		c.br.Reset(timedReader{c})
	}
	c.c, c.reused, c.deadline = nc, false, time.Time{}
	return nil
}

func (c *conn) close() {
	if c.stopCtx != nil {
		c.stopCtx()
		c.stopCtx, c.ctx = nil, nil
	}
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// readResponse reads one HTTP/1.1 response from br into body (reset first, at most limit
// bytes) and reports its status and whether the connection may carry another request. It
// is strict where being lenient could desynchronise the connection: a malformed status line,
// header, length or chunk is an error, and the caller drops the connection.
func readResponse(br *bufio.Reader, body *bytes.Buffer, limit int) (status int, keepAlive bool, err error) {
	status, keepAlive, _, err = readResponseTo(br, body, limit, nil, false)
	return status, keepAlive, err
}

// bodySink receives a response body: kept in buf (at most limit bytes), or, when scratch is
// set, read through scratch and dropped, of any length.
type bodySink struct {
	buf     *bytes.Buffer
	limit   int64
	scratch []byte
	n       int64
}

// copyN moves n bytes of body from br to the sink.
func (s *bodySink) copyN(br *bufio.Reader, n int64) error {
	if s.scratch == nil {
		if s.n+n > s.limit {
			return fmt.Errorf("response body is over the %d-byte limit", s.limit)
		}
		m, err := io.CopyN(s.buf, br, n)
		s.n += m
		return err
	}
	for n > 0 {
		// A read as large as scratch bypasses br's buffer once it is empty.
		m, err := io.ReadFull(br, s.scratch[:min(n, int64(len(s.scratch)))])
		s.n += int64(m)
		n -= int64(m)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// copyAll moves the rest of the stream, a body delimited by the end of the connection.
func (s *bodySink) copyAll(br *bufio.Reader) error {
	if s.scratch == nil {
		m, err := s.buf.ReadFrom(io.LimitReader(br, s.limit+1))
		s.n += m
		if err == nil && s.n > s.limit {
			err = fmt.Errorf("response body is over the %d-byte limit", s.limit)
		}
		return err
	}
	for {
		m, err := br.Read(s.scratch)
		s.n += int64(m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readResponseTo is readResponse that can drop a body instead of keeping it: with scratch set,
// the body of a 2xx answer is read through scratch, whatever its length, and only counted (an
// error's body is kept, for its code). With noBody (the answer to a HEAD), there is no body to
// read whatever the headers say. It also returns the length of the body read.
func readResponseTo(br *bufio.Reader, body *bytes.Buffer, limit int, scratch []byte, noBody bool) (status int, keepAlive bool, n int64, err error) {
	body.Reset()
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, 0, fmt.Errorf("reading the status line: %w", err)
	}
	// "HTTP/1.x NNN reason" or "HTTP/1.x NNN", as net/http reads it: anything but a space
	// after the code (a bare CR, say) makes the code longer than three characters.
	if sl := trimCRLF(line); len(sl) < 12 || string(sl[:7]) != "HTTP/1." || sl[8] != ' ' || (len(sl) > 12 && sl[12] != ' ') {
		return 0, false, 0, fmt.Errorf("malformed status line %q", sl)
	}
	http10 := line[7] == '0'
	if line[7] != '0' && line[7] != '1' {
		return 0, false, 0, fmt.Errorf("unsupported protocol in %q", trimCRLF(line))
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, false, 0, fmt.Errorf("malformed status line %q", trimCRLF(line))
		}
		status = status*10 + int(d-'0')
	}
	if status < 200 {
		return 0, false, 0, fmt.Errorf("unexpected informational status %d", status)
	}
	keepAlive = !http10
	length, chunked := int64(-1), false
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, 0, fmt.Errorf("reading the headers: %w", err)
		}
		line = trimCRLF(line)
		if len(line) == 0 {
			break
		}
		if n >= 100 {
			return 0, false, 0, errors.New("too many response headers")
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return 0, false, 0, fmt.Errorf("malformed header line %q", line)
		}
		if !validHeaderValue(line[colon+1:]) {
			return 0, false, 0, fmt.Errorf("malformed header line %q", line)
		}
		// Trimmed of what net/http trims, spaces and tabs only: a Content-Length of "5\u00a0"
		// is no length to it.
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			v, err := strconv.ParseUint(string(value), 10, 63)
			if err != nil || (length >= 0 && int64(v) != length) {
				return 0, false, 0, fmt.Errorf("bad Content-Length %q", value)
			}
			length = int64(v)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if http10 {
				break // HTTP/1.0 has no transfer codings; net/http ignores the header too
			}
			if !bytes.EqualFold(value, []byte("chunked")) {
				return 0, false, 0, fmt.Errorf("unsupported Transfer-Encoding %q", value)
			}
			chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				keepAlive = false
			case bytes.EqualFold(value, []byte("keep-alive")):
				keepAlive = true
			}
		}
	}
	sink := bodySink{buf: body, limit: int64(limit)}
	if scratch != nil && status/100 == 2 {
		sink.scratch = scratch
	}
	switch {
	case noBody || status == 204 || status == 304:
		return status, keepAlive, 0, nil
	case chunked:
		// Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
		err := readChunked(br, &sink)
		return status, keepAlive, sink.n, err
	case length >= 0:
		if sink.scratch == nil && length > int64(limit) {
			return 0, false, 0, fmt.Errorf("response body of %d bytes is over the %d-byte limit", length, limit)
		}
		err := sink.copyN(br, length)
		return status, keepAlive, sink.n, err
	default:
		// Delimited by the end of the connection.
		err := sink.copyAll(br)
		return status, false, sink.n, err
	}
}

func readChunked(br *bufio.Reader, sink *bodySink) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("reading a chunk size: %w", err)
		}
		// Chunk lines end in CRLF, with no other CR: unlike header lines, not in a bare LF
		// (RFC 9112 erratum 7633), which net/http refuses.
		if len(line) < 2 || bytes.IndexByte(line, '\r') != len(line)-2 {
			return fmt.Errorf("chunk size line %q does not end in CRLF", line)
		}
		size := bytes.TrimRight(line[:len(line)-2], " \t")
		if i := bytes.IndexByte(size, ';'); i >= 0 {
			size = size[:i] // chunk extensions carry nothing the load tool needs
		}
		n, err := parseChunkSize(size)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if err := sink.copyN(br, int64(n)); err != nil {
			return err
		}
		if crlf, err := br.Peek(2); err != nil || string(crlf) != "\r\n" {
			return errors.New("chunk not followed by CRLF")
		}
		br.Discard(2)
	}
	// The trailers, ignored: none is a CRLF straight away, as net/http wants it; else header
	// lines up to an empty one.
	if p, _ := br.Peek(2); string(p) == "\r\n" {
		br.Discard(2)
		return nil
	} else if len(p) < 2 {
		return errors.New("response ends in its trailers")
	}
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("reading the trailers: %w", err)
		}
		line = trimCRLF(line)
		if len(line) == 0 {
			return nil
		}
		if colon := bytes.IndexByte(line, ':'); colon <= 0 || !isToken(line[:colon]) || !validHeaderValue(line[colon+1:]) {
			return fmt.Errorf("malformed trailer line %q", line)
		}
		if n >= 100 {
			return errors.New("too many trailers")
		}
	}
}

// parseChunkSize reads a chunk size as net/http does: hexadecimal digits only, no sign, space
// or prefix; at most the 31 bits a body held in memory can need.
func parseChunkSize(v []byte) (int, error) {
	if len(v) == 0 || len(v) > 8 {
		return 0, fmt.Errorf("bad chunk size %q", v)
	}
	n := 0
	for _, c := range v {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, fmt.Errorf("bad chunk size %q", v)
		}
		n = n<<4 | int(c)
	}
	if n > 1<<31-1 {
		return 0, fmt.Errorf("bad chunk size %q", v)
	}
	return n, nil
}

// isToken reports whether b is an RFC 9110 token, as header names are.
func isToken(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return len(b) > 0
}

// validHeaderValue reports whether v holds only the bytes RFC 9110 allows in a field value
// (visible ASCII, space, tab, and bytes from 0x80), which net/http checks.
func validHeaderValue(v []byte) bool {
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func trimCRLF(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
