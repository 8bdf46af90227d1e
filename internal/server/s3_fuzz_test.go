package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/internal/iamtest"
)

// FuzzS3Front sends signed S3 requests of any method, path, query, headers and body to a real
// iamd (local backend): whatever the client's mistake, the answer is never a 5xx.
func FuzzS3Front(f *testing.F) {
	f.Add("PUT", "/fuzz", "", "", []byte(nil))
	f.Add("PUT", "/fuzz/k", "", "Content-Md5: xx", []byte("hello"))
	f.Add("POST", "/fuzz", "delete", "Content-Md5: 1B2M2Y8AsgTpgAmY7PhCfg==", []byte("<Delete><Object><Key>k</Key></Object></Delete>"))
	f.Add("POST", "/fuzz/k", "uploads", "", []byte(nil))
	f.Add("POST", "/fuzz/k", "uploadId=x", "", []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"))
	f.Add("GET", "/fuzz", "list-type=2&max-keys=-1&delimiter=/", "", []byte(nil))
	f.Add("PUT", "/fuzz", "policy", "", []byte(`{"Version":"2012-10-17","Statement":[]}`))
	f.Add("PUT", "/fuzz/k", "tagging", "", []byte("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>"))
	f.Add("GET", "/fuzz/k", "", "Range: bytes=9-1", []byte(nil))
	f.Add("PUT", "/fuzz/k2", "", "X-Amz-Copy-Source: /fuzz/%ZZ", []byte(nil))
	h := iamtest.New(f)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	f.Fuzz(func(t *testing.T, method, path, query, header string, body []byte) {
		if !strings.HasPrefix(path, "/") || len(body) > 1<<16 {
			return
		}
		r, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		r.URL.RawQuery = query
		for _, line := range strings.Split(header, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && k != "" {
				r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		r.Header.Set("X-Amz-Content-Sha256", hash)
		if signer.SignHTTP(context.Background(), creds, r, hash, "s3", iamtest.Region, time.Now()) != nil {
			return
		}
		resp, err := h.Client().Do(r)
		if err != nil {
			return // the client refused to send it, or the server closed a request it could not parse
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s (%q): %d %s", method, path, query, header, resp.StatusCode, b)
		}
	})
}
