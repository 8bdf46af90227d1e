package orgs

import (
	"context"
	"errors"
	"slices"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

type CreateOrganizationInput struct{ FeatureSet string }
type CreateOrganizationOutput struct{ Organization *Organization }

type DescribeOrganizationInput struct{}
type DescribeOrganizationOutput struct{ Organization *Organization }

type DeleteOrganizationInput struct{}
type DeleteOrganizationOutput struct{}

type ListRootsInput struct {
	NextToken  string
	MaxResults *int32
}
type ListRootsOutput struct {
	Roots     []Root
	NextToken *string `json:",omitempty"`
}

type EnablePolicyTypeInput struct{ RootId, PolicyType string }
type EnablePolicyTypeOutput struct{ Root *Root }

type DisablePolicyTypeInput struct{ RootId, PolicyType string }
type DisablePolicyTypeOutput struct{ Root *Root }

func (in *CreateOrganizationInput) validate() error {
	switch in.FeatureSet {
	case "", "ALL", "CONSOLIDATED_BILLING":
		return nil
	}
	return invalidInput("INVALID_ENUM", "You specified an invalid value.")
}

// CreateOrganization makes the caller's account the management account of a new organization.
func (s *Service) CreateOrganization(ctx context.Context, in *CreateOrganizationInput) (*CreateOrganizationOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var o *org
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := membership(ctx, tx, p.Account()); err == nil {
			return alreadyInOrganization()
		} else if !errors.Is(err, errNoOrg) {
			return err
		}
		fs := in.FeatureSet
		if fs == "" {
			fs = "ALL"
		}
		now := s.now()
		o = &org{ID: newOrgID(), Management: p.Account(), FeatureSet: fs, RootID: newRootID(), Created: now}
		name, err := accountName(ctx, tx, p.Account())
		if err != nil {
			return err
		}
		o.Accounts = []account{{ID: p.Account(), Name: name, Email: email(p.Account()), Parent: o.RootID,
			JoinedMethod: "CREATED", Joined: now, State: "ACTIVE"}}
		b, err := jsonOf(o)
		if err != nil {
			return err
		}
		if err := tx.CreateRecord(ctx, store.Record{Account: o.Management, Kind: kindOrg, Name: nameOrg, Data: b}); err != nil {
			return err
		}
		return putMembership(ctx, tx, o, p.Account())
	})
	if err != nil {
		return nil, err
	}
	return &CreateOrganizationOutput{Organization: o.out()}, nil
}

// accountName is what Organizations calls an account that joins with no name given: its alias,
// else its id.
func accountName(ctx context.Context, tx store.Tx, id string) (string, error) {
	a, err := tx.Account(ctx, id)
	if err != nil {
		return "", err
	}
	if a.Alias != "" {
		return a.Alias, nil
	}
	return id, nil
}

func alreadyInOrganization() error {
	return orgErr("AlreadyInOrganizationException", "The AWS account is already a member of an organization.")
}

func (o *org) out() *Organization {
	out := &Organization{Id: o.ID, Arn: o.orgARN(), FeatureSet: o.FeatureSet,
		MasterAccountArn: o.accountARN(o.Management), MasterAccountId: o.Management,
		MasterAccountEmail: o.account(o.Management).Email, AvailablePolicyTypes: []PolicyTypeSummary{}}
	// Deprecated in the model; AWS reports the service control policy type alone.
	if o.enabled(typeSCP) {
		out.AvailablePolicyTypes = append(out.AvailablePolicyTypes, PolicyTypeSummary{Type: typeSCP, Status: "ENABLED"})
	}
	return out
}

