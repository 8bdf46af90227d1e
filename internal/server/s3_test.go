package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// s3Role creates a role the root user's IAM user "operator" may assume, allowed to list, get and
// put under prefix media/ of bucket, and returns an S3 client of a session of it.
func s3Role(t *testing.T, h *iamtest.Harness, bucket string) *s3sdk.Client {
	t.Helper()
	ctx := context.Background()
	iamc := iamtest.IAM(h.Root())
	u, err := iamc.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	iamc.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)})
	k, err := iamc.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("media"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aws.ToString(u.User.Arn) + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("media"), PolicyName: aws.String("media"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `","Condition":{"StringLike":{"s3:prefix":["media/*"]}}},
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::` + bucket + `/media/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	st := iamtest.STS(h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	out, err := st.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return iamtest.S3(h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
}

// TestS3RoleCredentialsOpenOnePrefix is the founding example with aws-sdk-go-v2: a session of a
// role allowed one prefix of one bucket lists, puts and gets there, and is denied elsewhere.
func TestS3RoleCredentialsOpenOnePrefix(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	if _, err := root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("media-site")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("media-site"), Key: aws.String("private/x"), Body: strings.NewReader("secret")}); err != nil {
		t.Fatal(err)
	}
	app := s3Role(t, h, "media-site")
	if _, err := app.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("media-site"), Key: aws.String("media/a b+c.txt"),
		Body: strings.NewReader("hello"), ContentType: aws.String("text/plain")}); err != nil {
		t.Fatal(err)
	}
	got, err := app.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("media-site"), Key: aws.String("media/a b+c.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	if string(b) != "hello" || aws.ToString(got.ContentType) != "text/plain" {
		t.Fatalf("got %q %q", b, aws.ToString(got.ContentType))
	}
	list, err := app.ListObjectsV2(ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("media-site"), Prefix: aws.String("media/")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "media/a b+c.txt" {
		t.Fatalf("list: %v %+v", err, list)
	}
	denied := map[string]error{}
	_, denied["get outside"] = app.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("media-site"), Key: aws.String("private/x")})
	_, denied["put outside"] = app.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("media-site"), Key: aws.String("x"), Body: strings.NewReader("x")})
	_, denied["list all"] = app.ListObjectsV2(ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("media-site")})
	_, denied["list buckets"] = app.ListBuckets(ctx, &s3sdk.ListBucketsInput{})
	_, denied["missing, unlistable"] = app.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("media-site"), Key: aws.String("private/none")})
	for what, err := range denied {
		if s3Code(err) != "AccessDenied" {
			t.Errorf("%s: %v, want AccessDenied", what, err)
		}
	}
	_, err = app.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("media-site"), Key: aws.String("private/x")})
	if !strings.Contains(err.Error(), `on resource: "arn:aws:s3:::media-site/private/x" because no identity-based policy allows the s3:GetObject action`) {
		t.Errorf("denial: %v", err)
	}
	// The root user sees a missing key as missing.
	if _, err := root.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("media-site"), Key: aws.String("none")}); s3Code(err) != "NoSuchKey" {
		t.Errorf("root, missing key: %v", err)
	}
}

// signedPut is a PUT signed with the root key, whose x-amz-content-sha256 claims hash.
func signedPut(t *testing.T, h *iamtest.Harness, path, hash string, body []byte, mod func(*http.Request)) *http.Response {
	t.Helper()
	r, err := http.NewRequest("PUT", h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Content-Sha256", hash)
	if mod != nil {
		mod(r)
	}
	s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := s.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret},
		r, hash, "s3", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestS3PayloadIsChecked: a body that does not match its signed hash, or an aws-chunked body
// with a bad chunk signature, is refused in S3's words and stores nothing.
func TestS3PayloadIsChecked(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	if _, err := root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("checked")}); err != nil {
		t.Fatal(err)
	}
	resp := signedPut(t, h, "/checked/k", hexSHA([]byte("something else")), []byte("the body"), nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>XAmzContentSHA256Mismatch</Code>") {
		t.Fatalf("mismatch: %d %s", resp.StatusCode, body)
	}
	if _, err := root.HeadObject(ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("checked"), Key: aws.String("k")}); s3Code(err) != "NotFound" {
		t.Fatalf("a refused body was stored: %v", err)
	}
	resp = signedPut(t, h, "/checked/k", hexSHA([]byte("the body")), []byte("the body"), nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("good hash: %d", resp.StatusCode)
	}

	// aws-chunked with signed chunks: good, then one chunk tampered.
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes: two 64 KiB chunks
	for _, tamper := range []bool{false, true} {
		at := time.Now().UTC()
		r, _ := http.NewRequest("PUT", h.URL+"/checked/chunked", nil)
		r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(data)))
		s := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		enc := chunkedLength(len(data), 64<<10)
		r.ContentLength = int64(enc)
		if err := s.SignHTTP(ctx, aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret},
			r, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", iamtest.Region, at); err != nil {
			t.Fatal(err)
		}
		seed := r.Header.Get("Authorization")[strings.LastIndex(r.Header.Get("Authorization"), "Signature=")+len("Signature="):]
		payload := encodeChunked(data, 64<<10, seed, at, tamper)
		if len(payload) != enc {
			t.Fatalf("encoded %d bytes, announced %d", len(payload), enc)
		}
		r.Body = io.NopCloser(bytes.NewReader(payload))
		resp, err := h.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_, herr := root.HeadObject(ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("checked"), Key: aws.String("chunked")})
		if tamper {
			if resp.StatusCode != 403 || !strings.Contains(string(body), "SignatureDoesNotMatch") || s3Code(herr) != "NotFound" {
				t.Fatalf("tampered chunk: %d %s; head: %v", resp.StatusCode, body, herr)
			}
			continue
		}
		if resp.StatusCode != 200 || herr != nil {
			t.Fatalf("signed chunks: %d %s; head: %v", resp.StatusCode, body, herr)
		}
		got, err := root.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("checked"), Key: aws.String("chunked")})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		if !bytes.Equal(b, data) {
			t.Fatalf("read back %d bytes, differ", len(b))
		}
		root.DeleteObject(ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("checked"), Key: aws.String("chunked")})
	}
}

// chunkedLength is the encoded length of n bytes in signed chunks of size.
func chunkedLength(n, size int) int {
	sigLen := len(";chunk-signature=") + 64 + 4
	total := 0
	for n > 0 {
		c := min(n, size)
		total += len(fmt.Sprintf("%x", c)) + sigLen + c
		n -= c
	}
	return total + 1 + sigLen
}

// encodeChunked encodes data as signed aws-chunked chunks chained from seed; tamper flips a byte
// of the second chunk after signing it.
func encodeChunked(data []byte, size int, seed string, at time.Time, tamper bool) []byte {
	key := signingKey(iamtest.RootSecret, at.Format("20060102"), iamtest.Region, "s3")
	scope := at.Format("20060102") + "/" + iamtest.Region + "/s3/aws4_request"
	prev := seed
	var out bytes.Buffer
	emit := func(chunk []byte, flip bool) {
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + at.Format("20060102T150405Z") + "\n" + scope + "\n" + prev + "\n" + hexSHA(nil) + "\n" + hexSHA(chunk)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(sts))
		sig := hex.EncodeToString(m.Sum(nil))
		prev = sig
		fmt.Fprintf(&out, "%x;chunk-signature=%s\r\n", len(chunk), sig)
		c := append([]byte(nil), chunk...)
		if flip {
			c[0] ^= 1
		}
		out.Write(c)
		out.WriteString("\r\n")
	}
	for i := 0; i < len(data); i += size {
		emit(data[i:min(i+size, len(data))], tamper && i > 0)
	}
	emit(nil, false)
	return out.Bytes()
}

func signingKey(secret, date, region, service string) []byte {
	k := []byte("AWS4" + secret)
	for _, s := range []string{date, region, service, "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	return k
}

// TestS3CrossAccountBucketPolicy: a bucket policy of account A granting a user of account B
// lets B's user read, provided B's own policies allow it too (both sides, across accounts).
func TestS3CrossAccountBucketPolicy(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	acctB, keyB, secretB, err := h.Node.CreateAccount(ctx, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	rootA, rootB := iamtest.S3(h.Root()), h.Config(keyB, secretB, "")
	if _, err := rootA.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("shared-a")}); err != nil {
		t.Fatal(err)
	}
	rootA.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("shared-a"), Key: aws.String("doc"), Body: strings.NewReader("from A")})
	iamB := iamtest.IAM(rootB)
	u, err := iamB.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := iamB.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("reader")})
	reader := iamtest.S3(h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	get := func() error {
		_, err := reader.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("shared-a"), Key: aws.String("doc")})
		return err
	}
	if s3Code(get()) != "AccessDenied" {
		t.Fatal("B's user reads A's bucket with no policy at all")
	}
	if _, err := rootA.PutBucketPolicy(ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("shared-a"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aws.ToString(u.User.Arn) + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-a/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if s3Code(get()) != "AccessDenied" {
		t.Fatal("the bucket policy alone let another account's user in: its own account must allow too")
	}
	iamB.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	if err := get(); err != nil {
		t.Fatalf("both sides allow: %v", err)
	}
	// B's buckets are B's: A's ListBuckets does not show them, and the names are global.
	s3B := iamtest.S3(rootB)
	if _, err := s3B.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("shared-a")}); s3Code(err) != "BucketAlreadyExists" {
		t.Fatalf("B re-creating A's bucket name: %v", err)
	}
	if _, err := s3B.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("bucket-b")}); err != nil {
		t.Fatal(err)
	}
	la, _ := rootA.ListBuckets(ctx, &s3sdk.ListBucketsInput{})
	for _, b := range la.Buckets {
		if aws.ToString(b.Name) == "bucket-b" {
			t.Fatalf("account A lists account %s's bucket", acctB)
		}
	}
}

// TestS3DeleteObjectsPerKey: DeleteObjects deletes the keys the caller may delete and reports
// the others as AccessDenied.
func TestS3DeleteObjectsPerKey(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("del")})
	for _, k := range []string{"media/a", "media/b", "private/c"} {
		if _, err := root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("del"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	iamc := iamtest.IAM(h.Root())
	iamc.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("cleaner")})
	iamc.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("cleaner"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::del/media/*"}]}`)})
	k, _ := iamc.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("cleaner")})
	c := iamtest.S3(h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	out, err := c.DeleteObjects(ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
		{Key: aws.String("media/a")}, {Key: aws.String("private/c")}, {Key: aws.String("media/b")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 2 || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "private/c" || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("deleted %+v, errors %+v", out.Deleted, out.Errors)
	}
	left, _ := root.ListObjectsV2(ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("del")})
	if len(left.Contents) != 1 || aws.ToString(left.Contents[0].Key) != "private/c" {
		t.Fatalf("left: %+v", left.Contents)
	}
}

