package sigv4

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseAmzDate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want time.Time // zero: rejected
	}{
		{"typical", "20261127T121900Z", time.Date(2026, 11, 27, 12, 19, 0, 0, time.UTC)},
		{"epoch", "19700101T000000Z", time.Unix(0, 0).UTC()},
		{"before epoch", "19691231T235959Z", time.Unix(-1, 0).UTC()},
		{"year zero, leap day", "00000229T000000Z", time.Date(0, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"year 9999", "99991231T235959Z", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"leap day 2000", "20000229T120000Z", time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"leap day 2024", "20240229T120000Z", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"no leap day 1900", "19000229T120000Z", time.Time{}},
		{"no leap day 2026", "20260229T120000Z", time.Time{}},
		{"april 31", "20260431T000000Z", time.Time{}},
		{"month 13", "20261327T121900Z", time.Time{}},
		{"month 0", "20260027T121900Z", time.Time{}},
		{"day 0", "20261100T121900Z", time.Time{}},
		{"hour 24", "20261127T241900Z", time.Time{}},
		{"minute 60", "20261127T126000Z", time.Time{}},
		{"second 60", "20261127T121960Z", time.Time{}},
		{"no T", "20261127 121900Z", time.Time{}},
		{"no Z", "20261127T121900z", time.Time{}},
		{"short", "20261127T12190Z", time.Time{}},
		{"sign", "2026112-T121900Z", time.Time{}},
		{"extended format", "2026-11-27T12:19:00Z", time.Time{}},
		// Bytes next to the digits, which the word-wide digit check must still reject.
		{"colon in date", "2026:127T121900Z", time.Time{}},
		{"question mark in time", "20261127T12190?Z", time.Time{}},
		{"slash", "2026/127T121900Z", time.Time{}},
		{"digit with high bit", "2026\xb127T121900Z", time.Time{}},
		{"NUL", "20261127T\x0021900Z", time.Time{}},
		{"empty", "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseAmzDate(tc.in)
			if ok != !tc.want.IsZero() || got != tc.want {
				t.Fatalf("parseAmzDate(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
			}
			rgot, rok := refParseAmzDate(tc.in)
			if rok != ok || rgot != got {
				t.Fatalf("reference gives %v, %v", rgot, rok)
			}
		})
	}
}

// FuzzParseAmzDate checks the hand-built parser against the reference built on time.Date.
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{"20261127T121900Z", "00000229T000000Z", "19000229T000000Z", "99991231T235959Z", "20261327T121900Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAmzDate(s)
		want, wok := refParseAmzDate(s)
		if ok != wok || got != want {
			t.Fatalf("parseAmzDate(%q) = %v, %v; reference %v, %v", s, got, ok, want, wok)
		}
		if ok && got.Format(amzDateLayout) != s {
			t.Fatalf("parseAmzDate(%q) = %v does not round-trip", s, got)
		}
	})
}

// FuzzCheckTime checks the seconds arithmetic of checkTime against the reference's time
// arithmetic, with fractional clocks and windows, and presign age bounds.
func FuzzCheckTime(f *testing.F) {
	base := time.Date(2026, 11, 27, 12, 20, 0, 0, time.UTC)
	f.Add(base.Unix(), base.UnixNano(), int64(0), int64(0), false, int64(0))
	f.Add(base.Unix()+900, base.UnixNano(), int64(0), int64(0), false, int64(0))
	f.Add(base.Unix()+901, base.UnixNano()+999_999_999, int64(0), int64(0), false, int64(0))
	f.Add(base.Unix()-901, base.UnixNano()-1, int64(1500_000_000_000), int64(0), false, int64(0))
	f.Add(base.Unix()-3600, base.UnixNano(), int64(0), int64(3600_000_000_000), true, int64(0))
	f.Add(base.Unix()-901, base.UnixNano(), int64(0), int64(604800), true, int64(900_000_000_000))
	f.Add(base.Unix()-61, base.UnixNano(), int64(0), int64(0), true, int64(60_500_000_000))
	f.Fuzz(func(t *testing.T, signedAt, nowNanos, skew, expires int64, presigned bool, maxAge int64) {
		const span = 200 * 365 * 86400 // keep the reference's time.Add clear of overflow
		signedAt = base.Unix() + signedAt%span
		req := request{presigned: presigned, signedAt: time.Unix(signedAt, 0).UTC()}
		if presigned { // as gatherQuery sets it: the header form has no expiry
			req.expires = time.Duration(expires%MaxExpires) * time.Second
		}
		now := time.Unix(0, nowNanos)
		v := &Verifier{Now: func() time.Time { return now }, Skew: time.Duration(skew % (span * int64(time.Second))),
			MaxPresignAge: time.Duration(maxAge % (span * int64(time.Second)))}
		got, want := v.checkTime(req.signedAt, req.expires, req.presigned), v.refCheckTime(&req)
		if (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Fatalf("checkTime = %+v; reference %+v", got, want)
		}
	})
}

