package arn

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ARN
		err  error
	}{
		{"iam user", "arn:aws:iam::111122223333:user/path/alice", ARN{"aws", "iam", "", "111122223333", "user/path/alice"}, nil},
		{"s3 object with colons", "arn:aws:s3:::b/k:x:y", ARN{"aws", "s3", "", "", "b/k:x:y"}, nil},
		{"regional", "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1", ARN{"aws-cn", "ec2", "cn-north-1", "123456789012", "instance/i-1"}, nil},
		{"sts session", "arn:aws:sts::111122223333:assumed-role/R/s", ARN{"aws", "sts", "", "111122223333", "assumed-role/R/s"}, nil},
		{"no prefix", "aws:iam::1:user/a", ARN{}, ErrPrefix},
		{"upper prefix", "ARN:aws:iam::1:user/a", ARN{}, ErrPrefix},
		{"too few sections", "arn:aws:iam::1", ARN{}, ErrSections},
		{"empty partition", "arn::iam::1:user/a", ARN{}, ErrEmpty},
		{"empty service", "arn:aws:::1:user/a", ARN{}, ErrEmpty},
		{"empty resource", "arn:aws:iam::1:", ARN{}, ErrEmpty},
		{"empty", "", ARN{}, ErrPrefix},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != tc.err {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if err == nil && got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name           string
		pattern, value string
		want           bool
	}{
		{"exact", "abc", "abc", true},
		{"exact differs", "abc", "abd", false},
		{"case sensitive", "ABC", "abc", false},
		{"star all", "*", "anything:at/all", true},
		{"star empty", "*", "", true},
		{"empty pattern empty value", "", "", true},
		{"empty pattern", "", "a", false},
		{"prefix star", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", true},
		{"prefix star empty rest", "b/*", "b/", true},
		{"prefix star no", "b/*", "c/x", false},
		{"suffix star", "*.txt", "a/b.txt", true},
		{"suffix no", "*.txt", "a/b.txt2", false},
		{"middle", "a*b*c", "aXbYc", true},
		{"middle order", "a*b*c", "acb", false},
		{"overlap head tail", "ab*ba", "aba", false},
		{"overlap ok", "ab*ba", "abba", true},
		{"question", "a?c", "abc", true},
		{"question needs one", "a?c", "ac", false},
		{"question unicode", "a?c", "aéc", true},
		{"question in tail", "*?x", "x", false},
		{"question in tail ok", "*?x", "yx", true},
		{"question in middle", "a*?b?*c", "a1b2c", true},
		{"question middle fail", "a*b?d*e", "abcxe", false},
		{"many stars", "**a**", "bab", true},
		{"literal dollar", "a$b", "a$b", true},
		{"invalid utf8 bytes differ", "\xff", "\xfe", false},
		{"invalid utf8 question", "?", "\xff", true},
		{"leftmost greedy middle", "*ab*abc", "ababc", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(tc.pattern, tc.value); got != tc.want {
				t.Fatalf("Match(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
			if !utf8.ValidString(tc.pattern + tc.value) {
				return // the regexp reference reads invalid bytes as U+FFFD
			}
			if ref := refMatch(tc.pattern, tc.value); ref != tc.want {
				t.Fatalf("reference disagrees with the table for %q %q", tc.pattern, tc.value)
			}
		})
	}
}

func TestMatchSegments(t *testing.T) {
	tests := []struct {
		name           string
		pattern, value string
		want           bool
	}{
		{"star", "*", "whatever", true},
		{"star non-arn", "*", "*", true},
		{"account wildcard", "arn:aws:iam::*:role/R", "arn:aws:iam::111122223333:role/R", true},
		{"star does not cross colon", "arn:aws:iam:*:role/R", "arn:aws:iam::111122223333:role/R", true},
		{"segment star stays in segment", "arn:aws:iam::1*:user/a", "arn:aws:iam::1:2:user/a", false},
		{"resource with colons", "arn:aws:logs:*:*:log-group:g:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"service mismatch", "arn:aws:s3:::*", "arn:aws:sqs:::q", false},
		{"value not arn", "arn:aws:s3:::*", "bucket", false},
		{"short pattern whole match", "arn:aws:*", "arn:aws:s3:::b/k", true},
		{"resource case", "arn:aws:s3:::B/*", "arn:aws:s3:::b/k", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchSegments(tc.pattern, tc.value); got != tc.want {
				t.Fatalf("MatchSegments(%q, %q) = %v, want %v", tc.pattern, tc.value, got, tc.want)
			}
		})
	}
}

// TestMatchLinear shows that a pathological pattern does not blow up: ten stars against 10 KB.
func TestMatchLinear(t *testing.T) {
	value := strings.Repeat("a", 10000)
	pattern := strings.Repeat("a*", 10) + "b"
	start := time.Now()
	for range 100 {
		if Match(pattern, value) {
			t.Fatal("matched")
		}
	}
	if d := time.Since(start) / 100; d > time.Millisecond {
		t.Fatalf("one match took %v", d)
	}
}

// refMatch is an independent reference: the pattern translated into an anchored regexp.
func refMatch(pattern, value string) bool {
	var b strings.Builder
	b.WriteString(`^(?s:`)
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

func BenchmarkMatchPathological(b *testing.B) {
	value := strings.Repeat("a", 10000)
	pattern := strings.Repeat("a*", 10) + "b"
	for b.Loop() {
		Match(pattern, value)
	}
}
