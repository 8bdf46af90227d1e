package local

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

const testOwner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"

// env is a backend behind an httptest server, as the front would call it, and an SDK client.
type env struct {
	t   *testing.T
	b   *Backend
	dir string
	srv *httptest.Server
	c   *s3.Client
	ctx context.Context
}

// front sets what iamd's front sets before calling the backend.
func front(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Request-Id", "REQ123")
		w.Header().Set("X-Amz-Id-2", "HOST456")
		r.Header.Set("X-Iamd-Owner-Id", testOwner)
		r.Header.Set("X-Iamd-Owner-Name", "owner")
		h.ServeHTTP(w, r)
	})
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(front(b))
	t.Cleanup(func() {
		srv.Close()
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, b: b, dir: dir, srv: srv, c: client(srv.URL), ctx: context.Background()}
}

func client(url string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint:               aws.String(url),
		UsePathStyle:               true,
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

func (e *env) bucket(name string) string {
	e.t.Helper()
	if _, err := e.c.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		e.t.Fatal(err)
	}
	return name
}

func (e *env) put(bucket, key string, body []byte) *s3.PutObjectOutput {
	e.t.Helper()
	out, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		e.t.Fatalf("put %q: %v", key, err)
	}
	return out
}

func (e *env) get(bucket, key string) []byte {
	e.t.Helper()
	out, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		e.t.Fatalf("get %q: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// raw sends a request as it is, for what the SDK will not send.
func (e *env) raw(method, path string, body []byte, hdr ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantCode checks that err is an S3 error answer with code (and HTTP status).
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is no API error, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code %s (%v), want %s", ae.ErrorCode(), err, code)
	}
	var re interface{ HTTPStatusCode() int }
	if status != 0 && errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("status %d, want %d", re.HTTPStatusCode(), status)
	}
}

func md5hex(b []byte) string { s := md5.Sum(b); return `"` + hex.EncodeToString(s[:]) + `"` }

