package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suiteSeeds returns the suite's signed requests, for seeding fuzzers.
func suiteSeeds(f *testing.F) [][]byte {
	f.Helper()
	dirs, err := filepath.Glob(filepath.Join(suiteDir, "*", "*-signed-request.txt"))
	if err != nil || len(dirs) == 0 {
		f.Fatalf("no suite seeds: %v", err)
	}
	var out [][]byte
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func FuzzParseAuthorization(f *testing.F) {
	for _, raw := range suiteSeeds(f) {
		for line := range strings.SplitSeq(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "Authorization:"); ok {
				f.Add(v)
			}
		}
	}
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request,SignedHeaders=host,Signature=00")
	f.Add("AWS4-HMAC-SHA256 ,,,=,Credential=,Signature")
	f.Fuzz(func(t *testing.T, h string) {
		var a authorization
		if err := parseAuthorization(h, &a); err != nil {
			if err.Code != CodeIncompleteSignature || err.Status != http.StatusBadRequest {
				t.Fatalf("unexpected error %+v", err)
			}
			return
		}
		for _, part := range []string{a.credential, a.signedHeaders, a.signature} {
			if !strings.Contains(h, part) {
				t.Fatalf("part %q is not from the header %q", part, h)
			}
		}
		if a.credential != "" {
			var s scope
			if perr := parseCredential(a.credential, &s); perr == nil && s.accessKeyID+"/"+s.raw != a.credential {
				t.Fatalf("scope %+v does not rebuild %q", s, a.credential)
			}
		}
	})
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "//a//", "/a/./b/../c/", "/..", "/a/b/..", "*", "/%2e%2e/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := normalizePath(p)
		if normalizePath(n) != n {
			t.Fatalf("not idempotent: %q → %q → %q", p, n, normalizePath(n))
		}
		if strings.HasPrefix(p, "/") && (strings.Contains(n, "//") || needsNormalizing(n) || !strings.HasPrefix(n, "/")) {
			t.Fatalf("%q normalized to %q", p, n)
		}
	})
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=b&c=d", "a=1&a=2", "%E1%88%B4=x", "a+b=%20", "=&&=", "%zz=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		ps, err := parseQuery(q, nil)
		if err != nil {
			return
		}
		for i := range ps {
			if i > 0 && ps[i-1].encKey >= ps[i].encKey {
				t.Fatalf("not sorted or duplicated: %+v", ps)
			}
			for _, s := range []string{ps[i].encKey, ps[i].encValue} {
				for j := 0; j < len(s); j++ {
					if c := s[j]; !unreserved(c) && c != '%' {
						t.Fatalf("unencoded byte %q in %q", c, s)
					}
				}
			}
		}
	})
}

// FuzzVerify feeds arbitrary bytes through Go's HTTP request parser and Verify, configured for
// the suite's credentials and clock, so mutations of valid signed requests are explored.
func FuzzVerify(f *testing.F) {
	for _, s := range suiteSeeds(f) {
		f.Add(s)
	}
	c := loadSuiteContext(f, filepath.Join(suiteDir, "get-vanilla"))
	sentinel := errors.New("lookup failed")
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, ok := readRequest(raw)
		if !ok {
			return
		}
		v := suiteVerifier(c)
		if bytes.Contains(raw, []byte("FAIL")) {
			v.Secret = func(context.Context, Credential) (string, error) { return "", sentinel }
		}
		res, err := v.Verify(context.Background(), r, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, sentinel) {
				t.Fatalf("error %v (%T) is neither *Error nor the SecretFunc's", err, err)
			}
			if res != nil {
				t.Fatal("result returned with an error")
			}
			return
		}
		if res.Credential.AccessKeyID != c.Credentials.AccessKeyID || !res.SignedAt.Equal(c.Timestamp) {
			t.Fatalf("accepted with result %+v", res)
		}
	})
}

// readRequest reads a fuzzed request as a server would, with its whole body; ok is false
// for bytes that are not one.
func readRequest(raw []byte) (r *http.Request, body []byte, ok bool) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, nil, false
	}
	body, err = io.ReadAll(r.Body)
	return r, body, err == nil
}
