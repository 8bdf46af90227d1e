package iamsvc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// The attach, detach and inline-policy operations are the same for users, roles and groups; the
// methods below do the work once for a kind, and the AWS operations are thin wrappers.

// modifiablePrincipal checks that the entity exists and that its policies may be changed: a
// service-linked role's policies are its service's to set (AWS lists UnmodifiableEntity for
// Put/DeleteRolePolicy and Attach/DetachRolePolicy).
func modifiablePrincipal(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, name string) error {
	if kind != iam.KindRole {
		return principalExists(ctx, tx, account, kind, name)
	}
	r, err := getRole(ctx, tx, account, name)
	if err != nil {
		return err
	}
	if iam.IsServiceLinked(r.Path) {
		return unmodifiableRole(r.RoleName)
	}
	return nil
}

func (s *Service) attach(ctx context.Context, kind iam.EntityKind, name, arn string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := modifiablePrincipal(ctx, tx, account, kind, name); err != nil {
			return err
		}
		p, err := visiblePolicy(ctx, tx, account, arn, notAttachable(arn))
		if err != nil {
			return err
		}
		if !p.IsAttachable {
			return notAttachable(arn)
		}
		if err := serviceRolePolicy(p, kind); err != nil {
			return err
		}
		// Attaching again is a no-op in AWS, so a full entity may re-attach what it has.
		attached, err := isAttached(ctx, tx, account, kind, name, arn)
		if err != nil || attached {
			return err
		}
		n, err := tx.CountAttachedPolicies(ctx, account, kind, name)
		if err != nil {
			return err
		}
		if n >= iam.MaxAttachedPoliciesPerEntity {
			return quota("PoliciesPer"+kindTitle(kind), iam.MaxAttachedPoliciesPerEntity)
		}
		return tx.AttachPolicy(ctx, account, kind, name, arn)
	})
}

// isAttached reports whether arn is attached to the entity; at most ten are, so one page holds
// them all.
func isAttached(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, name, arn string) (bool, error) {
	page, err := tx.AttachedPolicies(ctx, account, kind, name, store.ListOptions{MaxItems: 1000})
	if err != nil {
		return false, err
	}
	for _, a := range page.Items {
		if a.PolicyArn == arn {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) detach(ctx context.Context, kind iam.EntityKind, name, arn string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := modifiablePrincipal(ctx, tx, account, kind, name); err != nil {
			return err
		}
		if err := checkARN(arn); err != nil {
			return err
		}
		return notFound(tx.DetachPolicy(ctx, account, kind, name, arn), noSuchPolicy(arn))
	})
}

func (s *Service) listAttached(ctx context.Context, kind iam.EntityKind, name, prefix, marker string, max *int32) (store.Page[iam.AttachedPolicy], error) {
	var page store.Page[iam.AttachedPolicy]
	c, err := s.caller(ctx)
	if err != nil {
		return page, err
	}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if err := principalExists(ctx, tx, c.Account(), kind, name); err != nil {
			return err
		}
		var err error
		page, err = tx.AttachedPolicies(ctx, c.Account(), kind, name, store.ListOptions{PathPrefix: prefix, Marker: marker, MaxItems: maxItems(max)})
		return invalidMarker(err)
	})
	return page, err
}

func attachedOut(items []iam.AttachedPolicy) []iamapi.AttachedPolicy {
	out := make([]iamapi.AttachedPolicy, len(items))
	for i, a := range items {
		out[i] = iamapi.AttachedPolicy{PolicyName: a.PolicyName, PolicyArn: a.PolicyArn}
	}
	return out
}

// putInline creates or replaces an inline policy, keeping the entity's inline policies within
// the aggregate size quota of its kind.
func (s *Service) putInline(ctx context.Context, kind iam.EntityKind, name, policyName, doc string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	if err := s.compile(doc, policy.KindIdentity); err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := modifiablePrincipal(ctx, tx, account, kind, name); err != nil {
			return err
		}
		others, err := tx.InlinePolicies(ctx, account, kind, name)
		if err != nil {
			return err
		}
		size := iam.PolicySize(doc)
		for _, o := range others {
			if !strings.EqualFold(o.PolicyName, policyName) {
				size += iam.PolicySize(o.Document)
			}
		}
		if max := iam.MaxInlinePolicyChars(kind); size > max {
			return awserr.LimitExceeded(fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", max, kind, name))
		}
		return tx.PutInlinePolicy(ctx, account, iam.InlinePolicy{Kind: kind, PrincipalName: name, PolicyName: policyName, Document: doc})
	})
}

