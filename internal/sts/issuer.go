package sts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/jwtissuer"
	"github.com/iamd/iamd/internal/store"
)

// Outbound web identity federation: GetWebIdentityToken signs a JWT naming the caller, with the
// issuer IAM made for the account when it enabled the feature, and the discovery document and
// JWKS are served under that issuer (server/wellknown.go asks Discovery and JWKS below).

// Token limits. AWS documents DurationSeconds 60–3600 (default 300) in the model; it documents a
// payload limit without the number, so iamd's is its own choice: large enough for 50 request
// tags and 50 principal tags of maximal size, small enough for an HTTP header.
const (
	defaultTokenSeconds = 300
	minTokenSeconds     = 60
	maxTokenSeconds     = 3600
	MaxJWTPayload       = 16 << 10
)

// ClaimsNamespace is the claim under which AWS nests its own identity and request claims.
const ClaimsNamespace = "https://sts.amazonaws.com/"

// IssuerPathPrefix is the path segment before an issuer's id (iamsvc builds issuers as
// IssuerBase + this + id).
const IssuerPathPrefix = "/outbound-federation/"

func federationDisabled() error {
	return &awserr.Error{Code: "OutboundWebIdentityFederationDisabledException", Status: http.StatusForbidden,
		Message: "The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the Amazon Web Services Management Console or API."}
}

// OutboundConfig is what Outbound adds to a Service.
type OutboundConfig struct {
	// Tokens signs the JWTs and publishes their keys.
	Tokens *jwtissuer.Issuer
	// Issuer reports an account's outbound federation issuer and whether the feature is
	// enabled (IAM owns the setting: iamsvc.Service.OutboundIssuer).
	Issuer func(ctx context.Context, account string) (issuer string, enabled bool, err error)
}

// Outbound is a Service with outbound web identity federation: GetWebIdentityToken signs real
// tokens, and Discovery and JWKS serve the issuers' documents.
type Outbound struct {
	*Service
	out     OutboundConfig
	issuers issuerCache
}

// NewOutbound adds outbound federation to s.
func NewOutbound(s *Service, cfg OutboundConfig) *Outbound {
	return &Outbound{Service: s, out: cfg}
}

// awsClaims are the claims under ClaimsNamespace.
type awsClaims struct {
	Account       string            `json:"aws_account"`
	SourceRegion  string            `json:"source_region,omitempty"`
	PrincipalTags map[string]string `json:"principal_tags,omitempty"`
	RequestTags   map[string]string `json:"request_tags,omitempty"`
	// Session context: when the role session expires, its source identity, and the enrolled
	// instance behind it (iamd's agent; AWS gives it for EC2 instance roles).
	OriginalSessionExp   string `json:"original_session_exp,omitempty"`
	SourceIdentity       string `json:"source_identity,omitempty"`
	EC2SourceInstanceARN string `json:"ec2_source_instance_arn,omitempty"`
}

// tokenClaims is the JWT payload; aud is a string for one audience and an array for several.
type tokenClaims struct {
	Issuer   string    `json:"iss"`
	Audience any       `json:"aud"`
	Subject  string    `json:"sub"`
	IssuedAt int64     `json:"iat"`
	Expiry   int64     `json:"exp"`
	ID       string    `json:"jti"`
	AWS      awsClaims `json:"https://sts.amazonaws.com/"`
}

