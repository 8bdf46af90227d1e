// Package idp is a development identity provider, FOR DEVELOPMENT AND TESTS ONLY: an OpenID
// Connect issuer (discovery document and JWKS) and a SAML 2.0 IdP (metadata) that mint ID tokens
// and signed SAML responses with whatever claims and attributes they are asked for. It lets
// anyone exercise AssumeRoleWithWebIdentity and AssumeRoleWithSAML end to end without an external
// IdP. It authenticates nobody: whoever can reach it, or run `iamd idp token`, gets any identity.
//
// One RSA key signs both tokens (RS256) and assertions (RSA-SHA256, exclusive C14N); the SAML
// certificate is self-signed over that key.
package idp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Config describes the IdP.
type Config struct {
	// Issuer is the OIDC issuer URL (https://…) that tokens name in iss.
	Issuer string
	// EntityID is the SAML entity id; default Issuer + "/saml".
	EntityID string
	// Key signs tokens and assertions; nil generates one.
	Key *rsa.PrivateKey
	Now func() time.Time
}

// IdP mints tokens and SAML responses.
type IdP struct {
	issuer, entityID string
	key              *rsa.PrivateKey
	kid              string
	cert             *x509.Certificate
	now              func() time.Time
}

// New returns an IdP.
func New(cfg Config) (*IdP, error) {
	if !strings.HasPrefix(cfg.Issuer, "https://") {
		return nil, errors.New("idp: the issuer must be an https URL")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		cfg.Key = k
	}
	if cfg.EntityID == "" {
		cfg.EntityID = strings.TrimSuffix(cfg.Issuer, "/") + "/saml"
	}
	pub, err := x509.MarshalPKIXPublicKey(cfg.Key.Public())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pub)
	p := &IdP{issuer: cfg.Issuer, entityID: cfg.EntityID, key: cfg.Key, kid: hex.EncodeToString(sum[:8]), now: cfg.Now}
	// The certificate is derived from the key and a fixed validity, so restarts with the same
	// key publish equivalent metadata.
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(sum[:8]),
		Subject:      pkix.Name{CommonName: "iamd development IdP (not for production)"},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, cfg.Key.Public(), cfg.Key)
	if err != nil {
		return nil, err
	}
	if p.cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	return p, nil
}

// Issuer is the OIDC issuer URL.
func (p *IdP) Issuer() string { return p.issuer }

// EntityID is the SAML entity id.
func (p *IdP) EntityID() string { return p.entityID }

// Certificate is the SAML signing certificate.
func (p *IdP) Certificate() *x509.Certificate { return p.cert }

// KeyID is the kid of the signing key in the JWKS.
func (p *IdP) KeyID() string { return p.kid }

// TokenRequest is what a minted ID token says.
type TokenRequest struct {
	Subject  string
	Audience []string
	TTL      time.Duration // default 1 h
	AMR      []string
	// Tags become the https://aws.amazon.com/tags claim.
	Tags              map[string]string
	TransitiveTagKeys []string
	// Extra claims, merged last (they may override the standard ones, to make bad tokens).
	Extra map[string]any
}

// Token mints a signed ID token (RS256).
func (p *IdP) Token(r TokenRequest) (string, error) {
	if r.Subject == "" || len(r.Audience) == 0 {
		return "", errors.New("idp: a token needs a subject and an audience")
	}
	if r.TTL == 0 {
		r.TTL = time.Hour
	}
	now := p.now().UTC()
	c := map[string]any{
		"iss": p.issuer, "sub": r.Subject, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(r.TTL).Unix(),
	}
	if len(r.Audience) == 1 {
		c["aud"] = r.Audience[0]
	} else {
		c["aud"] = r.Audience
	}
	if len(r.AMR) > 0 {
		c["amr"] = r.AMR
	}
	if len(r.Tags) > 0 {
		pt := map[string][]string{}
		for k, v := range r.Tags {
			pt[k] = []string{v}
		}
		tags := map[string]any{"principal_tags": pt}
		if len(r.TransitiveTagKeys) > 0 {
			tags["transitive_tag_keys"] = r.TransitiveTagKeys
		}
		c["https://aws.amazon.com/tags"] = tags
	}
	for k, v := range r.Extra {
		c[k] = v
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.kid))
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// JWKS is the public key set.
func (p *IdP) JWKS() []byte {
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: p.key.Public(), KeyID: p.kid, Algorithm: "RS256", Use: "sig"}}})
	return b
}

// Discovery is the OpenID Connect discovery document.
func (p *IdP) Discovery() []byte {
	base := strings.TrimSuffix(p.issuer, "/")
	b, _ := json.Marshal(map[string]any{
		"issuer":                                p.issuer,
		"jwks_uri":                              base + "/jwks",
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "amr"},
	})
	return b
}

// Handler serves the discovery document, the JWKS and the SAML metadata (/saml/metadata).
func (p *IdP) Handler() http.Handler {
	mux := http.NewServeMux()
	serve := func(ctype string, body func() []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(body())
		}
	}
	mux.HandleFunc("GET /.well-known/openid-configuration", serve("application/json", p.Discovery))
	mux.HandleFunc("GET /jwks", serve("application/json", p.JWKS))
	mux.HandleFunc("GET /saml/metadata", serve("application/samlmetadata+xml", p.Metadata))
	return mux
}

// KeyPEM encodes a key for storage.
func KeyPEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// LoadOrCreateKey reads an RSA key from a PEM file, creating the file (0600) when absent, so that
// the IdP's keys survive restarts.
func LoadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, KeyPEM(k), 0o600); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "RSA PRIVATE KEY" {
		return nil, fmt.Errorf("idp: %s holds no RSA PRIVATE KEY", path)
	}
	return x509.ParsePKCS1PrivateKey(blk.Bytes)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TLSCertificate is a self-signed serving certificate for hosts (names or IP addresses) over the
// IdP's key. It is the same for the same key and hosts (fixed serial and validity, deterministic
// RSA signatures), so its thumbprint, which an IAM OIDC provider pins, survives restarts.
func (p *IdP) TLSCertificate(hosts []string) (tls.Certificate, *x509.Certificate, error) {
	sum := sha256.Sum256([]byte(p.kid + strings.Join(hosts, ",")))
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(sum[:8]),
		Subject:               pkix.Name{CommonName: "iamd development IdP (not for production)"},
		NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, p.key.Public(), p.key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: p.key, Leaf: c}, c, nil
}

// LogValue keeps the signing key out of logs.
func (p *IdP) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", p.issuer), slog.String("entityID", p.entityID), slog.String("kid", p.kid))
}