func TestCheckFormDuplicates(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	many := ""
	for i := range 40 {
		many += "&K" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + "=v"
	}
	for _, tc := range []struct {
		name, ct, body string
		dup            string // the key reported, "" when accepted
	}{
		{"sdk form", form + "; charset=utf-8", "Action=GetCallerIdentity&Version=2011-06-15", ""},
		{"duplicate", form, "Action=A&Version=1&Action=B", "Action"},
		{"duplicate after escape", form, "Action=A&Act%69on=B", "Action"},
		{"plus is a space", form, "a+b=1&a%20b=2", "a b"},
		{"empty key", form, "=1&b=2", ""},
		{"empty pairs ignored", form, "&&a=1&&b=2&", ""},
		{"bare keys", form, "a&a", "a"},
		{"malformed escape kept raw", form, "a%zz=1&a%zz=2", "a%zz"},
		{"type case and spaces", "  Application/X-WWW-Form-URLEncoded ;charset=utf-8", "a=1&a=2", "a"},
		{"not a form", "application/json", "a=1&a=2", ""},
		{"no content type", "", "a=1&a=2", ""},
		{"form prefix only", form + "x", "a=1&a=2", ""},
		{"many distinct", form, many[1:], ""},
		{"many, duplicate at the end", form, many[1:] + "&KAa=v", "KAa"},
		// The one-pass check hands over to the general one at an escaped key or a 17th key.
		{"duplicate before an escaped key", form, "a=1&a=2&b%41=3", "a"},
		{"duplicate after an escaped key", form, "a=1&b%41=2&a=3", "a"},
		{"17th key duplicates", form, many[1:16*6] + "&KAa=v", "KAa"},
		{"17 distinct, then a duplicate", form, many[1:17*6] + "&KBa=v", "KBa"},
		{"key with an empty value, twice", form, "a=&a", "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{Header: http.Header{}}
			if tc.ct != "" {
				r.Header["Content-Type"] = []string{tc.ct}
			}
			got := checkFormDuplicates(r.Header["Content-Type"], []byte(tc.body))
			want := refCheckFormDuplicates(r, []byte(tc.body))
			if (got == nil) != (want == nil) || got != nil && *got != *want {
				t.Fatalf("got %+v, reference %+v", got, want)
			}
			if tc.dup == "" && got != nil || tc.dup != "" && (got == nil || *got != *errDuplicateForm(tc.dup)) {
				t.Fatalf("got %+v, want duplicate %q", got, tc.dup)
			}
		})
	}
}

func FuzzCheckFormDuplicates(f *testing.F) {
	f.Add("application/x-www-form-urlencoded; charset=utf-8", []byte("Action=GetCallerIdentity&Version=2011-06-15"))
	f.Add("application/x-www-form-urlencoded", []byte("a=1&&b&=&a%41=2&a+b"))
	f.Add(" APPLICATION/x-www-form-urlencoded;", []byte("x=1&x=2"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		r := &http.Request{Header: http.Header{"Content-Type": {ct}}}
		got, want := checkFormDuplicates(r.Header["Content-Type"], body), refCheckFormDuplicates(r, body)
		if (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Fatalf("checkFormDuplicates(%q, %q) = %+v; reference %+v", ct, body, got, want)
		}
	})
}

func FuzzAppendHeaderValue(f *testing.F) {
	for _, s := range []string{"", " ", "\t a  b \t", "application/x-www-form-urlencoded; charset=utf-8", "a \t  b", "  ", "a   "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := appendHeaderValue([]byte("x:"), v), refAppendHeaderValue([]byte("x:"), v); string(got) != string(want) {
			t.Fatalf("appendHeaderValue(%q) = %q; reference %q", v, got, want)
		}
	})
}

// FuzzCanonical checks the canonical request of every request that passes the header checks
// against the reference builder, on requests parsed by Go's HTTP server code.
func FuzzCanonical(f *testing.F) {
	for _, s := range suiteSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, ok := readRequest(raw)
		if !ok {
			return
		}
		params, perr := parseQuery(r.URL.RawQuery, nil)
		if perr != nil {
			return
		}
		var req request
		if gather(&req, r, params) != nil || checkSignedHeaders(r, &req, nil) != nil {
			return
		}
		got := appendCanonical(nil, r, &req, params, body)
		want := refAppendCanonical(nil, r, &req, params, body)
		if !bytes.Equal(got, want) {
			t.Fatalf("canonical request\n%s\nreference\n%s", got, want)
		}
	})
}

