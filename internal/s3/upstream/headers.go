package upstream

import (
	"net/http"
	"net/url"
	"strings"
)

// wirePath is the path to send for the decoded path p: every byte but the unreserved
// characters and '/' percent-encoded, upper-case hex. That is S3's canonical URI of p, so the
// backend's reading of the signature agrees with iamd's whichever way it derives the canonical
// URI (from the bytes received, or decoded and encoded again as iamd's own verifier does), and
// the key it names is byte for byte the key the client named: nothing is cleaned, "//", "."
// and ".." segments stay.
func wirePath(p string) string {
	if p == "" {
		return "/"
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if !keep(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(p)+2*n)
	for i := 0; i < len(p); i++ {
		if c := p[i]; keep(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func keep(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}

// presignParams are a presigned URL's authentication parameters: iamd's signature replaces
// them.
var presignParams = map[string]bool{
	"x-amz-algorithm":      true,
	"x-amz-credential":     true,
	"x-amz-date":           true,
	"x-amz-expires":        true,
	"x-amz-signedheaders":  true,
	"x-amz-signature":      true,
	"x-amz-security-token": true,
}

// forwardQuery is raw without a presigned URL's authentication parameters; every other
// parameter keeps its bytes and its place.
func forwardQuery(raw string) string {
	if !strings.Contains(raw, "=") || !containsFold(raw, "amz") {
		return raw
	}
	var b strings.Builder
	rest := raw
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, _, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil && presignParams[strings.ToLower(dk)] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pair)
	}
	return b.String()
}

// containsFold reports whether s contains sub (lower-case ASCII), ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// forwardHeader reports whether a request header (canonical name) goes to the backend.
func forwardHeader(name string) bool {
	switch name {
	case "Content-Type", "Content-Md5", "Cache-Control", "Content-Disposition", "Content-Encoding",
		"Content-Language", "Expires", "Range",
		"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since":
		return true
	case "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "X-Amz-Decoded-Content-Length",
		"X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm":
		// The client's signing and aws-chunked framing: the forwarded request has its own.
		return false
	}
	return strings.HasPrefix(name, "X-Amz-")
}

// copyRequestHeaders copies into dst the headers of src that go to the backend.
// Content-Length is the request's ContentLength, Host the backend's.
func copyRequestHeaders(dst, src http.Header) {
	for k, vv := range src {
		ck := http.CanonicalHeaderKey(k)
		if !forwardHeader(ck) {
			continue
		}
		if ck == "Content-Encoding" {
			vv = withoutAWSChunked(vv)
			if len(vv) == 0 {
				continue
			}
		}
		dst[ck] = append(dst[ck], vv...)
	}
}

// withoutAWSChunked drops the aws-chunked coding from Content-Encoding values: the front has
// decoded it.
func withoutAWSChunked(vv []string) []string {
	var out []string
	for _, v := range vv {
		if !containsFold(v, "aws-chunked") {
			out = append(out, v)
			continue
		}
		var kept []string
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			out = append(out, strings.Join(kept, ","))
		}
	}
	return out
}

// hopByHop are the headers of one connection (RFC 9110, 7.6.1), never forwarded.
var hopByHop = map[string]bool{
	"Connection":          true,
	"Proxy-Connection":    true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// copyResponseHeaders copies the backend's answer headers into dst, minus hop-by-hop headers
// (those Connection names too); the request ids the front has set in dst win over the
// backend's.
func copyResponseHeaders(dst, src http.Header) {
	var conn []string
	for _, v := range src["Connection"] {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				conn = append(conn, http.CanonicalHeaderKey(f))
			}
		}
	}
	for k, vv := range src {
		if hopByHop[k] || contains(conn, k) {
			continue
		}
		if (k == "X-Amz-Request-Id" || k == "X-Amz-Id-2") && len(dst[k]) > 0 {
			continue
		}
		dst[k] = vv
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
