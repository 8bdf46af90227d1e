package leanhttp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// echo describes the request it got, or behaves as its path says.
func echo(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/status/204":
		w.WriteHeader(http.StatusNoContent)
		return
	case "/panic":
		panic("on purpose")
	case "/big":
		w.Write(bytes.Repeat([]byte("<x/>"), 2000)) // no Content-Type: sniffed; net/http chunks it
		return
	case "/nothing":
		return
	case "/unread":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "left the body")
		return
	case "/error":
		http.Error(w, "bad thing", http.StatusBadRequest)
		return
	case "/header-after":
		w.Header().Set("X-Before", "1")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("ok"))
		return
	case "/odd-status":
		w.WriteHeader(599)
		return
	}
	body, err := io.ReadAll(r.Body)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range r.Header {
			if !yield(k) {
				return
			}
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s host=%s len=%d close=%v err=%v\n", r.Method, r.RequestURI, r.Proto, r.Host, r.ContentLength, r.Close, err)
	fmt.Fprintf(&b, "path=%q rawpath=%q query=%q\n", r.URL.Path, r.URL.RawPath, r.URL.RawQuery)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q\n", k, r.Header[k])
	}
	fmt.Fprintf(&b, "body=%q\n", body)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Add("X-Multi", "a")
	w.Header().Add("X-Multi", "b\r\nInjected: yes")
	io.WriteString(w, b.String())
}

func newServers(t testing.TB, h http.Handler, cfg func(*http.Server)) (fast, std string) {
	t.Helper()
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return ln
	}
	mk := func() *http.Server {
		hs := &http.Server{Handler: h, ErrorLog: discardLog}
		if cfg != nil {
			cfg(hs)
		}
		return hs
	}
	lf, ls := listen(), listen()
	fs, ss := New(mk()), mk()
	go fs.Serve(lf)
	go ss.Serve(ls)
	t.Cleanup(func() {
		fs.Close()
		ss.Close()
	})
	return lf.Addr().String(), ls.Addr().String()
}

// conversation is one client connection, for tests that send requests one at a time.
type conversation struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func converse(t *testing.T, addr string) *conversation {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conversation{t: t, c: c, br: bufio.NewReader(c)}
}

// send writes raw and reads one response, whose body it discards.
func (cv *conversation) send(raw string) *http.Response {
	cv.t.Helper()
	if _, err := io.WriteString(cv.c, raw); err != nil {
		cv.t.Fatal(err)
	}
	resp, err := http.ReadResponse(cv.br, nil)
	if err != nil {
		cv.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// describe reads resp's body and describes the response without what may differ between two
// correct servers: Date, Content-Length versus chunked framing, and the text of an error
// reading the body (only whether there was one).
func describe(resp *http.Response) string {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Header.Del("Date")
	resp.Header.Del("Content-Length")
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s close=%v err=%v\n", resp.Proto, resp.Status, resp.Close, err != nil)
	resp.Header.Write(&b)
	fmt.Fprintf(&b, "\n%s", body)
	return b.String()
}

// exchange writes raw on a new connection and reads responses until the server closes it
// or nothing more comes; each is described without what may differ between two correct
// servers (Date; Content-Length versus chunked framing).
func exchange(t *testing.T, addr string, raw []string, wait time.Duration) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, part := range raw {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // let a split request arrive split
	}
	c.SetReadDeadline(time.Now().Add(wait))
	br := bufio.NewReader(c)
	var out []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF), errors.As(err, &ne) && ne.Timeout():
				out = append(out, "end")
			default:
				out = append(out, "error: "+err.Error())
			}
			return out
		}
		out = append(out, describe(resp))
		if resp.Close {
			return out
		}
	}
}

