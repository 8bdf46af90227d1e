package server

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// accessLog writes the per-request record in exactly the text slog's TextHandler writes for
// the same attributes (TestAccessLogMatchesSlog holds it to that), without slog: slog's text
// handler took more CPU per request than authenticating a GetCallerIdentity call. Other log
// records still go through the configured slog.Logger.
type accessLog struct {
	w    io.Writer
	bufs sync.Pool
	last atomic.Pointer[stamp] // the last record's time, formatted
}

// stamp is a formatted time of one millisecond: at thousands of requests a second, most
// records share their millisecond with the one before.
type stamp struct {
	ms   int64
	loc  *time.Location
	text string
}

func newAccessLog(w io.Writer) *accessLog {
	return &accessLog{w: w, bufs: sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

// writeCall writes the record of one API call: the line slog's TextHandler writes for
// c.attrs(status, latency) (TestAccessLogCallMatchesSlog holds it to that), without building
// the attributes and resolving their values, which cost more than the rest of the line.
func (l *accessLog) writeCall(t time.Time, c *call, status int, latency time.Duration) {
	bp := l.bufs.Get().(*[]byte)
	b := appendStart((*bp)[:0], l.stamp(t), "request")
	b = append(b, " requestId="...)
	b = appendText(b, c.id)
	b = append(b, " service="...)
	b = appendText(b, c.service)
	b = append(b, " action="...)
	b = appendText(b, c.action)
	b = append(b, " principal="...)
	b = appendText(b, c.principal.LogValue().String())
	if ev := c.trace.Logged(); ev != nil {
		b = append(b, " authz.action="...)
		b = appendText(b, ev.Request.Action)
		b = append(b, " authz.resource="...)
		b = appendText(b, ev.Request.Resource)
		b = append(b, " authz.decision="...)
		b = appendText(b, ev.Result.Decision.String())
		b = append(b, " authz.by="...)
		b = appendText(b, ev.DecidedBy())
	} else {
		b = appendAttr(b, "", slog.Any("authz", c.trace))
	}
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, " latency="...)
	b = append(b, latency.String()...)
	b = append(b, '\n')
	l.w.Write(b)
	if cap(b) <= 4<<10 {
		*bp = b
		l.bufs.Put(bp)
	}
}

// stamp returns t formatted as slog formats record times (RFC 3339, milliseconds).
func (l *accessLog) stamp(t time.Time) string {
	ms := t.UnixMilli()
	if s := l.last.Load(); s != nil && s.ms == ms && s.loc == t.Location() {
		return s.text
	}
	s := &stamp{ms: ms, loc: t.Location(), text: formatTime(t)}
	l.last.Store(s)
	return s.text
}

func formatTime(t time.Time) string {
	return t.Round(0).Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
}

// appendStart appends the start of a TextHandler line: time (at, formatted by formatTime),
// level and message; the attributes follow, each with appendAttr.
func appendStart(b []byte, at string, msg string) []byte {
	b = append(b, "time="...)
	b = append(b, at...)
	b = append(b, " level=INFO msg="...)
	return appendText(b, msg)
}

func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	v := a.Value.Resolve()
	if a.Key == "" && v.Equal(slog.Value{}) {
		return b // slog drops empty attributes
	}
	if v.Kind() == slog.KindGroup {
		g := v.Group()
		if len(g) == 0 {
			return b
		}
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range g {
			b = appendAttr(b, prefix, ga)
		}
		return b
	}
	b = append(b, ' ')
	if prefix == "" || needsQuoting(prefix) || needsQuoting(a.Key) {
		b = appendText(b, prefix+a.Key)
	} else {
		b = append(b, prefix...) // the two parts need no quoting, so neither does the whole
		b = append(b, a.Key...)
	}
	b = append(b, '=')
	switch v.Kind() {
	case slog.KindString:
		return appendText(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindDuration:
		return append(b, v.Duration().String()...)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	default:
		return appendText(b, fmt.Sprintf("%+v", v.Any()))
	}
}

// appendText appends s, quoted where slog's text handler quotes it.
func appendText(b []byte, s string) []byte {
	if needsQuoting(s) {
		return appendQuoted(b, s)
	}
	return append(b, s...)
}

// appendQuoted is strconv.AppendQuote, with a shortcut for the printable ASCII that quoted
// values in the access log are made of (the authorization's "by", messages with spaces): only
// '"' and '\\' are escaped there.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	for {
		i := strings.IndexAny(s, `"\`)
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		b = append(b, '\\', s[i])
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// needsQuoting is slog's rule: empty strings, spaces, '=', '"', control characters (DEL is
// let through), and runes that are invalid, spaces or not printable. It tests eight bytes at a
// time, as it runs over every value of every record.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// Flags a block with a byte ≤ ' ', '=' or '"' (XOR makes those zero), or ≥ 0x80.
		eq, quote := x^('='*ones), x^('"'*ones)
		if ((x-0x21*ones)&^x|(eq-ones)&^eq|(quote-ones)&^quote|x)&highs != 0 {
			break // the rest is looked at byte by byte
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
