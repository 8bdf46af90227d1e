package upstream

// Tests against a real versitygw (posix backend): the aws-sdk-go-v2 S3 client drives the proxy
// (an httptest server in front of a Backend), which forwards to versitygw. CI builds versitygw
// and sets IAMD_TEST_VERSITYGW to its binary (.ci/run); without it these tests skip, except
// under CI, where they fail.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	gwAK = "IAMDVERSITYTESTKEY"
	gwSK = "iamd-versitygw-test-secret"
)

// versity is a running versitygw.
type versity struct {
	url string
	dir string
	cmd *exec.Cmd
	out *bytes.Buffer
}

var (
	gwOnce sync.Once
	gw     *versity
	gwErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if gw != nil {
		gw.stop()
	}
	os.Exit(code)
}

// versityGW returns the shared versitygw, started on first use.
func versityGW(t testing.TB) *versity {
	t.Helper()
	bin := os.Getenv("IAMD_TEST_VERSITYGW")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("IAMD_TEST_VERSITYGW is unset: CI must run the tests against versitygw (.ci/run builds it)")
		}
		t.Skip("IAMD_TEST_VERSITYGW is unset (the path of a versitygw binary; .ci/run builds one)")
	}
	gwOnce.Do(func() { gw, gwErr = startVersity(bin) })
	if gwErr != nil {
		t.Fatal(gwErr)
	}
	return gw
}

func startVersity(bin string) (*versity, error) {
	dir, err := os.MkdirTemp("", "iamd-versitygw-")
	if err != nil {
		return nil, err
	}
	var last error
	for range 3 { // a free port may be taken between its choice and versitygw's listen
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := l.Addr().String()
		l.Close()
		v := &versity{url: "http://" + addr, dir: dir, out: &bytes.Buffer{}}
		v.cmd = exec.Command(bin, "--access", gwAK, "--secret", gwSK, "--port", addr, "--keep-alive", "--quiet", "posix", dir)
		v.cmd.Env = gwEnv()
		v.cmd.Stdout, v.cmd.Stderr = v.out, v.out
		if err := v.cmd.Start(); err != nil {
			return nil, err
		}
		if last = v.waitReady(20 * time.Second); last == nil {
			return v, nil
		}
		v.cmd.Process.Kill()
		v.cmd.Wait()
	}
	os.RemoveAll(dir)
	return nil, last
}

// gwEnv is the environment without AWS_* (AWS_CA_BUNDLE is set machine-wide) and versitygw's
// own variables.
func gwEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "VGW_") || strings.HasPrefix(kv, "ROOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (v *versity) waitReady(limit time.Duration) error {
	exited := make(chan struct{})
	go func() { v.cmd.Process.Wait(); close(exited) }()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("versitygw exited: %s", v.out)
		default:
		}
		resp, err := http.Get(v.url + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("versitygw not ready after %v: %s", limit, v.out)
}

func (v *versity) stop() {
	v.cmd.Process.Kill()
	v.cmd.Wait()
	os.RemoveAll(v.dir)
}

// proxy is iamd's place in the tests: a front that sets the request ids, then the Backend.
func proxy(t testing.TB, url string) *httptest.Server {
	t.Helper()
	b := newBackend(t, url, func(c *Config) { c.AccessKeyID, c.SecretAccessKey = gwAK, gwSK })
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Request-Id", fmt.Sprintf("IAMD%012d", n.Add(1)))
		w.Header().Set("X-Amz-Id-2", "iamd-test-host")
		b.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// proxyClient is an S3 client of the proxy: anonymous (the front's checks are not under test
// here), path-style, checksums only where required (no aws-chunked body reaches a backend).
func proxyClient(url string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint:               aws.String(url),
		UsePathStyle:               true,
		Region:                     "us-east-1",
		Credentials:                aws.AnonymousCredentials{},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

// directClient is an S3 client of versitygw itself, with UNSIGNED-PAYLOAD as the proxy sends.
func directClient(v *versity) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(v.url),
		UsePathStyle: true,
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: gwAK, SecretAccessKey: gwSK}, nil
		}),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
}

var bucketSeq atomic.Int64

