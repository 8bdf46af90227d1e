package iamsvc

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
)

// The operations of AWS's newest groups that presuppose AWS Organizations or AWS's partner
// programme. Centralized root access is real: an account's organization (package orgs, read
// through authz.OrganizationOf) holds IAM's features, which sts:AssumeRoot reads. The
// organizations access report and the partner programme's delegation requests are not: iamd
// keeps no report jobs, and no partner is onboarded, so lists are empty and lookups find nothing.
// Outbound web identity federation is account-local and is implemented for real (outbound.go).

// organizationNotFound is AWS's answer to an account outside any organization. The code is the
// model's shape name (it has no error trait); the message is the model's description, as AWS's
// exact wording could not be confirmed. The other errors of the group are worded likewise.
func organizationNotFound() error {
	return awserr.New(http.StatusBadRequest, "OrganizationNotFoundException",
		"The request was rejected because no organization is associated with your account.")
}

func rootAccessError(code, msg string) error { return awserr.New(http.StatusBadRequest, code, msg) }

// rootAccessOrg returns the caller's organization for a centralized root access operation,
// checked as AWS checks it: an organization with all features, IAM's trusted access, and the
// management account (or, unless management is needed, IAM's delegated administrator).
func (s *Service) rootAccessOrg(ctx context.Context, management bool) (*authn.Principal, *authz.Membership, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	var m *authz.Membership
	if s.cfg.Authz != nil && s.cfg.SetRootAccess != nil {
		if m, err = s.cfg.Authz.OrganizationOf(ctx, c.Account()); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case m == nil:
		return nil, nil, organizationNotFound()
	case !m.AllFeatures:
		return nil, nil, rootAccessError("OrganizationNotInAllFeaturesModeException", "The request was rejected because your organization does not have All features enabled.")
	case !m.IAMTrusted:
		return nil, nil, rootAccessError("ServiceAccessNotEnabledException", "The request was rejected because trusted access is not enabled for IAM in Organizations.")
	case c.Account() != m.Management && c.Account() != m.IAMAdmin:
		return nil, nil, rootAccessError("AccountNotManagementOrDelegatedAdministratorException", "The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.")
	case management && c.Account() != m.Management:
		return nil, nil, rootAccessError("CallerIsNotManagementAccountException", "The request was rejected because the account making the request is not the management account for the organization.")
	}
	return c, m, nil
}

// setRootAccess changes one feature and returns the organization's id and its features.
func (s *Service) setRootAccess(ctx context.Context, feature string, on bool) (string, []string, error) {
	c, m, err := s.rootAccessOrg(ctx, on)
	if err != nil {
		return "", nil, err
	}
	features, err := s.cfg.SetRootAccess(ctx, c.Account(), feature, on)
	if err != nil {
		return "", nil, err
	}
	if features == nil {
		features = []string{}
	}
	return m.OrgID, features, nil
}

// EnableOrganizationsRootCredentialsManagement lets the organization remove and recover member
// accounts' root credentials (AssumeRoot with the IAM root-task policies).
func (s *Service) EnableOrganizationsRootCredentialsManagement(ctx context.Context, _ *iamapi.EnableOrganizationsRootCredentialsManagementInput) (*iamapi.EnableOrganizationsRootCredentialsManagementOutput, error) {
	id, f, err := s.setRootAccess(ctx, iam.RootCredentialsManagement, true)
	if err != nil {
		return nil, err
	}
	return &iamapi.EnableOrganizationsRootCredentialsManagementOutput{OrganizationId: id, EnabledFeatures: f}, nil
}

// EnableOrganizationsRootSessions lets the management account (or IAM's delegated
// administrator) call sts:AssumeRoot into member accounts.
func (s *Service) EnableOrganizationsRootSessions(ctx context.Context, _ *iamapi.EnableOrganizationsRootSessionsInput) (*iamapi.EnableOrganizationsRootSessionsOutput, error) {
	id, f, err := s.setRootAccess(ctx, iam.RootSessions, true)
	if err != nil {
		return nil, err
	}
	return &iamapi.EnableOrganizationsRootSessionsOutput{OrganizationId: id, EnabledFeatures: f}, nil
}

// DisableOrganizationsRootCredentialsManagement turns the feature off.
func (s *Service) DisableOrganizationsRootCredentialsManagement(ctx context.Context, _ *iamapi.DisableOrganizationsRootCredentialsManagementInput) (*iamapi.DisableOrganizationsRootCredentialsManagementOutput, error) {
	id, f, err := s.setRootAccess(ctx, iam.RootCredentialsManagement, false)
	if err != nil {
		return nil, err
	}
	return &iamapi.DisableOrganizationsRootCredentialsManagementOutput{OrganizationId: id, EnabledFeatures: f}, nil
}

// DisableOrganizationsRootSessions turns the feature off: AssumeRoot is refused from then on.
func (s *Service) DisableOrganizationsRootSessions(ctx context.Context, _ *iamapi.DisableOrganizationsRootSessionsInput) (*iamapi.DisableOrganizationsRootSessionsOutput, error) {
	id, f, err := s.setRootAccess(ctx, iam.RootSessions, false)
	if err != nil {
		return nil, err
	}
	return &iamapi.DisableOrganizationsRootSessionsOutput{OrganizationId: id, EnabledFeatures: f}, nil
}

// ListOrganizationsFeatures lists the centralized root access features enabled.
func (s *Service) ListOrganizationsFeatures(ctx context.Context, _ *iamapi.ListOrganizationsFeaturesInput) (*iamapi.ListOrganizationsFeaturesOutput, error) {
	_, m, err := s.rootAccessOrg(ctx, false)
	if err != nil {
		return nil, err
	}
	f := append([]string{}, m.RootAccess...)
	return &iamapi.ListOrganizationsFeaturesOutput{OrganizationId: m.OrgID, EnabledFeatures: f}, nil
}