// TestServerMatchesNetHTTP sends the same bytes to a fast-path server and to a plain net/http
// server with the same handler and requires the same responses: on the fast path and on
// requests it hands over, including after it served others on the same connection.
func TestServerMatchesNetHTTP(t *testing.T) {
	fast, std := newServers(t, http.HandlerFunc(echo), nil)
	sdk := "POST / HTTP/1.1\r\nHost: 127.0.0.1:8777\r\nUser-Agent: aws-sdk-go-v2/1.36.3\r\nContent-Length: 43\r\n" +
		"Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: 20261127T120000Z\r\n\r\n" +
		"Action=GetCallerIdentity&Version=2011-06-15"
	get := "GET /?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Signature=ab%2Fc HTTP/1.1\r\nHost: sts.local\r\n\r\n"
	chunked := "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
	tests := []struct {
		name string
		raw  []string
		open bool // the stream ends mid-request: no closing request can follow
	}{
		{name: "sdk post", raw: []string{sdk}},
		{name: "presigned get", raw: []string{get}},
		{name: "pipelined", raw: []string{sdk + get + sdk}},
		{name: "split head and body", raw: []string{sdk[:20], sdk[20:150], sdk[150:]}},
		{name: "connection close", raw: []string{"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get}},
		{name: "chunked body handed over", raw: []string{chunked}},
		{name: "handed over after fast requests", raw: []string{sdk + get, chunked, sdk}},
		{name: "expect continue", raw: []string{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", "abc"}},
		{name: "http/1.0", raw: []string{"GET / HTTP/1.0\r\nHost: x\r\n\r\n"}},
		{name: "head", raw: []string{"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{name: "missing host", raw: []string{"GET / HTTP/1.1\r\n\r\n"}},
		{name: "bad header", raw: []string{"GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"}},
		{name: "bare LF", raw: []string{"GET / HTTP/1.1\nHost: x\n\n"}},
		{name: "head larger than the buffer", raw: []string{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 3*readBufferSize) + "\r\n\r\n" + get}},
		{name: "garbage", raw: []string{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"}},
		{name: "no content", raw: []string{"GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{name: "sniffed and large", raw: []string{"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{name: "empty response", raw: []string{"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{name: "unread body", raw: []string{"POST /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789" + get}},
		{name: "http.Error", raw: []string{"GET /error HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{name: "status then write", raw: []string{"GET /header-after HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{name: "unknown status", raw: []string{"GET /odd-status HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{name: "panic closes", raw: []string{"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n" + get}},
		{name: "body cut short", raw: []string{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort"}, open: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			if !tt.open {
				// A last request asking to close ends the exchange without waiting for a timeout.
				raw = append(slices.Clone(raw), "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			}
			wait := 5 * time.Second // never reached: the server closes first
			if tt.open {
				wait = 300 * time.Millisecond
			}
			got, want := exchange(t, fast, raw, wait), exchange(t, std, raw, wait)
			if !slices.Equal(got, want) {
				t.Errorf("fast path:\n%s\nnet/http:\n%s", strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
			}
		})
	}
}

// TestRequestContext checks the request's context is live during the call, carries net/http's
// values, and ends when the connection does (net/http's ends with the handler already; leanhttp's
// requests share their connection's).
func TestRequestContext(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	fast, _ := newServers(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Err() != nil {
			w.WriteHeader(http.StatusInternalServerError)
		}
		if r.Context().Value(http.LocalAddrContextKey) == nil {
			w.WriteHeader(http.StatusTeapot)
		}
		ctxs <- r.Context()
	}), nil)
	cv := converse(t, fast)
	var ctx context.Context
	for i := range 2 {
		if resp := cv.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d: the context was not live or lacks the local address", i, resp.StatusCode)
		}
		ctx = <-ctxs
		if ctx.Err() != nil {
			t.Fatalf("request %d: the context ended with the handler, before the connection", i)
		}
	}
	cv.c.Close()
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Error("the request's context did not end with the connection")
	}
}

func TestHeaderTimeout(t *testing.T) {
	fast, _ := newServers(t, http.HandlerFunc(echo), func(hs *http.Server) {
		hs.ReadHeaderTimeout = 200 * time.Millisecond
		hs.IdleTimeout = 300 * time.Millisecond
		hs.ReadTimeout = 400 * time.Millisecond
	})
	tests := []struct {
		name string
		send string
		min  time.Duration // the timeout that applies, less its slack
	}{
		{"nothing sent", "", 180 * time.Millisecond},
		{"part of a head", "GET / HTTP/1.1\r\nHo", 180 * time.Millisecond},
		{"idle after a request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 280 * time.Millisecond},
		{"part of a body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", 370 * time.Millisecond},
		{"part of a second head", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHo", 180 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", fast)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, tt.send)
			start := time.Now()
			c.SetReadDeadline(start.Add(5 * time.Second))
			_, err = io.Copy(io.Discard, c)
			if err != nil {
				t.Fatalf("connection not closed by the server: %v", err)
			}
			if d := time.Since(start); d > 2*time.Second || d < tt.min {
				t.Errorf("closed after %v, want %v to 2s", d, tt.min)
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(&http.Server{Handler: h, ErrorLog: discardLog})
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	ibr := bufio.NewReader(idle)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(ibr, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v", err)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := ibr.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection: %v, want EOF", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was in progress", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil {
		t.Fatalf("request in progress: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "done" || !resp.Close {
		t.Errorf("request in progress answered %q, close=%v; want done, close=true", body, resp.Close)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v, want ErrServerClosed", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("still accepting after Shutdown")
	}
}

var discardLog = log.New(io.Discard, "", 0)

// FuzzServerMatchesNetHTTP sends the same bytes, then the end of the stream, to a fast-path
// server and to net/http, and requires the same answers: whatever part of a stream the fast
// path serves, and wherever it hands the connection over, the client cannot tell.
func FuzzServerMatchesNetHTTP(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /?a=b HTTP/1.1\r\nHost: y\r\n\r\n"))
	f.Add([]byte("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("GET /unread HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nxxGET / HTTP/1.0\r\n\r\n"))
	f.Add([]byte("GET /status/204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
	fast, std := newServers(f, http.HandlerFunc(echo), nil)
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, want := exchangeAll(t, fast, raw), exchangeAll(t, std, raw)
		if !slices.Equal(got, want) {
			t.Errorf("%q\nfast path:\n%s\nnet/http:\n%s", raw, strings.Join(got, "\n--\n"), strings.Join(want, "\n--\n"))
		}
	})
}

// exchangeAll writes raw, closes the writing half and reads every response until the server
// closes the connection.
func exchangeAll(t *testing.T, addr string, raw []byte) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(raw)
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	var out []string
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("no end after 5 s: %v", err)
				}
				// A reset after a response or an unreadable answer: record only that one came.
				out = append(out, "broken")
			}
			return out
		}
		out = append(out, describe(resp))
	}
}

// TestRequestReuse checks that a connection's reused request starts each call afresh: nothing
// the previous request carried or its handler set shows in the next.
func TestRequestReuse(t *testing.T) {
	type seen struct {
		form, header, trailer bool
		body                  bool
		method, uri           string
	}
	got := make(chan seen, 1)
	fast, _ := newServers(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{form: r.Form != nil || r.PostForm != nil, header: r.Header.Get("X-One") != "",
			trailer: r.Trailer != nil, body: r.Body != http.NoBody, method: r.Method, uri: r.RequestURI}
		// What a handler may leave on its request.
		r.ParseForm()
		r.Header.Set("X-Added", "1")
		r.Trailer = http.Header{"X-T": {"1"}}
		r.Pattern = "/set"
	}), nil)
	cv := converse(t, fast)
	for i, tc := range []struct {
		send string
		want seen
	}{
		{"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nX-One: 1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\ny=2",
			seen{header: true, body: true, method: "POST", uri: "/a?x=1"}},
		{"GET /b HTTP/1.1\r\nHost: h\r\n\r\n", seen{method: "GET", uri: "/b"}},
	} {
		cv.send(tc.send)
		if s := <-got; s != tc.want {
			t.Errorf("request %d: handler saw %+v, want %+v", i, s, tc.want)
		}
	}
}

// A response much larger than the socket buffers, to a client that starts reading late, is
// written whole: the raw writes wait for the socket to drain (rawio_linux.go) and go on.
func TestLargeResponseToSlowReader(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB
	fast, _ := newServers(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(big)
	}), nil)
	c, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the server fills the buffers and waits
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i := range 2 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, big) {
			t.Fatalf("response %d: %d bytes (%v), want the %d sent", i, len(body), err, len(big))
		}
	}
}

// A client that never reads its response does not hold the connection past the write
// timeout: the waiting write fails and the connection closes.
func TestWriteTimeout(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 32<<20)
	done := make(chan struct{})
	fast, _ := newServers(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(big)
		close(done)
	}), func(hs *http.Server) { hs.WriteTimeout = 300 * time.Millisecond })
	c, err := net.Dial("tcp", fast)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	<-done
	time.Sleep(time.Second) // past the timeout, reading nothing
	// Whatever was buffered before the timeout can be read; then the stream ends early.
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		t.Fatalf("after %d bytes: %v (want the server to close the connection)", n, err)
	}
	if n >= int64(len(big)) {
		t.Fatalf("read %d bytes: the whole response was written despite the timeout", n)
	}
}

// TestLeanTargets: a target Lean refuses is served by net/http, on the same connection as
// targets the fast path serves.
func TestLeanTargets(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// net/http's writer can flush; the fast path's buffers the whole answer and cannot.
		if err := http.NewResponseController(w).Flush(); err != nil {
			io.WriteString(w, "lean")
			return
		}
		io.WriteString(w, "net/http")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(&http.Server{Handler: h, ErrorLog: discardLog})
	s.Lean = func(target string) bool { return target == "/" }
	go s.Serve(ln)
	defer s.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for _, tc := range []struct{ target, want string }{{"/", "lean"}, {"/bucket/key", "net/http"}, {"/", "net/http"}} {
		io.WriteString(c, "GET "+tc.target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		// Once handed off, the connection stays with net/http.
		if string(b) != tc.want {
			t.Fatalf("%s: served by %s, want %s", tc.target, b, tc.want)
		}
	}
}