func newBucket(t testing.TB, c *s3.Client) string {
	t.Helper()
	name := fmt.Sprintf("iamd-up-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
	return name
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func etagOf(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func TestVersityGW(t *testing.T) {
	v := versityGW(t)
	p := proxy(t, v.url)
	c := proxyClient(p.URL)
	ctx := context.Background()
	bucket := newBucket(t, c)

	t.Run("buckets", func(t *testing.T) {
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, b := range out.Buckets {
			found = found || aws.ToString(b.Name) == bucket
		}
		if !found {
			t.Errorf("ListBuckets misses %s", bucket)
		}
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("iamd-no-such-bucket")})
		if httpStatus(err) != 404 {
			t.Errorf("HeadBucket of a missing bucket: %v", err)
		}
	})

	keys := []string{
		"plain.txt",
		"a b/c+d(e)~f=g&h;i,j:k@l$m!n'o*p",
		"ü/日本語/ключ",
		"dir//double/./dot/../dotdot",
		"percent%2Fencoded%20literally",
		"question?hash#bracket[]{}",
	}
	t.Run("put get head delete", func(t *testing.T) {
		for i, key := range keys {
			data := []byte(fmt.Sprintf("object %d: %s", i, key))
			put, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: &bucket, Key: aws.String(key), Body: bytes.NewReader(data),
				ContentType: aws.String("text/plain; charset=utf-8"),
				Metadata:    map[string]string{"color": "blue", "n": fmt.Sprint(i)},
			})
			if err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
			if aws.ToString(put.ETag) != etagOf(data) {
				t.Errorf("PutObject %q: ETag %s, want %s", key, aws.ToString(put.ETag), etagOf(data))
			}
			get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GetObject %q: %v", key, err)
			}
			body, err := io.ReadAll(get.Body)
			get.Body.Close()
			if err != nil || !bytes.Equal(body, data) {
				t.Errorf("GetObject %q: %q, %v", key, body, err)
			}
			if aws.ToString(get.ContentType) != "text/plain; charset=utf-8" || get.Metadata["color"] != "blue" || get.Metadata["n"] != fmt.Sprint(i) {
				t.Errorf("GetObject %q: Content-Type %q, metadata %v", key, aws.ToString(get.ContentType), get.Metadata)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key)})
			if err != nil || aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ETag) != etagOf(data) {
				t.Errorf("HeadObject %q: %+v, %v", key, head, err)
			}
		}
		// The keys, listed by the backend, are the keys the client named.
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		for _, o := range list.Contents {
			listed[aws.ToString(o.Key)] = true
		}
		for _, key := range keys {
			if strings.Contains(key, "//") {
				// versitygw's posix backend stores keys as file paths: it lists this one
				// cleaned (the key went through unchanged: GET and HEAD found it).
				continue
			}
			if !listed[key] {
				t.Errorf("ListObjectsV2 misses %q (has %v)", key, listed)
			}
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(keys[1])}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(keys[1])})
		if apiCode(err) != "NoSuchKey" || httpStatus(err) != 404 {
			t.Errorf("GetObject of a deleted key: %v", err)
		}
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(keys[1])})
		if httpStatus(err) != 404 {
			t.Errorf("HeadObject of a deleted key: %v", err)
		}
	})

	t.Run("ranges and conditions", func(t *testing.T) {
		data := []byte("0123456789abcdefghij")
		key := aws.String("ranged")
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key, Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key, Range: aws.String("bytes=2-5")})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if string(body) != "2345" || aws.ToString(get.ContentRange) != "bytes 2-5/20" {
			t.Errorf("range: %q, Content-Range %q", body, aws.ToString(get.ContentRange))
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key, IfNoneMatch: put.ETag})
		if httpStatus(err) != 304 {
			t.Errorf("If-None-Match of the current ETag: %v", err)
		}
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key, IfMatch: aws.String(`"nope"`)})
		if httpStatus(err) != 412 {
			t.Errorf("If-Match of another ETag: %v", err)
		}
	})

	t.Run("listing", func(t *testing.T) {
		for _, k := range []string{"list/a/1", "list/a/2", "list/b/1", "list/c"} {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("list/"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range out.CommonPrefixes {
			got = append(got, aws.ToString(p.Prefix))
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		if strings.Join(got, " ") != "list/a/ list/b/ list/c" {
			t.Errorf("listing: %v", got)
		}
		// Paging.
		page, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("list/"), MaxKeys: aws.Int32(2)})
		if err != nil || len(page.Contents) != 2 || !aws.ToBool(page.IsTruncated) {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		rest, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("list/"), ContinuationToken: page.NextContinuationToken})
		if err != nil || len(rest.Contents) != 2 {
			t.Errorf("second page: %+v, %v", rest, err)
		}
	})

	t.Run("copy", func(t *testing.T) {
		src := keys[2]
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: &bucket, Key: aws.String("copied"),
			CopySource:        aws.String(bucket + "/" + escapeKey(src)),
			MetadataDirective: types.MetadataDirectiveReplace,
			Metadata:          map[string]string{"copied": "yes"},
		})
		if err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("copied")})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if string(body) != "object 2: "+src || get.Metadata["copied"] != "yes" || out.CopyObjectResult == nil {
			t.Errorf("copy: %q %v", body, get.Metadata)
		}
	})

	t.Run("multipart", func(t *testing.T) {
		key := aws.String("multi part/object")
		source := randomBytes(6 << 20)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("mp-source"), Body: bytes.NewReader(source)}); err != nil {
			t.Fatal(err)
		}
		create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		part1 := randomBytes(5 << 20)
		up1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
		if err != nil {
			t.Fatal(err)
		}
		up2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: &bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(2),
			CopySource: aws.String(bucket + "/mp-source"), CopySourceRange: aws.String("bytes=100-5243979")})
		if err != nil {
			t.Fatal(err)
		}
		part3 := []byte("the last part")
		up3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(3), Body: bytes.NewReader(part3)})
		if err != nil {
			t.Fatal(err)
		}
		parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: key, UploadId: create.UploadId})
		if err != nil || len(parts.Parts) != 3 {
			t.Fatalf("ListParts: %+v, %v", parts, err)
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: key, UploadId: create.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
				{PartNumber: aws.Int32(1), ETag: up1.ETag},
				{PartNumber: aws.Int32(2), ETag: up2.CopyPartResult.ETag},
				{PartNumber: aws.Int32(3), ETag: up3.ETag},
			}}})
		if err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(get.Body)
		get.Body.Close()
		want := append(append(append([]byte{}, part1...), source[100:5243980]...), part3...)
		if !bytes.Equal(body, want) {
			t.Errorf("completed object: %d bytes, want %d", len(body), len(want))
		}
		// An aborted upload is gone.
		abort, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: abort.UploadId}); err != nil {
			t.Fatal(err)
		}
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: abort.UploadId})
		if apiCode(err) != "NoSuchUpload" {
			t.Errorf("ListParts of an aborted upload: %v", err)
		}
	})

	t.Run("tagging", func(t *testing.T) {
		key := aws.String("tagged")
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key, Body: strings.NewReader("x"), Tagging: aws.String("a=1&b=two%20words")}); err != nil {
			t.Fatal(err)
		}
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &bucket, Key: key})
		if err != nil || len(tags.TagSet) != 2 {
			t.Fatalf("GetObjectTagging after a PUT with x-amz-tagging: %+v, %v", tags, err)
		}
		if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: &bucket, Key: key,
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}); err != nil {
			t.Fatal(err)
		}
		tags, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &bucket, Key: key})
		if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "k" || aws.ToString(tags.TagSet[0].Value) != "v" {
			t.Errorf("GetObjectTagging: %+v, %v", tags, err)
		}
	})

	t.Run("delete objects", func(t *testing.T) {
		for _, k := range []string{"del/1", "del/2"} {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("del/1")}, {Key: aws.String("del/2")}}}})
		if err != nil || len(out.Deleted) != 2 {
			t.Fatalf("DeleteObjects: %+v, %v", out, err)
		}
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("del/")})
		if err != nil || len(list.Contents) != 0 {
			t.Errorf("after DeleteObjects: %+v, %v", list, err)
		}
	})

	t.Run("64 MiB object", func(t *testing.T) {
		data := randomBytes(64 << 20)
		key := aws.String("big")
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key, Body: bytes.NewReader(data)}); err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, get.Body)
		get.Body.Close()
		want := sha256.Sum256(data)
		if err != nil || n != int64(len(data)) || !bytes.Equal(h.Sum(nil), want[:]) {
			t.Errorf("64 MiB round trip: %d bytes, %v, hash match %v", n, err, bytes.Equal(h.Sum(nil), want[:]))
		}
	})

	t.Run("errors pass through", func(t *testing.T) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("never-written")})
		if apiCode(err) != "NoSuchKey" || httpStatus(err) != 404 {
			t.Errorf("GetObject of a missing key: %v", err)
		}
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("iamd-no-such-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
		if apiCode(err) != "NoSuchBucket" || httpStatus(err) != 404 {
			t.Errorf("PutObject into a missing bucket: %v", err)
		}
		// The request ids are the front's.
		resp, err := http.Get(p.URL + "/" + bucket + "/never-written")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 && resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("X-Amz-Request-Id"), "IAMD") {
			t.Errorf("unsigned GET: %d %v %s", resp.StatusCode, resp.Header, body)
		}
	})

	t.Run("failed body stores nothing", func(t *testing.T) {
		b := newBackend(t, v.url, func(c *Config) { c.AccessKeyID, c.SecretAccessKey = gwAK, gwSK })
		const size = 8 << 20
		data := randomBytes(size)
		for _, tc := range []struct {
			name     string
			sent     int
			together bool
		}{{"at the end", size, false}, {"with the last bytes", size, true}, {"midway", size / 2, false}} {
			key := "failed-" + strings.ReplaceAll(tc.name, " ", "-")
			r := httptest.NewRequest(http.MethodPut, "/"+bucket+"/"+key, nil)
			r.Body = io.NopCloser(&failingBody{data: data[:tc.sent], err: s3err400(), together: tc.together, chunk: 64 << 10})
			r.ContentLength = size
			w := httptest.NewRecorder()
			b.ServeHTTP(w, r)
			if w.Code != 400 {
				t.Errorf("%s: answer %d %s", tc.name, w.Code, w.Body)
			}
			// versitygw may still be reading the truncated request: give it a moment.
			deadline := time.Now().Add(time.Second)
			for time.Now().Before(deadline) {
				_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
				if httpStatus(err) != 404 {
					t.Fatalf("%s: HeadObject after a failed body: %v (want 404)", tc.name, err)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})

	t.Run("client gone mid-upload stores nothing", func(t *testing.T) {
		key := "client-gone"
		pr, pw := io.Pipe()
		cctx, cancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(cctx, http.MethodPut, p.URL+"/"+bucket+"/"+key, pr)
		req.ContentLength = 64 << 20
		go func() {
			chunk := randomBytes(1 << 20)
			for i := 0; i < 63; i++ {
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
			cancel()
			pw.CloseWithError(context.Canceled)
		}()
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("upload cancelled midway: %s", resp.Status)
		}
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
			if httpStatus(err) != 404 {
				t.Fatalf("HeadObject after the client left mid-upload: %v (want 404)", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

func s3err400() error {
	return errors.New("the front's verdict: the body's checksum does not match")
}

// escapeKey escapes a key for x-amz-copy-source.
func escapeKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if keep(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func TestVersityGWDown(t *testing.T) {
	versityGW(t) // the same conditions as the other versitygw tests
	p := proxy(t, closedPort(t))
	c := proxyClient(p.URL)
	start := time.Now()
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if httpStatus(err) != 503 || apiCode(err) != "ServiceUnavailable" {
		t.Errorf("backend down: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("backend down: answered after %v", d)
	}
}

func TestVersityGWCheck(t *testing.T) {
	v := versityGW(t)
	if err := newBackend(t, v.url, func(c *Config) { c.AccessKeyID, c.SecretAccessKey = gwAK, gwSK }).Check(context.Background()); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := newBackend(t, v.url, func(c *Config) { c.AccessKeyID, c.SecretAccessKey = gwAK, "wrong" }).Check(context.Background()); err == nil {
		t.Error("Check with a wrong secret: no error")
	}
}
