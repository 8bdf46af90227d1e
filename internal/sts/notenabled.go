package sts

// The STS operations an iamd installation answers as AWS answers an account without the feature
// they need: outbound web identity federation until it is enabled, AssumeRoot without AWS
// Organizations, GetDelegatedAccessToken without delegation requests. AssumeRoot is real once
// an organization enables root sessions.

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
)

// GetWebIdentityToken of a bare Service answers as for an account without outbound web identity
// federation: the feature needs the signing keys and IAM's issuer setting, which Outbound
// (issuer.go) adds; nodes serve STS through it.
func (s *Service) GetWebIdentityToken(context.Context, *stsapi.GetWebIdentityTokenInput) (*stsapi.GetWebIdentityTokenOutput, error) {
	return nil, federationDisabled()
}

// AssumeRoot gives an organization's management account, or IAM's delegated administrator,
// a short root session in a member account, scoped by one of the root-task policies
// (iam.RootTaskPolicy: AWS's deny-only documents) that rides in the session as its policy. It needs the organization's
// RootSessions feature (IAM's EnableOrganizationsRootSessions). The call itself is authorized
// as sts:AssumeRoot on the member's root ARN (authz's table), SCPs included.
func (s *Service) AssumeRoot(ctx context.Context, in *stsapi.AssumeRootInput) (*stsapi.AssumeRootOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	// An account id, or its root user's ARN (AWS takes either).
	target := in.TargetPrincipal
	if a, ok := strings.CutPrefix(target, "arn:aws:iam::"); ok {
		if target = strings.TrimSuffix(a, ":root"); iam.RootARN(target) != in.TargetPrincipal {
			target = "" // an ARN of another principal, or none: refused below
		}
	}
	denied := func(why string) error {
		return awserr.AccessDenied("User: " + p.ARN() + " is not authorized to perform: sts:AssumeRoot on resource: " + in.TargetPrincipal + why)
	}
	if p.IsRoot() {
		// AWS: the root user cannot call sts:AssumeRoot.
		return nil, denied("")
	}
	var doc string
	if in.TaskPolicyArn != nil {
		doc = iam.RootTaskPolicy(in.TaskPolicyArn.Arn)
	}
	if doc == "" {
		return nil, awserr.Validation("The TaskPolicyArn must be the ARN of a root-task policy (" + iam.RootTaskPolicyPrefix + "…).")
	}
	if !iam.IsAccountID(target) {
		return nil, awserr.Validation("The TargetPrincipal must be a member account's id or its root user's ARN.")
	}
	var m, tm *authz.Membership
	if s.cfg.Authz != nil {
		if m, err = s.cfg.Authz.OrganizationOf(ctx, p.Account()); err != nil {
			return nil, err
		}
		if tm, err = s.cfg.Authz.OrganizationOf(ctx, target); err != nil {
			return nil, err
		}
	}
	if m == nil || !m.IAMTrusted || !slices.Contains(m.RootAccess, iam.RootSessions) || (p.Account() != m.Management && p.Account() != m.IAMAdmin) {
		return nil, denied(" because centralized root access is not enabled for an organization")
	}
	if tm == nil || tm.OrgID != m.OrgID || target == m.Management {
		// Only the organization's member accounts; the management account's root is not
		// reached this way.
		return nil, denied("")
	}
	dur := maxRootTaskDuration
	if in.DurationSeconds != nil {
		dur = int(*in.DurationSeconds)
	}
	sess := &session.Session{Origin: session.RootSession, Account: target, Policy: doc}
	creds, err := s.issue(sess, time.Duration(dur)*time.Second)
	if err != nil {
		return nil, err
	}
	return &stsapi.AssumeRootOutput{Credentials: creds}, nil
}

// maxRootTaskDuration is AssumeRoot's default and longest session: 15 minutes.
const maxRootTaskDuration = 900

// GetDelegatedAccessToken trades in a token from an accepted IAM delegation request. iamd issues
// no delegation requests, so no trade-in token it is given can be valid.
func (s *Service) GetDelegatedAccessToken(context.Context, *stsapi.GetDelegatedAccessTokenInput) (*stsapi.GetDelegatedAccessTokenOutput, error) {
	return nil, &awserr.Error{Code: "ExpiredTradeInTokenException", Status: http.StatusBadRequest,
		Message: "The trade-in token provided is expired or invalid."}
}
