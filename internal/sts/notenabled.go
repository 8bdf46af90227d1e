package sts

// The STS operations an iamd installation answers as AWS answers an account without the feature
// they need: outbound web identity federation until it is enabled, AssumeRoot without AWS
// Organizations, GetDelegatedAccessToken without delegation requests.

import (
	"context"
	"net/http"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/awserr"
)

// GetWebIdentityToken of a bare Service answers as for an account without outbound web identity
// federation: the feature needs the signing keys and IAM's issuer setting, which Outbound
// (issuer.go) adds; nodes serve STS through it.
func (s *Service) GetWebIdentityToken(context.Context, *stsapi.GetWebIdentityTokenInput) (*stsapi.GetWebIdentityTokenOutput, error) {
	return nil, federationDisabled()
}

// AssumeRoot gives an organization's management account root sessions in member accounts. An
// iamd installation has no AWS Organizations, so there is no member account to act on: the call
// is refused as AWS refuses callers outside an organization with centralized root access.
func (s *Service) AssumeRoot(ctx context.Context, in *stsapi.AssumeRootInput) (*stsapi.AssumeRootOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return nil, awserr.AccessDenied("User: " + p.ARN() + " is not authorized to perform: sts:AssumeRoot on resource: " +
		in.TargetPrincipal + " because centralized root access is not enabled for an organization")
}

// GetDelegatedAccessToken trades in a token from an accepted IAM delegation request. iamd issues
// no delegation requests, so no trade-in token it is given can be valid.
func (s *Service) GetDelegatedAccessToken(context.Context, *stsapi.GetDelegatedAccessTokenInput) (*stsapi.GetDelegatedAccessTokenOutput, error) {
	return nil, &awserr.Error{Code: "ExpiredTradeInTokenException", Status: http.StatusBadRequest,
		Message: "The trade-in token provided is expired or invalid."}
}
