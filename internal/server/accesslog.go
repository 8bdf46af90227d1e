package server

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
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
}

func newAccessLog(w io.Writer) *accessLog {
	return &accessLog{w: w, bufs: sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

// write writes one record of time t, level INFO and message msg with attrs.
func (l *accessLog) write(t time.Time, msg string, attrs ...slog.Attr) {
	bp := l.bufs.Get().(*[]byte)
	b := appendRecord((*bp)[:0], t, msg, attrs)
	l.w.Write(b)
	if cap(b) <= 4<<10 {
		*bp = b
		l.bufs.Put(bp)
	}
}

// appendRecord appends a TextHandler line: time, level and message, then the attributes.
func appendRecord(b []byte, t time.Time, msg string, attrs []slog.Attr) []byte {
	b = append(b, "time="...)
	b = t.Round(0).Truncate(time.Millisecond).AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	b = append(b, " level=INFO msg="...)
	b = appendText(b, msg)
	for _, a := range attrs {
		b = appendAttr(b, "", a)
	}
	return append(b, '\n')
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
	b = appendText(b, prefix+a.Key)
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
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting is slog's rule: empty strings, spaces, '=', '"', control characters (DEL is
// let through), and runes that are invalid, spaces or not printable.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
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