func TestBuckets(t *testing.T) {
	e := newEnv(t)
	out := e.raw("PUT", "/bkt", []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`))
	if out.StatusCode != 200 || out.Header.Get("Location") != "/bkt" {
		t.Fatalf("CreateBucket: %d %q", out.StatusCode, out.Header.Get("Location"))
	}
	_, err := e.c.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "BucketAlreadyOwnedByYou", 409)
	_, err = e.c.CreateBucket(e.ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	wantCode(t, err, "InvalidBucketName", 400)
	if r := e.raw("PUT", "/other", []byte("<oops")); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "MalformedXML") {
		t.Fatalf("malformed configuration: %d", r.StatusCode)
	}
	if _, err := e.c.HeadBucket(e.ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.HeadBucket(e.ctx, &s3.HeadBucketInput{Bucket: aws.String("nope")})
	wantCode(t, err, "NotFound", 404) // a HEAD answer has no body: the SDK names it by status
	e.put("bkt", "k", []byte("x"))
	_, err = e.c.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "BucketNotEmpty", 409)
	// An in-progress upload does not keep the bucket.
	if _, err := e.c.CreateMultipartUpload(e.ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteObject(e.ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DeleteBucket(e.ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchBucket", 404)
	// The error answer carries the front's request ids.
	r := e.raw("GET", "/nope/x", nil)
	body := readBody(t, r)
	if r.Header.Get("X-Amz-Request-Id") != "REQ123" || !strings.Contains(body, "<RequestId>REQ123</RequestId>") || !strings.Contains(body, "<BucketName>nope</BucketName>") {
		t.Fatalf("error answer: %v %s", r.Header, body)
	}
}

func TestPutGetHead(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("bbb")
	body := []byte("hello, world")
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{
		Bucket: aws.String(bk), Key: aws.String("dir/hello.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("inline"),
		ContentEncoding: aws.String("identity"), ContentLanguage: aws.String("en"), Expires: aws.Time(exp),
		Metadata: map[string]string{"color": "blue", "Shape": "round"}, Tagging: aws.String("a=1&b=two%20words"),
		StorageClass: types.StorageClassStandardIa,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != md5hex(body) {
		t.Fatalf("ETag %s, want %s", aws.ToString(out.ETag), md5hex(body))
	}
	g, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("dir/hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if string(got) != string(body) || aws.ToString(g.ContentType) != "text/plain" || aws.ToString(g.CacheControl) != "max-age=60" ||
		aws.ToString(g.ContentDisposition) != "inline" || aws.ToString(g.ContentEncoding) != "identity" || aws.ToString(g.ContentLanguage) != "en" ||
		g.Metadata["color"] != "blue" || g.Metadata["shape"] != "round" || aws.ToInt32(g.TagCount) != 2 || g.StorageClass != types.StorageClassStandardIa ||
		aws.ToInt64(g.ContentLength) != int64(len(body)) || aws.ToString(g.AcceptRanges) != "bytes" || g.LastModified == nil || aws.ToString(g.ETag) != md5hex(body) {
		t.Fatalf("GetObject: %q %+v", got, g)
	}
	if aws.ToString(g.ExpiresString) != exp.Format(http.TimeFormat) {
		t.Fatalf("Expires %q", aws.ToString(g.ExpiresString))
	}
	h, err := e.c.HeadObject(e.ctx, &s3.HeadObjectInput{Bucket: aws.String(bk), Key: aws.String("dir/hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(h.ContentLength) != int64(len(body)) || aws.ToString(h.ETag) != md5hex(body) || h.Metadata["color"] != "blue" {
		t.Fatalf("HeadObject: %+v", h)
	}
	// Overrides.
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("dir/hello.txt"),
		ResponseContentType: aws.String("application/x-test"), ResponseContentDisposition: aws.String("attachment"),
		ResponseCacheControl: aws.String("no-cache"), ResponseContentLanguage: aws.String("fr"), ResponseContentEncoding: aws.String("gzip"),
		ResponseExpires: aws.Time(exp)})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToString(g.ContentType) != "application/x-test" || aws.ToString(g.ContentDisposition) != "attachment" || aws.ToString(g.CacheControl) != "no-cache" ||
		aws.ToString(g.ContentLanguage) != "fr" || aws.ToString(g.ContentEncoding) != "gzip" {
		t.Fatalf("overrides: %+v", g)
	}
	_, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey", 404)
	_, err = e.c.HeadObject(e.ctx, &s3.HeadObjectInput{Bucket: aws.String(bk), Key: aws.String("missing")})
	wantCode(t, err, "NotFound", 404)
	// Default content type, empty object.
	e.put(bk, "empty", nil)
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("empty")})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToInt64(g.ContentLength) != 0 || aws.ToString(g.ETag) != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Fatalf("empty: %+v", g)
	}
	// Delete, then delete again: 204 both times.
	for i := 0; i < 2; i++ {
		if _, err := e.c.DeleteObject(e.ctx, &s3.DeleteObjectInput{Bucket: aws.String(bk), Key: aws.String("dir/hello.txt")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("dir/hello.txt")})
	wantCode(t, err, "NoSuchKey", 404)
	if r := e.raw("DELETE", "/bbb/x", nil); r.StatusCode != 204 {
		t.Fatalf("DeleteObject: %d", r.StatusCode)
	}
}

func TestOddKeys(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("odd")
	keys := []string{"a//b", "./x", "../y", "a/./b", "sp ace", "plus+sign", "pct%2Fslash", "ünïcödé/ключ/鍵", "trailing/", "/leading", "q?mark", "hash#", "amp&eq=", "tab\there", "~tilde*star'quote\"", "emoji 🎉"}
	for i, k := range keys {
		e.put(bk, k, []byte(fmt.Sprint(i)))
	}
	for i, k := range keys {
		if got := string(e.get(bk, k)); got != fmt.Sprint(i) {
			t.Errorf("key %q: %q", k, got)
		}
	}
	// The path is taken as it was sent: %2F in a key is a slash of the key, "//" stays.
	if r := e.raw("GET", "/odd/pct%252Fslash", nil); r.StatusCode != 200 {
		t.Fatalf("raw GET: %d", r.StatusCode)
	}
	if r := e.raw("GET", "/odd/a//b", nil); readBody(t, r) != "0" {
		t.Fatal("a//b")
	}
	l, err := e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk)})
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	var got []string
	for _, o := range l.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	if strings.Join(got, "|") != strings.Join(sorted, "|") {
		t.Fatalf("list\n%q\nwant\n%q", got, sorted)
	}
	long := strings.Repeat("k", 1025)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String(long), Body: strings.NewReader("x")})
	wantCode(t, err, "KeyTooLongError", 400)
	e.put(bk, strings.Repeat("é", 512), []byte("ok")) // 1024 bytes
}

func TestRanges(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("rrr")
	body := []byte("0123456789")
	e.put(bk, "k", body)
	for _, c := range []struct {
		rng, want, cr string
		status        int
	}{
		{"bytes=0-0", "0", "bytes 0-0/10", 206},
		{"bytes=2-4", "234", "bytes 2-4/10", 206},
		{"bytes=7-", "789", "bytes 7-9/10", 206},
		{"bytes=-3", "789", "bytes 7-9/10", 206},
		{"bytes=-30", "0123456789", "bytes 0-9/10", 206},
		{"bytes=5-100", "56789", "bytes 5-9/10", 206},
		{"bytes=1-2,4-5", "0123456789", "", 200}, // S3 answers several ranges with the whole object
		{"bytes=4-2", "0123456789", "", 200},
		{"items=1-2", "0123456789", "", 200},
	} {
		r := e.raw("GET", "/rrr/k", nil, "Range", c.rng)
		if got := readBody(t, r); r.StatusCode != c.status || got != c.want || r.Header.Get("Content-Range") != c.cr {
			t.Errorf("%s: %d %q %q", c.rng, r.StatusCode, got, r.Header.Get("Content-Range"))
		}
	}
	_, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), Range: aws.String("bytes=10-")})
	wantCode(t, err, "InvalidRange", 416)
	g, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), Range: aws.String("bytes=3-5")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(g.Body)
	if string(got) != "345" || aws.ToString(g.ContentRange) != "bytes 3-5/10" || aws.ToInt64(g.ContentLength) != 3 {
		t.Fatalf("SDK range: %q %+v", got, g)
	}
	// partNumber on a single-part object.
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), PartNumber: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	_, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), PartNumber: aws.Int32(2)})
	wantCode(t, err, "InvalidPartNumber", 416)
}

func TestConditionals(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("ccc")
	out := e.put(bk, "k", []byte("v1"))
	etag := aws.ToString(out.ETag)
	h, _ := e.c.HeadObject(e.ctx, &s3.HeadObjectInput{Bucket: aws.String(bk), Key: aws.String("k")})
	lm := *h.LastModified
	before, after := lm.Add(-time.Hour).Format(http.TimeFormat), lm.Add(time.Hour).Format(http.TimeFormat)
	for _, c := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"if-match ok", []string{"If-Match", etag}, 200},
		{"if-match unquoted", []string{"If-Match", strings.Trim(etag, `"`)}, 200},
		{"if-match star", []string{"If-Match", "*"}, 200},
		{"if-match fails", []string{"If-Match", `"nope"`}, 412},
		{"if-none-match matches", []string{"If-None-Match", etag}, 304},
		{"if-none-match other", []string{"If-None-Match", `"nope"`}, 200},
		{"if-modified-since before", []string{"If-Modified-Since", before}, 200},
		{"if-modified-since after", []string{"If-Modified-Since", after}, 304},
		{"if-unmodified-since before", []string{"If-Unmodified-Since", before}, 412},
		{"if-unmodified-since after", []string{"If-Unmodified-Since", after}, 200},
		// If-Match holding wins over a failing If-Unmodified-Since.
		{"if-match and unmodified-since", []string{"If-Match", etag, "If-Unmodified-Since", before}, 200},
		// If-None-Match failing and If-Modified-Since holding: 304.
		{"if-none-match and modified-since", []string{"If-None-Match", etag, "If-Modified-Since", before}, 304},
		// If-None-Match holding wins over a failing If-Modified-Since.
		{"if-none-match ok and modified-since fails", []string{"If-None-Match", `"x"`, "If-Modified-Since", after}, 200},
		{"412 before 304", []string{"If-Match", `"x"`, "If-None-Match", etag}, 412},
	} {
		for _, m := range []string{"GET", "HEAD"} {
			r := e.raw(m, "/ccc/k", nil, c.hdr...)
			if r.StatusCode != c.status {
				t.Errorf("%s %s: %d, want %d", m, c.name, r.StatusCode, c.status)
			}
			if r.StatusCode == 304 && r.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 without ETag", c.name)
			}
		}
	}
	_, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed", 412)
	// Conditional writes.
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")})
	wantCode(t, err, "PreconditionFailed", 412)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), Body: strings.NewReader("v2"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed", 412)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("new"), Body: strings.NewReader("v2"), IfMatch: aws.String(etag)})
	wantCode(t, err, "NoSuchKey", 404)
	if _, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("k"), Body: strings.NewReader("v2"), IfMatch: aws.String(etag)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("new"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	if got := string(e.get(bk, "k")); got != "v2" {
		t.Fatalf("after If-Match PUT: %q", got)
	}
}

func TestDigestsAndChecksums(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("ddd")
	body := []byte("checksummed body")
	sum := md5.Sum(body)
	if _, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("md5"), Body: bytes.NewReader(body), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))}); err != nil {
		t.Fatal(err)
	}
	bad := md5.Sum([]byte("other"))
	_, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("md5bad"), Body: bytes.NewReader(body), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(bad[:]))})
	wantCode(t, err, "BadDigest", 400)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("md5bad"), Body: bytes.NewReader(body), ContentMD5: aws.String("notbase64!")})
	wantCode(t, err, "InvalidDigest", 400)
	for _, alg := range checksumAlgs {
		h := newHash(alg)
		h.Write(body)
		good := base64.StdEncoding.EncodeToString(h.Sum(nil))
		key := "ck-" + alg
		r := e.raw("PUT", "/ddd/"+key, body, checksumHeader(alg), good)
		if r.StatusCode != 200 || r.Header.Get(checksumHeader(alg)) != good {
			t.Fatalf("%s: %d %s", alg, r.StatusCode, readBody(t, r))
		}
		h.Write([]byte("x"))
		r = e.raw("PUT", "/ddd/"+key+"-bad", body, checksumHeader(alg), base64.StdEncoding.EncodeToString(h.Sum(nil)))
		if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "<Code>BadDigest</Code><Message>The "+alg+" you specified did not match the calculated checksum.</Message>") {
			t.Fatalf("%s mismatch: %d %s", alg, r.StatusCode, b)
		}
		if _, err := e.c.HeadObject(e.ctx, &s3.HeadObjectInput{Bucket: aws.String(bk), Key: aws.String(key + "-bad")}); err == nil {
			t.Fatalf("%s: a PUT with a bad checksum was stored", alg)
		}
		g := e.raw("GET", "/ddd/"+key, nil, "X-Amz-Checksum-Mode", "ENABLED")
		if g.Header.Get(checksumHeader(alg)) != good || g.Header.Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
			t.Fatalf("%s: GET checksum %v", alg, g.Header)
		}
		if g := e.raw("GET", "/ddd/"+key, nil); g.Header.Get(checksumHeader(alg)) != "" {
			t.Fatalf("%s: checksum without checksum mode", alg)
		}
	}
	// The SDK's own checksums, sent in headers and validated on GET.
	out, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("sdk"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChecksumSHA256 == nil {
		t.Fatalf("PutObject answered no SHA256: %+v", out)
	}
	g, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bk), Key: aws.String("sdk"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(g.Body); err != nil {
		t.Fatalf("SDK validation of the checksum: %v", err)
	}
	if aws.ToString(g.ChecksumSHA256) != aws.ToString(out.ChecksumSHA256) {
		t.Fatalf("GET SHA256 %q, PUT %q", aws.ToString(g.ChecksumSHA256), aws.ToString(out.ChecksumSHA256))
	}
	// Without a checksum, S3 computes CRC64NVME.
	if g := e.raw("HEAD", "/ddd/md5", nil, "X-Amz-Checksum-Mode", "ENABLED"); g.Header.Get("X-Amz-Checksum-Crc64nvme") == "" {
		t.Fatalf("no default CRC64NVME: %v", g.Header)
	}
	r := e.raw("PUT", "/ddd/two", body, "X-Amz-Checksum-Crc32", "AAAAAA==", "X-Amz-Checksum-Sha1", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "InvalidRequest") {
		t.Fatalf("two checksums: %d %s", r.StatusCode, b)
	}
	r = e.raw("PUT", "/ddd/inv", body, "X-Amz-Checksum-Crc32", "nope")
	if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "InvalidRequest") {
		t.Fatalf("invalid checksum: %d %s", r.StatusCode, b)
	}
}