// FuzzParseAuthorizationRef checks the one-pass parsers of the Authorization header and its
// credential against the references built on strings.Cut.
func FuzzParseAuthorizationRef(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d",
		"  AWS4-HMAC-SHA256   Signature=a,,Credential=a/b/c/d/e/f, SignedHeaders=, Foo=bar ,  ",
		"AWS4-HMAC-SHA256 Credential=a=b=c, Credential=x",
		"AWS4-HMAC-SHA256 Credential",
		"AWS4-HMAC-SHA256 =,= ,Signature=",
		"AWS4-HMAC-SHA1 Credential=a",
		// Shapes next to the one the SDKs write, which must leave the quick parse.
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a , SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=ab ",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=ab,",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=ab, Signature=cd",
		"AWS4-HMAC-SHA256 Credential=a, SignedHeaders=, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=ab",
		"AWS4-HMAC-SHA256 Credential=a=b, SignedHeaders=host, Signature=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		var got authorization
		gerr := parseAuthorization(h, &got)
		want, werr := refParseAuthorization(h)
		if got != want || (gerr == nil) != (werr == nil) || gerr != nil && *gerr != *werr {
			t.Fatalf("parseAuthorization(%q) = %+v, %+v; reference %+v, %+v", h, got, gerr, want, werr)
		}
		for _, c := range []string{h, got.credential} {
			var gs scope
			gerr := parseCredential(c, &gs)
			ws, werr := refParseCredential(c)
			if (gerr == nil) != (werr == nil) || gerr != nil && *gerr != *werr || gerr == nil && gs != ws {
				t.Fatalf("parseCredential(%q) = %+v, %+v; reference %+v, %+v", c, gs, gerr, ws, werr)
			}
		}
	})
}

// FuzzEqualHex checks the fused comparison against comparing the hex encoding.
func FuzzEqualHex(f *testing.F) {
	mac := sha256.Sum256([]byte("seed"))
	f.Add(mac[:], hex.EncodeToString(mac[:]))
	f.Add(mac[:], strings.ToUpper(hex.EncodeToString(mac[:])))
	f.Add(mac[:], hex.EncodeToString(mac[:31]))
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, mac []byte, s string) {
		want := subtle.ConstantTimeCompare([]byte(hex.EncodeToString(mac)), []byte(s)) == 1
		if got := equalHex(mac, s); got != want {
			t.Fatalf("equalHex(%x, %q) = %v, want %v", mac, s, got, want)
		}
		// The fuzzer rarely finds a match by itself: also try the encoding with one change.
		enc := []byte(hex.EncodeToString(mac))
		if !equalHex(mac, string(enc)) {
			t.Fatalf("equalHex(%x, its own encoding) = false", mac)
		}
		if len(enc) > 0 && len(s) > 0 {
			i := int(s[0]) % len(enc)
			enc[i] ^= s[len(s)-1] | 1
			if equalHex(mac, string(enc)) {
				t.Fatalf("equalHex(%x, %q) = true", mac, enc)
			}
		}
	})
}

// TestEqualHex changes every character of a signature to every other hex digit, either case.
func TestEqualHex(t *testing.T) {
	mac := sha256.Sum256([]byte("string to sign"))
	enc := hex.EncodeToString(mac[:])
	if !equalHex(mac[:], enc) {
		t.Fatal("the encoding itself does not match")
	}
	for _, tc := range []struct{ name, sig string }{
		{"empty", ""}, {"short", enc[:63]}, {"long", enc + "0"}, {"upper case", strings.ToUpper(enc)},
	} {
		if equalHex(mac[:], tc.sig) {
			t.Errorf("%s: matched", tc.name)
		}
	}
	for i := range enc {
		for _, c := range []byte("0123456789abcdefABCDEF") {
			if c == enc[i] {
				continue
			}
			sig := enc[:i] + string(c) + enc[i+1:]
			if equalHex(mac[:], sig) {
				t.Fatalf("%q matched with character %d changed to %q", sig, i, c)
			}
		}
	}
}

func TestAppendHexSum(t *testing.T) {
	var seq [32]byte
	for i := range seq {
		seq[i] = byte(i * 37)
	}
	for _, tc := range []struct {
		name   string
		prefix string
		sum    [32]byte
	}{
		{"zeros", "", [32]byte{}},
		{"all ones", "x", [32]byte{0: 0xff, 15: 0xff, 31: 0xff}},
		{"every nibble", "prefix\n", seq},
		{"a digest", "", sha256.Sum256([]byte("x"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := appendHexSum([]byte(tc.prefix), &tc.sum)
			if want := tc.prefix + hex.EncodeToString(tc.sum[:]); string(got) != want {
				t.Errorf("appendHexSum = %q, want %q", got, want)
			}
		})
	}
}

// TestHasDoubleSpace puts two spaces at every pair of positions of short strings, next to each
// other or not, against strings.Contains.
func TestHasDoubleSpace(t *testing.T) {
	for n := 0; n <= 24; n++ {
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				b := []byte(strings.Repeat("a", n))
				b[i], b[j] = ' ', ' '
				if j == i+2 {
					b[i+1] = '\xa0' // a byte that is a space with its high bit set
				}
				s := string(b)
				if got, want := hasDoubleSpace(s), strings.Contains(s, "  "); got != want {
					t.Fatalf("hasDoubleSpace(%q) = %v", s, got)
				}
			}
		}
	}
}
