package s3op

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzClassify: Classify never panics, and a call it classifies names a bucket, reaches the
// same bucket, key and operation again when sent path-style to BucketPath, and needs only S3
// actions on S3 resources.
func FuzzClassify(f *testing.F) {
	for _, s := range [][6]string{
		{"GET", "s3.iamd.test", "/b/k", "", "", ""},
		{"PUT", "bucket.s3.iamd.test:9000", "/a//b/./c%2F?partNumber=2&uploadId=u", "/src/k%20?versionId=v", "", ""},
		{"POST", "s3.iamd.test", "/bkt?delete", "", "", "application/xml"},
		{"POST", "bkt.s3.iamd.test", "/", "", "", "multipart/form-data; boundary=x"},
		{"PUT", "s3.iamd.test", "/bkt/k", "", "a=1&b=%20", ""},
		{"GET", "s3.iamd.test", "/bkt?list-type=2&max-keys=5&prefix=p", "", "", ""},
		{"DELETE", "[::1]:80", "/b/k?versionId=1", "", "", ""},
		{"OPTIONS", "", "/", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, method, host, uri, copySource, tagging, contentType string) {
		u, err := url.ParseRequestURI(uri)
		if err != nil {
			return
		}
		h := http.Header{}
		if copySource != "" {
			h.Set("X-Amz-Copy-Source", copySource)
		}
		if tagging != "" {
			h.Set("X-Amz-Tagging", tagging)
		}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		r := &http.Request{Method: method, Host: host, URL: u, Header: h}
		op, e := Classify(r, testDomain)
		if op == nil {
			if e == nil {
				t.Fatal("no operation and no error")
			}
			return
		}
		if e != nil {
			t.Fatalf("an operation and an error: %+v, %v", op, e)
		}
		if op.Bucket == "" && op.Name != "ListBuckets" && op.Name != "PreflightRequest" || op.Bucket == "" && op.Key != "" {
			t.Fatalf("%s without a bucket: %+v", op.Name, op)
		}
		for _, a := range op.Access {
			if !strings.HasPrefix(a.Action, "s3:") || len(a.Action) == 3 {
				t.Fatalf("%s: action %q", op.Name, a.Action)
			}
			if a.Resource != "*" && !strings.HasPrefix(a.Resource, "arn:aws:s3:::") {
				t.Fatalf("%s: resource %q", op.Name, a.Resource)
			}
		}
		p := BucketPath(op.Bucket, op.Key)
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		u2, err := url.ParseRequestURI(p)
		if err != nil {
			t.Fatalf("BucketPath %q: %v", p, err)
		}
		op2, e := Classify(&http.Request{Method: method, Host: testDomain, URL: u2, Header: h}, testDomain)
		if e != nil {
			t.Fatalf("BucketPath %q of %+v: %v", p, op, e)
		}
		if op2.Bucket != op.Bucket || op2.Key != op.Key || op2.Name != op.Name || op2.Style != PathStyle {
			t.Fatalf("BucketPath %q: %+v, was %+v", p, op2, op)
		}
	})
}
