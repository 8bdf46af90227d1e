package iamsvc

import (
	"context"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// roleOut converts a stored role. ListRoles leaves out the boundary, tags and last use, as AWS
// does; the trust policy is URL-encoded in both.
func roleOut(r iam.Role, full bool) iamapi.Role {
	out := iamapi.Role{Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleID, Arn: r.Arn, CreateDate: r.CreateDate,
		AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: ptr(r.MaxSessionDuration)}
	if full {
		out.PermissionsBoundary = boundaryOut(r.PermissionsBoundary)
		out.Tags = tagsOut(r.Tags)
		// Last use is noted to the instant; AWS reports it in whole seconds (its GetRole example).
		out.RoleLastUsed = &iamapi.RoleLastUsed{LastUsedDate: r.LastUsed.LastUsedDate.Truncate(time.Second), Region: r.LastUsed.Region}
	}
	return out
}

// checkTrustDocument applies the trust-policy size quota and validates it as a trust policy.
func (s *Service) checkTrustDocument(doc string) error {
	if iam.PolicySize(doc) > iam.MaxTrustPolicyChars {
		return quota("ACLSizePerRole", iam.MaxTrustPolicyChars)
	}
	return s.compile(doc, policy.KindTrust)
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleInput) (*iamapi.CreateRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := iam.ValidateTags(tagsIn(in.Tags), iam.FoldTagKeys); err != nil {
		return nil, err
	}
	if err := s.checkTrustDocument(in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	if iam.IsServiceLinked(path) {
		return nil, awserr.InvalidInput("Path prefix '" + iam.ServiceLinkedPathPrefix + "' can only be used for AWS Service linked Roles")
	}
	maxSession := int32(iam.DefaultMaxSessionDuration)
	if in.MaxSessionDuration != nil {
		// The decoder has checked the model's 3600..43200 range.
		maxSession = *in.MaxSessionDuration
	}
	account := c.Account()
	var r iam.Role
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != "" {
			if err := checkBoundary(ctx, tx, account, iam.KindRole, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		n, err := tx.CountRoles(ctx, account)
		if err != nil {
			return err
		}
		if n >= iam.MaxRolesPerAccount {
			return quota("RolesPerAccount", iam.MaxRolesPerAccount)
		}
		bound, err := principals.Bind(ctx, tx, in.AssumeRolePolicyDocument)
		if err != nil {
			return err
		}
		r = iam.Role{Account: account, RoleID: iam.NewID(iam.PrefixRole), RoleName: in.RoleName, Path: path,
			Arn: iam.RoleARN(account, path, in.RoleName), CreateDate: s.now(),
			AssumeRolePolicyDocument: in.AssumeRolePolicyDocument, TrustPrincipals: bound, Description: in.Description,
			MaxSessionDuration: maxSession, PermissionsBoundary: in.PermissionsBoundary, Tags: tagsIn(in.Tags)}
		return exists(tx.CreateRole(ctx, r), "Role with name "+in.RoleName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	out := roleOut(r, true)
	// AWS's answer is the role as created, without its session duration, description or last
	// use (the CLI reference's create-role examples, one with --max-session-duration).
	out.MaxSessionDuration, out.Description, out.RoleLastUsed = nil, "", nil
	return &iamapi.CreateRoleOutput{Role: &out}, nil
}

// GetRole returns a role with its trust policy and last use.
func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleInput) (*iamapi.GetRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var r iam.Role
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if r, err = getRole(ctx, tx, c.Account(), in.RoleName); err != nil {
			return err
		}
		return renderTrust(ctx, tx, &r)
	})
	if err != nil {
		return nil, err
	}
	out := roleOut(r, true)
	return &iamapi.GetRoleOutput{Role: &out}, nil
}

// ListRoles lists the account's roles by name, filtered by path prefix.
func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesInput) (*iamapi.ListRolesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.Role]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		page, err = tx.Roles(ctx, c.Account(), store.ListOptions{PathPrefix: in.PathPrefix, Marker: in.Marker, MaxItems: maxItems(in.MaxItems)})
		if err != nil {
			return invalidMarker(err)
		}
		for i := range page.Items {
			if err := renderTrust(ctx, tx, &page.Items[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListRolesOutput{Roles: make([]iamapi.Role, len(page.Items)), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}
	for i, r := range page.Items {
		out.Roles[i] = roleOut(r, false)
	}
	return out, nil
}

// updateRole reads a role, applies change and stores it, in one transaction.
func (s *Service) updateRole(ctx context.Context, name string, change func(tx store.Tx, r *iam.Role) error) (iam.Role, error) {
	var r iam.Role
	c, err := s.caller(ctx)
	if err != nil {
		return r, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		if r, err = getRole(ctx, tx, c.Account(), name); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		if err := tx.UpdateRole(ctx, r); err != nil {
			return err
		}
		// The role goes back to the caller as IAM shows it.
		return renderTrust(ctx, tx, &r)
	})
	return r, err
}

// renderTrust replaces r's trust policy with the policy as IAM shows it now: principals named
// in it that were deleted since appear as their unique ids (internal/principals).
func renderTrust(ctx context.Context, tx store.Tx, r *iam.Role) error {
	doc, err := principals.TrustPolicy(ctx, tx, *r)
	r.AssumeRolePolicyDocument = doc
	return err
}

// UpdateRole changes a role's description and maximum session duration. Of a service-linked
// role only the description may change: AWS's guide lets "update-role --description" edit any
// role's, while the session duration is the service's to set.
func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleInput) (*iamapi.UpdateRoleOutput, error) {
	_, err := s.updateRole(ctx, in.RoleName, func(_ store.Tx, r *iam.Role) error {
		if in.MaxSessionDuration != nil && iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName)
		}
		if in.Description != "" {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleOutput{}, nil
}

// UpdateRoleDescription changes a role's description and returns the role; service-linked
// roles included, as AWS's guide says of every role's description.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionInput) (*iamapi.UpdateRoleDescriptionOutput, error) {
	r, err := s.updateRole(ctx, in.RoleName, func(_ store.Tx, r *iam.Role) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := roleOut(r, true)
	// AWS echoes the new description but not the session duration, nor a last use the role
	// never had (the CLI reference's update-role-description example).
	out.MaxSessionDuration = nil
	if r.LastUsed.LastUsedDate.IsZero() {
		out.RoleLastUsed = nil
	}
	return &iamapi.UpdateRoleDescriptionOutput{Role: &out}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyInput) (*iamapi.UpdateAssumeRolePolicyOutput, error) {
	if err := s.checkTrustDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	_, err := s.updateRole(ctx, in.RoleName, func(tx store.Tx, r *iam.Role) error {
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName) // its trust names the service; only AWS may change it
		}
		bound, err := principals.Bind(ctx, tx, in.PolicyDocument)
		if err != nil {
			return err
		}
		r.AssumeRolePolicyDocument, r.TrustPrincipals = in.PolicyDocument, bound
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAssumeRolePolicyOutput{}, nil
}

// DeleteRole deletes a role without policies or instance profiles.
func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleInput) (*iamapi.DeleteRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, account, in.RoleName)
		if err != nil {
			return err
		}
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName) // DeleteServiceLinkedRole deletes these
		}
		profiles, err := tx.InstanceProfilesForRole(ctx, account, in.RoleName, store.ListOptions{MaxItems: 1})
		if err != nil || len(profiles.Items) > 0 {
			return firstErr(err, deleteConflict("remove roles from instance profile"))
		}
		inline, err := tx.InlinePolicies(ctx, account, iam.KindRole, in.RoleName)
		if err != nil || len(inline) > 0 {
			return firstErr(err, deleteConflict("delete policies"))
		}
		if n, err := tx.CountAttachedPolicies(ctx, account, iam.KindRole, in.RoleName); err != nil || n > 0 {
			return firstErr(err, deleteConflict("detach all policies"))
		}
		return notFound(tx.DeleteRole(ctx, account, in.RoleName), noSuchRole(in.RoleName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteRoleOutput{}, nil
}

// roleTags reaches roles for the tag operations; service-linked roles are tagged like any other.
var roleTags = tagged[iam.Role]{
	load: getRole,
	save: func(ctx context.Context, tx store.Tx, _ string, r iam.Role) error { return tx.UpdateRole(ctx, r) },
	tags: func(r *iam.Role) *[]iam.Tag { return &r.Tags },
	keys: iam.FoldTagKeys,
}

// TagRole adds or replaces tags of a role.
func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleInput) (*iamapi.TagRoleOutput, error) {
	if err := roleTags.tag(ctx, s, in.RoleName, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagRoleOutput{}, nil
}

// UntagRole removes tags of a role.
func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleInput) (*iamapi.UntagRoleOutput, error) {
	if err := roleTags.untag(ctx, s, in.RoleName, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagRoleOutput{}, nil
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsInput) (*iamapi.ListRoleTagsOutput, error) {
	p, err := roleTags.list(ctx, s, in.RoleName, in.Marker, in.MaxItems)
	return (*iamapi.ListRoleTagsOutput)(p), err
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryInput) (*iamapi.PutRolePermissionsBoundaryOutput, error) {
	_, err := s.updateRole(ctx, in.RoleName, func(tx store.Tx, r *iam.Role) error {
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName) // its permissions are its service's to set
		}
		if err := checkBoundary(ctx, tx, r.Account, iam.KindRole, in.PermissionsBoundary); err != nil {
			return err
		}
		r.PermissionsBoundary = in.PermissionsBoundary
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.PutRolePermissionsBoundaryOutput{}, nil
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryInput) (*iamapi.DeleteRolePermissionsBoundaryOutput, error) {
	_, err := s.updateRole(ctx, in.RoleName, func(_ store.Tx, r *iam.Role) error {
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName)
		}
		r.PermissionsBoundary = ""
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteRolePermissionsBoundaryOutput{}, nil
}
