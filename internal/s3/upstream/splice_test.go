package upstream

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/iamd/iamd/sigv4"
)

// sources is what the ReadFrom calls of sourceRecorders were given.
type sources struct {
	mu    sync.Mutex
	kinds []string
}

func (s *sources) get() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.kinds...)
}

// sourceRecorder passes writes through and notes what ReadFrom was given.
type sourceRecorder struct {
	http.ResponseWriter
	*sources
}

func (s *sourceRecorder) ReadFrom(src io.Reader) (int64, error) {
	kind := "other"
	if lr, ok := src.(*io.LimitedReader); ok {
		if _, ok := lr.R.(*net.TCPConn); ok {
			kind = "tcp"
		}
	}
	s.mu.Lock()
	s.kinds = append(s.kinds, kind)
	s.mu.Unlock()
	return s.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
}

// TestRawGet: a GET of a plain-HTTP backend comes whole, its body handed on as a reader of the
// backend's socket (which net/http splices), on a connection kept for the next GET; a kept
// connection the backend has closed meanwhile is replaced without the client noticing.
func TestRawGet(t *testing.T) {
	body := make([]byte, 20<<20+12345) // more than one spliceStep, not a multiple of it
	for i := range body {
		body[i] = byte(rand.Uint32())
	}
	var conns atomic.Int64
	fake := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := verifier.VerifyS3(r.Context(), r, &sigv4.S3Result{}); err != nil {
			t.Errorf("backend: %v", err)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	fake.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	fake.Start()
	defer fake.Close()
	b := newBackend(t, fake.URL, nil)
	if b.raw == nil {
		t.Fatal("a plain-HTTP backend without a Transport has no raw GETs")
	}
	seen := &sources{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.ServeHTTP(&sourceRecorder{w, seen}, r)
	}))
	get := func() {
		t.Helper()
		resp, err := http.Get(proxy.URL + "/bkt/key")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("GET: %d bytes, %v; want the %d bytes", len(got), err, len(body))
		}
	}
	for range 3 {
		get()
	}
	proxy.Close() // every handler has returned
	kinds := seen.get()
	if n := conns.Load(); n != 1 {
		t.Errorf("three GETs in turn used %d connections to the backend, want 1", n)
	}
	for _, s := range kinds {
		if s != "tcp" {
			t.Fatalf("ReadFrom was given %v, want the backend's TCP connection each time", kinds)
		}
	}
	if len(kinds) != 3*3 {
		t.Errorf("%d ReadFrom calls, want 3 per GET of 20 MiB in 8 MiB steps", len(kinds))
	}
	fake.CloseClientConnections()
	proxy = httptest.NewServer(b)
	defer proxy.Close()
	get()
	if n := conns.Load(); n != 2 {
		t.Errorf("after the backend closed the kept connection: %d connections, want 2", n)
	}
}

// TestRawGetTruncated: a body that breaks off before its Content-Length must not reach the
// client as a complete object.
func TestRawGetTruncated(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(200)
		w.Write(make([]byte, 300000))
		http.NewResponseController(w).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
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
	if got, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("a truncated answer read without error (%d bytes)", len(got))
	}
}
