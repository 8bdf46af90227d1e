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
// "Connection: close". A conn is used by one goroutine at a time.
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
}

// callTimeout bounds one call; connection deadlines are pushed forward at most once a second.
const callTimeout = 30 * time.Second

// maxResponse bounds a response body; nothing the load tool calls answers more.
const maxResponse = 1 << 20

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
	for attempt := 0; ; attempt++ {
		status, err := c.try(ctx, date, auth, token, body)
		if err == nil {
			return status, c.body.Bytes(), nil
		}
		c.close()
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		if !errors.Is(err, errRetry) || attempt > 0 {
			return 0, nil, err
		}
	}
}

func (c *conn) try(ctx context.Context, date, auth, token string, body []byte) (int, error) {
	if c.c == nil {
		if err := c.dial(ctx); err != nil {
			return 0, err
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
	if now := time.Now(); now.Sub(c.deadline) > time.Second {
		c.c.SetDeadline(now.Add(callTimeout))
		c.deadline = now
	}
	b := append(c.out[:0], c.head...)
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\nX-Amz-Date: "...)
	b = append(b, date...)
	b = append(b, "\r\nAuthorization: "...)
	b = append(b, auth...)
	if token != "" {
		b = append(b, "\r\nX-Amz-Security-Token: "...)
		b = append(b, token...)
	}
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	c.out = b
	reused := c.reused
	if _, err := c.c.Write(b); err != nil {
		if reused {
			return 0, fmt.Errorf("%w: %v", errRetry, err)
		}
		return 0, err
	}
	if reused {
		// A server that closed the idle connection answers the write with EOF or a reset.
		if _, err := c.br.Peek(1); err != nil {
			return 0, fmt.Errorf("%w: %v", errRetry, err)
		}
	}
	status, keep, err := readResponse(c.br, &c.body, maxResponse)
	if err != nil {
		return 0, err
	}
	c.reused = true
	if !keep {
		c.close()
	}
	return status, nil
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
		c.br = bufio.NewReaderSize(nc, 8<<10)
	} else {
		c.br.Reset(nc)
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
	body.Reset()
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, fmt.Errorf("reading the status line: %w", err)
	}
	// "HTTP/1.x NNN reason" or "HTTP/1.x NNN", as net/http reads it: anything but a space
	// after the code (a bare CR, say) makes the code longer than three characters.
	if sl := trimCRLF(line); len(sl) < 12 || string(sl[:7]) != "HTTP/1." || sl[8] != ' ' || (len(sl) > 12 && sl[12] != ' ') {
		return 0, false, fmt.Errorf("malformed status line %q", sl)
	}
	http10 := line[7] == '0'
	if line[7] != '0' && line[7] != '1' {
		return 0, false, fmt.Errorf("unsupported protocol in %q", trimCRLF(line))
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, false, fmt.Errorf("malformed status line %q", trimCRLF(line))
		}
		status = status*10 + int(d-'0')
	}
	if status < 200 {
		return 0, false, fmt.Errorf("unexpected informational status %d", status)
	}
	keepAlive = !http10
	length, chunked := -1, false
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, fmt.Errorf("reading the headers: %w", err)
		}
		line = trimCRLF(line)
		if len(line) == 0 {
			break
		}
		if n >= 100 {
			return 0, false, errors.New("too many response headers")
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			return 0, false, fmt.Errorf("malformed header line %q", line)
		}
		if !validHeaderValue(line[colon+1:]) {
			return 0, false, fmt.Errorf("malformed header line %q", line)
		}
		// Trimmed of what net/http trims, spaces and tabs only: a Content-Length of "5\u00a0"
		// is no length to it.
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			v, err := strconv.ParseUint(string(value), 10, 31)
			if err != nil || (length >= 0 && int(v) != length) {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
			length = int(v)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if http10 {
				break // HTTP/1.0 has no transfer codings; net/http ignores the header too
			}
			if !bytes.EqualFold(value, []byte("chunked")) {
				return 0, false, fmt.Errorf("unsupported Transfer-Encoding %q", value)
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
	switch {
	case status == 204 || status == 304:
		return status, keepAlive, nil
	case chunked:
		// Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
		return status, keepAlive, readChunked(br, body, limit)
	case length >= 0:
		if length > limit {
			return 0, false, fmt.Errorf("response body of %d bytes is over the %d-byte limit", length, limit)
		}
		_, err := io.CopyN(body, br, int64(length))
		return status, keepAlive, err
	default:
		// Delimited by the end of the connection.
		n, err := body.ReadFrom(io.LimitReader(br, int64(limit)+1))
		if err == nil && n > int64(limit) {
			err = fmt.Errorf("response body is over the %d-byte limit", limit)
		}
		return status, false, err
	}
}

func readChunked(br *bufio.Reader, body *bytes.Buffer, limit int) error {
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
		if body.Len()+n > limit {
			return fmt.Errorf("response body is over the %d-byte limit", limit)
		}
		if _, err := io.CopyN(body, br, int64(n)); err != nil {
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