func TestTagging(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("ttt")
	e.put(bk, "k", []byte("x"))
	tags := []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("a b/c+d=e")}}
	if _, err := e.c.PutObjectTagging(e.ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: tags}}); err != nil {
		t.Fatal(err)
	}
	g, err := e.c.GetObjectTagging(e.ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.TagSet) != 2 || aws.ToString(g.TagSet[1].Value) != "a b/c+d=e" {
		t.Fatalf("tags: %+v", g.TagSet)
	}
	many := make([]types.Tag, 11)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	_, err = e.c.PutObjectTagging(e.ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: many}})
	wantCode(t, err, "BadRequest", 400)
	for _, c := range []types.Tag{
		{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")},
		{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))},
		{Key: aws.String(""), Value: aws.String("v")},
	} {
		_, err = e.c.PutObjectTagging(e.ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{c}}})
		wantCode(t, err, "InvalidTag", 400)
	}
	_, err = e.c.PutObjectTagging(e.ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{tags[0], tags[0]}}})
	wantCode(t, err, "InvalidTag", 400)
	_, err = e.c.PutObjectTagging(e.ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("missing"), Tagging: &types.Tagging{TagSet: tags}})
	wantCode(t, err, "NoSuchKey", 404)
	_, err = e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("k2"), Body: strings.NewReader("x"), Tagging: aws.String("a=1&a=2")})
	wantCode(t, err, "InvalidArgument", 400)
	if _, err := e.c.DeleteObjectTagging(e.ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	g, err = e.c.GetObjectTagging(e.ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bk), Key: aws.String("k")})
	if err != nil || len(g.TagSet) != 0 {
		t.Fatalf("after delete: %v %+v", err, g)
	}
	r := e.raw("PUT", "/ttt/k?tagging", []byte("<Tagging><TagSet><Tag><Key>x"))
	if b := readBody(t, r); r.StatusCode != 400 || !strings.Contains(b, "MalformedXML") {
		t.Fatalf("malformed tagging: %d %s", r.StatusCode, b)
	}
}

