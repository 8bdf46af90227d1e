package loadgen

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/iamtest"
)

// The full in-process handler benchmarks: a signed request through iamd's http.Handler (decode,
// SigV4 verification, key resolution, authorization, the operation, XML encoding), without the
// network. Requests are signed once; the server's 15-minute skew window leaves room for that.

func benchHandler(b *testing.B, service string, body []byte) {
	benchHandlerOn(b, iamtest.New(b), root, service, body)
}

func benchHandlerOn(b *testing.B, h *iamtest.Harness, creds Credentials, service string, body []byte) {
	u, _ := url.Parse(h.URL)
	s := newSigner(creds, "us-east-1", service, u.Host)
	date, auth := s.sign(body, time.Now())
	req := httptest.NewRequest(http.MethodPost, h.URL+"/", nil)
	req.Header = http.Header{"Content-Type": {formContentType}, "X-Amz-Date": {date}, "Authorization": {auth}}
	req.Host = u.Host
	req.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	serve := func() {
		rd.Reset(body)
		req.Body = readCloser{rd}
		w := httptest.NewRecorder()
		h.Node.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	serve() // warm the caches
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve()
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func BenchmarkHandlerGetCallerIdentity(b *testing.B) {
	benchHandler(b, "sts", getCallerIdentityBody)
}

func BenchmarkHandlerAssumeRole(b *testing.B) {
	h := iamtest.New(b)
	// The user and role are made through the loader's own setup path, so the benchmark assumes
	// a role exactly like `iamd bench --op assume-role` does.
	r, err := newRunner(Config{Endpoint: h.URL, Credentials: root, Op: AssumeRole, N: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.setup(context.Background()); err != nil {
		b.Fatal(err)
	}
	body := form("AssumeRole", "2011-06-15", "RoleArn", r.cfg.RoleARN, "RoleSessionName", "bench")
	b.Cleanup(func() { r.teardown() })
	benchHandlerOn(b, h, *r.assumeCreds, "sts", body)
}
