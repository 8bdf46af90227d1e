package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
)

type groupValuer struct{ by string }

func (g groupValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("action", "sts:AssumeRole"), slog.String("decision", "Allowed"), slog.String("by", g.by))
}

type emptyValuer struct{}

func (emptyValuer) LogValue() slog.Value { return slog.Value{} }

// appendRecord is the line appendStart and appendAttr write for a record at t.
func appendRecord(b []byte, t time.Time, msg string, attrs []slog.Attr) []byte {
	b = appendStart(b, formatTime(t), msg)
	for _, a := range attrs {
		b = appendAttr(b, "", a)
	}
	return append(b, '\n')
}

// slogLine is what slog's TextHandler writes for the record.
func slogLine(t *testing.T, at time.Time, msg string, attrs []slog.Attr) string {
	t.Helper()
	var buf bytes.Buffer
	r := slog.NewRecord(at, slog.LevelInfo, msg, 0)
	r.AddAttrs(attrs...)
	if err := slog.NewTextHandler(&buf, nil).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestAccessLogMatchesSlog(t *testing.T) {
	at := time.Date(2026, 11, 27, 13, 30, 5, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name  string
		attrs []slog.Attr
	}{
		{"a request", []slog.Attr{slog.String("requestId", "6e7a1c3e-8f1f-4d7e-9d55-0a4c3a9c1b2e"), slog.String("service", "sts"),
			slog.String("action", "AssumeRole"), slog.Any("principal", groupValuer{"identityPolicies[0] (arn:aws:iam::123456789012:policy/P) statement 0"}),
			slog.Int("status", 200), slog.Duration("latency", 35200*time.Nanosecond)}},
		{"nil principal and trace", []slog.Attr{slog.Any("principal", (*authn.Principal)(nil)), slog.Any("authz", (*authz.Trace)(nil))}},
		{"empty trace", []slog.Attr{slog.Any("authz", new(authz.Trace))}},
		{"empty values", []slog.Attr{slog.String("action", ""), slog.Any("authz", emptyValuer{}), slog.Group("g")}},
		{"quoting", []slog.Attr{slog.String("a", "two words"), slog.String("b", "k=v"), slog.String("c", `say "hi"`),
			slog.String("d", "back\\slash"), slog.String("e", "tab\there"), slog.String("f", "del\x7f"), slog.String("g", "caf\u00e9"),
			slog.String("h", "nbsp\u00a0"), slog.String("i", "bad\xff"), slog.String("j", "\u2028")}},
		{"kinds", []slog.Attr{slog.Bool("ok", true), slog.Int("n", -5), slog.Duration("d", 0), slog.Float64("f", 1.5), slog.Any("nil", nil)}},
		{"nested group", []slog.Attr{slog.Group("g", slog.String("x", "1"), slog.Group("h", slog.Int("y", 2)))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := slogLine(t, at, "request", tt.attrs)
			if got := string(appendRecord(nil, at, "request", tt.attrs)); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func FuzzAccessLogMatchesSlog(f *testing.F) {
	f.Add("AssumeRole", "arn:aws:iam::123456789012:user/a b", int64(1_700_000_000_123_456_789))
	f.Add("", "\"=\\\x00\u00a0", int64(0))
	f.Fuzz(func(t *testing.T, a, b string, ns int64) {
		at := time.Unix(0, ns).UTC()
		attrs := []slog.Attr{slog.String("action", a), slog.Any("authz", groupValuer{b}), slog.String(b, a)}
		if want, got := slogLine(t, at, a, attrs), string(appendRecord(nil, at, a, attrs)); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
}

// TestAccessLogWrite: records written through the log (with its formatted-time cache) are
// slog's lines, in the same millisecond, the next one and another time zone.
func TestAccessLogWrite(t *testing.T) {
	var buf bytes.Buffer
	l := newAccessLog(&buf)
	at := time.Date(2026, 11, 27, 13, 30, 5, 123456789, time.UTC)
	times := []time.Time{at, at.Add(100 * time.Microsecond), at.Add(time.Millisecond), at.In(time.FixedZone("X", -7200)), at}
	var want strings.Builder
	for i, tm := range times {
		c := &call{id: fmt.Sprintf("id-%d", i), service: "sts", action: "GetCallerIdentity", trace: new(authz.Trace)}
		latency := time.Duration(i) * time.Microsecond
		l.writeCall(tm, c, 200, latency)
		attrs := c.attrs(200, latency)
		want.WriteString(slogLine(t, tm, "request", attrs[:]))
	}
	if buf.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want.String())
	}
}