func TestCopyObject(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("src")
	dst := e.bucket("dst")
	body := []byte("copy me")
	_, err := e.c.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(bk), Key: aws.String("a b/ü"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/x"), Metadata: map[string]string{"m": "1"}, Tagging: aws.String("t=1")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copy"), CopySource: aws.String("src/a%20b/%C3%BC")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != md5hex(body) || out.CopyObjectResult.LastModified == nil {
		t.Fatalf("CopyObjectResult: %+v", out.CopyObjectResult)
	}
	g, err := e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(dst), Key: aws.String("copy")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(g.Body)
	if string(got) != string(body) || aws.ToString(g.ContentType) != "text/x" || g.Metadata["m"] != "1" || aws.ToInt32(g.TagCount) != 1 {
		t.Fatalf("copy: %q %+v", got, g)
	}
	// REPLACE, the leading-slash form and ?versionId=null.
	if _, err := e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copy2"), CopySource: aws.String("/src/a%20b/%C3%BC?versionId=null"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/y"), Metadata: map[string]string{"n": "2"},
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("u=2&v=3")}); err != nil {
		t.Fatal(err)
	}
	g, err = e.c.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(dst), Key: aws.String("copy2")})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToString(g.ContentType) != "text/y" || g.Metadata["n"] != "2" || g.Metadata["m"] != "" || aws.ToInt32(g.TagCount) != 2 {
		t.Fatalf("copy REPLACE: %+v", g)
	}
	// Onto itself.
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copy"), CopySource: aws.String("dst/copy")})
	wantCode(t, err, "InvalidRequest", 400)
	if !strings.Contains(err.Error(), "copy an object to itself without changing the object's metadata") {
		t.Fatal(err)
	}
	if _, err := e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copy"), CopySource: aws.String("dst/copy"), MetadataDirective: types.MetadataDirectiveReplace}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(dst, "copy"); string(got) != string(body) {
		t.Fatalf("copy onto itself: %q", got)
	}
	// Source conditionals.
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c3"), CopySource: aws.String("src/a%20b/%C3%BC"), CopySourceIfMatch: aws.String(`"x"`)})
	wantCode(t, err, "PreconditionFailed", 412)
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c3"), CopySource: aws.String("src/a%20b/%C3%BC"), CopySourceIfNoneMatch: aws.String(md5hex(body))})
	wantCode(t, err, "PreconditionFailed", 412)
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c3"), CopySource: aws.String("src/a%20b/%C3%BC"), CopySourceIfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	wantCode(t, err, "PreconditionFailed", 412)
	if _, err := e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c3"), CopySource: aws.String("src/a%20b/%C3%BC"), CopySourceIfMatch: aws.String(md5hex(body)), CopySourceIfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c4"), CopySource: aws.String("src/missing")})
	wantCode(t, err, "NoSuchKey", 404)
	_, err = e.c.CopyObject(e.ctx, &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("c4"), CopySource: aws.String("nobucket")})
	wantCode(t, err, "InvalidArgument", 400)
	// The source deleted after the copy: the copy keeps its bytes (its own hard link).
	if _, err := e.c.DeleteObject(e.ctx, &s3.DeleteObjectInput{Bucket: aws.String(bk), Key: aws.String("a b/ü")}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(dst, "copy2"); string(got) != string(body) {
		t.Fatalf("copy after source deleted: %q", got)
	}
}