func (s *Service) getInline(ctx context.Context, kind iam.EntityKind, name, policyName string) (iam.InlinePolicy, string, error) {
	var p iam.InlinePolicy
	var entity string
	c, err := s.caller(ctx)
	if err != nil {
		return p, "", err
	}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if entity, err = entityName(ctx, tx, c.Account(), kind, name); err != nil {
			return err
		}
		p, err = tx.InlinePolicy(ctx, c.Account(), kind, name, policyName)
		return notFound(err, noSuchInline(kind, policyName))
	})
	return p, entity, err
}

// entityName returns the entity's name as stored (requests match names case-insensitively).
func entityName(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, name string) (string, error) {
	switch kind {
	case iam.KindUser:
		u, err := getUser(ctx, tx, account, name)
		return u.UserName, err
	case iam.KindRole:
		r, err := getRole(ctx, tx, account, name)
		return r.RoleName, err
	}
	g, err := getGroup(ctx, tx, account, name)
	return g.GroupName, err
}

func (s *Service) listInline(ctx context.Context, kind iam.EntityKind, name, marker string, max *int32) (store.Page[string], error) {
	var page store.Page[string]
	c, err := s.caller(ctx)
	if err != nil {
		return page, err
	}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if err := principalExists(ctx, tx, c.Account(), kind, name); err != nil {
			return err
		}
		var err error
		page, err = tx.InlinePolicyNames(ctx, c.Account(), kind, name, store.ListOptions{Marker: marker, MaxItems: maxItems(max)})
		return invalidMarker(err)
	})
	page.Items = nonNil(page.Items)
	return page, err
}

func (s *Service) deleteInline(ctx context.Context, kind iam.EntityKind, name, policyName string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := modifiablePrincipal(ctx, tx, c.Account(), kind, name); err != nil {
			return err
		}
		err := tx.DeleteInlinePolicy(ctx, c.Account(), kind, name, policyName)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchInline(kind, policyName)
		}
		return err
	})
}

