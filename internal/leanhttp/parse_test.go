package leanhttp

import (
	"bufio"
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// checkAgainstNetHTTP fails t when parseHead accepts raw but net/http's server would read it
// differently: the fast path must be a subset of net/http with the same reading.
func checkAgainstNetHTTP(t *testing.T, raw []byte) (accepted bool) {
	t.Helper()
	end := headEnd(raw, 0)
	if end < 0 {
		if end == -2 && !hasBareLF(raw) {
			t.Fatalf("bare LF reported in %q, which has none", raw)
		}
		return false
	}
	// The head is reused, as a connection reuses it: what the previous request left in it
	// must not show.
	names := map[string]string{}
	var h head
	if !parseHead([]byte(sdkHead), names, &h) {
		t.Fatal("sdkHead refused")
	}
	if !parseHead(raw[:end], names, &h) {
		return false
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("fast path accepted what net/http refuses (%v):\n%q", err, raw[:end])
	}
	// net/http's server also requires a Host (ReadRequest refuses two).
	if req.Host == "" {
		t.Fatalf("fast path accepted a request without a Host:\n%q", raw[:end])
	}
	got := map[string]any{"method": h.method, "url": h.url.String(), "path": h.url.Path, "rawPath": h.url.RawPath,
		"query": h.url.RawQuery, "host": h.host, "length": h.length, "close": h.close, "header": h.header, "uri": h.target}
	want := map[string]any{"method": req.Method, "url": req.URL.String(), "path": req.URL.Path, "rawPath": req.URL.RawPath,
		"query": req.URL.RawQuery, "host": req.Host, "length": req.ContentLength, "close": req.Close, "header": req.Header, "uri": req.RequestURI}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path reads %q differently from net/http:\n got  %v\n want %v", raw[:end], got, want)
	}
	return true
}

func hasBareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}

func TestParseHead(t *testing.T) {
	sdk := "POST / HTTP/1.1\r\nHost: 127.0.0.1:8777\r\nUser-Agent: aws-sdk-go-v2/1.36.3\r\nContent-Length: 43\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/sts/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=0123\r\n" +
		"Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: 20261127T120000Z\r\nAccept-Encoding: gzip\r\n\r\n" +
		"Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name string
		raw  string
		fast bool
	}{
		{"aws sdk post", sdk, true},
		{"presigned get", "GET /?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Signature=ab%2Fc HTTP/1.1\r\nHost: sts.local\r\n\r\n", true},
		{"path with escapes", "GET /a%20b/c HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"query without value", "GET /? HTTP/1.1\r\nHost: x\r\n\r\n", true},
		{"lowercase names, repeated header", "POST / HTTP/1.1\r\nhost: x\r\nx-a: 1\r\nX-A: 2\r\ncontent-length: 0\r\n\r\n", true},
		{"value whitespace trimmed", "GET / HTTP/1.1\r\nHost: x\r\nX-A: \t v  \t\r\nX-B:\r\n\r\n", true},
		{"connection close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n", true},
		{"connection keep-alive", "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", true},
		{"obs-text in a value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xc3\xa9\r\n\r\n", true},
		{"ipv6 host", "GET / HTTP/1.1\r\nHost: [::1]:8777\r\n\r\n", true},

		{"head method", "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"put method", "PUT / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"lowercase method", "post / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"http/1.0", "GET / HTTP/1.0\r\nHost: x\r\n\r\n", false},
		{"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false},
		{"absolute form", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"asterisk form", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"no host", "GET / HTTP/1.1\r\n\r\n", false},
		{"two hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", false},
		{"host with a slash", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", false},
		{"chunked body", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"expect continue", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", false},
		{"upgrade", "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", false},
		{"connection list", "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n", false},
		{"signed length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n", false},
		{"two lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", false},
		{"equal lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", false},
		{"huge length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", false},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", false},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", false},
		{"folded line", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", false},
		{"space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n", false},
		{"control in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01\r\n\r\n", false},
		{"no colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n", false},
		{"pragma", "GET / HTTP/1.1\r\nHost: x\r\nPragma: no-cache\r\n\r\n", false},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"extra space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkAgainstNetHTTP(t, []byte(tt.raw)); got != tt.fast {
				t.Errorf("fast path = %v, want %v", got, tt.fast)
			}
		})
	}
}

func TestHeadEndResumes(t *testing.T) {
	raw := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for cut := 0; cut < len(raw); cut++ {
		if end := headEnd(raw[:cut], 0); end >= 0 {
			t.Fatalf("head found in %q", raw[:cut])
		}
		if got := headEnd(raw, cut); got != len(raw) {
			t.Fatalf("resuming at %d: end %d, want %d", cut, got, len(raw))
		}
	}
}

func TestInternedNamesBounded(t *testing.T) {
	names := map[string]string{}
	for i := 0; i < 3*maxInternedNames; i++ {
		raw := "GET / HTTP/1.1\r\nHost: x\r\nX-" + strings.Repeat("a", i+1) + ": v\r\n\r\n"
		var h head
		if !parseHead([]byte(raw), names, &h) {
			t.Fatalf("refused %q", raw)
		}
	}
	if len(names) > maxInternedNames {
		t.Errorf("%d interned names, want ≤ %d", len(names), maxInternedNames)
	}
}

func FuzzParseHead(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nHost: 127.0.0.1:8777\r\nContent-Length: 5\r\nX-Amz-Date: 20261127T120000Z\r\n\r\nhello"))
	f.Add([]byte("GET /?Action=GetCallerIdentity&X-Amz-Signature=ab%2F HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	f.Add([]byte("GET /a%2Fb;c?d#e HTTP/1.1\r\nhost: x\r\nx-a: 1\r\nX-A: 2\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkAgainstNetHTTP(t, raw)
	})
}
