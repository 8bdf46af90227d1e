package awsquery

import (
	"bytes"
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/awserr"
)

// Result is an operation's output: it writes the children of its <XResult> element.
// The generated output types implement it without reflection.
type Result interface {
	EncodeXML(b *bytes.Buffer)
}

// WriteResponse writes the success envelope. AWS's IAM and STS answers carry no XML
// declaration; a nil res (an operation without output) leaves out the <XResult> element, as AWS
// does, and keeps <ResponseMetadata>.
func WriteResponse(buf *bytes.Buffer, namespace, action string, res Result, requestID string) {
	buf.WriteString("<")
	buf.WriteString(action)
	buf.WriteString(`Response xmlns="`)
	EscapeText(buf, namespace)
	buf.WriteString(`">`)
	if res != nil {
		buf.WriteString("<")
		buf.WriteString(action)
		buf.WriteString("Result>")
		res.EncodeXML(buf)
		buf.WriteString("</")
		buf.WriteString(action)
		buf.WriteString("Result>")
	}
	buf.WriteString("<ResponseMetadata><RequestId>")
	EscapeText(buf, requestID)
	buf.WriteString("</RequestId></ResponseMetadata></")
	buf.WriteString(action)
	buf.WriteString("Response>")
}

// WriteError writes AWS's <ErrorResponse> for e.
func WriteError(buf *bytes.Buffer, namespace string, e *awserr.Error, requestID string) {
	buf.WriteString(`<ErrorResponse xmlns="`)
	EscapeText(buf, namespace)
	buf.WriteString(`"><Error><Type>`)
	buf.WriteString(e.Type())
	buf.WriteString("</Type><Code>")
	EscapeText(buf, e.Code)
	buf.WriteString("</Code><Message>")
	EscapeText(buf, e.Message)
	buf.WriteString("</Message></Error><RequestId>")
	EscapeText(buf, requestID)
	buf.WriteString("</RequestId></ErrorResponse>")
}

// EscapeText writes s as XML character data (also safe inside a double-quoted attribute).
// Characters XML 1.0 cannot carry become U+FFFD, and '\r' is written as a reference so that
// parsers do not fold it into '\n'.
func EscapeText(b *bytes.Buffer, s string) {
	// Most text (tokens, keys, ARNs, ids) is plain ASCII throughout: find the first byte that
	// may need escaping eight bytes at a time, and write everything before it as it is.
	last := plainPrefix(s)
	if last == len(s) {
		b.WriteString(s)
		return
	}
	b.WriteString(s[:last])
	for i := last; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && plainXML[c] {
			i++ // most text is ASCII that passes as it is: no rune decoding
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&quot;"
		case r == '\r':
			esc = "&#xD;"
		case r == utf8.RuneError && w == 1, !xmlChar(r):
			esc = "\uFFFD"
		default:
			i += w
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += w
		last = i
	}
	b.WriteString(s[last:])
}

// plainPrefix returns the length of s's leading run of eight-byte blocks that EscapeText
// writes unchanged: printable ASCII without '&', '<', '>' and '"'.
func plainPrefix(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte below 0x20 or of 0x80 and above, or equal to one of the four (XOR makes it
		// zero), sets its high bit here.
		amp, lt, gt, quot := x^('&'*ones), x^('<'*ones), x^('>'*ones), x^('"'*ones)
		if ((x-0x20*ones)|(amp-ones)&^amp|(lt-ones)&^lt|(gt-ones)&^gt|(quot-ones)&^quot|x)&highs != 0 {
			return i
		}
	}
	return i
}

// plainXML marks the ASCII bytes EscapeText writes unchanged.
var plainXML = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	t['\t'], t['\n'] = true, true
	t['&'], t['<'], t['>'], t['"'] = false, false, false, false
	return t
}()

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// appendISO8601 appends t (in UTC) as AWS writes its timestamps: whole seconds as
// 2006-01-02T15:04:05Z, and a time with a fraction to the millisecond, three digits as Java
// writes them (2006-01-02T15:04:05.000Z with the digits; AWS's example answers show both forms,
// "2012-09-21T23:03:13Z" and "2018-10-24T19:47:35.241Z", and never finer digits). The digits are
// written by hand for the years 0–9999: every response with credentials carries a time, and
// the general formatter costs as much as the rest of the XML.
func appendISO8601(b []byte, t time.Time) []byte {
	ms := t.Nanosecond() / 1e6
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		if ms == 0 {
			return t.AppendFormat(b, "2006-01-02T15:04:05Z")
		}
		return t.Add(-time.Duration(t.Nanosecond()%1e6)).AppendFormat(b, "2006-01-02T15:04:05.000Z")
	}
	hour, minute, sec := t.Clock()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	if ms != 0 {
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	}
	return append(b, 'Z')
}

// Open writes <name>.
func Open(b *bytes.Buffer, name string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
}

// Close writes </name>.
func Close(b *bytes.Buffer, name string) {
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// AppendString writes <name>s</name>.
func AppendString(b *bytes.Buffer, name, s string) {
	Open(b, name)
	EscapeText(b, s)
	Close(b, name)
}

// AppendInt writes <name>n</name>.
func AppendInt(b *bytes.Buffer, name string, n int64) {
	Open(b, name)
	var tmp [20]byte
	b.Write(strconv.AppendInt(tmp[:0], n, 10))
	Close(b, name)
}

// AppendFloat writes a float as the SDKs read it: shortest round-trip digits, and Java's names
// for the special values.
func AppendFloat(b *bytes.Buffer, name string, f float64, bits int) {
	Open(b, name)
	switch {
	case math.IsNaN(f):
		b.WriteString("NaN")
	case math.IsInf(f, 1):
		b.WriteString("Infinity")
	case math.IsInf(f, -1):
		b.WriteString("-Infinity")
	default:
		var tmp [32]byte
		b.Write(strconv.AppendFloat(tmp[:0], f, 'g', -1, bits))
	}
	Close(b, name)
}

// AppendBool writes <name>true</name> or <name>false</name>.
func AppendBool(b *bytes.Buffer, name string, v bool) {
	if v {
		AppendString(b, name, "true")
	} else {
		AppendString(b, name, "false")
	}
}

// AppendTime writes a timestamp in a model timestampFormat; "" is ISO 8601 in UTC, with
// milliseconds only when there are any (appendISO8601).
func AppendTime(b *bytes.Buffer, name string, t time.Time, format string) {
	Open(b, name)
	var tmp [40]byte
	t = t.UTC()
	switch format {
	case "unixTimestamp":
		ms := t.UnixMilli()
		if ms%1000 == 0 {
			b.Write(strconv.AppendInt(tmp[:0], ms/1000, 10))
		} else {
			b.Write(strconv.AppendFloat(tmp[:0], float64(ms)/1000, 'f', -1, 64))
		}
	case "rfc822":
		b.Write(t.AppendFormat(tmp[:0], "Mon, 02 Jan 2006 15:04:05 GMT"))
	default:
		b.Write(appendISO8601(tmp[:0], t))
	}
	Close(b, name)
}

// AppendBlob writes base64 text.
func AppendBlob(b *bytes.Buffer, name string, v []byte) {
	Open(b, name)
	enc := base64.StdEncoding
	n := enc.EncodedLen(len(v))
	b.Grow(n)
	start := b.Len()
	b.Write(make([]byte, n))
	enc.Encode(b.Bytes()[start:], v)
	Close(b, name)
}
