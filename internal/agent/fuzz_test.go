package agent

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseTTL checks the TTL parser against strconv: accepted exactly when the header is plain
// decimal digits naming 1 to 21,600.
func FuzzParseTTL(f *testing.F) {
	for _, s := range []string{"1", "21600", "21601", "0", "", "+1", "-1", " 1", "00060", "1e3", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseTTL(s)
		digits := s != "" && strings.Trim(s, "0123456789") == ""
		v, err := strconv.Atoi(s)
		want := digits && err == nil && v >= 1 && v <= maxTokenTTL && len(s) <= 5
		if ok != want || (ok && n != v) {
			t.Fatalf("parseTTL(%q) = %d, %v; want %v", s, n, ok, want)
		}
	})
}

// FuzzIMDSRequest drives the handler with arbitrary methods, paths and headers: it must never
// panic, answer only the statuses IMDS uses, and hand out credentials only for a valid token.
func FuzzIMDSRequest(f *testing.F) {
	f.Add("PUT", "/latest/api/token", "21600", "", "", "")
	f.Add("GET", "/latest/meta-data/iam/security-credentials/web", "", "TOKEN", "", "")
	f.Add("GET", "/latest/meta-data/iam/security-credentials/web", "", "", "", "")
	f.Add("PUT", "/latest/api/token", "60", "", "1.2.3.4", "")
	f.Add("GET", "/container/credentials", "", "", "", "container-secret")
	f.Add("GET", "/latest/dynamic/instance-identity/document", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "")
	clk := &clock{t: time.Now()}
	a := fixed(f, clk, nil)
	valid := do(a, "PUT", tokenPath, map[string]string{ttlHeader: "21600"}).Body.String()
	f.Fuzz(func(t *testing.T, method, path, ttl, token, xff, authz string) {
		if token == "TOKEN" {
			token = valid
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Method, r.URL.Path = method, path
		for k, v := range map[string]string{ttlHeader: ttl, tokenHeader: token, "X-Forwarded-For": xff, "Authorization": authz} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 403, 404, 405:
		default:
			t.Fatalf("status %d", w.Code)
		}
		leaked := strings.Contains(w.Body.String(), "secret")
		if leaked && !(token == valid && strings.HasPrefix(path, credsPrefix)) && !(path == ContainerPath && authz == "container-secret") {
			t.Fatalf("credentials served for %s %q (token %q)", method, path, token)
		}
	})
}
