package sigv4

import (
	"bytes"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const upperhex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// appendEncoded appends s URI-encoded the SigV4 way: everything but the unreserved characters
// (and '/' when keepSlash) as %XX with upper-case hex.
func appendEncoded(b []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
		} else {
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return b
}

// wirePath returns the path exactly as the client sent it. Clients sign the escaped form they
// put on the wire and the server escapes it once more, so it must start from the wire bytes:
// r.URL.EscapedPath may re-escape a path differently from how the client escaped it.
func wirePath(r *http.Request) string {
	u := r.RequestURI
	if u == "" {
		// A request built in-process (tests, proxies): EscapedPath is what a Go client sends.
		if r.URL == nil {
			return "/"
		}
		if r.URL.Opaque != "" {
			return opaquePath(r.URL.Opaque)
		}
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	if !strings.HasPrefix(u, "/") {
		// absolute-form "http://host/path": drop the scheme and authority.
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
			if j := strings.IndexByte(u, '/'); j >= 0 {
				return u[j:]
			}
			return "/"
		}
	}
	return u
}

// opaquePath takes the path out of an opaque URL of the form "//host/path".
func opaquePath(o string) string {
	if strings.HasPrefix(o, "//") {
		if j := strings.IndexByte(o[2:], '/'); j >= 0 {
			return o[2+j:]
		}
		return "/"
	}
	return o
}

// needsNormalizing reports whether p has an empty, "." or ".." segment.
func needsNormalizing(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		rest := p[i+1:]
		if strings.HasPrefix(rest, "/") {
			return true
		}
		seg, _, _ := cutByte(rest, '/')
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// normalizePath removes dot segments (RFC 3986 5.2.4) and collapses repeated slashes, as
// every AWS service but S3 does before signing. A trailing slash, or a trailing dot segment,
// leaves the result ending in '/'.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	// Only an origin-form path is normalized; anything else ("*", garbage) is signed as is.
	if p[0] != '/' || !needsNormalizing(p) {
		return p
	}
	segs := make([]string, 0, 8)
	trailing := false
	for seg := range strings.SplitSeq(p, "/") {
		trailing = false
		switch seg {
		case "":
			trailing = true
		case ".":
			trailing = true
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			trailing = true
		default:
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return "/"
	}
	out := "/" + strings.Join(segs, "/")
	if trailing {
		out += "/"
	}
	return out
}

// param is one query parameter: raw (as on the wire), decoded, and canonically encoded.
type param struct {
	key, value       string // decoded
	encKey, encValue string // canonical encoding
}

// parseQuery splits a raw query into parameters, rejecting malformed escapes and any key given
// twice: the signer and the request decoder must not be able to disagree on which value counts.
// The result is sorted by encoded key, then encoded value (the canonical order).
func parseQuery(raw string, dst []param) ([]param, *Error) {
	for raw != "" {
		var pair string
		pair, raw, _ = cutByte(raw, '&')
		if pair == "" {
			continue
		}
		k, v, _ := cutByte(pair, '=')
		dk, ok := unescape(k)
		if !ok {
			return dst, errMalformedQuery("The query string contains a syntax error.")
		}
		dv, ok := unescape(v)
		if !ok {
			return dst, errMalformedQuery("The query string contains a syntax error.")
		}
		dst = append(dst, param{key: dk, value: dv, encKey: encodeComponent(k, dk), encValue: encodeComponent(v, dv)})
	}
	slices.SortFunc(dst, func(a, b param) int {
		if c := strings.Compare(a.encKey, b.encKey); c != 0 {
			return c
		}
		return strings.Compare(a.encValue, b.encValue)
	})
	for i := 1; i < len(dst); i++ {
		if dst[i].encKey == dst[i-1].encKey {
			return dst, errMalformedQuery("The query string has the parameter '" + dst[i].key + "' more than once.")
		}
	}
	return dst, nil
}

// unescape decodes a query component ('+' is a space, as in url.QueryUnescape); it returns
// the input itself when there is nothing to decode, which keeps the common case allocation-free.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	d, err := url.QueryUnescape(s)
	return d, err == nil
}

// encodeComponent returns the canonical encoding of decoded, reusing raw when it is already
// made of unreserved characters only.
func encodeComponent(raw, decoded string) string {
	clean := true
	for i := 0; i < len(raw); i++ {
		if !unreserved(raw[i]) {
			clean = false
			break
		}
	}
	if clean {
		return raw
	}
	return string(appendEncoded(nil, decoded, false))
}

// checkFormDuplicates rejects a form body that gives a parameter twice: the body is signed as a
// whole, but the query decoder reads one value per key and must not pick one the signer did not
// mean. Malformed escapes are left for that decoder to report.
// contentTypes is the request's Content-Type header values.
func checkFormDuplicates(contentTypes []string, body []byte) *Error {
	if len(body) == 0 {
		return nil
	}
	cts := contentTypes
	if len(cts) == 0 || !isForm(cts[0]) {
		return nil
	}
	// The usual body has a few plain keys: keep them as offsets and compare them pairwise, in one
	// pass that finds each pair's end with IndexByte (values can be long) and scans only the key
	// byte by byte. A key to decode, or a seventeenth key, hands the whole body to
	// formDuplicatesSlow, which decides exactly as this pass would have up to that point.
	var keys [16]struct{ start, end int }
	n := 0
	for i := 0; i < len(body); {
		end := bytes.IndexByte(body[i:], '&')
		if end < 0 {
			end = len(body)
		} else {
			end += i
		}
		if end == i {
			i++
			continue // an empty pair
		}
		k := i
		for ; k < end && body[k] != '='; k++ {
			if c := body[k]; c == '%' || c == '+' {
				return formDuplicatesSlow(body)
			}
		}
		key := body[i:k]
		for _, o := range keys[:n] {
			if string(body[o.start:o.end]) == string(key) {
				return errDuplicateForm(string(key))
			}
		}
		if n == len(keys) {
			return formDuplicatesSlow(body)
		}
		keys[n] = struct{ start, end int }{i, k}
		n++
		i = end + 1
	}
	return nil
}

// formDuplicatesSlow is checkFormDuplicates for any body: keys are decoded, and past sixteen
// of them they are sorted rather than compared pairwise.
func formDuplicatesSlow(body []byte) *Error {
	var small [16][]byte
	keys := small[:0]
	var many []string
	for i := 0; i < len(body); {
		end := bytes.IndexByte(body[i:], '&')
		if end < 0 {
			end = len(body)
		} else {
			end += i
		}
		k := body[i:end]
		i = end + 1
		if eq := bytes.IndexByte(k, '='); eq >= 0 {
			k = k[:eq]
		} else if len(k) == 0 {
			continue
		}
		for _, c := range k {
			if c == '%' || c == '+' {
				if dk, ok := unescape(string(k)); ok {
					k = []byte(dk)
				}
				break
			}
		}
		if many != nil {
			many = append(many, string(k))
			continue
		}
		for _, o := range keys {
			if string(o) == string(k) {
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
	if many == nil {
		return nil
	}
	slices.Sort(many)
	for i := 1; i < len(many); i++ {
		if many[i] == many[i-1] {
			return errDuplicateForm(many[i])
		}
	}
	return nil
}

// isForm reports whether a Content-Type names an URL-encoded form, with or without parameters.
func isForm(ct string) bool {
	const form = "application/x-www-form-urlencoded"
	if strings.HasPrefix(ct, form) && (len(ct) == len(form) || ct[len(form)] == ';') {
		return true // how every SDK writes it
	}
	ct, _, _ = cutByte(ct, ';')
	return strings.EqualFold(strings.TrimSpace(ct), form)
}

func errDuplicateForm(k string) *Error {
	return errMalformedQuery("The request body has the parameter '" + k + "' more than once.")
}

// appendHeaderValue appends v trimmed, with runs of spaces collapsed to one (AWS's "Trimall").
func appendHeaderValue(b []byte, v string) []byte {
	if n := len(v); n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n-1] == ' ' || v[n-1] == '\t') {
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
			v = v[:len(v)-1]
		}
	}
	// The usual value has no two spaces in a row, and most have no space at all: one search
	// settles those, and a value with spaces is looked at from its first.
	if i := strings.IndexByte(v, ' '); i < 0 || !hasDoubleSpace(v[i:]) {
		return append(b, v...)
	}
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

// hasDoubleSpace reports whether s has two spaces in a row.
func hasDoubleSpace(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' && s[i-1] == ' ' {
			return true
		}
	}
	return false
}

// headerValues finds the values of the lower-case header name in r, the way the client saw them.
// Go's server moves Host out of the header map; Content-Length stays, but a request built
// in-process only has r.ContentLength.
func headerValues(r *http.Request, name string) ([]string, string, bool) {
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
	// The headers the SDKs sign, without building their canonical form.
	switch name {
	case "content-type":
		if vs, ok := r.Header["Content-Type"]; ok {
			return vs, "", true
		}
	case "x-amz-date":
		if vs, ok := r.Header["X-Amz-Date"]; ok {
			return vs, "", true
		}
	case "x-amz-security-token":
		if vs, ok := r.Header["X-Amz-Security-Token"]; ok {
			return vs, "", true
		}
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