// GenerateOrganizationsAccessReport reports on an organization's entities; the account has no
// organization, so no entity path can name one. The model lists only
// ReportGenerationLimitExceeded for this operation; the organization error is the one the other
// operations of the group model for this situation.
func (s *Service) GenerateOrganizationsAccessReport(ctx context.Context, _ *iamapi.GenerateOrganizationsAccessReportInput) (*iamapi.GenerateOrganizationsAccessReportOutput, error) {
	return nil, s.outsideOrganization(ctx)
}

// GetOrganizationsAccessReport finds no job: GenerateOrganizationsAccessReport never creates one.
func (s *Service) GetOrganizationsAccessReport(ctx context.Context, in *iamapi.GetOrganizationsAccessReportInput) (*iamapi.GetOrganizationsAccessReportOutput, error) {
	if _, err := s.caller(ctx); err != nil {
		return nil, err
	}
	return nil, noSuchJob(in.JobId)
}

func (s *Service) outsideOrganization(ctx context.Context) error {
	if _, err := s.caller(ctx); err != nil {
		return err
	}
	return organizationNotFound()
}

func noSuchJob(id string) error {
	return awserr.NoSuchEntity("No report job with id " + id + " exists.")
}

// ---- delegation requests ----

// Delegation requests are filed by AWS partners that went through AWS's onboarding; nobody can
// be onboarded to an iamd, so none exists.

func noSuchDelegationRequest(id string) error {
	return awserr.NoSuchEntity("The delegation request with id " + id + " cannot be found.")
}

// CreateDelegationRequest is reserved to onboarded partners (AWS: "not available for general
// use"); an iamd caller never is one.
func (s *Service) CreateDelegationRequest(ctx context.Context, _ *iamapi.CreateDelegationRequestInput) (*iamapi.CreateDelegationRequestOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	return nil, awserr.AccessDenied("User: " + c.ARN() + " is not authorized to perform: iam:CreateDelegationRequest because the account is not onboarded as a delegation partner")
}

// GetDelegationRequest finds no request.
func (s *Service) GetDelegationRequest(ctx context.Context, in *iamapi.GetDelegationRequestInput) (*iamapi.GetDelegationRequestOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

// AcceptDelegationRequest finds no request.
func (s *Service) AcceptDelegationRequest(ctx context.Context, in *iamapi.AcceptDelegationRequestInput) (*iamapi.AcceptDelegationRequestOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

// AssociateDelegationRequest finds no request.
func (s *Service) AssociateDelegationRequest(ctx context.Context, in *iamapi.AssociateDelegationRequestInput) (*iamapi.AssociateDelegationRequestOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

// RejectDelegationRequest finds no request.
func (s *Service) RejectDelegationRequest(ctx context.Context, in *iamapi.RejectDelegationRequestInput) (*iamapi.RejectDelegationRequestOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

// UpdateDelegationRequest finds no request.
func (s *Service) UpdateDelegationRequest(ctx context.Context, in *iamapi.UpdateDelegationRequestInput) (*iamapi.UpdateDelegationRequestOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

// SendDelegationToken finds no request.
func (s *Service) SendDelegationToken(ctx context.Context, in *iamapi.SendDelegationTokenInput) (*iamapi.SendDelegationTokenOutput, error) {
	return nil, s.noDelegationRequest(ctx, in.DelegationRequestId)
}

func (s *Service) noDelegationRequest(ctx context.Context, id string) error {
	if _, err := s.caller(ctx); err != nil {
		return err
	}
	return noSuchDelegationRequest(id)
}

// ListDelegationRequests lists the account's delegation requests: there are none. The marker is
// still checked, so a client cannot page with one iamd did not issue.
func (s *Service) ListDelegationRequests(ctx context.Context, in *iamapi.ListDelegationRequestsInput) (*iamapi.ListDelegationRequestsOutput, error) {
	if _, err := s.caller(ctx); err != nil {
		return nil, err
	}
	if _, _, _, err := pageSlice([]iamapi.DelegationRequest(nil), in.Marker, maxItems(in.MaxItems)); err != nil {
		return nil, err
	}
	return &iamapi.ListDelegationRequestsOutput{DelegationRequests: []iamapi.DelegationRequest{}, IsTruncated: ptr(false)}, nil
}

// GetHumanReadableSummary summarizes an entity; AWS supports only delegation requests (of
// which an iamd has none) and answers NOT_SUPPORTED for other entities it can read.
func (s *Service) GetHumanReadableSummary(ctx context.Context, in *iamapi.GetHumanReadableSummaryInput) (*iamapi.GetHumanReadableSummaryOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	parts := strings.SplitN(in.EntityArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[5] == "" {
		return nil, awserr.InvalidInput("ARN " + in.EntityArn + " is not valid.")
	}
	if id, ok := strings.CutPrefix(parts[5], "delegation-request/"); ok {
		return nil, noSuchDelegationRequest(id)
	}
	locale := in.Locale
	if locale == "" {
		locale = "en"
	}
	// Any other ARN of the caller's account gets NOT_SUPPORTED (AWS summarizes no other entity
	// type); another account's ARN is not found, so the call reveals nothing about it.
	if parts[4] != c.Account() {
		return nil, awserr.NoSuchEntity("The entity " + in.EntityArn + " cannot be found.")
	}
	return &iamapi.GetHumanReadableSummaryOutput{Locale: locale, SummaryState: "NOT_SUPPORTED"}, nil
}

// newJobID returns a random RFC 4122 version-4 UUID: AWS's job and task ids have that form
// (the model's jobIDType is exactly 36 characters).
func newJobID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
