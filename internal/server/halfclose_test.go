package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestHalfClosedClientIsAnswered: a client that sends a whole request and then closes its side
// of the connection (shutdown(SHUT_WR), as simple clients and some proxies do) still gets the
// answer, and a write it asked for is done. net/http, which serves HTTP/1.0 and chunked
// requests behind internal/leanhttp, ends the request's context as soon as it reads the end of the
// stream; a call that follows that context is abandoned and rolled back, and the client gets a
// ServiceFailure in a good share of the tries.
func TestHalfClosedClientIsAnswered(t *testing.T) {
	h := iamtest.New(t)
	addr := strings.TrimPrefix(h.URL, "http://")
	const tries = 50
	// HTTP/1.0 and chunked requests go to net/http; HTTP/1.1 with a length is leanhttp's own.
	for _, framing := range []string{"HTTP/1.0", "chunked", "HTTP/1.1"} {
		t.Run(framing, func(t *testing.T) {
			prefix := "halfclose-" + strings.ReplaceAll(framing, "/", "") + "-"
			for i := range tries {
				user := fmt.Sprintf("%s%d", prefix, i)
				raw := signedRaw(t, addr, "Action=CreateUser&Version=2010-05-08&UserName="+user, framing)
				status, body := sendHalfClosed(t, addr, raw)
				if status != http.StatusOK || !bytes.Contains(body, []byte("<UserName>"+user+"</UserName>")) {
					t.Fatalf("try %d: %d %s", i, status, body)
				}
			}
			// Every user was created, not only answered for.
			status, body := send(t, h, "iam", "Action=ListUsers&Version=2010-05-08&MaxItems=1000", nil)
			if status != http.StatusOK {
				t.Fatalf("ListUsers: %d %s", status, body)
			}
			for i := range tries {
				if user := fmt.Sprintf("%s%d", prefix, i); !bytes.Contains(body, []byte("<UserName>"+user+"</UserName>")) {
					t.Fatalf("%s was answered for but not created", user)
				}
			}
		})
	}
}

// signedRaw returns the bytes of a POST of form signed with the root key, in the given framing:
// "HTTP/1.0" or "HTTP/1.1" with a Content-Length, or "chunked" (HTTP/1.1), each asking for the
// connection to close after the response.
func signedRaw(t *testing.T, host, form, framing string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+host+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	chunked := framing == "chunked"
	if chunked {
		req.ContentLength = -1 // unknown length: not signed
	}
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	switch framing {
	case "chunked":
		b.WriteString("POST / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n")
	case "HTTP/1.0":
		fmt.Fprintf(&b, "POST / HTTP/1.0\r\nHost: %s\r\nContent-Length: %d\r\n", host, len(form))
	default:
		fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Length: %d\r\n", host, len(form))
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	if chunked {
		half := len(form) / 2
		fmt.Fprintf(&b, "%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", half, form[:half], len(form)-half, form[half:])
	} else {
		b.WriteString(form)
	}
	return b.Bytes()
}

// sendHalfClosed writes raw on a new connection, closes the connection's sending side, and
// reads the response.
func sendHalfClosed(t *testing.T, addr string, raw []byte) (int, []byte) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := nc.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("response body: %v", err)
	}
	return resp.StatusCode, body
}
