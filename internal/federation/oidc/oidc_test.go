package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// issuer is an OIDC issuer on loopback TLS built directly with go-jose, independent of iamd's
// development IdP.
type issuer struct {
	srv      *httptest.Server
	url      string
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	jwks     atomic.Pointer[[]byte]
	fetches  atomic.Int32
	down     atomic.Bool
	badIssue atomic.Bool
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{}
	var err error
	if is.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if is.ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	is.setKeys(t, jose.JSONWebKey{Key: is.rsaKey.Public(), KeyID: "rsa1", Algorithm: "RS256", Use: "sig"},
		jose.JSONWebKey{Key: is.ecKey.Public(), KeyID: "ec1", Algorithm: "ES256", Use: "sig"})
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if is.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		iss := is.url
		if is.badIssue.Load() {
			iss = "https://elsewhere.example"
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": is.url + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		w.Write(*is.jwks.Load())
	})
	is.srv = httptest.NewTLSServer(mux)
	t.Cleanup(is.srv.Close)
	is.url = is.srv.URL
	return is
}

func (is *issuer) setKeys(t *testing.T, keys ...jose.JSONWebKey) {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	is.jwks.Store(&b)
}

func (is *issuer) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(is.srv.Certificate())
	return p
}

func sign(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (is *issuer) claims(mod func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss": is.url, "sub": "system:serviceaccount:default:app", "aud": "sts.amazonaws.com",
		"iat": t0.Add(-time.Minute).Unix(), "nbf": t0.Add(-time.Minute).Unix(), "exp": t0.Add(time.Hour).Unix(),
		"amr": []string{"pwd", "mfa"},
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestVerify(t *testing.T) {
	is := newIssuer(t)
	v := NewVerifier(Config{Now: func() time.Time { return t0 }, RootCAs: is.roots()})
	prov := Provider{URL: strings.TrimPrefix(is.url, "https://"), ClientIDs: []string{"sts.amazonaws.com", "web-app"}}
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(is.rsaKey.Public())

	good := sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil))
	header, payload, _ := strings.Cut(good, ".")
	payload, _, _ = strings.Cut(payload, ".")

	tests := []struct {
		name  string
		token string
		prov  Provider
		code  Code // "" means accepted
		check func(t *testing.T, c *Claims)
	}{
		{name: "rs256", token: good, check: func(t *testing.T, c *Claims) {
			if c.Subject != "system:serviceaccount:default:app" || c.ClientID != "sts.amazonaws.com" || c.KeyID != "rsa1" || len(c.AMR) != 2 {
				t.Errorf("claims = %+v", c)
			}
		}},
		{name: "es256", token: sign(t, jose.ES256, is.ecKey, "ec1", is.claims(nil))},
		{name: "no kid tries each key", token: sign(t, jose.ES256, is.ecKey, "", is.claims(nil))},
		{name: "aud list", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["aud"] = []string{"x", "web-app"} })),
			check: func(t *testing.T, c *Claims) {
				if c.ClientID != "web-app" {
					t.Errorf("ClientID = %q", c.ClientID)
				}
			}},
		{name: "azp in client ids", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["aud"] = "other"; c["azp"] = "web-app" }))},
		{name: "tags claim", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) {
			c[TagsClaim] = map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": []string{"team"}}
		})), check: func(t *testing.T, c *Claims) {
			if c.PrincipalTags["team"] != "blue" || len(c.TransitiveTagKeys) != 1 {
				t.Errorf("tags = %v %v", c.PrincipalTags, c.TransitiveTagKeys)
			}
		}},
		{name: "skew tolerated on exp", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["exp"] = t0.Add(-30 * time.Second).Unix() }))},

		{name: "alg none", token: b64(`{"alg":"none","kid":"rsa1"}`) + "." + payload + ".", code: InvalidIdentityToken},
		{name: "HS256 keyed with the public key", token: sign(t, jose.HS256, pubDER, "rsa1", is.claims(nil)), code: InvalidIdentityToken},
		{name: "signed by another key", token: sign(t, jose.RS256, otherRSA, "rsa1", is.claims(nil)), code: InvalidIdentityToken},
		{name: "kid of the other algorithm", token: sign(t, jose.RS256, is.rsaKey, "ec1", is.claims(nil)), code: InvalidIdentityToken},
		{name: "tampered payload", token: header + "." + b64(`{"iss":"`+is.url+`","sub":"admin","aud":"web-app","exp":9999999999}`) + "." + strings.Split(good, ".")[2], code: InvalidIdentityToken},
		{name: "wrong iss", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["iss"] = "https://evil.example" })), code: InvalidIdentityToken},
		{name: "http iss", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["iss"] = strings.Replace(is.url, "https", "http", 1) })), code: InvalidIdentityToken},
		{name: "wrong aud", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["aud"] = "other" })), code: InvalidIdentityToken},
		{name: "no client ids", token: good, prov: Provider{URL: is.url}, code: InvalidIdentityToken},
		{name: "expired", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["exp"] = t0.Add(-2 * time.Minute).Unix() })), code: ExpiredToken},
		{name: "no exp", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { delete(c, "exp") })), code: InvalidIdentityToken},
		{name: "exp as string", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["exp"] = "tomorrow" })), code: InvalidIdentityToken},
		{name: "future nbf", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["nbf"] = t0.Add(10 * time.Minute).Unix() })), code: InvalidIdentityToken},
		{name: "future iat", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { c["iat"] = t0.Add(10 * time.Minute).Unix() })), code: InvalidIdentityToken},
		{name: "no sub", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) { delete(c, "sub") })), code: InvalidIdentityToken},
		{name: "unknown kid", token: sign(t, jose.RS256, otherRSA, "rsa9", is.claims(nil)), code: InvalidIdentityToken},
		{name: "tag with two values", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) {
			c[TagsClaim] = map[string]any{"principal_tags": map[string]any{"team": []string{"a", "b"}}}
		})), code: IDPRejectedClaim},
		{name: "transitive key not a tag", token: sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(func(c map[string]any) {
			c[TagsClaim] = map[string]any{"principal_tags": map[string]any{"team": []string{"a"}}, "transitive_tag_keys": []string{"cc"}}
		})), code: IDPRejectedClaim},
		{name: "50000 dots", token: strings.Repeat(".", 50000), code: InvalidIdentityToken},
		{name: "too long", token: header + "." + strings.Repeat("A", MaxTokenSize) + ".x", code: InvalidIdentityToken},
		{name: "garbage", token: "a.b.c", code: InvalidIdentityToken},
		{name: "payload not an object", token: sign(t, jose.RS256, is.rsaKey, "rsa1", nil), code: InvalidIdentityToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := prov
			if tc.prov.URL != "" {
				p = tc.prov
			}
			c, err := v.Verify(context.Background(), tc.token, p)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tc.check != nil {
					tc.check(t, c)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Fatalf("Verify error = %v, want code %s", err, tc.code)
			}
			if strings.Contains(e.Message, tc.token[:min(len(tc.token), 40)]) && len(tc.token) > 40 {
				t.Errorf("message leaks the token: %s", e.Message)
			}
		})
	}
	// Two answers in AWS's words, as raw captures of AWS STS's show them: a key the provider
	// does not publish (two spaces after the comma), and a token that is no JWT.
	for tok, want := range map[string]string{
		sign(t, jose.RS256, otherRSA, "rsa9", is.claims(nil)): "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
		"a.b.c": "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
	} {
		var e *Error
		if _, err := v.Verify(context.Background(), tok, prov); !errors.As(err, &e) || e.Message != want {
			t.Errorf("Verify error = %v, want %q", err, want)
		}
	}
}

