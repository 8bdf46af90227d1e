package sts

import (
	"context"
	"fmt"
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/policy"
)

// ec2Service is the service principal EC2 assumes instance-profile roles as; a role's trust
// policy must name it for the role to be usable from an instance, on AWS as in iamd.
const ec2Service = "ec2.amazonaws.com"

// InstanceRole is a request, already authenticated by the caller (package instance checks the
// instance credential and reads the profile), for the credentials of an instance profile's role.
type InstanceRole struct {
	Role        iam.Role
	InstanceID  string // the session name, as EC2 names instance role sessions
	InstanceARN string // arn:aws:ec2:REGION:ACCOUNT:instance/ID
	Duration    time.Duration
}

// AssumeRoleForInstance issues a role session to an enrolled instance when the role's trust
// policy allows sts:AssumeRole to the EC2 service principal. The session is named after the
// instance and carries its ARN (aws:SourceInstanceARN, ec2:SourceInstanceARN in its requests).
func (s *Service) AssumeRoleForInstance(ctx context.Context, in InstanceRole) (*stsapi.Credentials, *stsapi.AssumedRoleUser, error) {
	role := in.Role
	trust, err := s.cfg.Authz.Compile(role.AssumeRolePolicyDocument, policy.KindTrust)
	denied := awserr.AccessDenied(fmt.Sprintf("Service %s is not authorized to perform: sts:AssumeRole on resource: %s", ec2Service, role.Arn))
	if err != nil {
		return nil, nil, denied
	}
	req := authz.Request{
		Action: "sts:AssumeRole", Resource: role.Arn, ResourcePolicy: trust, ResourceAccount: role.Account,
		Service: ec2Service,
		// The confused-deputy keys AWS supplies when a service assumes a role for a resource.
		Keys: []authz.Key{
			{Name: "sts:RoleSessionName", Values: []string{in.InstanceID}},
			{Name: "aws:SourceAccount", Values: []string{role.Account}},
			{Name: "aws:SourceArn", Values: []string{in.InstanceARN}},
		},
	}
	res, err := s.cfg.Authz.Evaluate(ctx, authn.AnonymousPrincipal(), authz.OriginFromContext(ctx), req)
	if err != nil {
		return nil, nil, err
	}
	if res.Decision != policy.Allowed {
		return nil, nil, denied
	}
	if !validSessionName(in.InstanceID) {
		return nil, nil, awserr.Validation("invalid instance id " + in.InstanceID)
	}
	d := in.Duration
	if d < minDuration*time.Second {
		d = minDuration * time.Second
	}
	sess := &session.Session{
		Origin: session.AssumedRole, Account: role.Account,
		EntityID: role.RoleID, EntityName: role.RoleName, EntityPath: role.Path,
		SessionName:       in.InstanceID,
		SourceInstanceARN: in.InstanceARN,
	}
	creds, err := s.issue(sess, d)
	if err != nil {
		return nil, nil, err
	}
	s.recordRoleUse(ctx, role, "")
	user := &stsapi.AssumedRoleUser{AssumedRoleId: role.RoleID + ":" + in.InstanceID, Arn: iam.AssumedRoleARN(role.Account, role.RoleName, in.InstanceID)}
	return creds, user, nil
}
