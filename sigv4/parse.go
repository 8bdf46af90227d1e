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

// authorization holds the raw parts of an Authorization header. The strings alias the header.
type authorization struct {
	credential    string
	signedHeaders string
	signature     string
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
// Components may come in any order, separated by commas with optional spaces; an absent
// component is left empty for the caller to report together with the other missing parts.
func parseAuthorization(h string) (authorization, *Error) {
	var a authorization
	alg, rest, _ := strings.Cut(strings.TrimLeft(h, " "), " ")
	if alg != algorithm {
		return a, errIncomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.Trim(part, " ")
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return a, errMissingEquals(h)
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
			return a, errIncomplete("Authorization header has duplicate '" + k + "' parameter.")
		}
		if v == "" {
			// An empty value is as good as absent; report it with the other missing parts.
			continue
		}
		*dst = v
	}
	return a, nil
}

// scope is a parsed credential "AKID/yyyymmdd/region/service/aws4_request".
type scope struct {
	accessKeyID, date, region, service string
	// raw is "yyyymmdd/region/service/aws4_request", as it goes into the string to sign.
	raw string
}

// parseCredential splits a credential and checks its shape; the service and date checks that
// need the verifier's configuration or the request time are done by the caller.
func parseCredential(c string) (scope, *Error) {
	var s scope
	parts := [5]string{}
	rest := c
	for i := range 4 {
		p, r, ok := strings.Cut(rest, "/")
		if !ok {
			return s, errIncomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + c + "'")
		}
		parts[i], rest = p, r
	}
	if strings.Contains(rest, "/") {
		return s, errIncomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + c + "'")
	}
	parts[4] = rest
	s = scope{accessKeyID: parts[0], date: parts[1], region: parts[2], service: parts[3], raw: c[len(parts[0])+1:]}
	if s.accessKeyID == "" {
		return s, InvalidClientTokenID()
	}
	if parts[4] != terminator {
		return s, errScope("Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] + "'. ")
	}
	if !validRegion(s.region) {
		return s, errScope("Credential should be scoped to a valid region. ")
	}
	return s, nil
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
// variants (e.g. fewer digits) that the client could not have signed as such.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != len(amzDateLayout) {
		return time.Time{}, false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch i {
		case 8:
			if c != 'T' {
				return time.Time{}, false
			}
		case 15:
			if c != 'Z' {
				return time.Time{}, false
			}
		default:
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
	}
	num := func(i, n int) int {
		x := 0
		for _, c := range []byte(v[i : i+n]) {
			x = x*10 + int(c-'0')
		}
		return x
	}
	// Built by hand: time.Parse is a tenth of Verify's cost. time.Date would normalize
	// out-of-range fields (month 13), so check them, then reject what does not round-trip.
	year, month, day, hour, minute, sec := num(0, 4), num(4, 2), num(6, 2), num(9, 2), num(11, 2), num(13, 2)
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // e.g. February 30
	}
	return t, true
}
