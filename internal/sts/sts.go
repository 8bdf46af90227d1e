// Package sts implements the STS API operations: temporary credentials as stateless sealed
// session tokens (package session), AssumeRole with the role's trust policy evaluated by package
// policy through authz, GetSessionToken, GetCallerIdentity and GetAccessKeyInfo.
package sts

import (
	"context"
	"sync"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// Config is what the service needs.
type Config struct {
	Store   store.Store
	Keyring *seal.Keyring // seals session tokens
	Authz   *authz.Authorizer
	Now     func() time.Time
	// OIDC and SAML verify web-identity tokens and SAML responses; nil makes verifiers that
	// trust the system roots (see federation.go).
	OIDC *oidc.Verifier
	SAML *saml.Verifier
	// CheckMFA verifies a code of the user's MFA device and returns when it was verified (the
	// IAM service owns the devices); nil refuses every MFA code.
	CheckMFA func(ctx context.Context, account, userName, serialNumber, code string) (time.Time, error)
}

// Service implements stsapi.Service.
type Service struct {
	cfg Config

	roles roleCache

	lastUse   sync.Mutex
	lastUseAt map[string]time.Time // role id → when its use was last recorded
}

var _ stsapi.Service = (*Service)(nil)

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OIDC == nil {
		cfg.OIDC = oidc.NewVerifier(oidc.Config{Now: cfg.Now})
	}
	if cfg.SAML == nil {
		cfg.SAML = saml.NewVerifier(saml.Config{Now: cfg.Now})
	}
	return &Service{cfg: cfg}
}
