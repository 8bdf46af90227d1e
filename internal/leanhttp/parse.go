package leanhttp

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// head is a request head the fast path accepted. Its strings are backed by one copy of the
// head's bytes, so a request costs one allocation for all of them however many headers it has.
// A connection reuses one head, with its header map and value slices, for all its requests.
type head struct {
	method     string
	target     string
	url        *url.URL
	header     http.Header
	host       string
	length     int64 // Content-Length; 0 when absent
	close      bool  // "Connection: close"
	headerSize int   // bytes of the head, through the blank line

	// Backing for url and the header's values, so the common request allocates neither.
	u    url.URL
	vals [12]string

	// The canonical names of the header lines by position, as the last request had them and
	// as far as this one has come: clients send the same headers in the same order, and
	// comparing with the name at the same position is cheaper than a map lookup.
	seen [16]seenName
}

type seenName struct{ raw, name string }

// maxReusedHeaders bounds the header map a connection keeps between requests: clearing a
// map costs as much as its largest size, so one request with many headers does not tax the
// rest.
const maxReusedHeaders = 32

// headEnd returns the length of the request head at the start of b, through its blank line
// ("\r\n\r\n"), or -1 when b does not hold a whole head yet. from is how much of b an
// earlier call already scanned, so a head arriving in pieces is scanned once. It returns -2 at
// the first bare LF: net/http reads those, so the request is not the fast path's.
func headEnd(b []byte, from int) int {
	i := min(from, len(b))
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j
		if i == 0 || b[i-1] != '\r' {
			return -2
		}
		if i >= 3 && b[i-2] == '\n' && b[i-3] == '\r' {
			return i + 1
		}
		i++
	}
}

// fastMethods are the methods the fast path serves; every other goes to net/http.
var fastMethods = map[string]string{"GET": "GET", "POST": "POST"}

// parseHead parses the request head b (as delimited by headEnd) when it is in the fast
// path's subset of HTTP/1.1, and reports false otherwise — for anything net/http would treat
// differently from the plain reading below, including everything it would refuse, so the
// caller can hand the connection to net/http from the first byte of this request. names
// interns canonical header names across the requests of a connection. The head is parsed into
// h, whose header map is cleared and reused; h is unspecified when parseHead reports false.
//
// The subset: a GET or POST in origin form with HTTP/1.1; CRLF line ends; header names that
// are tokens, values without control characters, no line folding; exactly one Host, of plain
// host characters; one Content-Length, digits only; no Transfer-Encoding,
// Expect, Upgrade or Pragma; Connection only "close" or "keep-alive".
func parseHead(b []byte, names map[string]string, h *head) bool {
	if !noControls(b) {
		return false
	}
	s := string(b) // the one copy every string of the request points into
	line, rest, ok := cutLine(s)
	if !ok {
		return false
	}
	sp1 := strings.IndexByte(line, ' ')
	if sp1 < 0 {
		return false
	}
	method, ok := fastMethods[line[:sp1]]
	if !ok {
		return false
	}
	line = line[sp1+1:]
	sp2 := strings.IndexByte(line, ' ')
	if sp2 <= 0 || line[sp2+1:] != "HTTP/1.1" {
		return false
	}
	hdr := h.header
	if len(hdr) > maxReusedHeaders {
		hdr = nil
	}
	// Field by field rather than *h = head{…}: the value backing needs no clearing (only the
	// first len(values) are read) and seen is kept.
	h.method, h.target, h.url, h.host, h.length, h.close, h.headerSize = method, line[:sp2], nil, "", 0, false, len(b)
	if h.target[0] != '/' || !plainTarget(h.target) {
		return false
	}
	if h.target == "/" {
		h.u = url.URL{Path: "/"}
		h.url = &h.u
	} else {
		u, err := url.ParseRequestURI(h.target)
		if err != nil {
			return false
		}
		h.url = u
	}
	if hdr == nil {
		// Counted first so the map and the value slices are allocated once, at size.
		hdr = make(http.Header, strings.Count(rest, "\n"))
	} else {
		clear(hdr)
	}
	h.header = hdr
	values := h.vals[:0]
	hosts := 0
	for i := 0; ; i++ {
		line, rest, ok = cutLine(rest)
		if !ok {
			return false
		}
		if line == "" {
			break
		}
		colon := strings.IndexByte(line, ':')
		if colon <= 0 {
			return false
		}
		value := trimOWS(line[colon+1:])
		raw := line[:colon]
		var name string
		if i < len(h.seen) && h.seen[i].raw == raw {
			name = h.seen[i].name
		} else {
			name, ok = names[raw] // interned names were checked when first seen
			if !ok {
				if !isToken(raw) {
					return false
				}
				name = textproto.CanonicalMIMEHeaderKey(raw)
				if len(names) < maxInternedNames {
					names[raw] = name
				}
			}
			if i < len(h.seen) {
				h.seen[i] = seenName{raw, name}
			}
		}
		switch name {
		case "Transfer-Encoding", "Expect", "Upgrade", "Pragma", "Te", "Trailer":
			return false
		case "Host":
			hosts++
			if hosts > 1 || !plainHost(value) {
				return false
			}
			h.host = value
			continue // net/http keeps the Host in Request.Host, not in the header map
		case "Content-Length":
			// net/http folds equal duplicates into one; they are rare enough to leave to it.
			l, ok := parseLength(value)
			if !ok || h.header[name] != nil {
				return false
			}
			h.length = l
		case "Connection":
			switch {
			case equalFold(value, "close"):
				h.close = true
			case equalFold(value, "keep-alive"):
			default:
				return false
			}
		}
		if h.repeated(i, name) {
			h.header[name] = append(h.header[name], value)
			continue
		}
		values = append(values, value)
		h.header[name] = values[len(values)-1 : len(values) : len(values)]
	}
	return hosts == 1
}

