package orgs

import (
	"context"
	"regexp"
	"slices"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/store"
)

type ServicePrincipalInput struct{ ServicePrincipal string }

type EnableAWSServiceAccessInput ServicePrincipalInput
type DisableAWSServiceAccessInput ServicePrincipalInput
type EmptyOutput struct{}

type ListAWSServiceAccessForOrganizationInput struct {
	NextToken  string
	MaxResults *int32
}
type ListAWSServiceAccessForOrganizationOutput struct {
	EnabledServicePrincipals []EnabledServicePrincipal
	NextToken                *string `json:",omitempty"`
}

type RegisterDelegatedAdministratorInput struct{ AccountId, ServicePrincipal string }
type DeregisterDelegatedAdministratorInput struct{ AccountId, ServicePrincipal string }

type ListDelegatedAdministratorsInput struct {
	ServicePrincipal string
	NextToken        string
	MaxResults       *int32
}
type ListDelegatedAdministratorsOutput struct {
	DelegatedAdministrators []DelegatedAdministrator
	NextToken               *string `json:",omitempty"`
}

type ListDelegatedServicesForAccountInput struct {
	AccountId  string
	NextToken  string
	MaxResults *int32
}
type ListDelegatedServicesForAccountOutput struct {
	DelegatedServices []DelegatedService
	NextToken         *string `json:",omitempty"`
}

var servicePrincipal = regexp.MustCompile(`^[\w+=,.@-]*$`)

func checkPrincipal(sp string) error {
	if sp == "" || len(sp) > 128 || !servicePrincipal.MatchString(sp) {
		return invalidInput("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified a service principal that isn't recognized.")
	}
	return nil
}

func (in *EnableAWSServiceAccessInput) validate() error  { return checkPrincipal(in.ServicePrincipal) }
func (in *DisableAWSServiceAccessInput) validate() error { return checkPrincipal(in.ServicePrincipal) }
func (in *RegisterDelegatedAdministratorInput) validate() error {
	return checkPrincipal(in.ServicePrincipal)
}
func (in *DeregisterDelegatedAdministratorInput) validate() error {
	return checkPrincipal(in.ServicePrincipal)
}

// EnableAWSServiceAccess enables trusted access for a service (IAM's is needed for centralized
// root access).
func (s *Service) EnableAWSServiceAccess(ctx context.Context, in *EnableAWSServiceAccessInput) (*EmptyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if o.FeatureSet != "ALL" {
			return constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You can't perform the operation because your organization doesn't have all features enabled.")
		}
		if !slices.ContainsFunc(o.ServiceAccess, func(sa serviceAccess) bool { return sa.Service == in.ServicePrincipal }) {
			o.ServiceAccess = append(o.ServiceAccess, serviceAccess{in.ServicePrincipal, s.now()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}

// DisableAWSServiceAccess disables a service's trusted access, and with it its delegated
// administrators (and, for IAM, centralized root access).
func (s *Service) DisableAWSServiceAccess(ctx context.Context, in *DisableAWSServiceAccessInput) (*EmptyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		o.ServiceAccess = slices.DeleteFunc(o.ServiceAccess, func(sa serviceAccess) bool { return sa.Service == in.ServicePrincipal })
		o.Delegated = slices.DeleteFunc(o.Delegated, func(d delegated) bool { return d.Service == in.ServicePrincipal })
		if in.ServicePrincipal == iamPrincipal {
			o.RootAccess = nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}

// ListAWSServiceAccessForOrganization lists the services with trusted access.
func (s *Service) ListAWSServiceAccessForOrganization(ctx context.Context, in *ListAWSServiceAccessForOrganizationInput) (*ListAWSServiceAccessForOrganizationOutput, error) {
	out := &ListAWSServiceAccessForOrganizationOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var all []EnabledServicePrincipal
		for _, sa := range o.ServiceAccess {
			all = append(all, EnabledServicePrincipal{ServicePrincipal: sa.Service, DateEnabled: ts(sa.Date)})
		}
		var err error
		out.EnabledServicePrincipals, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RegisterDelegatedAdministrator makes a member account a service's delegated administrator.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, in *RegisterDelegatedAdministratorInput) (*EmptyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if o.account(in.AccountId) == nil {
			return accountNotFound()
		}
		if in.AccountId == o.Management {
			return constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You can't register the management account of the organization as a delegated administrator for an AWS service.")
		}
		if _, closed := o.Closed[in.AccountId]; closed {
			return constraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR", "You cannot register a suspended account as a delegated administrator.")
		}
		if !slices.ContainsFunc(o.ServiceAccess, func(sa serviceAccess) bool { return sa.Service == in.ServicePrincipal }) {
			return constraint("SERVICE_ACCESS_NOT_ENABLED", "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.")
		}
		for _, d := range o.Delegated {
			if d.Service != in.ServicePrincipal {
				continue
			}
			if d.Account == in.AccountId {
				return orgErr("AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization.")
			}
			if in.ServicePrincipal == iamPrincipal {
				// IAM allows one delegated administrator.
				return constraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE", "You attempted to register more delegated administrators than allowed for the service principal.")
			}
		}
		o.Delegated = append(o.Delegated, delegated{in.AccountId, in.ServicePrincipal, s.now()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}

// DeregisterDelegatedAdministrator removes a delegated administrator.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, in *DeregisterDelegatedAdministratorInput) (*EmptyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if o.account(in.AccountId) == nil {
			return accountNotFound()
		}
		n := len(o.Delegated)
		o.Delegated = slices.DeleteFunc(o.Delegated, func(d delegated) bool {
			return d.Account == in.AccountId && d.Service == in.ServicePrincipal
		})
		if len(o.Delegated) == n {
			return orgErr("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for your organization.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EmptyOutput{}, nil
}

// ListDelegatedAdministrators lists the delegated administrators, of one service or all.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, in *ListDelegatedAdministratorsInput) (*ListDelegatedAdministratorsOutput, error) {
	out := &ListDelegatedAdministratorsOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var all []DelegatedAdministrator
		seen := map[string]bool{}
		for _, d := range o.Delegated {
			if in.ServicePrincipal != "" && d.Service != in.ServicePrincipal || seen[d.Account] {
				continue
			}
			seen[d.Account] = true
			a := o.account(d.Account)
			if a == nil {
				continue
			}
			ao := o.accountOut(a)
			all = append(all, DelegatedAdministrator{Id: ao.Id, Arn: ao.Arn, Email: ao.Email, Name: ao.Name, Status: ao.Status,
				State: ao.State, JoinedMethod: ao.JoinedMethod, JoinedTimestamp: ao.JoinedTimestamp, DelegationEnabledDate: ts(d.Date)})
		}
		var err error
		out.DelegatedAdministrators, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListDelegatedServicesForAccount lists the services an account administers.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, in *ListDelegatedServicesForAccountInput) (*ListDelegatedServicesForAccountOutput, error) {
	out := &ListDelegatedServicesForAccountOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if o.account(in.AccountId) == nil {
			return accountNotFound()
		}
		var all []DelegatedService
		for _, d := range o.Delegated {
			if d.Account == in.AccountId {
				all = append(all, DelegatedService{ServicePrincipal: d.Service, DelegationEnabledDate: ts(d.Date)})
			}
		}
		if len(all) == 0 {
			return orgErr("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for your organization.")
		}
		var err error
		out.DelegatedServices, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
