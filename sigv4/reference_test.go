package sigv4

// The functions below are Verify's helpers as they were before they were tuned for speed
// (commit f9986ba). They are kept, renamed, as references: the differential tests and fuzz
// targets check that the tuned code accepts and rejects exactly the same inputs.

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
)

// refParseAmzDate parses the ISO 8601 basic format strictly: time.Parse alone would accept
// variants (e.g. fewer digits) that the client could not have signed as such.
func refParseAmzDate(v string) (time.Time, bool) {
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

// refCheckFormDuplicates rejects a form body that gives a parameter twice: the body is signed as a
// whole, but the query decoder reads one value per key and must not pick one the signer did not
// mean. Malformed escapes are left for that decoder to report.
func refCheckFormDuplicates(r *http.Request, body []byte) *Error {
	if len(body) == 0 {
		return nil
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
		return nil
	}
	// Most bodies have a handful of parameters: compare them pairwise in place rather than
	// allocating; large bodies go through a sort.
	var small [32][]byte
	keys := small[:0]
	var many []string
	for raw := body; len(raw) > 0; {
		var pair []byte
		pair, raw, _ = bytes.Cut(raw, []byte{'&'})
		if len(pair) == 0 {
			continue
		}
		k, _, _ := bytes.Cut(pair, []byte{'='})
		if bytes.IndexByte(k, '%') >= 0 || bytes.IndexByte(k, '+') >= 0 {
			if dk, ok := unescape(string(k)); ok {
				k = []byte(dk)
			}
		}
		if many != nil {
			many = append(many, string(k))
			continue
		}
		for _, o := range keys {
			if bytes.Equal(o, k) {
				return errDuplicateForm(string(k))
			}
		}
		if len(keys) < len(small) {
			keys = append(keys, k)
			continue
		}
		many = make([]string, 0, 2*len(small))
		for _, o := range keys {
			many = append(many, string(o))
		}
		many = append(many, string(k))
	}
	slices.Sort(many)
	for i := 1; i < len(many); i++ {
		if many[i] == many[i-1] {
			return errDuplicateForm(many[i])
		}
	}
	return nil
}

// refAppendHeaderValue appends v trimmed, with runs of spaces collapsed to one (AWS's "Trimall").
func refAppendHeaderValue(b []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// refHeaderValues finds the values of the lower-case header name in r, the way the client saw them.
// Go's server moves Host out of the header map; Content-Length stays, but a request built
// in-process only has r.ContentLength.
func refHeaderValues(r *http.Request, name string) ([]string, string, bool) {
	switch name {
	case "host":
		if r.Host != "" {
			return nil, r.Host, true
		}
		if r.URL != nil {
			return nil, r.URL.Host, true
		}
		return nil, "", false
	case "content-length":
		if vs, ok := r.Header["Content-Length"]; ok {
			return vs, "", true
		}
		if r.ContentLength >= 0 {
			return nil, strconv.FormatInt(r.ContentLength, 10), true
		}
		return nil, "", false
	}
	var kb [64]byte
	if len(name) <= len(kb) {
		k := kb[:len(name)]
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			} else if !upper && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			k[i] = c
			upper = c == '-'
		}
		if vs, ok := r.Header[string(k)]; ok { // no allocation for the lookup
			return vs, "", true
		}
	} else if vs, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return vs, "", true
	}
	// A header whose name Go would not canonicalize keeps its original spelling.
	for k, vs := range r.Header {
		if strings.EqualFold(k, name) {
			return vs, "", true
		}
	}
	return nil, "", false
}

// refAppendCanonical writes the canonical request:
// method, URI, query, headers, signed header list, payload hash, one per line.
func refAppendCanonical(b []byte, r *http.Request, req *request, params []param, body []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = appendEncoded(b, normalizePath(wirePath(r)), true)
	b = append(b, '\n')
	first := true
	for i := range params {
		p := &params[i]
		if req.presigned && p.key == "X-Amz-Signature" {
			continue
		}
		if !first {
			b = append(b, '&')
		}
		first = false
		b = append(b, p.encKey...)
		b = append(b, '=')
		b = append(b, p.encValue...)
	}
	b = append(b, '\n')
	for rest := req.signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		b = append(b, name...)
		b = append(b, ':')
		vs, one, _ := refHeaderValues(r, name)
		if vs == nil {
			b = refAppendHeaderValue(b, one)
		}
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = refAppendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, req.signedHeaders...)
	b = append(b, '\n')
	sum := sha256.Sum256(body)
	return appendHex(b, sum[:])
}

// checkTime applies the skew window, and for presigned requests their expiry. AWS's STS
// ignores X-Amz-Expires and allows the skew window after X-Amz-Date; so that tokens built on
// that (EKS-style presigned GetCallerIdentity with X-Amz-Expires=60) keep working, a presigned
// request is valid for the longer of the two, and never longer than MaxPresignAge.
func (v *Verifier) refCheckTime(req *request) *Error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC().Truncate(time.Second)
	skew := v.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	if req.signedAt.After(now.Add(skew)) {
		return errNotYetCurrent(req.signedAt, now, skew)
	}
	window := skew
	if req.presigned && req.expires > window {
		window = req.expires
	}
	if req.presigned && v.MaxPresignAge > 0 && window > v.MaxPresignAge {
		window = v.MaxPresignAge
	}
	if req.signedAt.Before(now.Add(-window)) {
		return errExpired(req.signedAt, now, window)
	}
	return nil
}

func refParseAuthorization(h string) (authorization, *Error) {
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

func refParseCredential(c string) (scope, *Error) {
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
