package sigv4

import (
	"strings"
	"time"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateLayout = "20060102T150405Z"
	scopeDateLen  = len("20060102")
)

// cutByte is strings.Cut for a one-byte separator, without Cut's general substring search.
func cutByte(s string, sep byte) (before, after string, found bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// authorization holds the raw parts of an Authorization header. The strings alias the header.
type authorization struct {
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
// Components may come in any order, separated by commas with optional spaces; an absent
// component is left empty for the caller to report together with the other missing parts.
// The parts are written into *a, which is reset first: returning the struct would have the
// caller copy it with wide loads right after the narrow stores that built it, which stalls.
func parseAuthorization(h string, a *authorization) *Error {
	if parseSDKAuthorization(h, a) {
		return nil
	}
	*a = authorization{}
	alg, rest, _ := cutByte(strings.TrimLeft(h, " "), ' ')
	if alg != algorithm {
		return errIncomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	for rest != "" {
		// Trimmed by hand: strings.Trim costs more than the loops.
		for len(rest) > 0 && rest[0] == ' ' {
			rest = rest[1:]
		}
		var part string
		part, rest, _ = cutByte(rest, ',')
		for len(part) > 0 && part[len(part)-1] == ' ' {
			part = part[:len(part)-1]
		}
		if part == "" {
			continue
		}
		k, v, ok := cutByte(part, '=')
		if !ok {
			return errMissingEquals(h)
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &a.credential
		case "SignedHeaders":
			dst = &a.signedHeaders
		case "Signature":
			dst = &a.signature
		default:
			// AWS ignores components it does not know; so do we, as they are not signed.
			continue
		}
		if *dst != "" {
			return errIncomplete("Authorization header has duplicate '" + k + "' parameter.")
		}
		if v == "" {
			// An empty value is as good as absent; report it with the other missing parts.
			continue
		}
		*dst = v
	}
	return nil
}

// parseSDKAuthorization parses the header as every SDK writes it, "AWS4-HMAC-SHA256
// Credential=C, SignedHeaders=H, Signature=S" with non-empty values and nothing else, in three
// searches. It reports false for any other shape, which parseAuthorization then parses in
// full; on that one shape both give the same answer. It may write *a even when it reports false.
func parseSDKAuthorization(h string, a *authorization) bool {
	const credential, signedHeaders, signature = algorithm + " Credential=", " SignedHeaders=", " Signature="
	if !strings.HasPrefix(h, credential) {
		return false
	}
	rest := h[len(credential):]
	i := strings.IndexByte(rest, ',')
	if i <= 0 || rest[i-1] == ' ' {
		return false
	}
	a.credential, rest = rest[:i], rest[i+1:]
	if !strings.HasPrefix(rest, signedHeaders) {
		return false
	}
	rest = rest[len(signedHeaders):]
	i = strings.IndexByte(rest, ',')
	if i <= 0 || rest[i-1] == ' ' {
		return false
	}
	a.signedHeaders, rest = rest[:i], rest[i+1:]
	if !strings.HasPrefix(rest, signature) {
		return false
	}
	sig := rest[len(signature):]
	if n := len(sig); n == 0 || sig[n-1] == ' ' || strings.IndexByte(sig, ',') >= 0 {
		return false
	}
	a.signature = sig
	return true
}

// scope is a parsed credential "AKID/yyyymmdd/region/service/aws4_request".
type scope struct {
	accessKeyID, date, region, service string
	// raw is "yyyymmdd/region/service/aws4_request", as it goes into the string to sign.
	raw string
}

// parseCredential splits a credential and checks its shape; the service and date checks that
// need the verifier's configuration or the request time are done by the caller. It fills *s
// (in place, as parseAuthorization does) when the credential has five parts.
func parseCredential(c string, s *scope) *Error {
	var slash [4]int
	n, off := 0, 0
	for n < len(slash) {
		i := strings.IndexByte(c[off:], '/')
		if i < 0 {
			break
		}
		slash[n] = off + i
		off += i + 1
		n++
	}
	// The usual tail is the terminator, which has no slash: one comparison saves a search.
	if n != len(slash) || c[off:] != terminator && strings.IndexByte(c[off:], '/') >= 0 {
		return errIncomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + c + "'")
	}
	s.accessKeyID, s.date, s.region = c[:slash[0]], c[slash[0]+1:slash[1]], c[slash[1]+1:slash[2]]
	s.service, s.raw = c[slash[2]+1:slash[3]], c[slash[0]+1:]
	if s.accessKeyID == "" {
		return InvalidClientTokenID()
	}
	if term := c[slash[3]+1:]; term != terminator {
		return errScope("Credential should be scoped with a valid terminator: 'aws4_request', not '" + term + "'. ")
	}
	if !validRegion(s.region) {
		return errScope("Credential should be scoped to a valid region. ")
	}
	return nil
}

// validRegion accepts any region name made of the characters AWS uses (lower-case letters,
// digits, dashes): with a custom endpoint, clients sign with whatever region they are configured for.
func validRegion(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parseAmzDate parses the ISO 8601 basic format strictly: time.Parse alone would accept
// variants (e.g. fewer digits) that the client could not have signed as such. It is built by
// hand because time.Parse, and even time.Date, were a tenth of Verify's cost.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != len(amzDateLayout) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	date, ok1 := digits8(uint64(v[0]) | uint64(v[1])<<8 | uint64(v[2])<<16 | uint64(v[3])<<24 |
		uint64(v[4])<<32 | uint64(v[5])<<40 | uint64(v[6])<<48 | uint64(v[7])<<56)
	clock, ok2 := digits8(uint64(v[9]) | uint64(v[10])<<8 | uint64(v[11])<<16 | uint64(v[12])<<24 |
		uint64(v[13])<<32 | uint64(v[14])<<40 | '0'<<48 | '0'<<56)
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	dig := func(x uint64, i int) int { return int(byte(x >> (8 * i))) }
	year := dig(date, 0)*1000 + dig(date, 1)*100 + dig(date, 2)*10 + dig(date, 3)
	month, day := dig(date, 4)*10+dig(date, 5), dig(date, 6)*10+dig(date, 7)
	hour, minute, sec := dig(clock, 0)*10+dig(clock, 1), dig(clock, 2)*10+dig(clock, 3), dig(clock, 4)*10+dig(clock, 5)
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Unix(unixDays(year, month, day)*86400+int64(hour*3600+minute*60+sec), 0).UTC(), true
}

// digits8 checks that the eight bytes packed in x are ASCII digits and returns their values,
// all at once: a byte is a digit when its high nibble is 3 and adding 6 to its low nibble does
// not carry into it (no carry can cross bytes once every high nibble is 3).
func digits8(x uint64) (uint64, bool) {
	const hi, three, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	ok := x&hi == three && (x+six)&hi == three
	return x &^ hi, ok
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// unixDays counts the days from 1970-01-01 to the given proleptic Gregorian date, counting
// years from March so that the leap day comes last (the usual civil-calendar arithmetic).
func unixDays(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400 // [0, 399]
	m := int64(month)
	if m > 2 {
		m -= 3
	} else {
		m += 9
	}
	doy := (153*m+2)/5 + int64(day) - 1    // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468
}
