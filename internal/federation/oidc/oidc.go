// Package oidc verifies OpenID Connect ID tokens (JWTs) for AssumeRoleWithWebIdentity, the way
// AWS STS does: the token's issuer must be a configured provider, its signature must verify
// against that issuer's JSON Web Key Set, and its audience and time claims must hold. It takes a
// plain Provider (URL, client ids, thumbprints, optional stored JWKS) and returns the verified
// Claims; it knows nothing of IAM, roles or trust policies.
//
// Signatures are checked with go-jose (github.com/go-jose/go-jose/v4) and not go-oidc: go-jose's
// compact parser takes an explicit list of algorithms, so "none" and HMAC algorithms are refused
// before any key is looked at (no RS/HS confusion), and the key set is kept here, where its cache
// (last good set kept, refetched on an unknown kid, bounded timed fetches), the per-provider TLS
// trust (system roots or the provider's certificate thumbprints) and the stored-JWKS case for
// unreachable issuers fit in one small file each. The claim checks are written out here so that
// each refusal carries AWS's error code.
package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxTokenSize is the longest token accepted, in bytes (the STS model's limit for
// WebIdentityToken). It is checked before any parsing.
const MaxTokenSize = 20000

// Algorithms is the allow-list of signature algorithms: asymmetric only. "none" and the HMAC
// family are absent, so a token signed with a public key used as an HMAC secret cannot verify.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// TagsClaim is the claim that carries session tags, as AWS defines it.
const TagsClaim = "https://aws.amazon.com/tags"

// SourceIdentityClaim is the claim that carries the session's source identity.
const SourceIdentityClaim = "https://aws.amazon.com/source_identity"

// Code is the AWS error code a refusal maps to.
type Code string

// The codes of AssumeRoleWithWebIdentity's modelled errors.
const (
	InvalidIdentityToken  Code = "InvalidIdentityToken"
	IDPRejectedClaim      Code = "IDPRejectedClaim"
	IDPCommunicationError Code = "IDPCommunicationError"
	ExpiredToken          Code = "ExpiredTokenException"
)

// Error is a refusal: the AWS code and a message in AWS's manner. The message never contains the
// token.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// Provider is an IAM OpenID Connect provider as verification needs it.
type Provider struct {
	// URL is the issuer URL as IAM stores it; with or without "https://".
	URL string
	// ClientIDs is the audience allow-list; an empty list refuses every token.
	ClientIDs []string
	// Thumbprints are hex SHA-1 fingerprints of certificates trusted for the issuer's HTTPS
	// endpoints (AWS: the top certificate of the chain the server presents), used when the
	// system roots do not verify the server.
	Thumbprints []string
	// JWKS, when set, is the issuer's key set stored on the provider: no network fetch is made
	// (issuers that are not reachable, such as self-hosted Kubernetes clusters).
	JWKS []byte
}

// Host is the provider's URL without its scheme: the prefix of its condition keys (HOST:aud) and
// the resource part of its ARN.
func (p Provider) Host() string { return HostOf(p.URL) }

// HostOf strips the https:// scheme from an issuer URL.
func HostOf(u string) string { return strings.TrimPrefix(u, "https://") }

// Claims are the verified claims of a token.
type Claims struct {
	Issuer   string
	Subject  string
	Audience []string
	// ClientID is the entry of the provider's ClientIDList the token was accepted for (its aud,
	// or its azp): the value of the HOST:aud condition key.
	ClientID  string
	AZP       string
	AMR       []string
	Expiry    time.Time
	NotBefore time.Time // zero when absent
	IssuedAt  time.Time // zero when absent
	ID        string    // jti
	KeyID     string    // kid of the key that verified the token

	// Session tags from the https://aws.amazon.com/tags claim.
	PrincipalTags     map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string

	// Raw holds every claim as decoded (numbers as json.Number).
	Raw map[string]any
}

// PeekIssuer returns the token's iss claim without verifying anything, so the caller can find the
// provider to verify against. The token is still checked for size and shape.
func PeekIssuer(token string) (string, error) {
	sig, err := parse(token)
	if err != nil {
		return "", err
	}
	raw, err := decodeClaims(sig.UnsafePayloadWithoutVerification())
	if err != nil {
		return "", err
	}
	iss, _ := raw["iss"].(string)
	if iss == "" {
		return "", errorf(InvalidIdentityToken, "The web identity token has no iss claim.")
	}
	return iss, nil
}

// noVerificationKey is AWS STS's answer when the provider's key set lacks the token's key, with
// the two spaces after its comma that every raw capture of it shows.
const noVerificationKey = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"

// notJWT is AWS STS's answer to a token that is no signed JWT it can read (not three parts, not
// JSON, an algorithm it does not take), as its answers are recorded in the wild.
const notJWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"

func parse(token string) (*jose.JSONWebSignature, error) {
	if len(token) > MaxTokenSize {
		return nil, errorf(InvalidIdentityToken, "The web identity token is longer than %d characters.", MaxTokenSize)
	}
	// A compact JWS has exactly two dots; checking first keeps pathological inputs cheap.
	if strings.Count(token, ".") != 2 {
		return nil, errorf(InvalidIdentityToken, notJWT)
	}
	sig, err := jose.ParseSignedCompact(token, Algorithms)
	if err != nil {
		return nil, errorf(InvalidIdentityToken, notJWT)
	}
	if len(sig.Signatures) != 1 {
		return nil, errorf(InvalidIdentityToken, notJWT)
	}
	return sig, nil
}

func decodeClaims(payload []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil || raw == nil {
		return nil, errorf(InvalidIdentityToken, notJWT)
	}
	if d.More() {
		return nil, errorf(InvalidIdentityToken, notJWT)
	}
	return raw, nil
}

// Verifier verifies tokens; it holds the JWKS cache, so make one and share it.
type Verifier struct {
	cfg  Config
	keys *keyCache
}

// NewVerifier returns a verifier.
func NewVerifier(cfg Config) *Verifier {
	cfg.defaults()
	return &Verifier{cfg: cfg, keys: newKeyCache(cfg)}
}

// Verify checks token against p and returns its claims. Errors are *Error.
func (v *Verifier) Verify(ctx context.Context, token string, p Provider) (*Claims, error) {
	sig, err := parse(token)
	if err != nil {
		return nil, err
	}
	raw, err := decodeClaims(sig.UnsafePayloadWithoutVerification())
	if err != nil {
		return nil, err
	}
	iss, _ := raw["iss"].(string)
	// IAM names providers without a trailing slash; the issuer must otherwise match exactly.
	if iss == "" || strings.TrimSuffix(HostOf(iss), "/") != strings.TrimSuffix(HostOf(p.URL), "/") || !strings.HasPrefix(iss, "https://") {
		return nil, errorf(InvalidIdentityToken, "No OpenIDConnect provider found in your account for %s", iss)
	}
	hdr := sig.Signatures[0].Header
	set, err := v.keys.keySet(ctx, iss, p, hdr.KeyID)
	if err != nil {
		return nil, err
	}
	key, err := verifySignature(sig, set, hdr)
	if err != nil {
		return nil, err
	}
	c, err := v.checkClaims(raw, p)
	if err != nil {
		return nil, err
	}
	c.KeyID = key
	return c, nil
}

// verifySignature verifies sig with the key named by the header's kid, or, when the token names
// none, with each signing key of the set in turn. It returns the kid that verified.
func verifySignature(sig *jose.JSONWebSignature, set *jose.JSONWebKeySet, hdr jose.Header) (string, error) {
	var candidates []jose.JSONWebKey
	if hdr.KeyID != "" {
		candidates = set.Key(hdr.KeyID)
		if len(candidates) == 0 {
			return "", errorf(InvalidIdentityToken, noVerificationKey)
		}
	} else {
		candidates = set.Keys
	}
	for _, k := range candidates {
		if !k.Valid() || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		// A key that declares its algorithm may only verify that algorithm.
		if k.Algorithm != "" && k.Algorithm != hdr.Algorithm {
			continue
		}
		if _, err := sig.Verify(k.Key); err == nil {
			return k.KeyID, nil
		}
	}
	return "", errorf(InvalidIdentityToken, "The web identity token's signature could not be verified.")
}

func (v *Verifier) checkClaims(raw map[string]any, p Provider) (*Claims, error) {
	c := &Claims{Raw: raw}
	c.Issuer, _ = raw["iss"].(string)
	c.Subject, _ = raw["sub"].(string)
	c.AZP, _ = raw["azp"].(string)
	c.ID, _ = raw["jti"].(string)
	if c.Subject == "" {
		return nil, errorf(InvalidIdentityToken, "The web identity token has no sub claim.")
	}
	var err error
	if c.Audience, err = stringOrList(raw["aud"]); err != nil || len(c.Audience) == 0 {
		return nil, errorf(InvalidIdentityToken, "Incorrect token audience")
	}
	if c.AMR, err = stringOrList(raw["amr"]); err != nil {
		return nil, errorf(InvalidIdentityToken, "The web identity token's amr claim is malformed.")
	}
	for _, a := range c.Audience {
		if contains(p.ClientIDs, a) {
			c.ClientID = a
			break
		}
	}
	if c.ClientID == "" && c.AZP != "" && contains(p.ClientIDs, c.AZP) {
		c.ClientID = c.AZP
	}
	if c.ClientID == "" {
		return nil, errorf(InvalidIdentityToken, "Incorrect token audience")
	}

	now := v.cfg.Now()
	exp, ok, err := numericDate(raw, "exp")
	if err != nil || !ok {
		return nil, errorf(InvalidIdentityToken, "The web identity token has no valid exp claim.")
	}
	c.Expiry = exp
	if !now.Before(exp.Add(v.cfg.Skew)) {
		return nil, errorf(ExpiredToken, "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	}
	if nbf, ok, err := numericDate(raw, "nbf"); err != nil {
		return nil, errorf(InvalidIdentityToken, "The web identity token's nbf claim is malformed.")
	} else if ok {
		c.NotBefore = nbf
		if now.Add(v.cfg.Skew).Before(nbf) {
			return nil, errorf(InvalidIdentityToken, "Token is not yet valid: current date/time %d must be after the not-before date/time %d", now.Unix(), nbf.Unix())
		}
	}
	if iat, ok, err := numericDate(raw, "iat"); err != nil {
		return nil, errorf(InvalidIdentityToken, "The web identity token's iat claim is malformed.")
	} else if ok {
		c.IssuedAt = iat
		if now.Add(v.cfg.Skew).Before(iat) {
			return nil, errorf(InvalidIdentityToken, "Token was issued in the future: current date/time %d, issued at %d", now.Unix(), iat.Unix())
		}
	}
	if err := c.tags(raw); err != nil {
		return nil, err
	}
	if si, ok := raw[SourceIdentityClaim]; ok {
		s, isStr := si.(string)
		if !isStr || s == "" {
			return nil, errorf(IDPRejectedClaim, "The source identity claim must be a non-empty string.")
		}
		c.SourceIdentity = s
	}
	return c, nil
}

// tags reads the https://aws.amazon.com/tags claim: {"principal_tags": {"k": ["v"]},
// "transitive_tag_keys": ["k"]}; each tag has exactly one value, as AWS requires.
func (c *Claims) tags(raw map[string]any) error {
	v, ok := raw[TagsClaim]
	if !ok {
		return nil
	}
	bad := errorf(IDPRejectedClaim, "The session tags claim %s is malformed.", TagsClaim)
	obj, ok := v.(map[string]any)
	if !ok {
		return bad
	}
	if pt, ok := obj["principal_tags"]; ok {
		m, ok := pt.(map[string]any)
		if !ok {
			return bad
		}
		c.PrincipalTags = make(map[string]string, len(m))
		for k, vals := range m {
			l, err := stringOrList(vals)
			if err != nil || len(l) != 1 || k == "" {
				return bad
			}
			c.PrincipalTags[k] = l[0]
		}
	}
	if tk, ok := obj["transitive_tag_keys"]; ok {
		l, err := stringOrList(tk)
		if err != nil {
			return bad
		}
		for _, k := range l {
			if _, ok := c.PrincipalTags[k]; !ok {
				return errorf(IDPRejectedClaim, "Transitive tag key %s is not among the principal tags.", k)
			}
		}
		c.TransitiveTagKeys = l
	}
	return nil
}

// stringOrList accepts a JSON string or an array of strings (absent: nil).
func stringOrList(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("not a string")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("not a string or list")
}

// numericDate reads a NumericDate claim (seconds since the epoch, possibly fractional).
func numericDate(raw map[string]any, name string) (time.Time, bool, error) {
	v, ok := raw[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false, fmt.Errorf("%s is not a number", name)
	}
	f, err := n.Float64()
	// Bounds keep the conversion to int64 nanoseconds defined.
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, false, fmt.Errorf("%s is out of range", name)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true, nil
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}
