package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const s3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func s3Verifier(now time.Time) *Verifier {
	return &Verifier{Services: []string{"s3"}, Now: func() time.Time { return now },
		Secret: func(_ context.Context, c Credential) (string, error) {
			if c.AccessKeyID != "AKIDEXAMPLE" {
				return "", InvalidClientTokenID()
			}
			return s3Secret, nil
		}}
}

// signS3 signs r as the SDK's S3 client does: the path escaped once, not normalized.
func signS3(t *testing.T, r *http.Request, payloadHash string, at time.Time) {
	t.Helper()
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	err := s.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: s3Secret},
		r, payloadHash, "s3", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyS3KeysAreNotNormalized(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	v := s3Verifier(now)
	body := "hello"
	sum := sha256.Sum256([]byte(body))
	for _, key := range []string{"a//b/../c", "./x", "sp ace/ü/%41", "a+b=c&d", "~tilde", ""} {
		r, _ := http.NewRequest("PUT", "http://127.0.0.1/bucket/"+escapeKey(key), strings.NewReader(body))
		signS3(t, r, hex.EncodeToString(sum[:]), now)
		r.RequestURI = r.URL.EscapedPath()
		var res S3Result
		if err := v.VerifyS3(context.Background(), r, &res); err != nil {
			t.Fatalf("key %q (%s): %v", key, r.RequestURI, err)
		}
		if res.PayloadHash != hex.EncodeToString(sum[:]) || res.SigningKey != nil {
			t.Fatalf("key %q: %+v", key, res)
		}
	}
}

// escapeKey escapes a key as the SDKs put it on the wire: everything but the unreserved
// characters and '/'.
func escapeKey(k string) string { return string(appendEncoded(nil, k, true)) }

func TestVerifyS3Presigned(t *testing.T) {
	signedAt := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	r, _ := http.NewRequest("GET", "http://127.0.0.1/bucket/k?X-Amz-Expires=60", nil)
	s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	u, _, err := s.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: s3Secret, SessionToken: "TOKEN"},
		r, UnsignedPayload, "s3", "us-east-1", signedAt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		after time.Duration
		code  string
	}{{0, ""}, {60 * time.Second, ""}, {61 * time.Second, CodeRequestExpired}, {-20 * time.Minute, CodeRequestExpired}} {
		pr, _ := http.NewRequest("GET", u, nil)
		var res S3Result
		err := s3Verifier(signedAt.Add(tc.after)).VerifyS3(context.Background(), pr, &res)
		if code := errCode(err); code != tc.code {
			t.Fatalf("after %v: %v, want %q", tc.after, err, tc.code)
		}
		if err == nil && (!res.Presigned || res.PayloadHash != UnsignedPayload || res.Credential.SessionToken != "TOKEN" || res.Expires != time.Minute) {
			t.Fatalf("%+v", res)
		}
	}
}

func TestVerifyS3Streaming(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	r, _ := http.NewRequest("PUT", "http://127.0.0.1/bucket/k", strings.NewReader("x"))
	signS3(t, r, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", now)
	var res S3Result
	if err := s3Verifier(now).VerifyS3(context.Background(), r, &res); err != nil {
		t.Fatal(err)
	}
	want := rawSigningKey(s3Secret, "20261207", "us-east-1", "s3")
	if hex.EncodeToString(res.SigningKey) != hex.EncodeToString(want) || res.Signature == "" || res.Scope != "20261207/us-east-1/s3/aws4_request" {
		t.Fatalf("%+v", res)
	}
}

func TestVerifyS3Refusals(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	sum := sha256.Sum256(nil)
	good := hex.EncodeToString(sum[:])
	cases := []struct {
		name string
		mod  func(r *http.Request)
		at   time.Time
		code string
	}{
		{"tampered path", func(r *http.Request) { r.URL.Path = "/bucket/other" }, now, CodeSignatureDoesNotMatch},
		{"tampered hash", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64)) }, now, CodeSignatureDoesNotMatch},
		{"no hash", func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") }, now, CodeMissingContentSHA256},
		{"bad hash", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "nope") }, now, CodeInvalidContentSHA256},
		{"skewed", func(*http.Request) {}, now.Add(-16 * time.Minute), CodeRequestTimeTooSkewed},
		{"unknown key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AKIDEXAMPLE", "AKIDOTHER", 1))
		}, now, CodeInvalidClientTokenID},
	}
	for _, tc := range cases {
		r, _ := http.NewRequest("GET", "http://127.0.0.1/bucket/k", nil)
		signS3(t, r, good, tc.at)
		tc.mod(r)
		var res S3Result
		if code := errCode(s3Verifier(now).VerifyS3(context.Background(), r, &res)); code != tc.code {
			t.Errorf("%s: %q, want %q", tc.name, code, tc.code)
		}
	}
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	return err.Error()
}

func TestVerifyPostPolicy(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	policy := "eyJleHBpcmF0aW9uIjoiMjAyNi0xMi0wN1QwOTowMDowMFoifQ=="
	key := rawSigningKey(s3Secret, "20261207", "us-east-1", "s3")
	sig := hex.EncodeToString(hmacSHA256(key, []byte(policy)))
	pp := PostPolicy{Credential: "AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request", AmzDate: "20261207T080000Z", Policy: policy, Signature: sig}
	c, err := s3Verifier(now).VerifyPostPolicy(context.Background(), pp)
	if err != nil || c.AccessKeyID != "AKIDEXAMPLE" {
		t.Fatalf("%+v %v", c, err)
	}
	pp.Policy = "e30="
	if _, err := s3Verifier(now).VerifyPostPolicy(context.Background(), pp); errCode(err) != CodeSignatureDoesNotMatch {
		t.Fatalf("tampered policy: %v", err)
	}
}
