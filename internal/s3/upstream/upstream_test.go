package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/sigv4"
)

const (
	testAK = "AKIAIAMDUPSTREAMTEST"
	testSK = "upstream/test/secret/key/0123456789abcdef"
)

// verifier checks the backend's view of a forwarded request with iamd's own SigV4 verifier.
var verifier = &sigv4.Verifier{
	Services: []string{"s3"},
	Secret: func(_ context.Context, c sigv4.Credential) (string, error) {
		if c.AccessKeyID != testAK {
			return "", errors.New("unknown key")
		}
		return testSK, nil
	},
}

func newBackend(t testing.TB, url string, mod func(*Config)) *Backend {
	t.Helper()
	cfg := Config{URL: url, AccessKeyID: testAK, SecretAccessKey: testSK}
	if mod != nil {
		mod(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seen is what a fake backend received.
type seen struct {
	requestURI string
	header     http.Header
	host       string
	length     int64
	te         []string
	body       []byte
	bodyErr    error
	verifyErr  error
}

func TestForwardedRequest(t *testing.T) {
	got := make(chan seen, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s seen
		s.verifyErr = verifier.VerifyS3(r.Context(), r, &sigv4.S3Result{})
		s.requestURI, s.header, s.host, s.length, s.te = r.RequestURI, r.Header.Clone(), r.Host, r.ContentLength, r.TransferEncoding
		s.body, s.bodyErr = io.ReadAll(r.Body)
		got <- s
		h := w.Header()
		h.Set("ETag", `"abc"`)
		h.Set("X-Amz-Request-Id", "BACKENDREQ")
		h.Set("X-Amz-Id-2", "BACKENDHOST")
		h.Set("X-Amz-Version-Id", "v1")
		h.Set("Connection", "X-Private")
		h.Set("X-Private", "secret")
		h.Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "ok")
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)

	const path = "/bkt/a%20b/c+d(e)~f%2Fg%C3%A9!$'*,;=:@%3F"
	const query = "uploads&prefix=a%2Bb+c&X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&x-id=PutObject"
	r := httptest.NewRequest(http.MethodPut, path+"?"+query, strings.NewReader("hello"))
	for k, v := range map[string]string{
		"Authorization":                "AWS4-HMAC-SHA256 Credential=CLIENT/...",
		"X-Amz-Date":                   "20200101T000000Z",
		"X-Amz-Security-Token":         "client-token",
		"X-Amz-Content-Sha256":         "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
		"X-Amz-Decoded-Content-Length": "5",
		"X-Amz-Trailer":                "x-amz-checksum-crc32",
		"X-Amz-Sdk-Checksum-Algorithm": "CRC32",
		"X-Amz-Checksum-Crc32":         "NhCmhg==",
		"X-Amz-Meta-Color":             "blue  and  green",
		"X-Amz-Tagging":                "a=b",
		"Content-Type":                 "text/plain",
		"Content-Md5":                  "XUFAKrxLKna5cZ2REBfFkg==",
		"Content-Encoding":             "aws-chunked, gzip",
		"Cache-Control":                "no-cache",
		"If-None-Match":                "*",
		"X-Iamd-Principal":             "arn:aws:iam::000000000000:user/alice",
		"User-Agent":                   "client/1.0",
		"Te":                           "trailers",
		"Expect":                       "100-continue",
	} {
		r.Header.Set(k, v)
	}
	r.Header["x-amz-meta-lower"] = []string{"non-canonical key"}
	w := httptest.NewRecorder()
	w.Header().Set("X-Amz-Request-Id", "FRONTREQ")
	w.Header().Set("X-Amz-Id-2", "FRONTHOST")
	b.ServeHTTP(w, r)

	s := <-got
	if s.verifyErr != nil {
		t.Errorf("the backend's verification of the forwarded signature: %v", s.verifyErr)
	}
	// The key is the same, in S3's canonical encoding; the query is as sent, minus the
	// presigned URL's parameters.
	if want := "/bkt/a%20b/c%2Bd%28e%29~f/g%C3%A9%21%24%27%2A%2C%3B%3D%3A%40%3F?uploads&prefix=a%2Bb+c&x-id=PutObject"; s.requestURI != want {
		t.Errorf("request URI\n got %s\nwant %s", s.requestURI, want)
	}
	if s.host != strings.TrimPrefix(fake.URL, "http://") {
		t.Errorf("Host %q", s.host)
	}
	if s.length != 5 || len(s.te) != 0 || string(s.body) != "hello" || s.bodyErr != nil {
		t.Errorf("body: length %d, transfer-encoding %v, %q, %v", s.length, s.te, s.body, s.bodyErr)
	}
	for k, want := range map[string]string{
		"X-Amz-Content-Sha256":         "UNSIGNED-PAYLOAD",
		"X-Amz-Checksum-Crc32":         "NhCmhg==",
		"X-Amz-Meta-Color":             "blue  and  green",
		"X-Amz-Meta-Lower":             "non-canonical key",
		"X-Amz-Tagging":                "a=b",
		"Content-Type":                 "text/plain",
		"Content-Md5":                  "XUFAKrxLKna5cZ2REBfFkg==",
		"Content-Encoding":             "gzip",
		"Cache-Control":                "no-cache",
		"If-None-Match":                "*",
		"X-Amz-Security-Token":         "",
		"X-Amz-Decoded-Content-Length": "",
		"X-Amz-Trailer":                "",
		"X-Amz-Sdk-Checksum-Algorithm": "",
		"X-Iamd-Principal":             "",
		"Te":                           "",
		"Expect":                       "",
	} {
		if v := s.header.Get(k); v != want {
			t.Errorf("forwarded %s: %q, want %q", k, v, want)
		}
	}
	if a := s.header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential="+testAK+"/") || !strings.Contains(a, "/us-east-1/s3/aws4_request") {
		t.Errorf("Authorization %q", a)
	}
	if d := s.header.Get("X-Amz-Date"); d == "20200101T000000Z" || d == "" {
		t.Errorf("X-Amz-Date %q: want iamd's own", d)
	}

	res := w.Result()
	if res.StatusCode != 200 || w.Body.String() != "ok" {
		t.Errorf("answer %d %q", res.StatusCode, w.Body.String())
	}
	for k, want := range map[string]string{
		"Etag":             `"abc"`,
		"X-Amz-Request-Id": "FRONTREQ",
		"X-Amz-Id-2":       "FRONTHOST",
		"X-Amz-Version-Id": "v1",
		"Content-Length":   "2",
		"Connection":       "",
		"X-Private":        "",
	} {
		if v := res.Header.Get(k); v != want {
			t.Errorf("answered %s: %q, want %q", k, v, want)
		}
	}
	if n := len(res.Header.Values("X-Amz-Request-Id")); n != 1 {
		t.Errorf("%d X-Amz-Request-Id values", n)
	}
}

// TestPathsAreNotCleaned: "//", "." and ".." segments are parts of S3 keys.
func TestPathsAreNotCleaned(t *testing.T) {
	got := make(chan seen, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{requestURI: r.RequestURI, verifyErr: verifier.VerifyS3(r.Context(), r, &sigv4.S3Result{})}
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)
	for in, want := range map[string]string{
		"/bkt//a/./b/../c%2F%2Fd": "/bkt//a/./b/../c//d",
		"/bkt/%41%7e%7E":          "/bkt/A~~",
		"/bkt/%E6%97%A5%20x":      "/bkt/%E6%97%A5%20x",
		"/":                       "/",
	} {
		b.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, in, nil))
		s := <-got
		if s.requestURI != want || s.verifyErr != nil {
			t.Errorf("%s: sent %s (want %s), %v", in, s.requestURI, want, s.verifyErr)
		}
	}
}

