package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/iamtest"
)

// postUpload is a browser upload of "data" to bucket with the given fields, under a policy of
// conditions signed by the root key (rawPolicy, when set, is sent as the policy instead).
func postUpload(t *testing.T, h *iamtest.Harness, bucket string, fields map[string]string, conditions []any, rawPolicy string) *http.Request {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	cred := iamtest.RootKeyID + "/" + date + "/" + iamtest.Region + "/s3/aws4_request"
	all := map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": cred, "x-amz-date": now.Format("20060102T150405Z")}
	for k, v := range fields {
		all[k] = v
	}
	conds := []any{map[string]string{"bucket": bucket}}
	for k, v := range all {
		conds = append(conds, []any{"eq", "$" + k, v})
	}
	conds = append(conds, conditions...)
	doc, _ := json.Marshal(map[string]any{"expiration": now.Add(time.Hour).Format("2006-01-02T15:04:05Z"), "conditions": conds})
	policy := base64.StdEncoding.EncodeToString(doc)
	if rawPolicy != "" {
		policy = rawPolicy
	}
	mac := hmac.New(sha256.New, signingKey(iamtest.RootSecret, date, iamtest.Region, "s3"))
	mac.Write([]byte(policy))
	all["policy"], all["x-amz-signature"] = policy, hex.EncodeToString(mac.Sum(nil))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range all {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "f.txt")
	fw.Write([]byte("data"))
	mw.Close()
	r, _ := http.NewRequest("POST", h.URL+"/"+bucket, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// TestS3PostObject: a browser upload's answer names the object by its absolute URL, its 201
// document is in S3's namespace, its metadata and tagging fields reach the object, and a
// policy that cannot be read is InvalidPolicyDocument.
func TestS3PostObject(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.S3(h.Root())
	if _, err := root.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("forms")}); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Client().Do(postUpload(t, h, "forms", map[string]string{"key": "dir/a b", "success_action_status": "201",
		"Content-Language": "en-US", "tagging": "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"}, nil, ""))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	want := h.URL + "/forms/dir/a%20b"
	if resp.StatusCode != 201 || resp.Header.Get("Location") != want ||
		!strings.Contains(buf.String(), `<PostResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>`+want+`</Location>`) {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, buf.String())
	}
	head, err := root.HeadObject(ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("forms"), Key: aws.String("dir/a b")})
	if err != nil || aws.ToString(head.ContentLanguage) != "en-US" {
		t.Fatalf("content-language: %v %v", head, err)
	}
	tags, err := root.GetObjectTagging(ctx, &s3sdk.GetObjectTaggingInput{Bucket: aws.String("forms"), Key: aws.String("dir/a b")})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "k" {
		t.Fatalf("tagging: %v %v", tags, err)
	}

	for name, tc := range map[string]struct {
		r      *http.Request
		status int
		want   string
	}{
		"policy not JSON": {postUpload(t, h, "forms", map[string]string{"key": "x"}, nil, base64.StdEncoding.EncodeToString([]byte("{nope"))), 400,
			"<Code>InvalidPolicyDocument</Code><Message>Invalid Policy: Invalid JSON.</Message>"},
		"policy not base64": {postUpload(t, h, "forms", map[string]string{"key": "x"}, nil, "!!!"), 400, "<Code>InvalidPolicyDocument</Code>"},
		"bucket field not in the policy": {func() *http.Request {
			// A policy without the bucket condition, and a bucket field.
			r := postUpload(t, h, "forms", map[string]string{"key": "x", "bucket": "forms"}, nil, "")
			return r
		}(), 200, ""},
	} {
		t.Run(name, func(t *testing.T) {
			got := do(t, h, tc.r)
			if tc.want == "" {
				if got.status/100 != 2 {
					t.Errorf("%d %s", got.status, got.body)
				}
				return
			}
			if got.status != tc.status || !strings.Contains(got.body, tc.want) {
				t.Errorf("%d %s; want %d %s", got.status, got.body, tc.status, tc.want)
			}
		})
	}
}
