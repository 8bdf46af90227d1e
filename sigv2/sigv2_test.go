package sigv2

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

func verifier(now time.Time) *Verifier {
	return &Verifier{Now: func() time.Time { return now }, Secret: func(_ context.Context, c sigv4.Credential) (string, error) {
		if c.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
			return "", sigv4.InvalidClientTokenID()
		}
		return "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", nil
	}}
}

// The examples of S3's "Signing and authenticating REST requests" (SigV2), virtual-hosted on
// bucket johnsmith.
func TestDocumentedExamples(t *testing.T) {
	now, _ := http.ParseTime("Tue, 27 Mar 2007 19:36:42 GMT")
	r, _ := http.NewRequest("GET", "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg", nil)
	r.Header.Set("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
	r.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=")
	if _, err := verifier(now).Verify(context.Background(), r, "johnsmith"); err != nil {
		t.Fatalf("GET example: %v", err)
	}
	r.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMV=")
	if _, err := verifier(now).Verify(context.Background(), r, "johnsmith"); err == nil {
		t.Fatal("a wrong signature verified")
	}
}

func TestQueryForm(t *testing.T) {
	now := time.Unix(1175046589, 0)
	r, _ := http.NewRequest("GET", "http://127.0.0.1/johnsmith/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", nil)
	// The documented example is virtual-hosted; path-style, the path names the bucket the same way.
	if _, err := verifier(now).Verify(context.Background(), r, ""); err != nil {
		t.Fatalf("path-style query example: %v", err)
	}
	r2, _ := http.NewRequest("GET", "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", nil)
	if _, err := verifier(now).Verify(context.Background(), r2, "johnsmith"); err != nil {
		t.Fatalf("query example: %v", err)
	}
	if _, err := verifier(time.Unix(1175139620, 0)).Verify(context.Background(), r2, "johnsmith"); err == nil {
		t.Fatal("an expired URL verified")
	}
}
