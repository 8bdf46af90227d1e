package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		wantStatus int
		wantBody   string
		wantKeep   bool
		wantErr    bool
	}{
		{name: "content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", wantStatus: 200, wantBody: "hello", wantKeep: true},
		{name: "chunked with extension and trailer", raw: "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
			wantStatus: 403, wantBody: "abcde", wantKeep: true},
		{name: "connection close", raw: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", wantStatus: 200, wantBody: "ok"},
		{name: "close-delimited", raw: "HTTP/1.1 500 Internal Server Error\r\n\r\nall of it", wantStatus: 500, wantBody: "all of it"},
		{name: "http/1.0 keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", wantStatus: 200, wantKeep: true},
		{name: "http/1.0", raw: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", wantStatus: 200},
		{name: "no content", raw: "HTTP/1.1 204 No Content\r\n\r\n", wantStatus: 204, wantKeep: true},
		{name: "bad status", raw: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: true},
		{name: "not http", raw: "SSH-2.0-OpenSSH\r\n\r\n", wantErr: true},
		{name: "informational", raw: "HTTP/1.1 100 Continue\r\n\r\n", wantErr: true},
		{name: "conflicting lengths", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", wantErr: true},
		{name: "negative length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: true},
		{name: "over the limit", raw: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", wantErr: true},
		{name: "short body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", wantErr: true},
		{name: "bad chunk size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantErr: true},
		{name: "chunk without CRLF", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naX0\r\n\r\n", wantErr: true},
		{name: "gzip encoding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", wantErr: true},
		{name: "header without colon", raw: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", wantErr: true},
		{name: "truncated head", raw: "HTTP/1.1 200 OK\r\nContent-Len", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			status, keep, err := readResponse(bufio.NewReader(strings.NewReader(tt.raw)), &body, 64)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if status != tt.wantStatus || body.String() != tt.wantBody || keep != tt.wantKeep {
				t.Errorf("got %d %q keep=%v, want %d %q keep=%v", status, body.String(), keep, tt.wantStatus, tt.wantBody, tt.wantKeep)
			}
		})
	}
}

// TestReadResponseMatchesNetHTTP reads what net/http's server writes, framed every way it
// frames responses, and gets the body net/http's client gets.
func TestReadResponseMatchesNetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked": // more than net/http buffers: chunked
			w.Write(bytes.Repeat([]byte("0123456789"), 1000))
		case "/flushed":
			io.WriteString(w, "part one, ")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part two")
		case "/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		default:
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, "short")
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := newConn("http", host, "/")
	defer c.close()
	for _, path := range []string{"/chunked", "/flushed", "/small", "/close", "/small"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\n", path, host)
		status, got, err := c.roundTrip(context.Background(), "d", "a", "", []byte("x"))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if status != resp.StatusCode || !bytes.Equal(got, want) {
			t.Errorf("%s: got %d %q, net/http got %d %q", path, status, got, resp.StatusCode, want)
		}
	}
}

// TestConnRetriesClosedIdleConnection: a server that closed a kept-alive connection between
// calls costs a reconnect, not a failed call.
func TestConnRetriesClosedIdleConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			// Answer one request, then close without saying so.
			br := bufio.NewReader(nc)
			req, err := http.ReadRequest(br)
			if err == nil {
				io.Copy(io.Discard, req.Body)
				io.WriteString(nc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			nc.Close()
		}
	}()
	c := newConn("http", ln.Addr().String(), "/")
	defer c.close()
	for i := range 3 {
		status, body, err := c.roundTrip(context.Background(), "d", "a", "", []byte("x"))
		if err != nil || status != 200 || string(body) != "ok" {
			t.Fatalf("call %d: %d %q %v", i, status, body, err)
		}
	}
}

func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 500 x\r\n\r\nbody"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var body bytes.Buffer
		status, _, err := readResponse(bufio.NewReader(bytes.NewReader(raw)), &body, 1024)
		if err != nil {
			return
		}
		// What this reader accepts, net/http's client reads the same way.
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			t.Fatalf("accepted %q, which net/http refuses: %v", raw, err)
		}
		want, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != status || !bytes.Equal(want, body.Bytes()) {
			t.Fatalf("read %q as %d %q; net/http: %d %q %v", raw, status, body.Bytes(), resp.StatusCode, want, err)
		}
		checkDiscardMatches(t, raw, status, body.Bytes())
	})
}

// checkDiscardMatches reads raw, which readResponse read as status and body, dropping the
// body as S3 GETs do: the same status, the body's length counted, a 2xx body not kept, and the
// reader left where readResponse leaves it.
func checkDiscardMatches(t *testing.T, raw []byte, status int, body []byte) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(raw))
	var kept bytes.Buffer
	kstatus, _, _ := readResponse(br, &kept, 1024)
	rest, _ := io.ReadAll(br)
	br = bufio.NewReader(bytes.NewReader(raw))
	var buf bytes.Buffer
	got, _, n, err := readResponseTo(br, &buf, 1024, make([]byte, 3), false)
	if err != nil || got != status || kstatus != status || n != int64(len(body)) {
		t.Fatalf("dropping the body of %q: %d, %d bytes, %v; kept: %d, %d bytes", raw, got, n, err, status, len(body))
	}
	if status/100 == 2 && buf.Len() != 0 || status/100 != 2 && !bytes.Equal(buf.Bytes(), body) {
		t.Errorf("dropping the body of %q kept %q", raw, buf.Bytes())
	}
	if after, _ := io.ReadAll(br); !bytes.Equal(after, rest) {
		t.Errorf("dropping the body of %q left %q unread, keeping it %q", raw, after, rest)
	}
}

// TestReadResponseDiscard: the bodies of the framings readResponse reads, dropped instead, of
// any length; a HEAD's answer has no body whatever its Content-Length says.
func TestReadResponseDiscard(t *testing.T) {
	for _, raw := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nall of it",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 27\r\n\r\n<Error><Code>NoSuchKey</Code>",
		"HTTP/1.1 204 No Content\r\n\r\n",
	} {
		var body bytes.Buffer
		status, _, err := readResponse(bufio.NewReader(strings.NewReader(raw)), &body, 64)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		checkDiscardMatches(t, []byte(raw), status, body.Bytes())
	}
	// Over the limit of a kept body: dropped, the length does not matter.
	big := "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + strings.Repeat("x", 5000) + "HTTP/1.1 204 No Content\r\n\r\n"
	br := bufio.NewReader(strings.NewReader(big))
	var body bytes.Buffer
	if status, keep, n, err := readResponseTo(br, &body, 64, make([]byte, 1000), false); err != nil || status != 200 || !keep || n != 5000 {
		t.Errorf("dropping 5000 bytes: %d keep=%v %d %v", status, keep, n, err)
	}
	if status, _, _, err := readResponseTo(br, &body, 64, nil, false); err != nil || status != 204 {
		t.Errorf("the next response: %d %v", status, err)
	}
	// A short body is an error either way.
	short := "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nxx"
	if _, _, _, err := readResponseTo(bufio.NewReader(strings.NewReader(short)), &body, 64, make([]byte, 1000), false); err == nil {
		t.Error("a short body was read whole")
	}
	head := "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	br = bufio.NewReader(strings.NewReader(head))
	if status, keep, n, err := readResponseTo(br, &body, 64, nil, true); err != nil || status != 200 || !keep || n != 0 {
		t.Errorf("HEAD: %d keep=%v %d %v", status, keep, n, err)
	}
	if status, _, _, err := readResponseTo(br, &body, 64, nil, false); err != nil || status != 404 {
		t.Errorf("after HEAD: %d %v", status, err)
	}
}
