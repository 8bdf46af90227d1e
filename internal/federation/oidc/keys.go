package oidc

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Config tunes verification; the zero value is usable.
type Config struct {
	Now func() time.Time
	// Skew is the clock skew tolerated on exp, nbf and iat (default 1 minute).
	Skew time.Duration
	// FetchTimeout bounds each discovery or JWKS fetch (default 5 s).
	FetchTimeout time.Duration
	// MaxResponse bounds a fetched document, in bytes (default 256 KiB).
	MaxResponse int64
	// KeyTTL is how long a fetched key set is used before it is refetched (default 1 h).
	KeyTTL time.Duration
	// MinRefetch is the least time between fetches for one issuer, so that tokens with unknown
	// key ids cannot make iamd hammer an issuer (default 30 s).
	MinRefetch time.Duration
	// RootCAs verifies issuers' HTTPS certificates; nil means the system roots.
	RootCAs *x509.CertPool
}

func (c *Config) defaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Skew == 0 {
		c.Skew = time.Minute
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = 5 * time.Second
	}
	if c.MaxResponse == 0 {
		c.MaxResponse = 256 << 10
	}
	if c.KeyTTL == 0 {
		c.KeyTTL = time.Hour
	}
	if c.MinRefetch == 0 {
		c.MinRefetch = 30 * time.Second
	}
}

// keyCache holds one entry per (issuer, TLS trust): a set fetched under one provider's
// thumbprints must not serve a provider of another account that trusts differently.
type keyCache struct {
	cfg     Config
	mu      sync.Mutex
	entries map[string]*keyEntry
}

type keyEntry struct {
	mu          sync.Mutex // one fetch at a time per entry
	client      *http.Client
	set         *jose.JSONWebKeySet
	fetched     time.Time // when set was fetched
	lastAttempt time.Time
}

func newKeyCache(cfg Config) *keyCache {
	return &keyCache{cfg: cfg, entries: map[string]*keyEntry{}}
}

// keySet returns the key set to verify a token of iss signed with kid.
func (kc *keyCache) keySet(ctx context.Context, iss string, p Provider, kid string) (*jose.JSONWebKeySet, error) {
	if len(p.JWKS) > 0 {
		set, err := parseJWKS(p.JWKS)
		if err != nil {
			return nil, errorf(InvalidIdentityToken, "The key set stored on the OpenID Connect provider is not a valid JWKS.")
		}
		return set, nil
	}
	thumbs := normThumbprints(p.Thumbprints)
	key := iss + "\x00" + strings.Join(thumbs, ",")
	kc.mu.Lock()
	e, ok := kc.entries[key]
	if !ok {
		e = &keyEntry{client: kc.httpClient(thumbs)}
		kc.entries[key] = e
	}
	kc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := kc.cfg.Now()
	known := e.set != nil && (kid == "" || len(e.set.Key(kid)) > 0)
	if known && now.Sub(e.fetched) < kc.cfg.KeyTTL {
		return e.set, nil
	}
	if e.set != nil && now.Sub(e.lastAttempt) < kc.cfg.MinRefetch {
		return e.set, nil
	}
	e.lastAttempt = now
	set, err := kc.fetch(ctx, e.client, iss)
	if err != nil {
		if e.set != nil {
			// Keep the last good set: an issuer's outage must not stop tokens it signed
			// with keys already known.
			return e.set, nil
		}
		return nil, err
	}
	e.set, e.fetched = set, now
	return set, nil
}

// fetch reads the discovery document, then the key set it names.
func (kc *keyCache) fetch(ctx context.Context, c *http.Client, iss string) (*jose.JSONWebKeySet, error) {
	body, err := kc.get(ctx, c, strings.TrimSuffix(iss, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &disc); err != nil {
		return nil, errorf(InvalidIdentityToken, "The OpenID Connect discovery document of %s is not valid JSON.", iss)
	}
	if disc.Issuer != iss {
		return nil, errorf(InvalidIdentityToken, "The OpenID Connect discovery document names issuer %q, not %q.", disc.Issuer, iss)
	}
	if !strings.HasPrefix(disc.JWKSURI, "https://") {
		return nil, errorf(InvalidIdentityToken, "The OpenID Connect discovery document of %s has no https jwks_uri.", iss)
	}
	body, err = kc.get(ctx, c, disc.JWKSURI)
	if err != nil {
		return nil, err
	}
	set, err := parseJWKS(body)
	if err != nil {
		return nil, errorf(InvalidIdentityToken, noVerificationKey)
	}
	return set, nil
}

func (kc *keyCache) get(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, kc.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, errorf(InvalidIdentityToken, "The identity provider URL %s is not valid.", url)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var tlsErr *thumbprintError
		if errors.As(err, &tlsErr) {
			return nil, errorf(InvalidIdentityToken, "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
		}
		return nil, errorf(IDPCommunicationError, "Couldn't connect to the identity provider at %s.", req.URL.Host)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errorf(IDPCommunicationError, "The identity provider answered %s with HTTP status %d.", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, kc.cfg.MaxResponse+1))
	if err != nil {
		return nil, errorf(IDPCommunicationError, "Reading the identity provider's answer from %s failed.", req.URL.Host)
	}
	if int64(len(body)) > kc.cfg.MaxResponse {
		return nil, errorf(IDPCommunicationError, "The identity provider's answer from %s is larger than %d bytes.", req.URL.Host, kc.cfg.MaxResponse)
	}
	return body, nil
}

func parseJWKS(b []byte) (*jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, err
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("oidc: empty key set")
	}
	return &set, nil
}

// thumbprintError marks a server certificate that neither the roots nor the thumbprints trust.
type thumbprintError struct{ host string }

func (e *thumbprintError) Error() string {
	return "oidc: certificate of " + e.host + " is trusted by neither the roots nor a thumbprint"
}

// httpClient returns a client that trusts the configured roots or, failing them, a chain whose
// top certificate has one of the thumbprints, as AWS documents for OIDC providers. Either way
// the leaf must be valid for the host name; only https is spoken, redirects included.
func (kc *keyCache) httpClient(thumbs []string) *http.Client {
	roots := kc.cfg.RootCAs
	tlsCfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Verification is done in VerifyConnection so that it can fall back to thumbprints.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return &thumbprintError{cs.ServerName}
			}
			leaf := cs.PeerCertificates[0]
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			opts := x509.VerifyOptions{DNSName: cs.ServerName, Roots: roots, Intermediates: inter}
			if _, err := leaf.Verify(opts); err == nil {
				return nil
			}
			top := cs.PeerCertificates[len(cs.PeerCertificates)-1]
			sum := sha1.Sum(top.Raw)
			if !slices.Contains(thumbs, hex.EncodeToString(sum[:])) {
				return &thumbprintError{cs.ServerName}
			}
			pinned := x509.NewCertPool()
			pinned.AddCert(top)
			opts.Roots = pinned
			if _, err := leaf.Verify(opts); err != nil {
				return &thumbprintError{cs.ServerName}
			}
			return nil
		},
	}
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 2},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" || len(via) >= 3 {
				return fmt.Errorf("oidc: redirect to %s refused", req.URL.Redacted())
			}
			return nil
		},
	}
}

func normThumbprints(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		out = append(out, strings.ToLower(strings.TrimSpace(t)))
	}
	slices.Sort(out)
	return out
}

// Thumbprint is the hex SHA-1 of a certificate in DER, the form IAM stores thumbprints in.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return hex.EncodeToString(sum[:])
}
