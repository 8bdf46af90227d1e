package iamsvc

import (
	"context"
	"strings"

	"github.com/iamd/iamd/arn"
	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// ListPoliciesGrantingServiceAccess and the access advisor both ask which policies of an
// identity grant which services; the identity's policies are gathered here in one read.

// grantingPolicy is one permissions policy that applies to an identity.
type grantingPolicy struct {
	out    iamapi.PolicyGrantingServiceAccess
	access iam.ServiceAccess
}

// identityRef is a user, group or role named by its ARN.
type identityRef struct {
	kind iam.EntityKind
	name string
	arn  string
	id   string
	path string
}

// entityTypeOf is the policyOwnerEntityType of a kind.
func entityTypeOf(k iam.EntityKind) string { return strings.ToUpper(string(k)) }

// resolveIdentity reads the user, group or role an ARN of the account names.
func resolveIdentity(ctx context.Context, tx store.Tx, account, s string) (identityRef, error) {
	owner, typ, name, ok := parseIdentityARN(s)
	if !ok {
		return identityRef{}, awserr.InvalidInput("ARN " + s + " is not valid.")
	}
	missing := awserr.NoSuchEntity("The entity with ARN " + s + " cannot be found.")
	if owner != account {
		return identityRef{}, missing
	}
	ref := identityRef{name: name, arn: s}
	switch typ {
	case "user":
		u, err := tx.User(ctx, account, name)
		if err != nil {
			return ref, notFound(err, missing)
		}
		ref.kind, ref.arn, ref.id, ref.path, ref.name = iam.KindUser, u.Arn, u.UserID, u.Path, u.UserName
	case "group":
		g, err := tx.Group(ctx, account, name)
		if err != nil {
			return ref, notFound(err, missing)
		}
		ref.kind, ref.arn, ref.id, ref.path, ref.name = iam.KindGroup, g.Arn, g.GroupID, g.Path, g.GroupName
	case "role":
		r, err := tx.Role(ctx, account, name)
		if err != nil {
			return ref, notFound(err, missing)
		}
		ref.kind, ref.arn, ref.id, ref.path, ref.name = iam.KindRole, r.Arn, r.RoleID, r.Path, r.RoleName
	}
	if ref.arn != s { // same name under another path
		return identityRef{}, missing
	}
	return ref, nil
}

// parseIdentityARN splits an IAM user, group or role ARN into its account, type and name.
func parseIdentityARN(s string) (account, typ, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" {
		return "", "", "", false
	}
	typ, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || typ != "user" && typ != "group" && typ != "role" {
		return "", "", "", false
	}
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	if name == "" {
		return "", "", "", false
	}
	return a.Account, typ, name, true
}

// identityPolicies gathers the policies that grant an identity permissions: its inline and
// attached managed policies and, for a user, those of its groups.
func identityPolicies(ctx context.Context, tx store.Tx, account string, ref identityRef) ([]grantingPolicy, error) {
	var out []grantingPolicy
	add := func(kind iam.EntityKind, name string) error {
		inline, err := tx.InlinePolicies(ctx, account, kind, name)
		if err != nil {
			return err
		}
		for _, p := range inline {
			acc, err := iam.ParseServiceAccess(p.Document)
			if err != nil {
				continue // stored documents were validated; an unreadable one grants nothing here
			}
			out = append(out, grantingPolicy{access: acc, out: iamapi.PolicyGrantingServiceAccess{PolicyName: p.PolicyName,
				PolicyType: "INLINE", EntityType: entityTypeOf(kind), EntityName: name}})
		}
		marker := ""
		for {
			page, err := tx.AttachedPolicies(ctx, account, kind, name, store.ListOptions{Marker: marker, MaxItems: 1000})
			if err != nil {
				return err
			}
			for _, a := range page.Items {
				p, err := tx.Policy(ctx, a.PolicyArn)
				if err != nil {
					return err
				}
				v, err := tx.PolicyVersion(ctx, a.PolicyArn, p.DefaultVersionID)
				if err != nil {
					return err
				}
				acc, err := iam.ParseServiceAccess(v.Document)
				if err != nil {
					continue
				}
				out = append(out, grantingPolicy{access: acc, out: iamapi.PolicyGrantingServiceAccess{PolicyName: a.PolicyName,
					PolicyType: "MANAGED", PolicyArn: a.PolicyArn}})
			}
			if !page.IsTruncated {
				return nil
			}
			marker = page.Marker
		}
	}
	if err := add(ref.kind, ref.name); err != nil {
		return nil, err
	}
	if ref.kind != iam.KindUser {
		return out, nil
	}
	marker := ""
	for {
		groups, err := tx.GroupsForUser(ctx, account, ref.name, store.ListOptions{Marker: marker, MaxItems: 1000})
		if err != nil {
			return nil, err
		}
		for _, g := range groups.Items {
			if err := add(iam.KindGroup, g.GroupName); err != nil {
				return nil, err
			}
		}
		if !groups.IsTruncated {
			return out, nil
		}
		marker = groups.Marker
	}
}

// ListPoliciesGrantingServiceAccess lists, per requested service namespace, the policies of a
// user, group or role that allow some action of that service.
func (s *Service) ListPoliciesGrantingServiceAccess(ctx context.Context, in *iamapi.ListPoliciesGrantingServiceAccessInput) (*iamapi.ListPoliciesGrantingServiceAccessOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	var policies []grantingPolicy
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		ref, err := resolveIdentity(ctx, tx, account, in.Arn)
		if err != nil {
			return err
		}
		policies, err = identityPolicies(ctx, tx, account, ref)
		return err
	})
	if err != nil {
		return nil, err
	}
	entries := make([]iamapi.ListPoliciesGrantingServiceAccessEntry, 0, len(in.ServiceNamespaces))
	for _, ns := range in.ServiceNamespaces {
		e := iamapi.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: ns, Policies: []iamapi.PolicyGrantingServiceAccess{}}
		for _, p := range policies {
			if p.access.Grants(ns) {
				e.Policies = append(e.Policies, p.out)
			}
		}
		entries = append(entries, e)
	}
	// The request names at most 200 namespaces (the model's limit), so one page holds the answer;
	// a Marker is still checked so that a forged one is refused.
	page, truncated, next, err := pageSlice(entries, in.Marker, len(entries))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPoliciesGrantingServiceAccessOutput{PoliciesGrantingServiceAccess: page, IsTruncated: ptr(truncated), Marker: next}, nil
}
