package server_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/iamtest"
)

const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b854"

// signedS3 is a request to path signed by the root key for region, then changed by mod.
func signedS3(t *testing.T, h *iamtest.Harness, method, path, region string, mod func(*http.Request)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, h.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Content-Sha256", emptySHA)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret},
		r, emptySHA, "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(r)
	}
	return r
}

// presignedS3 is a presigned URL of method on path for region, with its query changed by mod.
func presignedS3(t *testing.T, h *iamtest.Harness, method, path, region string, mod func(url.Values)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, h.URL+path+"?X-Amz-Expires=600", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret},
		r, "UNSIGNED-PAYLOAD", "s3", region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	q := pu.Query()
	if mod != nil {
		mod(q)
	}
	pu.RawQuery = q.Encode()
	r, _ = http.NewRequest(method, pu.String(), nil)
	return r
}

type s3Answer struct {
	status int
	body   string
}

func do(t *testing.T, h *iamtest.Harness, r *http.Request) s3Answer {
	t.Helper()
	resp, err := h.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return s3Answer{resp.StatusCode, html.UnescapeString(string(b))} // the text, unescaped
}

var credRE = regexp.MustCompile(`Credential=[^,]+,`)

func setCred(cred string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", credRE.ReplaceAllString(r.Header.Get("Authorization"), "Credential="+cred+","))
	}
}

