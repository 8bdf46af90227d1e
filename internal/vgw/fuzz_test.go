package vgw_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/vgw"
)

// FuzzParseProtocolVersion holds the header's parser to its definition: one to four ASCII
// digits making a number of at least 1.
func FuzzParseProtocolVersion(f *testing.F) {
	for _, s := range []string{"1", "0", "", "01", "9999", "10000", "+1", "-1", " 1", "1 ", "x", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := vgw.ParseProtocolVersion(s)
		digits := len(s) >= 1 && len(s) <= 4
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				digits = false
			}
		}
		want, aerr := strconv.Atoi(s)
		ok := digits && aerr == nil && want >= 1
		if ok != (err == nil) || (ok && n != want) {
			t.Fatalf("ParseProtocolVersion(%q) = %d, %v; want %d, ok %v", s, n, err, want, ok)
		}
	})
}

// FuzzAnswer feeds arbitrary bodies to every endpoint of a running iamd: an answer is JSON, and
// a failure is one of the gateway's making (a 4xx), never iamd's.
func FuzzAnswer(f *testing.F) {
	paths := []string{vgw.PathVersion, vgw.PathDeriveSigningKey, vgw.PathEvaluatePolicy, vgw.PathResolveIdentity, vgw.PathResolvePrincipals}
	for i, body := range []string{
		`{}`,
		`{"accessKeyId":"` + iamtest.RootKeyID + `","date":"20260101","region":"us-east-1","service":"s3"}`,
		`{"accessKeyId":"` + iamtest.RootKeyID + `","actions":["s3:GetObject"],"resources":["arn:aws:s3:::b/k"],"condition":{"aws:SourceIp":["10.0.0.1"]}}`,
		`{"accessKeyIds":["` + iamtest.RootKeyID + `","ASIAXXXXXXXXXXXXXXXX",""]}`,
		`{"principals":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:sts::123456789012:assumed-role/r/s"]}`,
		`{"accessKeyId":"ASIAXXXXXXXXXXXXXXXX","sessionToken":"x","date":"1","region":"","service":""}`,
		`null`, `[]`, `{"actions":null}`, `{} {}`, `{"principals":[1]}`,
	} {
		f.Add(uint8(i), body)
	}
	h := iamtest.New(f)
	handler, err := h.Node.Versitygw(context.Background(), "", "fuzz", nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		out, err := handler.Answer(context.Background(), path, []byte(body))
		if err != nil {
			if !vgw.IsProtocolError(err) {
				t.Fatalf("%s %q: iamd failed: %v", path, body, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("%s %q: answer is not JSON: %q", path, body, out)
		}
	})
}
