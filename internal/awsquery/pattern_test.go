package awsquery

import (
	"regexp"
	"strings"
	"testing"
)

// modelPatterns are the distinct patterns of the generated IAM, STS and protocol-test code,
// as the generator writes them (anchored, Java escapes translated).
var modelPatterns = []string{
	`^(?:((/[A-Za-z0-9\.,\+@=_-]+)*)/)$`,
	`^(?:(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F}))$`,
	`^(?:[ -~]+)$`,
	`^(?:[A-Z0-9]+)$`,
	`^(?:[\d]*)$`,
	`^(?:[\d]+)$`,
	`^(?:[\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`,
	`^(?:[\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`,
	`^(?:[\w+=,.@-]*)$`,
	`^(?:[\w+=,.@-]+)$`,
	`^(?:[\w+=,.@:\/-]*)$`,
	`^(?:[\w+=/:,.@-]*)$`,
	`^(?:[\w+=/:,.@-]+)$`,
	`^(?:[\w-]*)$`,
	`^(?:[\w-]+)$`,
	`^(?:[\w._-]+)$`,
	`^(?:[\w]*)$`,
	`^(?:[\w]+)$`,
	`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{0085}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}\x{1000}0-\x{10FF}FF]+)$`,
	`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*)$`,
	`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]+)$`,
	`^(?:[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+)$`,
	`^(?:[\x{0020}-\x{00FF}]+)$`,
	`^(?:\d{12})$`,
	`^(?:\x{002F}[\x{0021}-\x{007F}]*)$`,
	`^(?:^[a-z0-9]([a-z0-9]|-){1,61}[a-z0-9]$)$`,
	`^(?:^[a-zA-Z0-9:/+=,.@_-]+$)$`,
	`^(?:^[a-zA-Z0-9:_.-]+$)$`,
	`^(?:^http(s?)://[a-zA-Z0-9._/-]*(\?[a-zA-Z0-9._=&-]*)?(#[a-zA-Z0-9._/-]*)?$)$`,
	`^(?:^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*)$`,
	`^(?:^p-[0-9a-zA-Z_]{8,128}$)$`,
	`^(?:v[1-9][0-9]*(\.[A-Za-z0-9-]*)?)$`,
}

func TestPatternUsesTableForClasses(t *testing.T) {
	for _, tc := range []struct {
		name, expr string
		table      bool
	}{
		{"name star", `^(?:[\w+=,.@-]*)$`, true},
		{"name plus", `^(?:[\w+=,.@-]+)$`, true},
		{"unicode class", `^(?:[\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`, true},
		{"doubled anchors", `^(?:^[a-zA-Z0-9:_.-]+$)$`, true},
		{"counted repeat", `^(?:\d{12})$`, false},
		{"path", `^(?:((/[A-Za-z0-9\.,\+@=_-]+)*)/)$`, false},
		{"unanchored end", `^(?:[a-z]+)`, false},
		{"single literal repeated", `^(?:a*)$`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, table := Pattern(tc.expr).(*classMatcher)
			if table != tc.table {
				t.Errorf("Pattern(%q) table matcher = %v, want %v", tc.expr, table, tc.table)
			}
		})
	}
}

func TestPatternAgreesWithRegexp(t *testing.T) {
	inputs := []struct{ name, s string }{
		{"empty", ""},
		{"name", "bob"},
		{"name chars", "a+b=c,d.e@f-g_h"},
		{"space", "a b"},
		{"slash colon", "a/b:c"},
		{"digits", "123456789012"},
		{"upper", "ABC123"},
		{"tab newline", "a\tb\nc\r"},
		{"del", "a\x7f"},
		{"latin1", "café"},
		{"nbsp", "a\u00a0b"},
		{"cjk", "日本"},
		{"emoji", "😀"},
		{"invalid utf8", "a\xffb"},
		{"bad before non-ascii", "a b\u00e9"},
		{"path", "/a/b/"},
		{"url", "https://example.com/x?y=1#z"},
		{"hyphens", "a--b"},
	}
	for _, expr := range modelPatterns {
		re := regexp.MustCompile(expr)
		m := Pattern(expr)
		for _, in := range inputs {
			if got, want := m.MatchString(in.s), re.MatchString(in.s); got != want {
				t.Errorf("Pattern(%q).MatchString(%s %q) = %v, regexp says %v", expr, in.name, in.s, got, want)
			}
		}
	}
}

func TestPatternMatchDoesNotAllocate(t *testing.T) {
	m := Pattern(`^(?:[\w+=,.@-]*)$`)
	s := strings.Repeat("session.name@example-1", 2)
	if n := testing.AllocsPerRun(100, func() { m.MatchString(s) }); n != 0 {
		t.Errorf("MatchString allocates %v times, want 0", n)
	}
}

// FuzzPatternMatchesRegexp holds the table matchers to the regexp's answers on every model
// pattern.
func FuzzPatternMatchesRegexp(f *testing.F) {
	for _, s := range []string{"", "bob", "a b", "café", "a\xffb", "/a/b/", "😀x", "a--b", "AKIAIOSFODNN7EXAMPLE"} {
		f.Add(s)
	}
	type pair struct {
		m  Matcher
		re *regexp.Regexp
	}
	pairs := make([]pair, len(modelPatterns))
	for i, expr := range modelPatterns {
		pairs[i] = pair{Pattern(expr), regexp.MustCompile(expr)}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, p := range pairs {
			if got, want := p.m.MatchString(s), p.re.MatchString(s); got != want {
				t.Errorf("%q on %q: got %v, regexp says %v", modelPatterns[i], s, got, want)
			}
		}
	})
}

func BenchmarkPattern(b *testing.B) {
	const expr = `^(?:[\w+=,.@-]*)$`
	for _, bc := range []struct {
		name string
		m    Matcher
	}{{"table", Pattern(expr)}, {"regexp", regexp.MustCompile(expr)}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.m.MatchString("my-session.name@example")
			}
		})
	}
}