func TestDeleteObjects(t *testing.T) {
	e := newEnv(t)
	bk := e.bucket("del")
	for i := 0; i < 5; i++ {
		e.put(bk, fmt.Sprint("k", i), []byte("x"))
	}
	out, err := e.c.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bk), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k0")}, {Key: aws.String("k1")}, {Key: aws.String("missing")}, {Key: aws.String("k2"), VersionId: aws.String("v1")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 3 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "NoSuchVersion" {
		t.Fatalf("DeleteObjects: %+v %+v", out.Deleted, out.Errors)
	}
	out, err = e.c.DeleteObjects(e.ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bk), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("k3")}}}})
	if err != nil || len(out.Deleted) != 0 {
		t.Fatalf("quiet: %v %+v", err, out)
	}
	l, _ := e.c.ListObjectsV2(e.ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bk)})
	if len(l.Contents) != 2 {
		t.Fatalf("left: %d", len(l.Contents))
	}
	body := []byte(`<Delete><Object><Key>k4</Key></Object></Delete>`)
	if r := e.raw("POST", "/del?delete", body); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "Missing required header for this request: Content-MD5") {
		t.Fatalf("without Content-MD5: %d", r.StatusCode)
	}
	sum := md5.Sum([]byte("<Delete><Object><Key>k4"))
	for _, c := range [][]byte{[]byte("<Delete><Object><Key>k4"), []byte("<Delete></Delete>")} {
		sum = md5.Sum(c)
		if r := e.raw("POST", "/del?delete", c, "Content-MD5", base64.StdEncoding.EncodeToString(sum[:])); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "MalformedXML") {
			t.Fatalf("malformed: %d", r.StatusCode)
		}
	}
	many := &strings.Builder{}
	many.WriteString("<Delete>")
	for i := 0; i < 1001; i++ {
		fmt.Fprintf(many, "<Object><Key>%d</Key></Object>", i)
	}
	many.WriteString("</Delete>")
	sum = md5.Sum([]byte(many.String()))
	if r := e.raw("POST", "/del?delete", []byte(many.String()), "Content-MD5", base64.StdEncoding.EncodeToString(sum[:])); r.StatusCode != 400 {
		t.Fatalf("1001 keys: %d", r.StatusCode)
	}
	if r := e.raw("POST", "/del?delete", body, "Content-MD5", base64.StdEncoding.EncodeToString(sum[:])); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "BadDigest") {
		t.Fatalf("bad MD5: %d", r.StatusCode)
	}
}

