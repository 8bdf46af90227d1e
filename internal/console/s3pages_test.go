package console_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/console"
	"github.com/iamd/iamd/internal/iamtest"
)

// upload posts the bucket page's upload form as a browser does (multipart/form-data).
func (b *browser) upload(bucket string, fields map[string]string, filename string, content []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+"/console/s3/"+bucket+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// TestS3Pages: buckets made, browsed by prefix, uploaded to, downloaded from, their objects and
// policy deleted, through S3's API with the session's credentials.
func TestS3Pages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s3c := iamtest.S3(h.Root())
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)

	p := b.post("/console/s3", url.Values{"csrf": {token}, "name": {"photos"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/s3/photos" {
		t.Fatalf("create bucket: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	if p := b.post("/console/s3", url.Values{"csrf": {token}, "name": {"Bad_Name"}}); p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "InvalidBucketName") {
		t.Errorf("bad bucket name: %d %q", p.status, p.errorText())
	}
	if p := b.get("/console/s3"); p.status != http.StatusOK || !strings.Contains(p.body, `<a href="/console/s3/photos">photos</a>`) {
		t.Errorf("buckets: %d\n%s", p.status, p.body)
	}

	// Upload into a "folder", with a CSRF token; without one it is refused and nothing is stored.
	if p := b.upload("photos", map[string]string{"prefix": "2026/"}, "evil.txt", []byte("x")); p.status != http.StatusForbidden {
		t.Errorf("upload without token: %d", p.status)
	}
	p = b.upload("photos", map[string]string{"csrf": token, "prefix": "2026/"}, `C:\Users\me\cat.jpg`, []byte("meow"))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/s3/photos?prefix=2026%2F" {
		t.Fatalf("upload: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	if _, err := s3c.HeadObject(ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("2026/evil.txt")}); err == nil {
		t.Error("the refused upload was stored")
	}
	if p := b.upload("photos", map[string]string{"csrf": token, "key": "readme.md"}, "x.md", []byte("# hi")); p.status != http.StatusSeeOther {
		t.Fatalf("upload at top: %d %s", p.status, p.errorText())
	}
	top := b.get("/console/s3/photos")
	for _, want := range []string{`href="/console/s3/photos?prefix=2026%2f" class="folder">2026/</a>`, `/console/s3/photos/object?key=readme.md`} {
		if !strings.Contains(strings.ToLower(top.body), strings.ToLower(want)) {
			t.Errorf("top level lacks %q:\n%s", want, top.body)
		}
	}
	if strings.Contains(top.body, "cat.jpg") {
		t.Error("the top level lists an object under a prefix")
	}
	if _, err := s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("2026/"), Body: strings.NewReader("")}); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/console/s3/photos?prefix=2026/"); !strings.Contains(p.body, `>cat.jpg</a>`) || strings.Count(p.body, "/object?key=") != 1 {
		t.Errorf("2026/: %d\n%s", p.status, p.body)
	}

	// Download: the object's bytes, as an attachment.
	req, _ := http.NewRequest(http.MethodGet, b.base+"/console/s3/photos/object?key=2026/cat.jpg", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "meow" || resp.Header.Get("Content-Disposition") != `attachment; filename=cat.jpg` ||
		resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// A large object comes whole, streamed (the console holds no more than a pipe's buffer).
	big := bytes.Repeat([]byte("0123456789abcdef"), 12<<16) // 12 MiB
	if _, err := s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("big.bin"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	resp, err = b.c.Get(b.base + "/console/s3/photos/object?key=big.bin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, big) || resp.ContentLength != int64(len(big)) {
		t.Errorf("big download: %d, %d bytes of %d, Content-Length %d", resp.StatusCode, len(body), len(big), resp.ContentLength)
	}
	s3c.DeleteObject(ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("photos"), Key: aws.String("big.bin")})
	if p := b.get("/console/s3/photos/object?key=nope"); p.status != http.StatusNotFound || !strings.Contains(p.errorText(), "NoSuchKey") {
		t.Errorf("missing object: %d %q", p.status, p.errorText())
	}

	// Paging: 60 objects are two pages.
	for i := range 60 {
		if _, err := s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String("many/" + string(rune('A'+i/26)) + string(rune('a'+i%26))),
			Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	first := b.get("/console/s3/photos?prefix=many/")
	if n := strings.Count(first.body, `/object?key=many`); n != 50 || !strings.Contains(first.body, `id="next-page"`) {
		t.Fatalf("first page: %d objects", n)
	}
	next := regexp.MustCompile(`href="([^"]*token=[^"]+)" id="next-page"`).FindStringSubmatch(first.body)
	second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(second.body, `/object?key=many`); n != 10 || strings.Contains(second.body, `id="next-page"`) {
		t.Errorf("second page: %d objects", n)
	}

	// Bucket policy: S3's MalformedPolicy shown in the editor; saved, shown, deleted.
	if p := b.get("/console/s3/photos/policy"); p.status != http.StatusOK || !strings.Contains(p.body, `arn:aws:s3:::photos/*`) ||
		!strings.Contains(p.body, `<a href="/console/s3" aria-current="page">`) {
		t.Errorf("policy editor: %d %s", p.status, p.errorText())
	}
	bad := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`
	p = b.post("/console/s3/photos/policy", url.Values{"csrf": {token}, "do": {"save"}, "name": {"photos"}, "back": {"/console/s3/photos"}, "document": {bad}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "MalformedPolicy") || !strings.Contains(p.body, "arn:aws:s3:::other/*") {
		t.Errorf("malformed bucket policy: %d %q", p.status, p.errorText())
	}
	good := `{"Version":"2012-10-17","Statement":[{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]}`
	p = b.post("/console/s3/photos/policy", url.Values{"csrf": {token}, "do": {"save"}, "name": {"photos"}, "back": {"/console/s3/photos"}, "document": {good}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/s3/photos" {
		t.Fatalf("save bucket policy: %d %s", p.status, p.errorText())
	}
	if out, err := s3c.GetBucketPolicy(ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("photos")}); err != nil || !strings.Contains(aws.ToString(out.Policy), `"Sid":"Account"`) {
		t.Errorf("stored policy: %v", err)
	}
	if p := b.get("/console/s3/photos"); !strings.Contains(p.body, `id="bucket-policy"`) || !strings.Contains(p.body, "Account") {
		t.Error("the bucket page does not show the policy")
	}
	if p := b.post("/console/s3/photos/policy/delete", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Errorf("delete policy: %d %s", p.status, p.errorText())
	}
	if _, err := s3c.GetBucketPolicy(ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("photos")}); err == nil {
		t.Error("the policy is still there")
	}

	// Delete: a bucket with objects is S3's BucketNotEmpty; emptied, it goes.
	if p := b.post("/console/s3/photos/delete", url.Values{"csrf": {token}, "confirm": {"photos"}}); p.status != http.StatusConflict || !strings.Contains(p.errorText(), "BucketNotEmpty") {
		t.Errorf("delete a full bucket: %d %q", p.status, p.errorText())
	}
	list, err := s3c.ListObjectsV2(ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("photos")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		if aws.ToString(o.Key) == "readme.md" {
			continue
		}
		s3c.DeleteObject(ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("photos"), Key: o.Key})
	}
	if p := b.post("/console/s3/photos/object/delete", url.Values{"csrf": {token}, "key": {"readme.md"}}); p.status != http.StatusSeeOther {
		t.Errorf("delete object: %d %s", p.status, p.errorText())
	}
	if p := b.post("/console/s3/photos/delete", url.Values{"csrf": {token}, "confirm": {"photos"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/s3" {
		t.Errorf("delete bucket: %d %q", p.status, p.errorText())
	}
	if _, err := s3c.HeadBucket(ctx, &s3sdk.HeadBucketInput{Bucket: aws.String("photos")}); err == nil {
		t.Error("the bucket is still there")
	}
}

// TestS3PagesDenied: a user without S3 permissions sees S3's AccessDenied as it came, and a
// user allowed one bucket's reads can browse it but not upload.
func TestS3PagesDenied(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := iamtest.S3(h.Root()).CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	consoleUser(t, h, "bob", "Bob-Passw0rd!!", false)
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "bob", "Bob-Passw0rd!!").csrf(t)
	p := b.get("/console/s3")
	if p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "AccessDenied") || !strings.Contains(p.errorText(), "s3:ListAllMyBuckets") {
		t.Errorf("bob's buckets: %d %q", p.status, p.errorText())
	}
	policy(t, h, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared"}]}`)
	if p := b.get("/console/s3/shared"); p.status != http.StatusOK || !strings.Contains(p.body, "No objects") {
		t.Errorf("bob browses shared: %d %q", p.status, p.errorText())
	}
	p = b.upload("shared", map[string]string{"csrf": token}, "a.txt", []byte("a"))
	if p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "AccessDenied") || !strings.Contains(p.errorText(), "s3:PutObject") {
		t.Errorf("bob uploads: %d %q", p.status, p.errorText())
	}
}

// TestS3UploadLimit: a file over the console's limit is refused with S3's EntityTooLarge and
// nothing is stored.
func TestS3UploadLimit(t *testing.T) {
	defer console.SetMaxUpload(1 << 20)()
	h := newHarness(t)
	ctx := context.Background()
	s3c := iamtest.S3(h.Root())
	if _, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("small")}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	p := b.upload("small", map[string]string{"csrf": token}, "big.bin", bytes.Repeat([]byte("x"), 1<<20+100<<10))
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.errorText(), "EntityTooLarge") || !strings.Contains(p.errorText(), "at most 1 MB") {
		t.Errorf("too large: %d %q", p.status, p.errorText())
	}
	if _, err := s3c.HeadObject(ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("small"), Key: aws.String("big.bin")}); err == nil {
		t.Error("the refused upload was stored")
	}
	if p := b.upload("small", map[string]string{"csrf": token}, "ok.bin", bytes.Repeat([]byte("x"), 512<<10)); p.status != http.StatusSeeOther {
		t.Errorf("under the limit: %d %s", p.status, p.errorText())
	}
}
