package bucket

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeBackend stands for the object backend in these tests only: it records the registry's
// requests and keeps which buckets and objects exist.
type fakeBackend struct {
	mu       sync.Mutex
	calls    []string
	buckets  map[string]bool
	objects  map[string]bool // "bucket/key"
	failNext bool            // the next CreateBucket fails
}

func (f *fakeBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path+" owner="+r.Header.Get("X-Iamd-Owner-Name"))
	name, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	errXML := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>from backend</Message></Error>`))
	}
	switch {
	case r.Method == http.MethodPut && key == "":
		if f.failNext {
			f.failNext = false
			errXML(http.StatusServiceUnavailable, "ServiceUnavailable")
			return
		}
		f.buckets[name] = true
	case r.Method == http.MethodDelete && key == "":
		for k := range f.objects {
			if strings.HasPrefix(k, name+"/") {
				errXML(http.StatusConflict, "BucketNotEmpty")
				return
			}
		}
		delete(f.buckets, name)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodHead:
		if !f.objects[name+"/"+key] {
			w.WriteHeader(http.StatusNotFound)
		}
	default:
		w.WriteHeader(http.StatusNotImplemented)
	}
}

func (f *fakeBackend) lastCall() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return ""
	}
	return f.calls[len(f.calls)-1]
}

type env struct {
	t       *testing.T
	st      store.Store
	reg     *Registry
	backend *fakeBackend
	srv     *httptest.Server
	user    iam.User // a user of acctA
}

// keys maps the access key ids the test clients sign with to their accounts (the real front
// authenticates; this test router only needs to know whose call it is).
var keys = map[string]string{"AKIAAAAAAAAAAAAAAAAA": acctA, "AKIABBBBBBBBBBBBBBBB": acctB}

func newEnv(t *testing.T, region string) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, backend: &fakeBackend{buckets: map[string]bool{}, objects: map[string]bool{}}}
	e.user = iam.User{Account: acctA, UserID: iam.NewID(iam.PrefixUser), UserName: "alice", Path: "/", Arn: iam.UserARN(acctA, "/", "alice"), CreateDate: t0}
	if err := st.Write(ctx, func(tx store.Tx) error {
		for _, a := range []string{acctA, acctB} {
			if err := tx.CreateAccount(ctx, iam.Account{ID: a, CreateDate: t0}); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx, e.user)
	}); err != nil {
		t.Fatal(err)
	}
	e.reg = New(Config{Store: st, Backend: e.backend, Region: region, Now: func() time.Time { return t0 }})
	e.srv = httptest.NewServer(http.HandlerFunc(e.route))
	t.Cleanup(e.srv.Close)
	return e
}

// route is a tiny router over the SDK's path-style requests, standing for the classifier.
func (e *env) route(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amz-Request-Id", "REQ1")
	w.Header().Set("X-Amz-Id-2", "HOST1")
	account := ""
	if _, rest, found := strings.Cut(r.Header.Get("Authorization"), "Credential="); found {
		key, _, _ := strings.Cut(rest, "/")
		account = keys[key]
	}
	name, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	op := ""
	sub := func(names ...string) string {
		for _, n := range names {
			if q.Has(n) {
				return n
			}
		}
		return ""
	}
	switch {
	case r.Method == http.MethodOptions:
		b, err := e.reg.Get(r.Context(), name)
		if err != nil || b == nil {
			http.Error(w, "no bucket", http.StatusNotFound)
			return
		}
		e.reg.Preflight(w, r, b)
		return
	case name == "":
		op = "ListBuckets"
	case key != "":
		if q.Has("acl") {
			op = map[string]string{"GET": "GetObjectAcl", "PUT": "PutObjectAcl"}[r.Method]
		}
	default:
		s := sub("policyStatus", "policy", "publicAccessBlock", "ownershipControls", "acl", "tagging", "cors", "versioning", "encryption", "location", "requestPayment", "lifecycle")
		ops := map[string]map[string]string{
			"":                  {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"},
			"policy":            {"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"},
			"policyStatus":      {"GET": "GetBucketPolicyStatus"},
			"publicAccessBlock": {"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"},
			"ownershipControls": {"GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls", "DELETE": "DeleteBucketOwnershipControls"},
			"acl":               {"GET": "GetBucketAcl", "PUT": "PutBucketAcl"},
			"tagging":           {"GET": "GetBucketTagging", "PUT": "PutBucketTagging", "DELETE": "DeleteBucketTagging"},
			"cors":              {"GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"},
			"versioning":        {"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"},
			"encryption":        {"GET": "GetBucketEncryption", "PUT": "PutBucketEncryption", "DELETE": "DeleteBucketEncryption"},
			"location":          {"GET": "GetBucketLocation"},
			"requestPayment":    {"GET": "GetBucketRequestPayment"},
			"lifecycle":         {"GET": "GetBucketLifecycleConfiguration"},
		}
		op = ops[s][r.Method]
	}
	if op == "" {
		http.Error(w, "unrouted", http.StatusBadRequest)
		return
	}
	if b, _ := e.reg.Get(r.Context(), name); b != nil && r.Header.Get("Origin") != "" {
		e.reg.CORSHeaders(w.Header(), r, b)
	}
	e.reg.Serve(w, r, op, account, name, key)
}

// client is an S3 client of account a's access key, path-style, against the test server.
func (e *env) client(a string, region string) *s3.Client {
	id := "AKIAAAAAAAAAAAAAAAAA"
	if a == acctB {
		id = "AKIABBBBBBBBBBBBBBBB"
	}
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(e.srv.URL),
		UsePathStyle: true,
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// wantCode checks that err is an S3 error with code (and status, when not 0).
func wantCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: err = %v, want %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code {
		t.Errorf("%s: code %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	var re *awshttp.ResponseError
	if status != 0 && errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("%s: status %d, want %d", what, re.HTTPStatusCode(), status)
	}
}

func wantMessage(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("%s: err = %v, want %s: %s", what, err, code, message)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// raw sends a request to the test server as account a (signed only in name).
func (e *env) raw(method, path string, header http.Header, body string) *http.Response {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL + path)
	req, _ := http.NewRequest(method, u.String(), strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { res.Body.Close() })
	return res
}
