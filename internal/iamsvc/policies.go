package iamsvc

import (
	"context"
	"errors"
	"fmt"
	"slices"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// policyOut converts a stored managed policy as CreatePolicy and ListPolicies show it: without
// its description, which only GetPolicy returns (the CLI reference's create-policy example of a
// policy made with --description leaves it out), and without tags.
func policyOut(p iam.ManagedPolicy) iamapi.Policy {
	return iamapi.Policy{PolicyName: p.PolicyName, PolicyId: p.PolicyID, Arn: p.Arn, Path: p.Path,
		DefaultVersionId: p.DefaultVersionID, AttachmentCount: ptr(int32(p.AttachmentCount)),
		PermissionsBoundaryUsageCount: ptr(int32(p.PermissionsBoundaryUsageCount)), IsAttachable: ptr(p.IsAttachable),
		CreateDate: p.CreateDate, UpdateDate: p.UpdateDate}
}

func versionOut(v iam.PolicyVersion, withDoc bool) iamapi.PolicyVersion {
	out := iamapi.PolicyVersion{VersionId: v.VersionID, IsDefaultVersion: ptr(v.IsDefaultVersion), CreateDate: v.CreateDate}
	if withDoc {
		out.Document = encodeDocument(v.Document)
	}
	return out
}

// checkManagedDocument applies the managed-policy size quota and validates the document as a
// managed policy (which, unlike an inline one, must be Version 2012-10-17).
func (s *Service) checkManagedDocument(doc string) error {
	if iam.PolicySize(doc) > iam.MaxManagedPolicyChars {
		return quota("PolicySize", iam.MaxManagedPolicyChars)
	}
	return s.compile(doc, policy.KindManaged)
}

// ownPolicy reads a customer managed policy of account for a change: AWS managed policies
// cannot be changed by accounts.
func ownPolicy(ctx context.Context, tx store.Tx, account, arn string) (iam.ManagedPolicy, error) {
	p, err := visiblePolicy(ctx, tx, account, arn, noSuchPolicy(arn))
	if err != nil {
		return p, err
	}
	if p.Account != account {
		return p, awserr.AccessDenied("You cannot modify an AWS managed policy.")
	}
	return p, nil
}

// CreatePolicy creates a customer managed policy with its document as version v1.
func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyInput) (*iamapi.CreatePolicyOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := iam.ValidateTags(tagsIn(in.Tags), iam.ExactTagKeys); err != nil {
		return nil, err
	}
	if err := s.checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	account := c.Account()
	var p iam.ManagedPolicy
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountPolicies(ctx, account)
		if err != nil {
			return err
		}
		if n >= iam.MaxCustomerPoliciesPerAccount {
			return quota("PoliciesPerAccount", iam.MaxCustomerPoliciesPerAccount)
		}
		now := s.now()
		p = iam.ManagedPolicy{Account: account, PolicyID: iam.NewID(iam.PrefixPolicy), PolicyName: in.PolicyName,
			Path: path, Arn: iam.PolicyARN(account, path, in.PolicyName), DefaultVersionID: "v1", IsAttachable: true,
			Description: in.Description, CreateDate: now, UpdateDate: now, Tags: tagsIn(in.Tags)}
		return exists(tx.CreatePolicy(ctx, p, in.PolicyDocument),
			"A policy called "+in.PolicyName+" already exists. Duplicate names are not allowed.")
	})
	if err != nil {
		return nil, err
	}
	out := policyOut(p)
	out.Tags = tagsOut(p.Tags)
	return &iamapi.CreatePolicyOutput{Policy: &out}, nil
}

// GetPolicy returns a managed policy (without its document).
func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyInput) (*iamapi.GetPolicyOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var p iam.ManagedPolicy
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		p, err = visiblePolicy(ctx, tx, c.Account(), in.PolicyArn, noSuchPolicy(in.PolicyArn))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := policyOut(p)
	out.Description, out.Tags = p.Description, tagList(p.Tags)
	return &iamapi.GetPolicyOutput{Policy: &out}, nil
}

func noSuchVersion(arn, version string) error {
	return awserr.NoSuchEntity("Policy " + arn + " version " + version + " does not exist or is not attachable.")
}

// GetPolicyVersion returns one version with its document, URL-encoded as AWS sends it.
func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionInput) (*iamapi.GetPolicyVersionOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var v iam.PolicyVersion
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		p, err := visiblePolicy(ctx, tx, c.Account(), in.PolicyArn, noSuchPolicy(in.PolicyArn))
		if err != nil {
			return err
		}
		v, err = tx.PolicyVersion(ctx, in.PolicyArn, in.VersionId)
		if errors.Is(err, store.ErrNotFound) && p.Account == iam.AWSManagedAccount {
			// The store holds an AWS managed policy's default version; its earlier ones are read
			// from the embedded catalogue.
			if old, ok := iam.AWSManagedPolicyVersion(p.Arn, in.VersionId); ok {
				old.IsDefaultVersion = old.VersionID == p.DefaultVersionID
				v, err = old, nil
			}
		}
		return notFound(err, noSuchVersion(in.PolicyArn, in.VersionId))
	})
	if err != nil {
		return nil, err
	}
	out := versionOut(v, true)
	return &iamapi.GetPolicyVersionOutput{PolicyVersion: &out}, nil
}

