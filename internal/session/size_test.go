package session

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkTokenSize reports the length of typical tokens (bytes/token) as they travel in
// X-Amz-Security-Token; the time it reports is that of Encode.
func BenchmarkTokenSize(b *testing.B) {
	kr := keyring(b, 1)
	tagged := sample()
	for i := 0; i < 10; i++ {
		tagged.Tags = append(tagged.Tags, Tag{Key: fmt.Sprintf("team-%d", i), Value: "platform-engineering"})
	}
	tagged.TransitiveKeys = []string{"team-0"}
	tagged.SourceIdentity = "alice@example.com"
	withPolicy := sample()
	// A realistic 2,048-character session policy: many statements over a few buckets.
	var stmts []string
	for i := 0; len(strings.Join(stmts, ",")) < 1900; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/prefix/*"}`, i, i))
	}
	withPolicy.Policy = `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	for _, c := range []struct {
		name string
		s    *Session
	}{
		{"plain", sample()},
		{"10tags", tagged},
		{fmt.Sprintf("policy%dchars", len(withPolicy.Policy)), withPolicy},
	} {
		b.Run(c.name, func(b *testing.B) {
			var tok string
			for b.Loop() {
				var err error
				if tok, err = Encode(kr, c.s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(tok)), "bytes/token")
		})
	}
}