func TestKeyRotationAndOutage(t *testing.T) {
	is := newIssuer(t)
	now := t0
	v := NewVerifier(Config{Now: func() time.Time { return now }, RootCAs: is.roots(), MinRefetch: 10 * time.Second})
	prov := Provider{URL: is.url, ClientIDs: []string{"sts.amazonaws.com"}}
	ctx := context.Background()
	verify := func(tok string) error { _, err := v.Verify(ctx, tok, prov); return err }

	if err := verify(sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil))); err != nil {
		t.Fatal(err)
	}
	if err := verify(sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil))); err != nil {
		t.Fatal(err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (cached)", n)
	}

	// Rotation: a new kid appears at the issuer; a token with it triggers one refetch.
	newKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	is.setKeys(t, jose.JSONWebKey{Key: newKey.Public(), KeyID: "rsa2", Algorithm: "RS256", Use: "sig"})
	now = now.Add(time.Minute)
	if err := verify(sign(t, jose.RS256, newKey, "rsa2", is.claims(nil))); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2", n)
	}
	// Unknown kids within MinRefetch do not refetch.
	for range 5 {
		if err := verify(sign(t, jose.RS256, newKey, "rsa-unknown", is.claims(nil))); err == nil {
			t.Fatal("unknown kid accepted")
		}
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after unknown kids, want 2", n)
	}

	// Outage after expiry of the TTL: the last good set is kept.
	is.down.Store(true)
	now = now.Add(2 * time.Hour)
	if err := verify(sign(t, jose.RS256, newKey, "rsa2", is.claims(func(c map[string]any) { c["exp"] = now.Add(time.Hour).Unix() }))); err != nil {
		t.Fatalf("during outage with a cached set: %v", err)
	}

	// An issuer never reached: IDPCommunicationError.
	fresh := NewVerifier(Config{Now: func() time.Time { return t0 }, RootCAs: is.roots()})
	_, err := fresh.Verify(ctx, sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil)), prov)
	if e, ok := err.(*Error); !ok || e.Code != IDPCommunicationError {
		t.Fatalf("JWKS down: %v, want IDPCommunicationError", err)
	}
}