// ---- users ----

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyInput) (*iamapi.AttachUserPolicyOutput, error) {
	return &iamapi.AttachUserPolicyOutput{}, s.attach(ctx, iam.KindUser, in.UserName, in.PolicyArn)
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyInput) (*iamapi.DetachUserPolicyOutput, error) {
	return &iamapi.DetachUserPolicyOutput{}, s.detach(ctx, iam.KindUser, in.UserName, in.PolicyArn)
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesInput) (*iamapi.ListAttachedUserPoliciesOutput, error) {
	page, err := s.listAttached(ctx, iam.KindUser, in.UserName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesOutput{AttachedPolicies: attachedOut(page.Items), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// PutUserPolicy creates or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyInput) (*iamapi.PutUserPolicyOutput, error) {
	return &iamapi.PutUserPolicyOutput{}, s.putInline(ctx, iam.KindUser, in.UserName, in.PolicyName, in.PolicyDocument)
}

// GetUserPolicy returns an inline policy of a user, its document URL-encoded as AWS sends it.
func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyInput) (*iamapi.GetUserPolicyOutput, error) {
	p, entity, err := s.getInline(ctx, iam.KindUser, in.UserName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyOutput{UserName: entity, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesInput) (*iamapi.ListUserPoliciesOutput, error) {
	page, err := s.listInline(ctx, iam.KindUser, in.UserName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesOutput{PolicyNames: page.Items, IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyInput) (*iamapi.DeleteUserPolicyOutput, error) {
	return &iamapi.DeleteUserPolicyOutput{}, s.deleteInline(ctx, iam.KindUser, in.UserName, in.PolicyName)
}

// ---- roles ----

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyInput) (*iamapi.AttachRolePolicyOutput, error) {
	return &iamapi.AttachRolePolicyOutput{}, s.attach(ctx, iam.KindRole, in.RoleName, in.PolicyArn)
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyInput) (*iamapi.DetachRolePolicyOutput, error) {
	return &iamapi.DetachRolePolicyOutput{}, s.detach(ctx, iam.KindRole, in.RoleName, in.PolicyArn)
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesInput) (*iamapi.ListAttachedRolePoliciesOutput, error) {
	page, err := s.listAttached(ctx, iam.KindRole, in.RoleName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesOutput{AttachedPolicies: attachedOut(page.Items), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// PutRolePolicy creates or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyInput) (*iamapi.PutRolePolicyOutput, error) {
	return &iamapi.PutRolePolicyOutput{}, s.putInline(ctx, iam.KindRole, in.RoleName, in.PolicyName, in.PolicyDocument)
}

// GetRolePolicy returns an inline policy of a role, its document URL-encoded.
func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyInput) (*iamapi.GetRolePolicyOutput, error) {
	p, entity, err := s.getInline(ctx, iam.KindRole, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyOutput{RoleName: entity, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesInput) (*iamapi.ListRolePoliciesOutput, error) {
	page, err := s.listInline(ctx, iam.KindRole, in.RoleName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesOutput{PolicyNames: page.Items, IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyInput) (*iamapi.DeleteRolePolicyOutput, error) {
	return &iamapi.DeleteRolePolicyOutput{}, s.deleteInline(ctx, iam.KindRole, in.RoleName, in.PolicyName)
}

// ---- groups ----

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Service) AttachGroupPolicy(ctx context.Context, in *iamapi.AttachGroupPolicyInput) (*iamapi.AttachGroupPolicyOutput, error) {
	return &iamapi.AttachGroupPolicyOutput{}, s.attach(ctx, iam.KindGroup, in.GroupName, in.PolicyArn)
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, in *iamapi.DetachGroupPolicyInput) (*iamapi.DetachGroupPolicyOutput, error) {
	return &iamapi.DetachGroupPolicyOutput{}, s.detach(ctx, iam.KindGroup, in.GroupName, in.PolicyArn)
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *iamapi.ListAttachedGroupPoliciesInput) (*iamapi.ListAttachedGroupPoliciesOutput, error) {
	page, err := s.listAttached(ctx, iam.KindGroup, in.GroupName, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedGroupPoliciesOutput{AttachedPolicies: attachedOut(page.Items), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// PutGroupPolicy creates or replaces an inline policy of a group.
func (s *Service) PutGroupPolicy(ctx context.Context, in *iamapi.PutGroupPolicyInput) (*iamapi.PutGroupPolicyOutput, error) {
	return &iamapi.PutGroupPolicyOutput{}, s.putInline(ctx, iam.KindGroup, in.GroupName, in.PolicyName, in.PolicyDocument)
}

// GetGroupPolicy returns an inline policy of a group, its document URL-encoded.
func (s *Service) GetGroupPolicy(ctx context.Context, in *iamapi.GetGroupPolicyInput) (*iamapi.GetGroupPolicyOutput, error) {
	p, entity, err := s.getInline(ctx, iam.KindGroup, in.GroupName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetGroupPolicyOutput{GroupName: entity, PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.Document)}, nil
}

// ListGroupPolicies lists the names of a group's inline policies.
func (s *Service) ListGroupPolicies(ctx context.Context, in *iamapi.ListGroupPoliciesInput) (*iamapi.ListGroupPoliciesOutput, error) {
	page, err := s.listInline(ctx, iam.KindGroup, in.GroupName, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupPoliciesOutput{PolicyNames: page.Items, IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// DeleteGroupPolicy deletes an inline policy of a group.
func (s *Service) DeleteGroupPolicy(ctx context.Context, in *iamapi.DeleteGroupPolicyInput) (*iamapi.DeleteGroupPolicyOutput, error) {
	return &iamapi.DeleteGroupPolicyOutput{}, s.deleteInline(ctx, iam.KindGroup, in.GroupName, in.PolicyName)
}