func TestNotImplementedAndBadInput(t *testing.T) {
	e := newEnv(t)
	e.bucket("nnn")
	e.put("nnn", "k", []byte("x"))
	for _, c := range []struct{ method, path, code string }{
		{"GET", "/nnn/k?acl", "NotImplemented"},
		{"PUT", "/nnn?policy", "NotImplemented"},
		{"GET", "/nnn?tagging", "NotImplemented"},
		{"POST", "/nnn/k", "NotImplemented"},
		{"GET", "/", "NotImplemented"},
		{"GET", "/nnn/k?versionId=abc", "InvalidArgument"},
		{"GET", "/nnn?list-type=3", "InvalidArgument"},
		{"GET", "/nnn?max-keys=-1", "InvalidArgument"},
		{"GET", "/nnn?max-keys=abc", "InvalidArgument"},
		{"GET", "/nnn?encoding-type=xml", "InvalidArgument"},
		{"GET", "/nnn?list-type=2&continuation-token=%25%25", "InvalidArgument"},
		{"GET", "/nnn/k?partNumber=0", "InvalidArgument"},
	} {
		r := e.raw(c.method, c.path, nil)
		if b := readBody(t, r); !strings.Contains(b, "<Code>"+c.code+"</Code>") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.StatusCode, b)
		}
	}
	if _, _, err := splitPath("/nnn/%zz"); err == nil {
		t.Fatal("a bad escape was taken")
	}
	// A PUT without a length.
	req, _ := http.NewRequest("PUT", e.srv.URL+"/nnn/nolen", io.NopCloser(strings.NewReader("abc")))
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := readBody(t, resp); resp.StatusCode != 411 || !strings.Contains(b, "MissingContentLength") {
		t.Fatalf("no length: %d %s", resp.StatusCode, b)
	}
	resp.Body.Close()
	if r := e.raw("PUT", "/nnn/k", nil, "X-Amz-Storage-Class", "COLD"); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "InvalidStorageClass") {
		t.Fatalf("storage class: %d", r.StatusCode)
	}
	if r := e.raw("PUT", "/nnn/k", nil, "X-Amz-Meta-Big", strings.Repeat("x", 2100)); r.StatusCode != 400 || !strings.Contains(readBody(t, r), "MetadataTooLarge") {
		t.Fatalf("metadata: %d", r.StatusCode)
	}
}

