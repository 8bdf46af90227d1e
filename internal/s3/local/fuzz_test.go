package local

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"testing"
)

// fuzzEnv is a backend with a bucket, an object, and an upload with a part.
func fuzzEnv(f *testing.F) (*Backend, string) {
	b, err := Open(f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { b.Close() })
	serve(b, "PUT", "/fuzz", nil, 0)
	serve(b, "PUT", "/fuzz/k", bytes.NewReader([]byte("x")), 1)
	w := serve(b, "POST", "/fuzz/mp?uploads", nil, 0)
	upload := between(w.Body.String(), "<UploadId>", "</UploadId>")
	serve(b, "PUT", "/fuzz/mp?partNumber=1&uploadId="+upload, bytes.NewReader([]byte("p")), 1)
	return b, upload
}

// FuzzXMLBodies sends arbitrary documents to every operation that reads an XML body: the
// answer is never a 5xx and never a panic.
func FuzzXMLBodies(f *testing.F) {
	b, upload := fuzzEnv(f)
	for _, s := range []string{
		`<Delete><Object><Key>k</Key></Object><Quiet>true</Quiet></Delete>`,
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key><VersionId>null</VersionId></Object></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"83878c91171338902e0fe0fb97a8c47a"</ETag></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber></Part></CompleteMultipartUpload>`,
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<Delete><Object></Object></Delete>`, `<`, ``, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Delete/>`,
	} {
		for op := 0; op < 4; op++ {
			f.Add(uint8(op), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		var method, target string
		switch op % 4 {
		case 0:
			method, target = "POST", "/fuzz?delete"
		case 1:
			method, target = "POST", "/fuzz/mp?uploadId="+upload
		case 2:
			method, target = "PUT", "/fuzz/k?tagging"
		case 3:
			method, target = "PUT", "/fuzz-new-bucket"
		}
		r := httptest.NewRequest(method, target, bytes.NewReader(body))
		sum := md5.Sum(body)
		r.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		w := httptest.NewRecorder()
		front(b).ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, target, body, w.Code, w.Body)
		}
		if op%4 == 3 && w.Code == 200 {
			serve(b, "DELETE", "/fuzz-new-bucket", nil, 0)
		}
	})
}

// FuzzHeaders feeds arbitrary values to the header and query parsers.
func FuzzHeaders(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=3-", "bytes=1-2,3-4", "bytes=-0", "bytes=99999999999999999999-", "a=1&b=2", "/b/k?versionId=null", "b/%zz", "x=%", "W/\"a\", *"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, s string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		if start, length, ok, err := parseRange(s, size); ok && (err != nil || start < 0 || length <= 0 || start+length > size) {
			t.Fatalf("parseRange(%q, %d) = %d, %d", s, size, start, length)
		}
		if start, length, err := copyRange(s, size); err == nil && (start < 0 || length < 0 || start+length > size) {
			t.Fatalf("copyRange(%q, %d) = %d, %d", s, size, start, length)
		}
		if tags, err := parseTagging(s); err == nil {
			again, err := parseTagging(encodeTags(tags))
			if err != nil || fmt.Sprint(again) != fmt.Sprint(tags) {
				t.Fatalf("tags %q do not round-trip: %v %v", s, again, err)
			}
		}
		copySource(s)
		splitPath(s)
		etagMatch(s, `"abc"`)
		decodeToken(s)
	})
}
