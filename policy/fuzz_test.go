package policy

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iamd/iamd/arn"
)

// FuzzParse feeds arbitrary documents to the parser: it must return a policy or a *SyntaxError
// with a position inside the document, never panic; a parsed policy must evaluate.
func FuzzParse(f *testing.F) {
	f.Add([]byte(benchIdentity), uint8(KindIdentity))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::1:root"]},"Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*"}}`), uint8(KindResource))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"Null":{"x:y":"true"}}}]}`), uint8(KindSCP))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRole","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`), uint8(KindTrust))
	f.Fuzz(func(t *testing.T, doc []byte, k uint8) {
		kind := Kind(k % 8)
		p, err := Parse(doc, kind)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T", err)
			}
			if se.Offset < 0 || se.Offset > len(doc) || se.Line < 1 || se.Column < 1 || se.Reason == "" {
				t.Fatalf("bad error %+v for %d bytes", se, len(doc))
			}
			return
		}
		r := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: Principal{ARN: "arn:aws:iam::111122223333:user/a"}}
		r.Context.Set("aws:username", "a")
		r.Context.Set("aws:SourceIp", "10.1.2.3")
		r.Context.Set("aws:TagKeys", "a", "b")
		s := &Sets{}
		switch kind {
		case KindResource, KindTrust:
			s.Resource = p
		case KindSCP:
			s.SCPs = [][]*Policy{{p}}
		default:
			s.Identity = []*Policy{p}
		}
		Evaluate(s, r)
	})
}

// FuzzPattern checks the compiled wildcard matcher (with and without case folding) against a
// regexp reference and against arn.Match.
func FuzzPattern(f *testing.F) {
	for _, c := range [][2]string{{"s3:Get*", "s3:GetObject"}, {"a*b?c*", "axbycz"}, {"*?", ""}, {"ab*ba", "aba"}, {"a*A", "aa"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pat, value string) {
		if len(pat) > 64 || len(value) > 256 {
			return
		}
		p := compilePattern(pat, true, false)
		got := p.match(value, false, nil)
		gotFold := p.match(value, true, nil)
		if !utf8.ValidString(pat) || !utf8.ValidString(value) {
			return
		}
		if want := arn.Match(pat, value); got != want {
			t.Fatalf("match(%q, %q) = %v, arn.Match %v", pat, value, got, want)
		}
		if want := refMatch(pat, value, true); gotFold != want && isASCII(pat+value) {
			t.Fatalf("fold match(%q, %q) = %v, reference %v", pat, value, gotFold, want)
		}
	})
}

func refMatch(pattern, value string, fold bool) bool {
	var b strings.Builder
	b.WriteString(`^(?s`)
	if fold {
		b.WriteString(`i`)
	}
	b.WriteString(`:`)
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String()).MatchString(value)
}