// failingBody returns its bytes, then fails where EOF would be: the front found a bad
// signature or checksum.
type failingBody struct {
	r   io.Reader
	err error
}

func (f *failingBody) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func (f *failingBody) Close() error { return nil }

func TestBodyFailsAtEnd(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	do := func(method, target string, body io.ReadCloser, n int64) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, nil)
		r.Body, r.ContentLength = body, n
		w := httptest.NewRecorder()
		front(b).ServeHTTP(w, r)
		return w
	}
	if w := do("PUT", "/fff", http.NoBody, 0); w.Code != 200 {
		t.Fatal(w.Code, w.Body)
	}
	if w := do("PUT", "/fff/k", io.NopCloser(strings.NewReader("old")), 3); w.Code != 200 {
		t.Fatal(w.Code, w.Body)
	}
	sigErr := errors.New("chunk signature mismatch")
	if w := do("PUT", "/fff/k", &failingBody{strings.NewReader("new!"), sigErr}, 4); w.Code < 400 {
		t.Fatalf("a failing body was accepted: %d", w.Code)
	}
	if w := do("PUT", "/fff/k2", &failingBody{strings.NewReader("new!"), sigErr}, 4); w.Code < 400 {
		t.Fatalf("a failing body was accepted: %d", w.Code)
	}
	if w := do("PUT", "/fff/k3", io.NopCloser(strings.NewReader("sh")), 4); w.Code != 400 || !strings.Contains(w.Body.String(), "IncompleteBody") {
		t.Fatalf("a short body: %d %s", w.Code, w.Body)
	}
	w := do("GET", "/fff/k", nil, 0)
	if w.Body.String() != "old" {
		t.Fatalf("after a failed PUT: %q", w.Body)
	}
	if w := do("GET", "/fff/k2", nil, 0); w.Code != 404 {
		t.Fatalf("a failed PUT is visible: %d", w.Code)
	}
	// Multipart: a failing part is not recorded.
	w = do("POST", "/fff/mp?uploads", nil, 0)
	id := between(w.Body.String(), "<UploadId>", "</UploadId>")
	if w := do("PUT", "/fff/mp?partNumber=1&uploadId="+id, &failingBody{strings.NewReader("part"), sigErr}, 4); w.Code < 400 {
		t.Fatalf("failing part accepted: %d", w.Code)
	}
	if w := do("GET", "/fff/mp?uploadId="+id, nil, 0); strings.Contains(w.Body.String(), "<Part>") {
		t.Fatalf("a failed part is listed: %s", w.Body)
	}
	assertNoStrayFiles(t, b)
}

func between(s, a, z string) string {
	_, s, _ = strings.Cut(s, a)
	s, _, _ = strings.Cut(s, z)
	return s
}

// assertNoStrayFiles checks that tmp is empty and every data file is referenced.
func assertNoStrayFiles(t *testing.T, b *Backend) {
	t.Helper()
	tmp, _ := readDirNames(b.files.tmpDir())
	if len(tmp) != 0 {
		t.Errorf("tmp holds %v", tmp)
	}
	for _, id := range dataFiles(t, b) {
		var one int
		if err := b.r.QueryRow(`SELECT 1 FROM refs WHERE id = ?`, id).Scan(&one); err != nil {
			t.Errorf("data file %s is referenced by no row", id)
		}
	}
}
