package arn

import (
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::111122223333:user/a", "arn:aws:s3:::b/k:x", "arn:", "arn:a:b:c:d:e", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("round trip: %q -> %q", s, a.String())
		}
		if b, err := Parse(a.String()); err != nil || b != a {
			t.Fatalf("reparse of %q: %+v %v", s, b, err)
		}
	})
}

// FuzzMatch checks the linear matcher against the regexp reference on valid UTF-8 input (where
// "one character" means one rune for both).
func FuzzMatch(f *testing.F) {
	for _, c := range [][2]string{{"a*b?c", "axxbyc"}, {"*", ""}, {"?*?", "ab"}, {"ab*ba", "aba"}, {"*a*", "bab"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if len(pattern) > 64 || len(value) > 256 {
			return
		}
		got := Match(pattern, value)
		if !utf8.ValidString(pattern) || !utf8.ValidString(value) {
			return
		}
		if want := refMatch(pattern, value); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference %v", pattern, value, got, want)
		}
		MatchSegments(pattern, value)
	})
}