// ListPolicies lists managed policies by scope, attachment and path prefix.
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesInput) (*iamapi.ListPoliciesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	// OnlyAttached counts both uses of a policy — attached as a permissions policy or set as a
	// permissions boundary, by this account — and PolicyUsageFilter narrows it to one; both are
	// applied here. Most of the 1,600 AWS managed policies are unused, so store pages are read
	// until the page is full: each read asks for no more than the page still lacks, so the
	// store's marker always names the last item returned. A page may still hold fewer than
	// MaxItems while more follow (AWS's paging allows it) after onlyAttachedReads reads.
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	limit := maxItems(in.MaxItems)
	if limit == 0 {
		limit = store.DefaultMaxItems
	}
	opt := store.PolicyListOptions{
		ListOptions: store.ListOptions{PathPrefix: in.PathPrefix, Marker: in.Marker, MaxItems: limit},
		Scope:       store.PolicyScope(in.Scope),
	}
	out := &iamapi.ListPoliciesOutput{}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		out.Policies, out.IsTruncated, out.Marker = nil, nil, ""
		opt := opt
		for reads := 1; ; reads++ {
			page, err := tx.Policies(ctx, c.Account(), opt)
			if err != nil {
				return invalidMarker(err)
			}
			for _, p := range page.Items {
				if !onlyAttached || inUse(p, in.PolicyUsageFilter) {
					out.Policies = append(out.Policies, policyOut(p))
				}
			}
			out.IsTruncated, out.Marker = ptr(page.IsTruncated), page.Marker
			if !onlyAttached || !page.IsTruncated || len(out.Policies) == limit || reads == onlyAttachedReads {
				return nil
			}
			opt.Marker, opt.MaxItems = page.Marker, limit-len(out.Policies)
		}
	})
	if err != nil {
		return nil, err
	}
	if out.Policies == nil {
		out.Policies = []iamapi.Policy{}
	}
	return out, nil
}

// onlyAttachedReads bounds the store reads of one ListPolicies with OnlyAttached: enough for the
// whole AWS catalogue at the default page size, so a client usually needs one call, and few
// enough that a tiny MaxItems cannot make one call read policy by policy for long.
const onlyAttachedReads = 32

// inUse reports whether a policy is used as filter says: "PermissionsPolicy" (attached),
// "PermissionsBoundary" (a boundary), or "" (either).
func inUse(p iam.ManagedPolicy, filter string) bool {
	switch filter {
	case "PermissionsPolicy":
		return p.AttachmentCount > 0
	case "PermissionsBoundary":
		return p.PermissionsBoundaryUsageCount > 0
	}
	return p.AttachmentCount > 0 || p.PermissionsBoundaryUsageCount > 0
}

