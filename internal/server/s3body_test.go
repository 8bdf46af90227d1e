package server_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/iamtest"
)

// unsignedTrailerPut is a PUT of an aws-chunked body with unsigned chunks and trailers, signed
// by the root key, with the extra headers given (signed too).
func unsignedTrailerPut(t *testing.T, h *iamtest.Harness, path, body string, headers map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("PUT", h.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	const mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	r.Header.Set("X-Amz-Content-Sha256", mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret},
		r, mode, "s3", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestS3ChunkedWording: aws-chunked bodies that fail are answered in S3's words: the checksum's
// algorithm named, a value that is no checksum InvalidRequest, a trailer section other than the
// declared one MalformedTrailerError, a body cut off "terminated unexpectedly", a whole body of
// the wrong length IncompleteBody; more than one checksum algorithm is refused up front.
func TestS3ChunkedWording(t *testing.T) {
	h := iamtest.New(t)
	if _, err := iamtest.S3(h.Root()).CreateBucket(context.Background(), &s3sdk.CreateBucketInput{Bucket: aws.String("chunks")}); err != nil {
		t.Fatal(err)
	}
	crc := map[string]string{"X-Amz-Decoded-Content-Length": "5", "X-Amz-Trailer": "x-amz-checksum-crc64nvme"}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range m {
			out[a] = b
		}
		out[k] = v
		return out
	}
	for name, tc := range map[string]struct {
		body    string
		headers map[string]string
		status  int
		want    string
	}{
		"good": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", crc, 200, ""},
		"wrong checksum": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:QFRKMGE3tuw=\r\n\r\n", crc, 400,
			"<Code>BadDigest</Code><Message>The CRC64NVME you specified did not match the calculated checksum.</Message>"},
		"invalid checksum": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:invalid_checksum\r\n\r\n", crc, 400,
			"<Code>InvalidRequest</Code><Message>Value for x-amz-checksum-crc64nvme trailing header is invalid.</Message>"},
		"trailer missing": {"5\r\nhello\r\n0\r\n\r\n", crc, 400, "<Code>MalformedTrailerError</Code>"},
		"trailer undeclared": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", map[string]string{"X-Amz-Decoded-Content-Length": "5"}, 400,
			"<Code>MalformedTrailerError</Code>"},
		"cut off": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n", crc, 400,
			"<Code>IncompleteBody</Code><Message>The request body terminated unexpectedly</Message>"},
		"bad chunk size": {"J\r\nhello\r\n0\r\n\r\n", crc, 400, "The request body terminated unexpectedly"},
		"small chunk first": {"2\r\nhe\r\n3\r\nllo\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", crc, 400,
			"<Code>InvalidChunkSizeError</Code><Message>Only the last chunk is allowed to have a size less than 8192 bytes</Message>"},
		"longer": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", with(crc, "X-Amz-Decoded-Content-Length", "3"), 400,
			"<Message>You did not provide the number of bytes specified by the Content-Length HTTP header</Message>"},
		"shorter": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", with(crc, "X-Amz-Decoded-Content-Length", "9"), 400,
			"<Message>You did not provide the number of bytes specified by the Content-Length HTTP header</Message>"},
		"two algorithms": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", with(crc, "X-Amz-Checksum-Crc32", "NhCmhg=="), 400,
			"<Message>Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.</Message>"},
		"sdk algorithm differs": {"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n", with(crc, "X-Amz-Sdk-Checksum-Algorithm", "SHA1"), 400,
			"<Code>InvalidRequest</Code><Message>Value for x-amz-sdk-checksum-algorithm header is invalid.</Message>"},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := h.Client().Do(unsignedTrailerPut(t, h, "/chunks/k", tc.body, tc.headers))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := html.UnescapeString(string(b))
			if resp.StatusCode != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("%d %s; want %d %s", resp.StatusCode, got, tc.status, tc.want)
			}
			// S3 answers a PUT with the checksum its trailer carried.
			if sum := resp.Header.Get("X-Amz-Checksum-Crc64nvme"); tc.status == 200 && sum != "M3eFcAZSQlc=" {
				t.Errorf("x-amz-checksum-crc64nvme = %q, want the trailer's", sum)
			}
		})
	}
}

// TestS3TrailerChecksumThroughUpstream: a chunked upload's body reaches an upstream backend
// decoded, with its length, so the checksum of its trailer (checked by the front) does not reach
// the backend, which answers without it; the front answers with it, as S3 does.
func TestS3TrailerChecksumThroughUpstream(t *testing.T) {
	var mu sync.Mutex
	var got string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == "PUT" && r.URL.Path == "/chunks/k" {
			mu.Lock()
			got = string(b)
			mu.Unlock()
			w.Header().Set("ETag", `"5d41402abc4b2a76b9719d911017c592"`)
		}
		w.WriteHeader(200)
	}))
	defer fake.Close()
	cfg := iamtest.NodeConfig(t.TempDir())
	cfg.S3Backend, cfg.S3BackendKeyID, cfg.S3BackendSecret = fake.URL, "AKIDBACKEND", "backend-secret"
	h := iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if _, err := iamtest.S3(h.Root()).CreateBucket(context.Background(), &s3sdk.CreateBucketInput{Bucket: aws.String("chunks")}); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Client().Do(unsignedTrailerPut(t, h, "/chunks/k", "5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n",
		map[string]string{"X-Amz-Decoded-Content-Length": "5", "X-Amz-Trailer": "x-amz-checksum-crc64nvme"}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != 200 || got != "hello" {
		t.Fatalf("%s; the backend got %q", resp.Status, got)
	}
	if sum := resp.Header.Get("X-Amz-Checksum-Crc64nvme"); sum != "M3eFcAZSQlc=" {
		t.Errorf("x-amz-checksum-crc64nvme = %q, want the trailer's", sum)
	}
}