// GetWebIdentityToken returns a JWT that names the caller, signed by the installation's key for
// the requested algorithm, for an account that enabled outbound web identity federation.
func (s *Outbound) GetWebIdentityToken(ctx context.Context, in *stsapi.GetWebIdentityTokenInput) (*stsapi.GetWebIdentityTokenOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.SigningAlgorithm != jwtissuer.RS256 && in.SigningAlgorithm != jwtissuer.ES384 {
		return nil, awserr.Validation(fmt.Sprintf("1 validation error detected: Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]", in.SigningAlgorithm))
	}
	seconds := int32(defaultTokenSeconds)
	if in.DurationSeconds != nil {
		seconds = *in.DurationSeconds
	}
	if seconds < minTokenSeconds || seconds > maxTokenSeconds {
		return nil, awserr.Validation(fmt.Sprintf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between %d and %d", seconds, minTokenSeconds, maxTokenSeconds))
	}
	if s.out.Tokens == nil || s.out.Issuer == nil {
		return nil, federationDisabled()
	}
	issuer, enabled, err := s.out.Issuer(ctx, p.Account())
	if e, ok := awserr.As(err); ok && e.Code == "FeatureDisabled" {
		return nil, federationDisabled()
	}
	if err != nil {
		return nil, err
	}
	if !enabled {
		return nil, federationDisabled()
	}
	now := s.cfg.Now()
	exp := now.Add(time.Duration(seconds) * time.Second)
	if sess := p.Session(); sess != nil && exp.After(sess.Expires) {
		return nil, &awserr.Error{Code: "SessionDurationEscalationException", Status: http.StatusBadRequest,
			Message: "The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created."}
	}
	c := tokenClaims{Issuer: issuer, Subject: subjectOf(p), IssuedAt: now.Unix(), Expiry: exp.Unix(), ID: newJTI(),
		AWS: awsClaims{Account: p.Account(), SourceRegion: p.Region()}}
	if len(in.Audience) == 1 {
		c.Audience = in.Audience[0]
	} else {
		c.Audience = in.Audience
	}
	if c.AWS.PrincipalTags, err = s.principalTags(ctx, p); err != nil {
		return nil, err
	}
	if len(in.Tags) > 0 {
		c.AWS.RequestTags = make(map[string]string, len(in.Tags))
		for _, t := range in.Tags {
			c.AWS.RequestTags[t.Key] = t.Value
		}
	}
	if sess := p.Session(); sess != nil {
		c.AWS.SourceIdentity, c.AWS.EC2SourceInstanceARN = sess.SourceIdentity, sess.SourceInstanceARN
		if p.Kind() == authn.AssumedRole {
			c.AWS.OriginalSessionExp = sess.Expires.UTC().Format(time.RFC3339)
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if len(payload) > MaxJWTPayload {
		return nil, &awserr.Error{Code: "JWTPayloadSizeExceededException", Status: http.StatusBadRequest,
			Message: "The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size."}
	}
	tok, err := s.out.Tokens.Sign(ctx, in.SigningAlgorithm, payload)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetWebIdentityTokenOutput{WebIdentityToken: tok, Expiration: exp.UTC()}, nil
}

// subjectOf is the sub claim: the IAM identity behind the credentials, as AWS's examples show a
// role session as its role's ARN (not the assumed-role session ARN).
func subjectOf(p *authn.Principal) string {
	sess := p.Session()
	switch {
	case p.IsRoot():
		return iam.RootARN(p.Account())
	case p.Kind() == authn.AssumedRole && sess != nil:
		return iam.RoleARN(p.Account(), sess.EntityPath, sess.EntityName)
	case p.Kind() == authn.UserSession && sess != nil:
		return iam.UserARN(p.Account(), sess.EntityPath, sess.EntityName)
	}
	return p.ARN()
}

// principalTags are the caller's tags as aws:PrincipalTag sees them: the user's or role's tags,
// overridden by session tags of the same key.
func (s *Outbound) principalTags(ctx context.Context, p *authn.Principal) (map[string]string, error) {
	var tags []iam.Tag
	sess := p.Session()
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		switch {
		case p.Kind() == authn.User || p.Kind() == authn.UserSession:
			u, err := tx.User(ctx, p.Account(), p.UserName())
			tags = u.Tags
			return err
		case p.Kind() == authn.AssumedRole && sess != nil:
			r, err := tx.RoleByID(ctx, p.Account(), sess.EntityID)
			tags = r.Tags
			return err
		}
		return nil
	})
	// An identity deleted since its credentials were issued has no tags left to report.
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	if sess != nil {
		for _, t := range sess.Tags {
			m[t.Key] = t.Value
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// newJTI is a random UUID (version 4): the id of one token, or of a request iamd words as AWS
// relays it (samlRelayed).
func newJTI() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// issuerCache maps issuer id → issuer for every enabled account. Discovery requests are
// unauthenticated, so they must not each walk all accounts: the map is rebuilt when older than
// issuerCacheTTL, or on a miss at most once per issuerRebuildGap, so a newly enabled issuer is
// served within the gap and a disabled one stops within the TTL.
type issuerCache struct {
	mu    sync.Mutex
	m     map[string]string
	built time.Time
}

const (
	issuerCacheTTL   = 30 * time.Second
	issuerRebuildGap = time.Second
)

// IssuerByID returns the issuer URL whose last path segment is id, for an account that has
// outbound federation enabled; ok is false when there is none.
func (s *Outbound) IssuerByID(ctx context.Context, id string) (issuer string, ok bool, err error) {
	if id == "" || strings.ContainsAny(id, "/?#") || s.out.Issuer == nil {
		return "", false, nil
	}
	now := s.cfg.Now()
	c := &s.issuers
	c.mu.Lock()
	defer c.mu.Unlock()
	age := now.Sub(c.built)
	iss, hit := c.m[id]
	if c.m != nil && (hit && age < issuerCacheTTL || !hit && age < issuerRebuildGap) {
		return iss, hit, nil
	}
	// Rebuilt under the lock: concurrent requests wait for one walk instead of making many.
	var accounts []iam.Account
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		accounts, err = tx.Accounts(ctx)
		return err
	})
	if err != nil {
		return "", false, err
	}
	m := map[string]string{}
	for _, a := range accounts {
		iss, enabled, err := s.out.Issuer(ctx, a.ID)
		if e, ok := awserr.As(err); ok && e.Code == "FeatureDisabled" {
			continue
		}
		if err != nil {
			return "", false, err
		}
		if i := strings.LastIndex(iss, IssuerPathPrefix); enabled && i >= 0 {
			m[iss[i+len(IssuerPathPrefix):]] = iss
		}
	}
	c.m, c.built = m, now
	iss, hit = m[id]
	return iss, hit, nil
}

// Discovery returns the OpenID Connect discovery document of the issuer with the given id.
func (s *Outbound) Discovery(ctx context.Context, id string) ([]byte, bool, error) {
	iss, ok, err := s.IssuerByID(ctx, id)
	if !ok || err != nil {
		return nil, ok, err
	}
	doc := map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": jwtissuer.Algorithms,
		"claims_supported":                      []string{"iss", "sub", "aud", "iat", "exp", "jti", ClaimsNamespace},
	}
	b, err := json.Marshal(doc)
	return b, true, err
}

// JWKS returns the signing keys of the issuer with the given id (all issuers share the
// installation's keys).
func (s *Outbound) JWKS(ctx context.Context, id string) ([]byte, bool, error) {
	if _, ok, err := s.IssuerByID(ctx, id); !ok || err != nil {
		return nil, ok, err
	}
	if s.out.Tokens == nil {
		return nil, false, nil
	}
	b, err := s.out.Tokens.JWKS(ctx)
	return b, err == nil, err
}

var _ stsapi.Service = (*Outbound)(nil)

// AssumeRoleWithWebIdentity refuses tokens of this installation's own outbound issuers: AWS
// documents that GetWebIdentityToken's tokens cannot be used for OIDC federation into AWS through
// AssumeRoleWithWebIdentity, whatever OIDC provider an account registers for them.
func (s *Outbound) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityInput) (*stsapi.AssumeRoleWithWebIdentityOutput, error) {
	if iss, err := oidc.PeekIssuer(in.WebIdentityToken); err == nil {
		if i := strings.LastIndex(iss, IssuerPathPrefix); i >= 0 {
			own, ok, err := s.IssuerByID(ctx, iss[i+len(IssuerPathPrefix):])
			if err != nil {
				return nil, err
			}
			if ok && own == iss {
				return nil, invalidToken("Tokens issued by GetWebIdentityToken cannot be used with AssumeRoleWithWebIdentity.")
			}
		}
	}
	return s.Service.AssumeRoleWithWebIdentity(ctx, in)
}
