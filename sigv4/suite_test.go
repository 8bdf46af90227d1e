package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const suiteDir = "testdata/aws-signing-test-suite/v4"

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Normalize        bool      `json:"normalize"`
	Region           string    `json:"region"`
	Service          string    `json:"service"`
	Timestamp        time.Time `json:"timestamp"`
	OmitSessionToken bool      `json:"omit_session_token"`
}

// suiteRejects lists the suite's requests a non-S3 server must refuse, and why.
var suiteRejects = map[string]string{
	// Signed without the session token, which was added afterwards: accepting it would let
	// anyone swap the token under a valid signature.
	"post-sts-header-after": "session token not signed",
	// Signed with path normalization off (S3 style); IAM and STS normalize before signing, so
	// the canonical URIs differ.
	"get-relative-relative-unnormalized":   "S3-style unnormalized path",
	"get-relative-unnormalized":            "S3-style unnormalized path",
	"get-slash-dot-slash-unnormalized":     "S3-style unnormalized path",
	"get-slash-pointless-dot-unnormalized": "S3-style unnormalized path",
	"get-slash-unnormalized":               "S3-style unnormalized path",
	"get-slashes-unnormalized":             "S3-style unnormalized path",
}

// parseRawRequest reads a request in the suite's format the way Go's HTTP server would hand it
// to a handler (Host moved to r.Host, header keys canonicalized, folded lines joined), except
// that the request target may hold a raw space (two suite cases do).
func parseRawRequest(raw []byte) (*http.Request, []byte, error) {
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	line, headers, _ := bytes.Cut(head, []byte("\n"))
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return nil, nil, errors.New("bad request line")
	}
	method, target, proto := string(line[:sp1]), string(line[sp1+1:sp2]), string(line[sp2+1:])
	if !strings.HasPrefix(proto, "HTTP/") || strings.ContainsAny(method, "\t\v\f\r") {
		return nil, nil, errors.New("bad request line")
	}
	tr := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(append([]byte{}, headers...), "\n\n"...))))
	h, err := tr.ReadMIMEHeader()
	if err != nil {
		return nil, nil, err
	}
	// Like the server, read only as much body as Content-Length announces.
	var n int64
	if cl := h["Content-Length"]; len(cl) > 1 {
		return nil, nil, errors.New("more than one Content-Length")
	} else if len(cl) == 1 {
		if n, err = strconv.ParseInt(cl[0], 10, 64); err != nil || n < 0 || n > int64(len(body)) {
			return nil, nil, errors.New("bad Content-Length")
		}
	}
	body = body[:n]
	path, query, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:        method,
		RequestURI:    target,
		URL:           &url.URL{Path: path, RawQuery: query},
		Header:        http.Header(h),
		ContentLength: n,
	}
	if hosts := h["Host"]; len(hosts) == 1 {
		r.Host = hosts[0]
		delete(r.Header, "Host")
	} else if len(hosts) > 1 {
		return nil, nil, errors.New("more than one Host")
	}
	return r, body, nil
}

func loadSuiteContext(t testing.TB, dir string) suiteContext {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "context.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c suiteContext
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func suiteVerifier(c suiteContext) *Verifier {
	return &Verifier{
		Services: []string{c.Service},
		Now:      func() time.Time { return c.Timestamp },
		Secret: func(_ context.Context, cr Credential) (string, error) {
			if cr.AccessKeyID != c.Credentials.AccessKeyID || cr.SessionToken != c.Credentials.Token {
				return "", InvalidClientTokenID()
			}
			return c.Credentials.SecretAccessKey, nil
		},
	}
}

// TestSuite verifies every signed request of AWS's suite in both forms, checks the canonical
// request against AWS's, and checks the refusals listed in suiteRejects.
func TestSuite(t *testing.T) {
	cases, err := os.ReadDir(suiteDir)
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, ce := range cases {
		dir := filepath.Join(suiteDir, ce.Name())
		c := loadSuiteContext(t, dir)
		for _, form := range []string{"header", "query"} {
			t.Run(ce.Name()+"/"+form, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join(dir, form+"-signed-request.txt"))
				if err != nil {
					t.Fatal(err)
				}
				r, body, err := parseRawRequest(raw)
				if err != nil {
					t.Fatal(err)
				}
				res, err := suiteVerifier(c).Verify(context.Background(), r, body)
				if why, reject := suiteRejects[ce.Name()]; reject {
					if err == nil {
						t.Fatalf("accepted; want a refusal (%s)", why)
					}
					return
				}
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				accepted++
				if res.Presigned != (form == "query") || !res.SignedAt.Equal(c.Timestamp) || res.Credential.SessionToken != c.Credentials.Token {
					t.Errorf("result = %+v", res)
				}
				want, err := os.ReadFile(filepath.Join(dir, form+"-canonical-request.txt"))
				if err != nil {
					t.Fatal(err)
				}
				if got := canonicalFor(t, r, body); got != string(want) {
					t.Errorf("canonical request:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
	t.Logf("accepted %d signed requests", accepted)
}

// canonicalFor rebuilds the canonical request the verifier hashed.
func canonicalFor(t *testing.T, r *http.Request, body []byte) string {
	t.Helper()
	params, perr := parseQuery(r.URL.RawQuery, nil)
	if perr != nil {
		t.Fatal(perr)
	}
	var req request
	if perr := gather(&req, r, params); perr != nil {
		t.Fatal(perr)
	}
	if perr := checkSignedHeaders(r, &req, nil); perr != nil {
		t.Fatal(perr)
	}
	return string(appendCanonical(nil, r, &req, params, body))
}

// TestSuiteMutations changes each byte of every accepted request in turn (two ways) and
// expects a refusal. The protocol version in the request line is not signed, so it is left
// alone; and path bytes that normalization removes ("/example/.." is "/") are not signed
// either: a mutation there may pass only if the canonical request stays byte-identical.
func TestSuiteMutations(t *testing.T) {
	cases, err := os.ReadDir(suiteDir)
	if err != nil {
		t.Fatal(err)
	}
	total, same := 0, 0
	for _, ce := range cases {
		if _, reject := suiteRejects[ce.Name()]; reject {
			continue
		}
		dir := filepath.Join(suiteDir, ce.Name())
		c := loadSuiteContext(t, dir)
		v := suiteVerifier(c)
		for _, form := range []string{"header", "query"} {
			raw, err := os.ReadFile(filepath.Join(dir, form+"-signed-request.txt"))
			if err != nil {
				t.Fatal(err)
			}
			orig, origBody, err := parseRawRequest(raw)
			if err != nil {
				t.Fatal(err)
			}
			want := canonicalFor(t, orig, origBody)
			lineEnd := bytes.IndexByte(raw, '\n')
			protoAt := bytes.LastIndexByte(raw[:lineEnd], ' ')
			for i := range raw {
				if i > protoAt && i < lineEnd {
					continue
				}
				for _, flip := range []byte{0x01, 0x04} {
					m := bytes.Clone(raw)
					m[i] ^= flip
					r, body, err := parseRawRequest(m)
					if err != nil {
						continue // a server would not get this far either
					}
					total++
					if _, err := v.Verify(context.Background(), r, body); err == nil {
						if canonicalFor(t, r, body) == want {
							same++
							continue
						}
						t.Errorf("%s/%s: byte %d %q→%q accepted", ce.Name(), form, i, raw[i], m[i])
					}
				}
			}
		}
	}
	t.Logf("%d mutated requests: all refused but %d whose canonical request is unchanged", total, same)
}