func TestTLSTrust(t *testing.T) {
	is := newIssuer(t)
	tok := sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil))
	ctx := context.Background()
	tests := []struct {
		name   string
		roots  *x509.CertPool
		thumbs []string
		code   Code
	}{
		{name: "roots", roots: is.roots()},
		{name: "thumbprint", thumbs: []string{strings.ToUpper(Thumbprint(is.srv.Certificate()))}},
		{name: "wrong thumbprint", thumbs: []string{strings.Repeat("ab", 20)}, code: InvalidIdentityToken},
		{name: "neither", code: InvalidIdentityToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := NewVerifier(Config{Now: func() time.Time { return t0 }, RootCAs: tc.roots})
			_, err := v.Verify(ctx, tok, Provider{URL: is.url, ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: tc.thumbs})
			if tc.code == "" && err != nil {
				t.Fatal(err)
			}
			if tc.code != "" {
				if e, ok := err.(*Error); !ok || e.Code != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
			}
		})
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	is := newIssuer(t)
	is.badIssue.Store(true)
	v := NewVerifier(Config{Now: func() time.Time { return t0 }, RootCAs: is.roots()})
	_, err := v.Verify(context.Background(), sign(t, jose.RS256, is.rsaKey, "rsa1", is.claims(nil)), Provider{URL: is.url, ClientIDs: []string{"sts.amazonaws.com"}})
	if e, ok := err.(*Error); !ok || e.Code != InvalidIdentityToken {
		t.Fatalf("err = %v", err)
	}
}

func TestStoredJWKS(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k", Use: "sig"}}})
	// The issuer is unreachable: only the stored set can verify.
	iss := "https://kubernetes.default.svc.invalid"
	claims := map[string]any{"iss": iss, "sub": "s", "aud": "sts.amazonaws.com", "exp": t0.Add(time.Hour).Unix()}
	v := NewVerifier(Config{Now: func() time.Time { return t0 }})
	p := Provider{URL: iss, ClientIDs: []string{"sts.amazonaws.com"}, JWKS: jwks}
	if _, err := v.Verify(context.Background(), sign(t, jose.ES384, key, "k", claims), p); err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := v.Verify(context.Background(), sign(t, jose.ES384, other, "k", claims), p); err == nil {
		t.Fatal("token signed by another key accepted")
	}
	if got, err := PeekIssuer(sign(t, jose.ES384, key, "k", claims)); err != nil || got != iss {
		t.Fatalf("PeekIssuer = %q, %v", got, err)
	}
}

func FuzzVerify(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k"}}})
	iss := "https://issuer.invalid"
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k"))
	for _, c := range []string{
		`{"iss":"https://issuer.invalid","sub":"s","aud":"a","exp":1900000000}`,
		`{"iss":"https://issuer.invalid","sub":"s","aud":["a"],"exp":1.5e9,"https://aws.amazon.com/tags":{"principal_tags":{"a":["b"]}}}`,
	} {
		jws, _ := s.Sign([]byte(c))
		tok, _ := jws.CompactSerialize()
		f.Add(tok)
	}
	f.Add("e30.e30.")
	v := NewVerifier(Config{Now: func() time.Time { return t0 }})
	p := Provider{URL: iss, ClientIDs: []string{"a"}, JWKS: jwks}
	var _ crypto.Signer = key
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok, p)
		if err == nil && (c.Issuer != iss || c.ClientID != "a") {
			t.Fatalf("accepted claims %+v", c)
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
		PeekIssuer(tok)
	})
}

// BenchmarkVerify measures one verification with the key set cached (RS256, 2048-bit key).
func BenchmarkVerify(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k", Use: "sig"}}})
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k"))
	payload, _ := json.Marshal(map[string]any{"iss": "https://issuer.invalid", "sub": "s", "aud": "a", "exp": t0.Add(time.Hour).Unix()})
	jws, _ := s.Sign(payload)
	tok, _ := jws.CompactSerialize()
	v := NewVerifier(Config{Now: func() time.Time { return t0 }})
	p := Provider{URL: "https://issuer.invalid", ClientIDs: []string{"a"}, JWKS: jwks}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok, p); err != nil {
			b.Fatal(err)
		}
	}
}