// TestS3AuthWording: the failures of a signature's form are answered in S3's codes and words
// (AuthorizationHeaderMalformed, AuthorizationQueryParametersError, InvalidArgument, …), not
// in IAM's, which the Query path keeps.
func TestS3AuthWording(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	if _, err := iamtest.S3(h.Root()).CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("words")}); err != nil {
		t.Fatal(err)
	}
	reg := iamtest.Region
	setAuth := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Authorization", v) } }
	for name, tc := range map[string]struct {
		r      *http.Request
		status int
		want   []string
	}{
		"no space": {signedS3(t, h, "GET", "/", reg, setAuth("invalid_header")), 400,
			[]string{"<Code>InvalidArgument</Code>", "one and only one ' ' (space) required.", "<ArgumentName>Authorization</ArgumentName>"}},
		"other scheme": {signedS3(t, h, "GET", "/", reg, setAuth("AWS2-HMAC-SHA1 Credential=x")), 400,
			[]string{"<Code>InvalidArgument</Code><Message>Unsupported Authorization Type</Message>"}},
		"two components": {signedS3(t, h, "GET", "/", reg, setAuth("AWS4-HMAC-SHA256 Credential=a/20250912/us-east-1/s3/aws4_request,Signature=ab")), 400,
			[]string{"<Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.</Message>"}},
		"malformed component": {signedS3(t, h, "GET", "/", reg, setAuth("AWS4-HMAC-SHA256 Credential=a/20250912/us-east-1/s3/aws4_request,SignedHeaders-x,Signature=ab")), 400,
			[]string{`the authorization component "SignedHeaders-x" is malformed.`}},
		"no Credential": {signedS3(t, h, "GET", "/", reg, setAuth("AWS4-HMAC-SHA256 Cred=a/20250912/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab")), 400,
			[]string{"The authorization header is malformed; missing Credential."}},
		"credential parts": {signedS3(t, h, "GET", "/", reg, setCred("a/20250912/us-east-1/s3/extra/x")), 400,
			[]string{`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`}},
		"terminal": {signedS3(t, h, "GET", "/", reg, setCred("a/1/us-east-1/s3/aws_request")), 400,
			[]string{`incorrect terminal "aws_request". This endpoint uses "aws4_request".`}},
		"service": {signedS3(t, h, "GET", "/", reg, setCred("a/1/us-east-1/ec2/aws4_request")), 400,
			[]string{`<Error><Code>AuthorizationHeaderMalformed</Code>`, `incorrect service "ec2". This endpoint belongs to "s3".`}},
		"date format": {signedS3(t, h, "GET", "/", reg, setCred("a/3223423234/us-east-1/s3/aws4_request")), 400,
			[]string{`incorrect date format "3223423234". This date in the credential must be in the format "yyyyMMdd".`}},
		"region": {signedS3(t, h, "GET", "/words", "eu-west-1", nil), 400,
			[]string{"the region 'eu-west-1' is wrong; expecting 'us-east-1'</Message><Region>us-east-1</Region>"}},
		"no date": {signedS3(t, h, "GET", "/", reg, func(r *http.Request) { r.Header.Set("X-Amz-Date", "") }), 403,
			[]string{"<Code>AccessDenied</Code><Message>AWS authentication requires a valid Date or x-amz-date header</Message>"}},
		"bad date": {signedS3(t, h, "GET", "/", reg, func(r *http.Request) { r.Header.Set("X-Amz-Date", "03032006") }), 403,
			[]string{"AWS authentication requires a valid Date or x-amz-date header"}},
		"unsigned x-amz header": {signedS3(t, h, "PUT", "/words/k", reg, func(r *http.Request) {
			r.Header.Set("X-Amz-Tagging", "a=b")
			r.Header.Set("X-Amz-Copy-Source", "words/j")
		}), 403, []string{"<Code>AccessDenied</Code><Message>There were headers present in the request which were not signed</Message><HeadersNotSigned>x-amz-copy-source, x-amz-tagging</HeadersNotSigned>"}},
		"bad payload hash": {signedS3(t, h, "PUT", "/words/k", reg, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "nope") }), 400,
			[]string{"<Code>InvalidArgument</Code>", "<ArgumentName>x-amz-content-sha256</ArgumentName><ArgumentValue>nope</ArgumentValue>"}},
		"unknown key": {signedS3(t, h, "GET", "/", reg, func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), iamtest.RootKeyID, "AKIANOSUCHKEY0000000", 1))
		}), 403, []string{"<Code>InvalidAccessKeyId</Code>", "<AWSAccessKeyId>AKIANOSUCHKEY0000000</AWSAccessKeyId>"}},
		"sigv2 malformed": {signedS3(t, h, "GET", "/", reg, setAuth("AWS seed_signature")), 400,
			[]string{"<Code>InvalidArgument</Code>", "Expected AwsAccessKeyId:signature"}},

		"presigned algorithm": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-SHA256") }), 400,
			[]string{"<Code>AuthorizationQueryParametersError</Code>", `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`}},
		"presigned missing": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Del("X-Amz-Signature") }), 400,
			[]string{"Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."}},
		"presigned no expiry": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Del("X-Amz-Expires") }), 400,
			[]string{"<Code>AuthorizationQueryParametersError</Code>"}},
		"presigned region": {presignedS3(t, h, "GET", "/words", "eu-west-1", nil), 400,
			[]string{"<Message>Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'</Message>"}},
		"presigned credential": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Credential", "a/b") }), 400,
			[]string{"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed"}},
		"presigned date mismatch": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) {
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), time.Now().UTC().Format("/20060102/"), "/20060102/", 1))
		}), 400, []string{`Invalid credential date "20060102". This date is not the same as X-Amz-Date: "` + time.Now().UTC().Format("20060102") + `".`}},
		"presigned expires word": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Expires", "soon") }), 400,
			[]string{"X-Amz-Expires should be a number"}},
		"presigned expires negative": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Expires", "-1") }), 400,
			[]string{"X-Amz-Expires must be non-negative"}},
		"presigned expires long": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Expires", "604801") }), 400,
			[]string{"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"}},
		"presigned expired": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) {
			old := time.Now().UTC().Add(-48 * time.Hour)
			q.Set("X-Amz-Date", old.Format("20060102T150405Z"))
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), time.Now().UTC().Format("/20060102/"), old.Format("/20060102/"), 1))
		}), 403, []string{"<Code>AccessDenied</Code><Message>Request has expired</Message><X-Amz-Expires>600</X-Amz-Expires><Expires>", "<ServerTime>"}},
		"presigned token, long-term key": {presignedS3(t, h, "GET", "/words", reg, func(q url.Values) { q.Set("X-Amz-Security-Token", "my_token") }), 400,
			[]string{"<Code>InvalidToken</Code><Message>The provided token is malformed or otherwise invalid.</Message>"}},
	} {
		t.Run(name, func(t *testing.T) {
			got := do(t, h, tc.r)
			if got.status != tc.status {
				t.Errorf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.body, w) {
					t.Errorf("answer lacks %q: %s", w, got.body)
				}
			}
		})
	}

	// The unsigned header, once signed, is accepted; a presigned URL in the right region works.
	if got := do(t, h, presignedS3(t, h, "GET", "/words", reg, nil)); got.status != 200 {
		t.Errorf("presigned: %d %s", got.status, got.body)
	}
	// IAM keeps its own words for the same failures.
	r, _ := http.NewRequest("GET", h.URL+"/?Action=GetUser&Version=2010-05-08", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/20250912/us-east-1/iam/aws4_request,Signature=ab")
	r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	if got := do(t, h, r); !strings.Contains(got.body, "<ErrorResponse") || !strings.Contains(got.body, "IncompleteSignature") {
		t.Errorf("IAM: %d %s", got.status, got.body)
	}
}
