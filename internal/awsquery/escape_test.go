package awsquery

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// escapeRef is EscapeText written plainly, rune by rune (range yields U+FFFD for each invalid
// byte), as the reference the fast path must agree with.
func escapeRef(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\r':
			b.WriteString("&#xD;")
		case !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestEscapeText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob"},
		{"markup", `a<b>&"c"`, "a&lt;b&gt;&amp;&quot;c&quot;"},
		{"apostrophe stays", "it's", "it's"},
		{"whitespace", "a\tb\nc\rd", "a\tb\nc&#xD;d"},
		{"control", "a\x00b\x1fc", "a\uFFFDb\uFFFDc"},
		{"del", "a\x7f", "a\x7f"},
		{"non-ascii", "café 日本 😀", "café 日本 😀"},
		{"invalid utf8", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"noncharacter", "a\uFFFEb", "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			EscapeText(&b, tc.in)
			if got := b.String(); got != tc.want {
				t.Errorf("EscapeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"", "bob", `<&>"`, "a\rb", "\x00", "é\xff", "\uFFFE", "😀",
		// Eight-byte blocks: plain ones, then one character to escape at each position.
		"FwoGZXIvYXdzEBYaDPlainToken0123456789+/=", "01234567&", "0123456<", "012345>7", "0\"234567", "0123456\x1f", "0123456\x7f89", "0123456é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		EscapeText(&b, s)
		if got, want := b.String(), escapeRef(s); got != want {
			t.Errorf("EscapeText(%q) = %q, reference %q", s, got, want)
		}
	})
}

// appendISO8601 is t.AppendFormat with the layouts it replaces (whole seconds, or milliseconds
// when there are any), at every edge of the fast path.
func FuzzAppendISO8601(f *testing.F) {
	for _, seed := range [][2]int64{{0, 0}, {0, 1}, {1_795_770_001, 120_000_000}, {1_795_770_001, 999_999_999},
		{-62_167_219_200, 0}, {-62_167_219_201, 0}, {253_402_300_799, 999_999_999}, {253_402_300_800, 0}, {-1, -1}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1e9).UTC()
		want := tm.Format("2006-01-02T15:04:05Z")
		if ms := tm.Truncate(time.Millisecond); ms.Nanosecond() != 0 {
			want = ms.Format("2006-01-02T15:04:05.000Z")
		}
		if got := string(appendISO8601(nil, tm)); got != want {
			t.Errorf("appendISO8601(%v) = %q, want %q", tm, got, want)
		}
	})
}
