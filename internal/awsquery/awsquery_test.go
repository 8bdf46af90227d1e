package awsquery

import (
	"bytes"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/awserr"
)

const form = "application/x-www-form-urlencoded; charset=utf-8"

func all(p Params) map[string]string {
	m := map[string]string{}
	p.Each(func(n, v string) { m[n] = v })
	return m
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		name, query, body, ctype string
		want                     map[string]string
		code                     string // wanted error code, if any
	}{
		{name: "form body", body: "Action=GetUser&UserName=a+b%2Bc", ctype: form, want: map[string]string{"Action": "GetUser", "UserName": "a b+c"}},
		{name: "query string only", query: "Action=GetCallerIdentity&Version=2011-06-15", want: map[string]string{"Action": "GetCallerIdentity", "Version": "2011-06-15"}},
		{name: "query and body merge", query: "Action=GetUser", body: "UserName=bob", ctype: "application/x-www-form-urlencoded", want: map[string]string{"Action": "GetUser", "UserName": "bob"}},
		{name: "empty pairs and bare names", body: "&&A&B=", ctype: form, want: map[string]string{"A": "", "B": ""}},
		{name: "UTF-8 escapes", body: "N=%C3%A9t%C3%A9", ctype: form, want: map[string]string{"N": "été"}},
		{name: "charset in any case", body: "A=1", ctype: "application/x-www-form-urlencoded; charset=UTF-8", want: map[string]string{"A": "1"}},
		{name: "duplicate in body", body: "A=1&A=2", ctype: form, code: "MalformedQueryString"},
		{name: "duplicate across query and body", query: "A=1", body: "A=2", ctype: form, code: "MalformedQueryString"},
		{name: "duplicate after decoding", body: "A=1&%41=2", ctype: form, code: "MalformedQueryString"},
		{name: "bad escape", body: "A=%zz", ctype: form, code: "MalformedQueryString"},
		{name: "truncated escape", body: "A=%4", ctype: form, code: "MalformedQueryString"},
		{name: "invalid UTF-8 escaped", body: "A=%ff", ctype: form, code: "MalformedQueryString"},
		{name: "invalid UTF-8 raw", query: "A=\xff", code: "MalformedQueryString"},
		{name: "other charset", body: "A=1", ctype: "application/x-www-form-urlencoded; charset=latin1", code: "UnsupportedMediaType"},
		{name: "JSON body", body: "{}", ctype: "application/json", code: "UnsupportedMediaType"},
		{name: "body without type", body: "A=1", code: "UnsupportedMediaType"},
		{name: "empty body with another type", query: "A=1", ctype: "text/plain", want: map[string]string{"A": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseParams(tt.query, []byte(tt.body), tt.ctype)
			if tt.code != "" {
				e, ok := awserr.As(err)
				if !ok || e.Code != tt.code || e.Status/100 != 4 {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, all(p)); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	p, err := ParseParams("L.member.2=b&L.member.10=j&L.member.1=a&L.member.1x=no&L.member.01=no&L.member.0=no&M.entry.3.key=k&M.entry.3.value=v&Lx=1", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, prefix string
		want         []int
	}{
		{"list", "L.member.", []int{1, 2, 10}},
		{"map entries counted once", "M.entry.", []int{3}},
		{"absent", "N.member.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, p.Indexes(tt.prefix)); diff != "" {
				t.Errorf("Indexes(%q) (-want +got):\n%s", tt.prefix, diff)
			}
		})
	}
	if v, ok := p.Get("Lx"); !ok || v != "1" {
		t.Errorf("Get(Lx) = %q, %v", v, ok)
	}
	if _, ok := p.Get("L"); ok {
		t.Error("Get(L) found a parameter that is not there")
	}
	if !p.HasPrefix("M.entry.3.") || p.HasPrefix("M.entry.4.") {
		t.Error("HasPrefix wrong")
	}
}

type result struct{ s string }

func (r result) EncodeXML(b *bytes.Buffer) { AppendString(b, "Name", r.s) }

func TestEnvelopes(t *testing.T) {
	tests := []struct {
		name  string
		write func(*bytes.Buffer)
		want  string
	}{
		{
			name: "result",
			write: func(b *bytes.Buffer) {
				WriteResponse(b, "https://iam.amazonaws.com/doc/2010-05-08/", "GetUser", result{"a<&>\"\r"}, "id-1")
			},
			want: `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><Name>a&lt;&amp;&gt;&quot;&#xD;</Name></GetUserResult><ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata></GetUserResponse>`,
		},
		{
			name:  "no output",
			write: func(b *bytes.Buffer) { WriteResponse(b, "ns", "DeleteUser", nil, "id-2") },
			want:  `<DeleteUserResponse xmlns="ns"><ResponseMetadata><RequestId>id-2</RequestId></ResponseMetadata></DeleteUserResponse>`,
		},
		{
			name: "error",
			write: func(b *bytes.Buffer) {
				WriteError(b, "ns", awserr.NoSuchEntity("The user with name <bob> cannot be found."), "id-3")
			},
			want: `<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name &lt;bob&gt; cannot be found.</Message></Error><RequestId>id-3</RequestId></ErrorResponse>`,
		},
		{
			name:  "receiver error",
			write: func(b *bytes.Buffer) { WriteError(b, "ns", awserr.ServiceFailure(), "id-4") },
			want:  `<ErrorResponse xmlns="ns"><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>The request processing has failed because of an unknown error, exception or failure.</Message></Error><RequestId>id-4</RequestId></ErrorResponse>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tt.write(&b)
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendScalars(t *testing.T) {
	ts := time.Date(2026, 11, 27, 10, 0, 1, 0, time.FixedZone("x", 3600))
	tests := []struct {
		name  string
		write func(*bytes.Buffer)
		want  string
	}{
		{"iso8601 in UTC", func(b *bytes.Buffer) { AppendTime(b, "T", ts, "") }, "<T>2026-11-27T09:00:01Z</T>"},
		{"fractional seconds", func(b *bytes.Buffer) { AppendTime(b, "T", ts.Add(120*time.Millisecond), "") }, "<T>2026-11-27T09:00:01.120Z</T>"},
		{"finer than milliseconds", func(b *bytes.Buffer) { AppendTime(b, "T", ts.Add(999_999), "") }, "<T>2026-11-27T09:00:01Z</T>"},
		{"epoch", func(b *bytes.Buffer) { AppendTime(b, "T", ts, "unixTimestamp") }, "<T>1795770001</T>"},
		{"http date", func(b *bytes.Buffer) { AppendTime(b, "T", ts, "rfc822") }, "<T>Fri, 27 Nov 2026 09:00:01 GMT</T>"},
		{"bool", func(b *bytes.Buffer) { AppendBool(b, "B", false) }, "<B>false</B>"},
		{"int", func(b *bytes.Buffer) { AppendInt(b, "I", -42) }, "<I>-42</I>"},
		{"float", func(b *bytes.Buffer) { AppendFloat(b, "F", 1.5, 32) }, "<F>1.5</F>"},
		{"blob", func(b *bytes.Buffer) { AppendBlob(b, "X", []byte("hi")) }, "<X>aGk=</X>"},
		{"invalid XML characters", func(b *bytes.Buffer) { AppendString(b, "S", "a\x00b\xffc") }, "<S>a\uFFFDb\uFFFDc</S>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tt.write(&b)
			if b.String() != tt.want {
				t.Errorf("got %s, want %s", b.String(), tt.want)
			}
		})
	}
}

// Lengths are counted as AWS's Java validators count them: in UTF-16 code units.
func TestStringRuleLength(t *testing.T) {
	d := NewDecoder(Params{})
	d.String("n", strings.Repeat("😀", 2), &StringRule{Max: 3})
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), "less than or equal to 3") {
		t.Errorf("two astral characters under max 3: err = %v, want a length error", err)
	}
}

func FuzzParseParams(f *testing.F) {
	f.Add("Action=GetUser", []byte("UserName=a+b&Tags.member.1.Key=%41"), form)
	f.Add("", []byte("A=%ff&A=1"), "application/json")
	f.Fuzz(func(t *testing.T, q string, body []byte, ct string) {
		p, err := ParseParams(q, body, ct)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
			return
		}
		prev := ""
		p.Each(func(n, v string) {
			if n <= prev && prev != "" {
				t.Fatalf("names not sorted and unique: %q after %q", n, prev)
			}
			prev = n
			if got, ok := p.Get(n); !ok || got != v {
				t.Fatalf("Get(%q) = %q, %v; want %q", n, got, ok, v)
			}
			p.Indexes(n)
		})
	})
}

// unescape decodes as url.QueryUnescape does, and refuses what that refuses or what is not
// UTF-8.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{"", "plain", "a+b", "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr", "%", "%4", "%zz", "%ff", "caf%C3%A9+x", "++%2B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := unescape(s)
		want, werr := url.QueryUnescape(s)
		if werr == nil && !utf8.ValidString(want) {
			werr = errors.New("not UTF-8")
		}
		if (err != nil) != (werr != nil) || err == nil && got != want {
			t.Fatalf("unescape(%q) = %q, %v; url.QueryUnescape: %q, %v", s, got, err, want, werr)
		}
	})
}

// A body is parsed into one string; its parameters, and its error when it has one, must be
// those of the query-string parser, which unescapes value by value.
func FuzzParseBodyMatchesParse(f *testing.F) {
	for _, s := range []string{"", "&&", "a=1&b=2", "=x&a=b", "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=a+b",
		"%C3=%A9", "a=%ff&b=%zz", "a=%zz&b=%ff", "%ff=%zz", "a%zz=%ff", "x=1&%ff&y=%", "caf%C3%A9=th%C3%A9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got, want Params
		gerr := got.parseBody(body)
		werr := want.parse(string(body))
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("parseBody(%q) error %v; parse: %v", body, gerr, werr)
		}
		if gerr == nil && (!slices.Equal(got.names, want.names) || !slices.Equal(got.values, want.values)) {
			t.Fatalf("parseBody(%q) = %q %q; parse: %q %q", body, got.names, got.values, want.names, want.values)
		}
	})
}
