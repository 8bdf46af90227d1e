// Package sts implements the STS API operations: temporary credentials as stateless sealed
// session tokens (package session), AssumeRole with the role's trust policy evaluated by package
// policy through authz, GetSessionToken, GetCallerIdentity and GetAccessKeyInfo.
package sts

import (
	"context"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/federation/saml"
	"github.com/iamd/iamd/internal/gencache"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/usage"
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

	// roles caches the roles AssumeRole reads, by account and folded name (role).
	roles *gencache.Map[iam.Role]
	// roleUse records RoleLastUsed at most once per role per minute (recordRoleUse).
	roleUse *usage.Recorder[roleKey, iam.RoleLastUsed]
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
	s := &Service{cfg: cfg, roles: gencache.New[iam.Role](maxCachedRoles)}
	s.roleUse = usage.New(roleUseRecordInterval, 0, maxCachedRoles, time.Time{}, s.writeRoleUses)
	return s
}