func TestEmptyBodyHasContentLengthZero(t *testing.T) {
	got := make(chan seen, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{length: r.ContentLength, te: r.TransferEncoding, header: r.Header.Clone(), verifyErr: verifier.VerifyS3(r.Context(), r, &sigv4.S3Result{})}
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)
	b.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPut, "/bkt", nil))
	s := <-got
	if s.length != 0 || len(s.te) != 0 || s.header.Get("Content-Length") != "0" || s.verifyErr != nil {
		t.Errorf("PUT without a body: length %d, transfer-encoding %v, Content-Length %q, %v", s.length, s.te, s.header.Get("Content-Length"), s.verifyErr)
	}
}

// failingBody yields data and then, instead of io.EOF, err; with together set the last data
// and the error come from the same Read.
type failingBody struct {
	data     []byte
	err      error
	together bool
	chunk    int
}

func (f *failingBody) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := min(len(p), len(f.data), f.chunk)
	copy(p, f.data[:n])
	f.data = f.data[n:]
	if len(f.data) == 0 && f.together {
		return n, f.err
	}
	return n, nil
}

func TestBodyFailureReachesNoBackend(t *testing.T) {
	const size = 1 << 20
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	type result struct {
		n   int
		err error
	}
	got := make(chan result, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		got <- result{len(b), err}
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)

	for _, c := range []struct {
		name     string
		sent     int
		err      error
		together bool
		chunk    int
		status   int
		code     string
	}{
		{"at the end", size, s3err.BadDigest(), false, 32 << 10, 400, "BadDigest"},
		{"with the last bytes", size, s3err.BadDigest(), true, 32 << 10, 400, "BadDigest"},
		{"byte by byte at the end", 3, errors.New("reset"), false, 1, 400, "IncompleteBody"},
		{"midway", size / 2, s3err.XAmzContentSHA256Mismatch("a", "b"), false, 32 << 10, 400, "XAmzContentSHA256Mismatch"},
		{"short body", size / 2, io.EOF, false, 32 << 10, 400, "IncompleteBody"},
	} {
		t.Run(c.name, func(t *testing.T) {
			length := size
			if c.sent == 3 {
				length = 3
			}
			r := httptest.NewRequest(http.MethodPut, "/bkt/key", nil)
			r.Body = io.NopCloser(&failingBody{data: data[:c.sent], err: c.err, together: c.together, chunk: c.chunk})
			r.ContentLength = int64(length)
			w := httptest.NewRecorder()
			b.ServeHTTP(w, r)
			if w.Code != c.status || !strings.Contains(w.Body.String(), "<Code>"+c.code+"</Code>") {
				t.Errorf("answer %d %s", w.Code, w.Body)
			}
			select {
			case res := <-got:
				if res.err == nil || res.n == length {
					t.Errorf("the backend read %d of %d bytes, %v: it must see a truncated request", res.n, length, res.err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the backend's handler did not finish")
			}
		})
	}
}

func TestBodyReaderHoldsBackTheLastByte(t *testing.T) {
	for _, together := range []bool{false, true} {
		src := &failingBody{data: []byte("abcdef"), err: io.EOF, together: together, chunk: 4}
		var delivered []byte
		br := &bodyReader{src: src, left: 6, abort: func(error) {}}
		buf := make([]byte, 16)
		for {
			n, err := br.Read(buf)
			delivered = append(delivered, buf[:n]...)
			if len(delivered) == 6 && err == nil {
				t.Fatalf("together=%v: all 6 bytes out before the source ended", together)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if string(delivered) != "abcdef" {
			t.Errorf("delivered %q", delivered)
		}
	}
	// Longer than its Content-Length.
	br := &bodyReader{src: strings.NewReader("abcdefg"), left: 6, abort: func(error) {}}
	if _, err := io.ReadAll(br); !errors.Is(err, errTooLong) {
		t.Errorf("a body longer than declared: %v", err)
	}
}

func closedPort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestBackendDown(t *testing.T) {
	b := newBackend(t, closedPort(t), nil)
	start := time.Now()
	w := httptest.NewRecorder()
	w.Header().Set("X-Amz-Request-Id", "FRONTREQ")
	b.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/bkt/key", strings.NewReader("data")))
	if w.Code != 503 || !strings.Contains(w.Body.String(), "<Code>ServiceUnavailable</Code>") || !strings.Contains(w.Body.String(), "<RequestId>FRONTREQ</RequestId>") {
		t.Errorf("answer %d %s", w.Code, w.Body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if err := b.Check(context.Background()); err == nil {
		t.Error("Check of a backend that is down: no error")
	}
}

func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer fake.Close()
	defer close(release)
	b := newBackend(t, fake.URL, func(c *Config) { c.ResponseHeaderTimeout = 200 * time.Millisecond })
	start := time.Now()
	w := httptest.NewRecorder()
	b.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/bkt/key", nil))
	if w.Code != 503 || !strings.Contains(w.Body.String(), "<Code>SlowDown</Code>") {
		t.Errorf("answer %d %s", w.Code, w.Body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestDataResponseHeaderTimeout: reading or writing an object's data is answered SlowDown once
// DataResponseHeaderTimeout has passed without an answer; a listing, which a backend may work
// on for long, waits up to ResponseHeaderTimeout.
func TestDataResponseHeaderTimeout(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		wait := 5 * time.Second
		if r.URL.Path == "/bkt" {
			wait = 600 * time.Millisecond
		}
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
		}
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, func(c *Config) {
		c.ResponseHeaderTimeout, c.DataResponseHeaderTimeout = time.Minute, 200*time.Millisecond
	})
	for _, tc := range []struct {
		method, path string
		body         string
		code         int
	}{
		{http.MethodGet, "/bkt/key", "", 503},
		{http.MethodHead, "/bkt/key", "", 503},
		{http.MethodPut, "/bkt/key", "data", 503},
		{http.MethodGet, "/bkt", "", 200},
	} {
		start := time.Now()
		w := httptest.NewRecorder()
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		b.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, body))
		d := time.Since(start)
		if w.Code != tc.code || tc.code == 503 && tc.method != http.MethodHead && !strings.Contains(w.Body.String(), "<Code>SlowDown</Code>") {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, w.Code, w.Body)
		}
		if tc.code == 503 && d > 3*time.Second {
			t.Errorf("%s %s: answered after %v", tc.method, tc.path, d)
		}
	}
}

func TestBackendErrorsPassThrough(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>boom</Message><RequestId>B1</RequestId></Error>`
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(500)
		io.WriteString(w, doc)
	}))
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)
	w := httptest.NewRecorder()
	b.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/bkt/key", nil))
	if w.Code != 500 || w.Body.String() != doc || w.Header().Get("Content-Type") != "application/xml" {
		t.Errorf("answer %d %v %s", w.Code, w.Header(), w.Body)
	}
}

// TestClientGoneAbortsUpstream: a client that goes away mid-download or mid-upload ends the
// backend's request too.
func TestClientGoneAbortsUpstream(t *testing.T) {
	done := make(chan string, 2)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			_, err := io.Copy(io.Discard, r.Body)
			done <- fmt.Sprintf("upload read ended: %v", err)
			return
		}
		rc := http.NewResponseController(w)
		buf := make([]byte, 1024)
		for {
			if _, err := w.Write(buf); err != nil {
				done <- "download write failed"
				return
			}
			rc.Flush()
			select {
			case <-r.Context().Done():
				done <- "download context done"
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}))
	defer fake.Close()
	proxy := httptest.NewServer(newBackend(t, fake.URL, nil))
	defer proxy.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, proxy.URL+"/bkt/key", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(resp.Body, make([]byte, 4096))
	cancel()
	resp.Body.Close()
	select {
	case s := <-done:
		t.Log(s)
	case <-time.After(5 * time.Second):
		t.Fatal("the backend's download went on after the client left")
	}

	pr, pw := io.Pipe()
	ctx, cancel = context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodPut, proxy.URL+"/bkt/key", pr)
	req.ContentLength = 1 << 30
	go func() {
		pw.Write(make([]byte, 64<<10))
		time.Sleep(100 * time.Millisecond)
		cancel()
		pw.CloseWithError(context.Canceled)
	}()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("cancelled upload: no error")
	}
	select {
	case s := <-done:
		if !strings.Contains(s, "upload read ended: ") || strings.HasSuffix(s, "<nil>") {
			t.Errorf("backend: %s", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the backend's upload went on after the client left")
	}
}

// TestTruncatedAnswerAbortsClient: a backend whose chunked answer breaks off must not look like
// a complete (shorter) object to the client.
func TestTruncatedAnswerAbortsClient(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.Write(make([]byte, 10000))
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer fake.Close()
	proxy := httptest.NewServer(newBackend(t, fake.URL, nil))
	defer proxy.Close()
	resp, err := http.Get(proxy.URL + "/bkt/key")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("a truncated answer read without error")
	}
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "ftp://h", "http://", "http://h/prefix", "http://u:p@h", "http://h?x=1"} {
		if _, err := New(Config{URL: u, AccessKeyID: "a", SecretAccessKey: "s"}); err == nil {
			t.Errorf("New(%q): no error", u)
		}
	}
	if _, err := New(Config{URL: "http://h:1"}); err == nil {
		t.Error("New without credentials: no error")
	}
	b, err := New(Config{URL: "https://s3.example.com/", AccessKeyID: "a", SecretAccessKey: "s"})
	if err != nil || b.region != "us-east-1" {
		t.Errorf("New: %v %+v", err, b)
	}
}

func TestForwardQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"uploads":                 "uploads",
		"a=1&X-Amz-Signature=s&b": "a=1&b",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Date=d&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=s&X-Amz-Security-Token=t": "",
		"x-amz-signature=s&versionId=v&partNumber=2": "versionId=v&partNumber=2",
		"X%2DAmz%2DSignature=s&k=%zz":                "k=%zz",
		"response-content-type=x-amz-foo":            "response-content-type=x-amz-foo",
	} {
		if got := forwardQuery(in); got != want {
			t.Errorf("forwardQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