func (o *org) rootOut() Root {
	r := Root{Id: o.RootID, Arn: o.rootARN(), Name: "Root", PolicyTypes: []PolicyTypeSummary{}}
	for _, t := range o.PolicyTypes {
		r.PolicyTypes = append(r.PolicyTypes, PolicyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return r
}

// DescribeOrganization is answered to every account of the organization.
func (s *Service) DescribeOrganization(ctx context.Context, _ *DescribeOrganizationInput) (*DescribeOrganizationOutput, error) {
	var out *Organization
	err := s.read(ctx, member, func(o *org, _ *authn.Principal) error {
		out = o.out()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DescribeOrganizationOutput{Organization: out}, nil
}

// DeleteOrganization deletes an organization that holds only its management account.
func (s *Service) DeleteOrganization(ctx context.Context, _ *DeleteOrganizationInput) (*DeleteOrganizationOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, err := load(ctx, tx, p.Account())
		if err != nil {
			return wordErr(err)
		}
		if o.Management != p.Account() {
			return accessDenied()
		}
		if len(o.Accounts) > 1 {
			return orgErr("OrganizationNotEmptyException", "To delete an organization you must first remove all member accounts (except the management account).")
		}
		for _, h := range o.Handshakes {
			if err := tx.DeleteRecord(ctx, h.Account, kindHandshake, h.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if err := tx.DeleteRecord(ctx, o.Management, kindOrg, nameMembership); err != nil {
			return err
		}
		return tx.DeleteRecord(ctx, o.Management, kindOrg, nameOrg)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteOrganizationOutput{}, nil
}

// ListRoots lists the organization's one root.
func (s *Service) ListRoots(ctx context.Context, in *ListRootsInput) (*ListRootsOutput, error) {
	out := &ListRootsOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var err error
		out.Roots, out.NextToken, err = page([]Root{o.rootOut()}, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// supportedTypes are the policy types iamd's organizations have: the two that bind requests and
// tag policies, which are stored and attached (iamd reports no effective tag policy).
var supportedTypes = []string{typeSCP, typeRCP, typeTag}

var modelTypes = []string{"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY",
	"AISERVICES_OPT_OUT_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY", "INSPECTOR_POLICY",
	"UPGRADE_ROLLOUT_POLICY", "BEDROCK_POLICY", "S3_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY"}

// checkType validates a policy type: one of the model's, and of those one iamd has.
func checkType(t string) error {
	if !slices.Contains(modelTypes, t) {
		return invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
	}
	if !slices.Contains(supportedTypes, t) {
		return orgErr("PolicyTypeNotAvailableForOrganizationException", "You can't use the specified policy type with the feature set currently enabled for this organization.")
	}
	return nil
}

// EnablePolicyType enables a policy type in the root; the AWS managed policy of the type
// (FullAWSAccess, RCPFullAWSAccess) is attached to the root, every OU and every account.
func (s *Service) EnablePolicyType(ctx context.Context, in *EnablePolicyTypeInput) (*EnablePolicyTypeOutput, error) {
	var r Root
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if in.RootId != o.RootID {
			return rootNotFound()
		}
		if err := checkType(in.PolicyType); err != nil {
			return err
		}
		if o.FeatureSet != "ALL" {
			return constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE", "You can't perform the operation because your organization doesn't have all features enabled.")
		}
		if o.enabled(in.PolicyType) {
			return orgErr("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
		}
		o.PolicyTypes = append(o.PolicyTypes, in.PolicyType)
		var managed string
		switch in.PolicyType {
		case typeSCP:
			managed = fullAWSAccessID
		case typeRCP:
			managed = rcpFullAWSAccessID
		}
		if managed != "" {
			for _, t := range o.targets() {
				if !o.attached(managed, t) {
					o.Attachments = append(o.Attachments, attachment{managed, t})
				}
			}
		}
		r = o.rootOut()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &EnablePolicyTypeOutput{Root: &r}, nil
}

// DisablePolicyType disables a policy type in the root, detaching every policy of the type.
func (s *Service) DisablePolicyType(ctx context.Context, in *DisablePolicyTypeInput) (*DisablePolicyTypeOutput, error) {
	var r Root
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if in.RootId != o.RootID {
			return rootNotFound()
		}
		if !slices.Contains(modelTypes, in.PolicyType) {
			return invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
		}
		if !o.enabled(in.PolicyType) {
			return orgErr("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
		}
		o.PolicyTypes = slices.DeleteFunc(o.PolicyTypes, func(t string) bool { return t == in.PolicyType })
		o.Attachments = slices.DeleteFunc(o.Attachments, func(a attachment) bool {
			p := o.policy(a.Policy)
			return p == nil || p.Type == in.PolicyType
		})
		r = o.rootOut()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DisablePolicyTypeOutput{Root: &r}, nil
}

// targets are the root, every OU and every account.
func (o *org) targets() []string {
	out := []string{o.RootID}
	for _, u := range o.OUs {
		out = append(out, u.ID)
	}
	for _, a := range o.Accounts {
		out = append(out, a.ID)
	}
	return out
}

// validAccountID reports whether id has an account id's form.
func validAccountID(id string) bool { return iam.IsAccountID(id) }