// TestS3Anonymous: an unsigned request is the anonymous caller, denied on a private bucket;
// IAM's unsigned Query requests still reach IAM.
func TestS3Anonymous(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("anon")})
	root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("anon"), Key: aws.String("k"), Body: strings.NewReader("v")})
	resp, err := h.Client().Get(h.URL + "/anon/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code><Message>Access Denied</Message>") ||
		resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, err = h.Client().Get(h.URL + "/?Action=GetUser&Version=2010-05-08")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "<ErrorResponse") {
		t.Fatalf("an unsigned Query request was not IAM's: %d %s", resp.StatusCode, body)
	}
}

// TestS3ExistingObjectTag: a policy conditioned on s3:ExistingObjectTag reads the object's
// stored tags.
func TestS3ExistingObjectTag(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("tagged")})
	for key, class := range map[string]string{"a": "public", "b": "secret"} {
		if _, err := root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String(key),
			Body: strings.NewReader(key), Tagging: aws.String("class=" + class)}); err != nil {
			t.Fatal(err)
		}
	}
	iamc := iamtest.IAM(h.Root())
	iamc.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("reader")})
	iamc.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::tagged/*",
			"Condition":{"StringEquals":{"s3:ExistingObjectTag/class":"public"}}}]}`)})
	k, _ := iamc.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("reader")})
	c := iamtest.S3(h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	if _, err := c.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String("a")}); err != nil {
		t.Fatalf("object tagged public: %v", err)
	}
	if _, err := c.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("tagged"), Key: aws.String("b")}); s3Code(err) != "AccessDenied" {
		t.Fatalf("object tagged secret: %v", err)
	}
}

// TestS3ExpectedBucketOwner: x-amz-expected-bucket-owner (and, for a copy, the source's) that
// names another account than the bucket's owner is refused with AccessDenied.
func TestS3ExpectedBucketOwner(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	for _, b := range []string{"owned", "source"} {
		if _, err := root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("source"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ExpectedBucketOwner: aws.String(iamtest.Account)}); err != nil {
		t.Fatalf("PutObject expecting its owner: %v", err)
	}
	other := aws.String("999999999999")
	if _, err := root.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("source"), Key: aws.String("k"), ExpectedBucketOwner: other}); s3Code(err) != "AccessDenied" {
		t.Errorf("GetObject expecting another owner: %v", err)
	}
	if _, err := root.GetBucketTagging(ctx, &s3sdk.GetBucketTaggingInput{Bucket: aws.String("source"), ExpectedBucketOwner: other}); s3Code(err) != "AccessDenied" {
		t.Errorf("GetBucketTagging expecting another owner: %v", err)
	}
	copyIn := func(src *string) *s3sdk.CopyObjectInput {
		return &s3sdk.CopyObjectInput{Bucket: aws.String("owned"), Key: aws.String("copy"), CopySource: aws.String("source/k"),
			ExpectedBucketOwner: aws.String(iamtest.Account), ExpectedSourceBucketOwner: src}
	}
	if _, err := root.CopyObject(ctx, copyIn(other)); s3Code(err) != "AccessDenied" {
		t.Errorf("CopyObject expecting another source owner: %v", err)
	}
	if _, err := root.CopyObject(ctx, copyIn(aws.String(iamtest.Account))); err != nil {
		t.Errorf("CopyObject expecting the owners: %v", err)
	}
	if _, err := root.DeleteBucket(ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("owned"), ExpectedBucketOwner: other}); s3Code(err) != "AccessDenied" {
		t.Errorf("DeleteBucket expecting another owner: %v", err)
	}
}

// TestS3BucketsNamedAsEndpoints: buckets may be named like iamd's own endpoints (healthz,
// readyz, metrics, iamd/v1/…): requests signed for S3 reach them, unsigned ones the endpoints.
func TestS3BucketsNamedAsEndpoints(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	for _, b := range []string{"healthz", "readyz", "metrics", "iamd"} {
		if _, err := root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", b, err)
		}
		key := "v1/instance-credentials"
		if _, err := root.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: strings.NewReader(b)}); err != nil {
			t.Fatalf("PutObject %s: %v", b, err)
		}
		out, err := root.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s: %v", b, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != b {
			t.Errorf("GetObject %s = %q", b, got)
		}
		if l, err := root.ListObjectsV2(ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String(b)}); err != nil || len(l.Contents) != 1 {
			t.Errorf("ListObjectsV2 %s: %v", b, err)
		}
	}
	resp, err := h.Client().Get(h.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("unsigned /healthz: %d %q", resp.StatusCode, body)
	}
}

// TestS3VirtualHosted: with --s3-domain, BUCKET.DOMAIN requests are S3's, signed with their host.
func TestS3VirtualHosted(t *testing.T) {
	cfg := iamtest.NodeConfig(t.TempDir())
	cfg.S3Domain = "s3.example.test"
	h := iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	addr := strings.TrimPrefix(h.URL, "http://")
	// Every name resolves to the harness, as DNS would send *.s3.example.test to iamd.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	sdkCfg := h.Root()
	sdkCfg.HTTPClient = client
	_, port, _ := net.SplitHostPort(addr)
	c := s3sdk.NewFromConfig(sdkCfg, func(o *s3sdk.Options) {
		o.BaseEndpoint = aws.String("http://s3.example.test:" + port)
		o.UsePathStyle = false
	})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(got.Body)
	// The same object, path-style.
	got2, err := iamtest.S3(h.Root()).GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k")})
	if err != nil || string(b) != "v" {
		t.Fatalf("%q %v", b, err)
	}
	got2.Body.Close()
}
