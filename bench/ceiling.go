//go:build ignore

// ceiling measures what HTTP itself costs on this machine, with no IAM work: a server that
// answers every POST with a fixed 400-byte body, and a client that keeps 8 connections busy for
// 4 seconds. It separates the cost of the HTTP stacks from iamd's (docs/BENCHMARKS.md, "the
// ceiling first"). Loopback only, bounded in time.
//
//	go run bench/ceiling.go nethttp-server 127.0.0.1:9999 &     # or: plain-server
//	go run bench/ceiling.go nethttp-client 127.0.0.1:9999       # or: plain-client
//
// nethttp-* are net/http's server and client; plain-* are a bare HTTP/1.1 loop over net.Conn
// (Content-Length only: enough for this fixed exchange, not a general implementation).
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	workers  = 8
	duration = 4 * time.Second
)

var (
	respBody = bytes.Repeat([]byte("x"), 400)
	reqBody  = []byte("Action=GetCallerIdentity&Version=2011-06-15")
	auth     = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261127/us-east-1/sts/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=" + string(bytes.Repeat([]byte("0"), 64))
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ceiling nethttp-server|plain-server|nethttp-client|plain-client HOST:PORT")
		os.Exit(2)
	}
	mode, addr := os.Args[1], os.Args[2]
	var err error
	switch mode {
	case "nethttp-server":
		err = http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header()["Content-Type"] = []string{"text/xml"}
			w.Header()["Content-Length"] = []string{strconv.Itoa(len(respBody))}
			w.Write(respBody)
		}))
	case "plain-server":
		err = plainServer(addr)
	case "nethttp-client":
		err = run(mode, func() (func() error, error) { return nethttpCall(addr), nil })
	case "plain-client":
		err = run(mode, func() (func() error, error) { return plainCall(addr) })
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

// run keeps workers busy with calls made by mk for the duration and prints the rate.
func run(mode string, mk func() (func() error, error)) error {
	var n atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	deadline := time.Now().Add(duration)
	for range workers {
		call, err := mk()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := call(); err != nil {
					errs <- err
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("%s: %.0f req/s\n", mode, float64(n.Load())/duration.Seconds())
	return nil
}

func nethttpCall(addr string) func() error {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxIdleConns: workers}}
	return func() error {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", bytes.NewReader(reqBody))
		if err != nil {
			return err
		}
		req.Header = http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"},
			"X-Amz-Date": {"20261127T120000Z"}, "Authorization": {auth}}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return err
	}
}

func plainCall(addr string) (func() error, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	req := []byte("POST / HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n" +
		"X-Amz-Date: 20261127T120000Z\r\nAuthorization: " + auth + "\r\nContent-Length: " + strconv.Itoa(len(reqBody)) + "\r\n\r\n" + string(reqBody))
	buf := make([]byte, 4096)
	return func() error {
		if _, err := conn.Write(req); err != nil {
			return err
		}
		n, err := readPlain(br)
		if err != nil {
			return err
		}
		_, err = io.ReadFull(br, buf[:n])
		return err
	}, nil
}

// readPlain reads a head and returns its Content-Length.
func readPlain(br *bufio.Reader) (int, error) {
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			n, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return 0, err
			}
		}
	}
	if n < 0 || n > 4096 {
		return 0, fmt.Errorf("unexpected Content-Length %d", n)
	}
	return n, nil
}

func plainServer(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			br := bufio.NewReaderSize(c, 16<<10)
			body := make([]byte, 4096)
			var out []byte
			for {
				n, err := readPlain(br)
				if err != nil {
					return
				}
				if _, err := io.ReadFull(br, body[:n]); err != nil {
					return
				}
				out = append(out[:0], "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nDate: "...)
				out = time.Now().UTC().AppendFormat(out, http.TimeFormat)
				out = append(out, "\r\nContent-Length: "...)
				out = strconv.AppendInt(out, int64(len(respBody)), 10)
				out = append(out, "\r\n\r\n"...)
				out = append(out, respBody...)
				if _, err := c.Write(out); err != nil {
					return
				}
			}
		}()
	}
}