// DeletePolicy deletes a customer managed policy that is attached nowhere, is no boundary and
// has no version but its default one.
func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyInput) (*iamapi.DeletePolicyOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := ownPolicy(ctx, tx, c.Account(), in.PolicyArn)
		if err != nil {
			return err
		}
		if p.AttachmentCount > 0 || p.PermissionsBoundaryUsageCount > 0 {
			return awserr.DeleteConflict("Cannot delete a policy attached to entities.")
		}
		versions, err := tx.PolicyVersions(ctx, in.PolicyArn)
		if err != nil {
			return err
		}
		if len(versions) > 1 {
			return awserr.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return notFound(tx.DeletePolicy(ctx, in.PolicyArn), noSuchPolicy(in.PolicyArn))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyOutput{}, nil
}

// CreatePolicyVersion adds a version (at most five are kept), optionally as the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionInput) (*iamapi.CreatePolicyVersionOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	var v iam.PolicyVersion
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := ownPolicy(ctx, tx, c.Account(), in.PolicyArn); err != nil {
			return err
		}
		versions, err := tx.PolicyVersions(ctx, in.PolicyArn)
		if err != nil {
			return err
		}
		if len(versions) >= iam.MaxPolicyVersions {
			return awserr.LimitExceeded(fmt.Sprintf("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", iam.MaxPolicyVersions))
		}
		v, err = tx.CreatePolicyVersion(ctx, in.PolicyArn, in.PolicyDocument, setDefault, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	out := versionOut(v, false)
	return &iamapi.CreatePolicyVersionOutput{PolicyVersion: &out}, nil
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionInput) (*iamapi.DeletePolicyVersionOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := ownPolicy(ctx, tx, c.Account(), in.PolicyArn)
		if err != nil {
			return err
		}
		if _, err := tx.PolicyVersion(ctx, in.PolicyArn, in.VersionId); err != nil {
			return notFound(err, noSuchVersion(in.PolicyArn, in.VersionId))
		}
		if p.DefaultVersionID == in.VersionId {
			return awserr.DeleteConflict("Cannot delete the default version of a policy.")
		}
		err = tx.DeletePolicyVersion(ctx, in.PolicyArn, in.VersionId)
		if errors.Is(err, store.ErrConflict) {
			return awserr.DeleteConflict("Cannot delete the default version of a policy.")
		}
		return notFound(err, noSuchVersion(in.PolicyArn, in.VersionId))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeletePolicyVersionOutput{}, nil
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionInput) (*iamapi.SetDefaultPolicyVersionOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := ownPolicy(ctx, tx, c.Account(), in.PolicyArn); err != nil {
			return err
		}
		return notFound(tx.SetDefaultPolicyVersion(ctx, in.PolicyArn, in.VersionId), noSuchVersion(in.PolicyArn, in.VersionId))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.SetDefaultPolicyVersionOutput{}, nil
}

// ListPolicyVersions lists a policy's versions, without documents.
func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsInput) (*iamapi.ListPolicyVersionsOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var versions []iam.PolicyVersion
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		p, err := visiblePolicy(ctx, tx, c.Account(), in.PolicyArn, noSuchPolicy(in.PolicyArn))
		if err != nil {
			return err
		}
		if versions, err = tx.PolicyVersions(ctx, in.PolicyArn); err != nil {
			return err
		}
		if p.Account == iam.AWSManagedAccount {
			versions = withAWSHistory(p, versions)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, trunc, next, err := pageSlice(versions, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListPolicyVersionsOutput{Versions: make([]iamapi.PolicyVersion, len(page)), IsTruncated: ptr(trunc), Marker: next}
	for i, v := range page {
		out.Versions[i] = versionOut(v, false)
	}
	return out, nil
}

// withAWSHistory adds to the stored versions of an AWS managed policy (its default) the earlier
// versions the embedded catalogue records, newest first as AWS lists them. The stored ones win: a
// policy in use keeps a newer stored version when iamd is downgraded (replaceOlder), and the
// catalogue's default is then listed as an earlier version.
func withAWSHistory(p iam.ManagedPolicy, stored []iam.PolicyVersion) []iam.PolicyVersion {
	shipped, ok := iam.AWSManagedPolicyVersions(p.Arn)
	if !ok {
		return stored
	}
	out := slices.Clone(stored)
	for _, v := range shipped {
		if !slices.ContainsFunc(stored, func(s iam.PolicyVersion) bool { return s.VersionID == v.VersionID }) {
			out = append(out, v)
		}
	}
	for i := range out {
		out[i].IsDefaultVersion = out[i].VersionID == p.DefaultVersionID
	}
	slices.SortStableFunc(out, func(a, b iam.PolicyVersion) int {
		x, _ := versionNumber(a.VersionID)
		y, _ := versionNumber(b.VersionID)
		return y - x
	})
	return out
}

// policyTags reaches managed policies for the tag operations: only the account's own can be
// tagged or untagged (AccessDenied for an AWS managed one), while any visible one can be listed.
var policyTags = tagged[iam.ManagedPolicy]{
	load: ownPolicy,
	view: func(ctx context.Context, tx store.Tx, account, arn string) (iam.ManagedPolicy, error) {
		return visiblePolicy(ctx, tx, account, arn, noSuchPolicy(arn))
	},
	save: func(ctx context.Context, tx store.Tx, _ string, p iam.ManagedPolicy) error {
		return tx.UpdatePolicy(ctx, p)
	},
	tags: func(p *iam.ManagedPolicy) *[]iam.Tag { return &p.Tags },
	keys: iam.ExactTagKeys,
}

// TagPolicy adds or replaces tags of a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, in *iamapi.TagPolicyInput) (*iamapi.TagPolicyOutput, error) {
	if err := policyTags.tag(ctx, s, in.PolicyArn, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagPolicyOutput{}, nil
}

// UntagPolicy removes tags of a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, in *iamapi.UntagPolicyInput) (*iamapi.UntagPolicyOutput, error) {
	if err := policyTags.untag(ctx, s, in.PolicyArn, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagPolicyOutput{}, nil
}

// ListPolicyTags lists a managed policy's tags.
func (s *Service) ListPolicyTags(ctx context.Context, in *iamapi.ListPolicyTagsInput) (*iamapi.ListPolicyTagsOutput, error) {
	p, err := policyTags.list(ctx, s, in.PolicyArn, in.Marker, in.MaxItems)
	return (*iamapi.ListPolicyTagsOutput)(p), err
}
