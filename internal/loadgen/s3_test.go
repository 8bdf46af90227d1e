package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/sigv4"
)

// fakeS3 is a tiny in-memory S3 (CreateBucket, HeadBucket, DeleteBucket, PutObject, GetObject,
// DeleteObject, path-style) that verifies every request's signature with the server's own
// sigv4.Verifier.VerifyS3 and a signed body's hash. It is a test double of S3 for testing the
// load generator, not a model of S3.
type fakeS3 struct {
	t        testing.TB
	verifier *sigv4.Verifier
	mu       sync.Mutex
	buckets  map[string]map[string][]byte
	// denyOdd answers every other PUT AccessDenied, before reading its body (which worker sends
	// which request depends on scheduling, so the denials cannot follow the keys).
	denyOdd  bool
	puts     int
	requests map[string]int // "METHOD hash-kind" → count, hash-kind "signed" or UNSIGNED-PAYLOAD
}

const (
	fakeKeyID  = "AKIAFAKES3EXAMPLE000"
	fakeSecret = "fake/s3/secret/EXAMPLEKEY"
	fakeToken  = "FwoGZXIvYXdzEJr//////////wEaDA+token=="
)

func newFakeS3(t testing.TB) (*fakeS3, *httptest.Server) {
	f := &fakeS3{t: t, buckets: map[string]map[string][]byte{}, requests: map[string]int{}}
	f.verifier = &sigv4.Verifier{Services: []string{"s3"}, Secret: func(_ context.Context, c sigv4.Credential) (string, error) {
		if c.AccessKeyID != fakeKeyID || c.SessionToken != "" && c.SessionToken != fakeToken {
			return "", sigv4.InvalidClientTokenID()
		}
		return fakeSecret, nil
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeS3) fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>m</Message><RequestId>1</RequestId></Error>`, code)
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var res sigv4.S3Result
	if err := f.verifier.VerifyS3(r.Context(), r, &res); err != nil {
		var e *sigv4.Error
		if errors.As(err, &e) {
			f.fail(w, e.Status, e.Code)
			return
		}
		f.fail(w, http.StatusForbidden, "InvalidAccessKeyId")
		return
	}
	kind := "signed"
	if res.PayloadHash == sigv4.UnsignedPayload {
		kind = sigv4.UnsignedPayload
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	f.mu.Lock()
	f.requests[r.Method+" "+kind]++
	objs, ok := f.buckets[bucket]
	deny := false
	if r.Method == http.MethodPut && key != "" {
		f.puts++
		deny = f.denyOdd && f.puts%2 == 1
	}
	f.mu.Unlock()
	if r.Method == http.MethodPut && deny {
		f.fail(w, http.StatusForbidden, "AccessDenied")
		return
	}
	var body []byte
	if r.Method == http.MethodPut {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			f.fail(w, http.StatusBadRequest, "IncompleteBody")
			return
		}
		if kind == "signed" {
			if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != res.PayloadHash {
				f.fail(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
				return
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case key == "" && r.Method == http.MethodPut:
		if ok {
			f.fail(w, http.StatusConflict, "BucketAlreadyOwnedByYou")
			return
		}
		f.buckets[bucket] = map[string][]byte{}
	case !ok:
		f.fail(w, http.StatusNotFound, "NoSuchBucket")
	case key == "" && r.Method == http.MethodHead:
	case key == "" && r.Method == http.MethodDelete:
		if len(objs) > 0 {
			f.fail(w, http.StatusConflict, "BucketNotEmpty")
			return
		}
		delete(f.buckets, bucket)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		objs[key] = body
	case r.Method == http.MethodGet:
		b, ok := objs[key]
		if !ok {
			f.fail(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Write(b)
	case r.Method == http.MethodDelete:
		delete(objs, key)
		w.WriteHeader(http.StatusNoContent)
	default:
		f.fail(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

func (f *fakeS3) count(method, kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[method+" "+kind]
}

// TestS3Ops runs each S3 workload against the verifying in-memory S3: every request verifies,
// is accounted for, moves the bytes it should, and the run leaves nothing behind.
func TestS3Ops(t *testing.T) {
	creds := Credentials{fakeKeyID, fakeSecret, ""}
	tests := []struct {
		name      string
		cfg       Config
		size      int64  // the object's size
		wantKind  string // the payload hash of the measured PUTs
		netHTTP   bool
		sessionOK bool
	}{
		{name: "s3-get", cfg: Config{Op: S3Get, N: 60, Concurrency: 3}, size: DefaultObjectSize},
		{name: "s3-put", cfg: Config{Op: S3Put, N: 60, Concurrency: 3}, size: DefaultObjectSize, wantKind: "signed"},
		{name: "s3-put unsigned", cfg: Config{Op: S3Put, N: 20, Concurrency: 2, UnsignedPayload: true}, size: DefaultObjectSize,
			wantKind: sigv4.UnsignedPayload},
		{name: "s3-put streamed and signed", cfg: Config{Op: S3Put, N: 10, Concurrency: 2, ObjectSize: 3<<20 + 7}, size: 3<<20 + 7,
			wantKind: "signed"},
		{name: "s3-put-large", cfg: Config{Op: S3PutLarge, N: 6, Concurrency: 2, LargeObjectSize: 5<<20 + 3}, size: 5<<20 + 3,
			wantKind: sigv4.UnsignedPayload},
		{name: "s3-get-large", cfg: Config{Op: S3GetLarge, N: 6, Concurrency: 2, LargeObjectSize: 5<<20 + 3}, size: 5<<20 + 3},
		{name: "s3-get with a session token", cfg: Config{Op: S3Get, N: 10, Concurrency: 1,
			Credentials: Credentials{fakeKeyID, fakeSecret, fakeToken}}, size: DefaultObjectSize},
		{name: "s3-put over net/http", cfg: Config{Op: S3Put, N: 10, Concurrency: 2, HTTPClient: &http.Client{}}, size: DefaultObjectSize,
			wantKind: "signed"},
		{name: "s3-get-large over net/http", cfg: Config{Op: S3GetLarge, N: 4, Concurrency: 2, LargeObjectSize: 2<<20 + 1,
			HTTPClient: &http.Client{}}, size: 2<<20 + 1},
		{name: "s3-put in eu-west-3, by duration", cfg: Config{Op: S3Put, Duration: 300 * time.Millisecond, Concurrency: 2,
			Region: "eu-west-3", Warmup: 50 * time.Millisecond}, size: DefaultObjectSize, wantKind: "signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeS3(t)
			cfg := tt.cfg
			cfg.Endpoint = srv.URL
			if cfg.Credentials.AccessKeyID == "" {
				cfg.Credentials = creds
			}
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.N > 0 && res.Requests != uint64(cfg.N) || res.Requests == 0 {
				t.Errorf("Requests = %d, want %d", res.Requests, cfg.N)
			}
			if res.ErrorCount() != 0 || len(res.Leftovers) != 0 {
				t.Errorf("errors %v, leftovers %v", res.Errors, res.Leftovers)
			}
			if want := res.Requests * uint64(tt.size); res.Bytes != want {
				t.Errorf("Bytes = %d, want %d", res.Bytes, want)
			}
			if res.MBPS <= 0 || res.RPS <= 0 {
				t.Errorf("MB/s %v, req/s %v", res.MBPS, res.RPS)
			}
			if !(res.P50 <= res.P90 && res.P90 <= res.P99 && res.P99 <= res.Max && res.Max > 0) {
				t.Errorf("quantiles not ordered: p50 %v p90 %v p99 %v max %v", res.P50, res.P90, res.P99, res.Max)
			}
			if tt.wantKind != "" {
				// Setup made the bucket; warm-up and the run made the PUTs of the workload.
				if got := f.count(http.MethodPut, tt.wantKind); got < int(res.Requests) {
					t.Errorf("%d PUTs with payload %s, want at least %d", got, tt.wantKind, res.Requests)
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.buckets) != 0 {
				t.Errorf("left behind: %v", f.buckets)
			}
		})
	}
}

// TestS3ExistingBucket: a named bucket that exists is used and kept; only the run's objects go.
func TestS3ExistingBucket(t *testing.T) {
	f, srv := newFakeS3(t)
	f.buckets["mine"] = map[string][]byte{"keep/me": []byte("x")}
	for _, op := range []Op{S3Put, S3Get} {
		res, err := Run(context.Background(), Config{Endpoint: srv.URL, Credentials: Credentials{fakeKeyID, fakeSecret, ""},
			Op: op, N: 8, Concurrency: 2, Bucket: "mine", ObjectSize: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.ErrorCount() != 0 || res.Bytes != 80 {
			t.Errorf("%s: errors %v, bytes %d", op, res.Errors, res.Bytes)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.buckets) != 1 || len(f.buckets["mine"]) != 1 || f.buckets["mine"]["keep/me"] == nil {
		t.Errorf("buckets after the runs: %v", f.buckets)
	}
}

// TestS3ErrorsCounted: S3's errors (<Error><Code>, no ErrorResponse) are counted by code, for
// small PUTs and for large ones the server refuses before reading their body.
func TestS3ErrorsCounted(t *testing.T) {
	for _, op := range []Op{S3Put, S3PutLarge} {
		t.Run(string(op), func(t *testing.T) {
			f, srv := newFakeS3(t)
			f.denyOdd = true
			res, err := Run(context.Background(), Config{Endpoint: srv.URL, Credentials: Credentials{fakeKeyID, fakeSecret, ""},
				Op: op, N: 12, Concurrency: 2, LargeObjectSize: 4 << 20})
			if err != nil {
				t.Fatal(err)
			}
			denied := res.Errors["AccessDenied"]
			if res.Requests != 12 || denied == 0 || denied == 12 || res.ErrorCount() != denied {
				t.Errorf("%d requests, errors %v: want some AccessDenied and nothing else", res.Requests, res.Errors)
			}
			size := uint64(DefaultObjectSize)
			if op == S3PutLarge {
				size = 4 << 20
			}
			if want := (res.Requests - denied) * size; res.Bytes != want {
				t.Errorf("Bytes = %d, want %d: only successful calls count", res.Bytes, want)
			}
		})
	}
	t.Run("setup refused", func(t *testing.T) {
		_, srv := newFakeS3(t)
		_, err := Run(context.Background(), Config{Endpoint: srv.URL, Credentials: Credentials{fakeKeyID, "wrong", ""},
			Op: S3Get, N: 1})
		if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
			t.Errorf("err = %v, want setup's SignatureDoesNotMatch", err)
		}
	})
}

// s3SignCases are the inputs the S3 signer is checked on: odd keys S3 keeps as they are.
var s3SignCases = []struct {
	name, method, bucket, key, hash string
	creds                           Credentials
}{
	{"get", http.MethodGet, "iamd-bench-0a1b2c3d", "iamd-bench-0a1b2c3d/object", emptySHA256,
		Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""}},
	{"put signed", http.MethodPut, "b", "k/put-3", "ab2a4e2f0e15ad93b2ecf4b5d4f4e1a7e1c0b1f1a2e6c50f7d7e6c1f0a5c8e2d",
		Credentials{"AKIDEXAMPLE", "s", ""}},
	{"put unsigned with token", http.MethodPut, "b", "big", unsignedPayload,
		Credentials{"ASIAIOSFODNN7EXAMPLE", "secret", "FwoGZXIvYXdzEJr//////////wEaDA+token=="}},
	{"odd key", http.MethodGet, "b.dots", "a b/+c/ü/%41/~x//./../end", emptySHA256, Credentials{"AKIDEXAMPLE", "s", ""}},
	{"bucket", http.MethodHead, "bucket", "", emptySHA256, Credentials{"AKIDEXAMPLE", "s", ""}},
	{"delete", http.MethodDelete, "bucket", "x", emptySHA256, Credentials{"AKIDEXAMPLE", "s", ""}},
}

func s3Path(bucket, key string) string {
	p := "/" + escapePath(bucket)
	if key != "" {
		p += "/" + escapePath(key)
	}
	return p
}

// TestS3SignerMatchesSDK checks signS3 against aws-sdk-go-v2's signer as S3 configures it (the
// path escaped once by the caller, not by the signer), header for header.
func TestS3SignerMatchesSDK(t *testing.T) {
	at := time.Date(2026, 11, 27, 23, 59, 58, 0, time.UTC)
	host := "127.0.0.1:8777"
	for _, tt := range s3SignCases {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(tt.creds, "eu-west-3", "s3", host)
			s.signS3(http.MethodGet, "/other", emptySHA256, at) // cached key, reused buffer
			path := s3Path(tt.bucket, tt.key)
			date, auth := s.signS3(tt.method, path, tt.hash, at)

			req, err := http.NewRequest(tt.method, "http://"+host+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if req.URL.EscapedPath() != path {
				t.Fatalf("URL keeps path %q as %q", path, req.URL.EscapedPath())
			}
			req.Header.Set("X-Amz-Content-Sha256", tt.hash)
			err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(),
				aws.Credentials{AccessKeyID: tt.creds.AccessKeyID, SecretAccessKey: tt.creds.SecretAccessKey, SessionToken: tt.creds.SessionToken},
				req, tt.hash, "s3", "eu-west-3", at)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := date, req.Header.Get("X-Amz-Date"); got != want {
				t.Errorf("X-Amz-Date = %q, SDK %q", got, want)
			}
			if want := req.Header.Get("Authorization"); auth != want {
				t.Errorf("Authorization:\n got %s\nwant %s", auth, want)
			}
		})
	}
}

// TestS3SignerVerifies: what signS3 signs, the server's VerifyS3 accepts, as the load tool's
// connection sends it on the wire; a changed path or payload hash it refuses.
func TestS3SignerVerifies(t *testing.T) {
	now := time.Now()
	host := "127.0.0.1:8777"
	for _, tt := range s3SignCases {
		t.Run(tt.name, func(t *testing.T) {
			v := &sigv4.Verifier{Services: []string{"s3"}, Now: func() time.Time { return now },
				Secret: func(_ context.Context, c sigv4.Credential) (string, error) {
					if c.AccessKeyID != tt.creds.AccessKeyID || c.SessionToken != tt.creds.SessionToken {
						return "", sigv4.InvalidClientTokenID()
					}
					return tt.creds.SecretAccessKey, nil
				}}
			s := newSigner(tt.creds, "us-east-1", "s3", host)
			path := s3Path(tt.bucket, tt.key)
			date, auth := s.signS3(tt.method, path, tt.hash, now)
			wire := func(path, hash string) *http.Request {
				head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nX-Amz-Content-Sha256: %s\r\nContent-Length: 0\r\nX-Amz-Date: %s\r\nAuthorization: %s\r\n",
					tt.method, path, host, hash, date, auth)
				if tt.creds.SessionToken != "" {
					head += "X-Amz-Security-Token: " + tt.creds.SessionToken + "\r\n"
				}
				req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head + "\r\n")))
				if err != nil {
					t.Fatal(err)
				}
				return req
			}
			var res sigv4.S3Result
			if err := v.VerifyS3(context.Background(), wire(path, tt.hash), &res); err != nil {
				t.Fatalf("VerifyS3: %v", err)
			}
			if res.PayloadHash != tt.hash {
				t.Errorf("payload hash %q, want %q", res.PayloadHash, tt.hash)
			}
			if err := v.VerifyS3(context.Background(), wire(path+"x", tt.hash), &res); err == nil {
				t.Error("another path verified")
			}
			if err := v.VerifyS3(context.Background(), wire(path, strings.Repeat("0", 64)), &res); err == nil {
				t.Error("another payload hash verified")
			}
		})
	}
}

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain/key-1_x.~", "plain/key-1_x.~"},
		{"a b", "a%20b"},
		{"+=&?#%", "%2B%3D%26%3F%23%25"},
		{"ü", "%C3%BC"},
		{"//./..", "//./.."},
	}
	for _, tt := range tests {
		if got := escapePath(tt.in); got != tt.want {
			t.Errorf("escapePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u, err := url.PathUnescape(tt.want); err != nil || u != tt.in {
			t.Errorf("%q does not decode to %q: %q %v", tt.want, tt.in, u, err)
		}
	}
}

// TestPayload: a payload streams the shared block repeated, as its reader reads it, and its
// hash is the SHA-256 of those bytes.
func TestPayload(t *testing.T) {
	for _, size := range []int64{0, 1, 1000, blockSize, 2*blockSize + 5} {
		p := newPayload(size, false)
		var w bytes.Buffer
		if err := p.writeTo(&w); err != nil {
			t.Fatal(err)
		}
		r, err := io.ReadAll(&payloadReader{block: p.block, size: size})
		if err != nil || !bytes.Equal(r, w.Bytes()) || int64(w.Len()) != size {
			t.Fatalf("size %d: wrote %d bytes, read %d (%v), equal %v", size, w.Len(), len(r), err, bytes.Equal(r, w.Bytes()))
		}
		if size > blockSize && !bytes.Equal(w.Bytes()[blockSize:2*blockSize], sharedBlock()) {
			t.Errorf("size %d: the block does not repeat", size)
		}
		if sum := sha256.Sum256(w.Bytes()); hex.EncodeToString(sum[:]) != p.hash {
			t.Errorf("size %d: hash %s is not the body's", size, p.hash)
		}
	}
	if newPayload(10, true).hash != unsignedPayload {
		t.Error("unsigned payload hashed")
	}
}
