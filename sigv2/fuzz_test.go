package sigv2

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzVerify: any request, with any SigV2 material, is answered without a panic, and one that
// verifies carries the key id its signature names.
func FuzzVerify(f *testing.F) {
	f.Add("GET", "/johnsmith/photos/puppy.jpg", "", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "Tue, 27 Mar 2007 19:36:42 +0000")
	f.Add("GET", "/b/k", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", "", "")
	f.Add("PUT", "/b/k%20x", "uploads&acl=&versionId=3", "AWS :", "garbage")
	f.Fuzz(func(t *testing.T, method, path, query, auth, date string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n#?") {
			return
		}
		r, err := http.NewRequest("GET", "http://127.0.0.1"+path, nil)
		if err != nil {
			return
		}
		r.Method = method
		r.URL.RawQuery = query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("Date", date)
		}
		now, _ := http.ParseTime("Tue, 27 Mar 2007 19:36:42 GMT")
		res, err := verifier(now).Verify(context.Background(), r, "")
		if err == nil && res.Credential.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
			t.Fatalf("verified for %q", res.Credential.AccessKeyID)
		}
		q, _ := url.ParseQuery(query)
		_ = StringToSign(r, q, date, "", res != nil && res.Presigned)
	})
}