// repeated reports whether the header line at position i repeats a name of an earlier line.
// Names are interned, so equal ones usually share their bytes and compare at once.
func (h *head) repeated(i int, name string) bool {
	if i >= len(h.seen) {
		_, dup := h.header[name]
		return dup
	}
	for j := range i {
		if h.seen[j].name == name {
			return true
		}
	}
	return false
}

// maxInternedNames bounds a connection's interned header names, so a client sending ever new
// names cannot grow it.
const maxInternedNames = 64

// cutLine splits s after its first CRLF; a bare LF (which net/http also accepts, with
// differences at the edges) takes the request off the fast path.
func cutLine(s string) (line, rest string, ok bool) {
	i := strings.IndexByte(s, '\n')
	if i < 1 || s[i-1] != '\r' {
		return "", "", false
	}
	line = s[:i-1]
	if strings.IndexByte(line, '\r') >= 0 {
		return "", "", false
	}
	return line, s[i+1:], true
}

// tokenChars are RFC 9110's tchar.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return s != ""
}

// noControls reports whether b is free of the control characters net/http's server refuses
// in a head (all but horizontal tab; CR and LF are checked where lines end). It tests eight
// bytes at a time, as it runs over every head.
func noControls(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// A byte below 0x20, or equal to 0x7f, sets its high bit in one of these.
		low := (x - 0x20*ones) &^ x & highs
		del := ((x ^ 0x7f*ones) - ones) &^ (x ^ 0x7f*ones) & highs
		if low|del != 0 && !allowedControls(b[i:i+8]) {
			return false
		}
	}
	return allowedControls(b[i:])
}

func allowedControls(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// plainTarget admits the request-target characters that need no judgement: visible ASCII.
func plainTarget(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// plainHost admits a reg-name or IPv4/IPv6 literal with a port: the Host values clients send.
func plainHost(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_') {
			return false
		}
	}
	return true
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// parseLength reads a Content-Length of up to 18 digits; anything else is left to net/http.
func parseLength(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// equalFold reports whether s is lower in ASCII letters of any case. Not strings.EqualFold: it
// also folds non-ASCII letters ("cloſe" would be "close"), and HTTP's tokens are ASCII-only,
// as net/http compares them.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
