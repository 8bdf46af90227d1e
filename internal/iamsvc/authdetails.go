package iamsvc

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// GetAccountAuthorizationDetails: every user, group, role and managed policy of the account
// with the policies that apply to it, in one snapshot. The entities form one sequence (users,
// groups, roles, customer managed policies, AWS managed policies in use), each kind ordered by
// name; MaxItems counts entities of any kind and the Marker names the last one returned, so
// paging stays stable while entities are added or removed.

// authEntity is one entity of the sequence.
type authEntity struct {
	kind int    // index into authKinds
	key  string // the lower-cased name: the order within the kind
	v    any    // the entity as listed: iam.User, iam.Group, iam.Role or iam.ManagedPolicy
}

// authKinds are the Filter values in the order of the sequence.
var authKinds = []string{"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"}

const authMarkerPrefix = "iamd-a:"

func authMarker(e authEntity) string {
	return base64.RawURLEncoding.EncodeToString([]byte(authMarkerPrefix + strconv.Itoa(e.kind) + ":" + e.key))
}

// parseAuthMarker returns the position after which the next page starts (kind -1: the start).
func parseAuthMarker(m string) (kind int, key string, err error) {
	if m == "" {
		return -1, "", nil
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(m)
	if err != nil {
		return 0, "", invalidMarker(store.ErrInvalidMarker)
	}
	rest, ok := strings.CutPrefix(string(raw), authMarkerPrefix)
	k, key, ok2 := strings.Cut(rest, ":")
	kind, err = strconv.Atoi(k)
	if !ok || !ok2 || err != nil || kind < 0 || kind >= len(authKinds) || strconv.Itoa(kind) != k {
		return 0, "", invalidMarker(store.ErrInvalidMarker)
	}
	return kind, key, nil
}

// pageAll collects every item of a paged store list.
func pageAll[T any](list func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	var all []T
	opt := store.ListOptions{MaxItems: 1000}
	for {
		page, err := list(opt)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if !page.IsTruncated {
			return all, nil
		}
		opt.Marker = page.Marker
	}
}

// authEntities lists the entities of the selected kinds that follow the marker position
// (afterKind, afterKey), in sequence order. It stops listing kinds once more than limit
// entities are found: the page needs limit of them, and one more to know it is truncated.
func authEntities(ctx context.Context, tx store.Tx, account string, want [5]bool, afterKind int, afterKey string, limit int) ([]authEntity, map[string]policyUse, error) {
	var out []authEntity
	add := func(kind int, v any, name string) {
		e := authEntity{kind: kind, key: strings.ToLower(name), v: v}
		if kind > afterKind || (kind == afterKind && e.key > afterKey) {
			out = append(out, e)
		}
	}
	for k := range want {
		want[k] = want[k] && k >= afterKind
	}
	more := func(kind int) bool { return len(out) <= limit && want[kind] }
	if more(0) {
		users, err := pageAll(func(o store.ListOptions) (store.Page[iam.User], error) { return tx.Users(ctx, account, o) })
		if err != nil {
			return nil, nil, err
		}
		for _, u := range users {
			add(0, u, u.UserName)
		}
	}
	if more(1) {
		groups, err := pageAll(func(o store.ListOptions) (store.Page[iam.Group], error) { return tx.Groups(ctx, account, o) })
		if err != nil {
			return nil, nil, err
		}
		for _, g := range groups {
			add(1, g, g.GroupName)
		}
	}
	if more(2) {
		roles, err := pageAll(func(o store.ListOptions) (store.Page[iam.Role], error) { return tx.Roles(ctx, account, o) })
		if err != nil {
			return nil, nil, err
		}
		for _, r := range roles {
			add(2, r, r.RoleName)
		}
	}
	if more(3) {
		pols, err := pageAll(func(o store.ListOptions) (store.Page[iam.ManagedPolicy], error) {
			return tx.Policies(ctx, account, store.PolicyListOptions{ListOptions: o, Scope: store.ScopeLocal})
		})
		if err != nil {
			return nil, nil, err
		}
		for _, p := range pols {
			add(3, p, p.PolicyName)
		}
	}
	var uses map[string]policyUse
	if more(4) {
		var err error
		if uses, err = awsPolicyUses(ctx, tx, account); err != nil {
			return nil, nil, err
		}
		pols, err := pageAll(func(o store.ListOptions) (store.Page[iam.ManagedPolicy], error) {
			return tx.Policies(ctx, account, store.PolicyListOptions{ListOptions: o, Scope: store.ScopeAWS})
		})
		if err != nil {
			return nil, nil, err
		}
		for _, p := range pols {
			if _, ok := uses[p.Arn]; ok {
				add(4, p, p.PolicyName)
			}
		}
	}
	return out, uses, nil
}

// policyUse is how often a policy is attached, and used as a permissions boundary, in one account.
type policyUse struct{ attached, boundary int }

// awsPolicyUses counts the uses of AWS managed policies within the account; a policy absent
// from the map is not in use. The store's counts span every account of the installation, while
// an account sees only its own uses of the policies all accounts share.
func awsPolicyUses(ctx context.Context, tx store.Tx, account string) (map[string]policyUse, error) {
	uses := map[string]policyUse{}
	awsPrefix := iam.PolicyARN(iam.AWSManagedAccount, "/", "")
	boundary := func(arn string) {
		if strings.HasPrefix(arn, awsPrefix) {
			u := uses[arn]
			u.boundary++
			uses[arn] = u
		}
	}
	users, err := pageAll(func(o store.ListOptions) (store.Page[iam.User], error) { return tx.Users(ctx, account, o) })
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		boundary(u.PermissionsBoundary)
	}
	roles, err := pageAll(func(o store.ListOptions) (store.Page[iam.Role], error) { return tx.Roles(ctx, account, o) })
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		boundary(r.PermissionsBoundary)
	}
	attached, err := pageAll(func(o store.ListOptions) (store.Page[iam.ManagedPolicy], error) {
		return tx.Policies(ctx, account, store.PolicyListOptions{ListOptions: o, Scope: store.ScopeAWS, OnlyAttached: true})
	})
	if err != nil {
		return nil, err
	}
	for _, p := range attached {
		atts, err := tx.PolicyAttachments(ctx, p.Arn)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			var err error
			switch a.Kind {
			case iam.KindUser:
				_, err = tx.UserByID(ctx, account, a.ID)
			case iam.KindRole:
				_, err = tx.RoleByID(ctx, account, a.ID)
			default:
				_, err = tx.GroupByID(ctx, account, a.ID)
			}
			if errors.Is(err, store.ErrNotFound) {
				continue // another account's entity
			}
			if err != nil {
				return nil, err
			}
			u := uses[p.Arn]
			u.attached++
			uses[p.Arn] = u
		}
	}
	return uses, nil
}

// GetAccountAuthorizationDetails lists the selected entities with their inline and attached
// policies, group memberships, instance profiles and policy versions.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, in *iamapi.GetAccountAuthorizationDetailsInput) (*iamapi.GetAccountAuthorizationDetailsOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var want [5]bool
	for _, f := range in.Filter {
		for i, k := range authKinds {
			if f == k {
				want[i] = true
			}
		}
	}
	if len(in.Filter) == 0 {
		want = [5]bool{true, true, true, true, true}
	}
	afterKind, afterKey, err := parseAuthMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	max := maxItems(in.MaxItems)
	if max <= 0 {
		max = store.DefaultMaxItems
	}
	account := c.Account()
	out := &iamapi.GetAccountAuthorizationDetailsOutput{UserDetailList: []iamapi.UserDetail{}, GroupDetailList: []iamapi.GroupDetail{},
		RoleDetailList: []iamapi.RoleDetail{}, Policies: []iamapi.ManagedPolicyDetail{}, IsTruncated: ptr(false)}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		all, uses, err := authEntities(ctx, tx, account, want, afterKind, afterKey, max)
		if err != nil {
			return err
		}
		n := 0
		for i, e := range all {
			if n == max {
				out.IsTruncated, out.Marker = ptr(true), authMarker(all[i-1])
				break
			}
			n++
			if err := s.authDetail(ctx, tx, account, e, uses, out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// authDetail appends the detail of one entity to out.
func (s *Service) authDetail(ctx context.Context, tx store.Tx, account string, e authEntity, uses map[string]policyUse, out *iamapi.GetAccountAuthorizationDetailsOutput) error {
	switch e.kind {
	case 0:
		u := e.v.(iam.User)
		inline, attached, err := principalPolicies(ctx, tx, account, iam.KindUser, u.UserName)
		if err != nil {
			return err
		}
		groups, err := pageAll(func(o store.ListOptions) (store.Page[iam.Group], error) {
			return tx.GroupsForUser(ctx, account, u.UserName, o)
		})
		if err != nil {
			return err
		}
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = g.GroupName
		}
		out.UserDetailList = append(out.UserDetailList, iamapi.UserDetail{Path: u.Path, UserName: u.UserName, UserId: u.UserID, Arn: u.Arn,
			CreateDate: u.CreateDate, UserPolicyList: inline, GroupList: names, AttachedManagedPolicies: attached,
			PermissionsBoundary: boundaryOut(u.PermissionsBoundary), Tags: tagList(u.Tags)})
	case 1:
		g := e.v.(iam.Group)
		inline, attached, err := principalPolicies(ctx, tx, account, iam.KindGroup, g.GroupName)
		if err != nil {
			return err
		}
		out.GroupDetailList = append(out.GroupDetailList, iamapi.GroupDetail{Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupID, Arn: g.Arn,
			CreateDate: g.CreateDate, GroupPolicyList: inline, AttachedManagedPolicies: attached})
	case 2:
		r := e.v.(iam.Role)
		inline, attached, err := principalPolicies(ctx, tx, account, iam.KindRole, r.RoleName)
		if err != nil {
			return err
		}
		profiles, err := pageAll(func(o store.ListOptions) (store.Page[iam.InstanceProfile], error) {
			return tx.InstanceProfilesForRole(ctx, account, r.RoleName, o)
		})
		if err != nil {
			return err
		}
		ips := make([]iamapi.InstanceProfile, len(profiles))
		for i, p := range profiles {
			if err := renderProfileTrust(ctx, tx, &p); err != nil {
				return err
			}
			ips[i] = profileOut(p, false)
		}
		if err := renderTrust(ctx, tx, &r); err != nil {
			return err
		}
		full := roleOut(r, true)
		out.RoleDetailList = append(out.RoleDetailList, iamapi.RoleDetail{Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleID, Arn: r.Arn,
			CreateDate: r.CreateDate, AssumeRolePolicyDocument: full.AssumeRolePolicyDocument, InstanceProfileList: ips,
			RolePolicyList: inline, AttachedManagedPolicies: attached, PermissionsBoundary: full.PermissionsBoundary,
			Tags: tagList(r.Tags), RoleLastUsed: full.RoleLastUsed})
	default:
		p := e.v.(iam.ManagedPolicy)
		versions, err := tx.PolicyVersions(ctx, p.Arn)
		if err != nil {
			return err
		}
		vs := make([]iamapi.PolicyVersion, len(versions))
		for i, v := range versions {
			vs[i] = versionOut(v, true)
		}
		if e.kind == 4 {
			p.AttachmentCount, p.PermissionsBoundaryUsageCount = uses[p.Arn].attached, uses[p.Arn].boundary
		}
		po := policyOut(p)
		out.Policies = append(out.Policies, iamapi.ManagedPolicyDetail{PolicyName: po.PolicyName, PolicyId: po.PolicyId, Arn: po.Arn,
			Path: po.Path, DefaultVersionId: po.DefaultVersionId, AttachmentCount: po.AttachmentCount,
			PermissionsBoundaryUsageCount: po.PermissionsBoundaryUsageCount, IsAttachable: po.IsAttachable, Description: p.Description,
			CreateDate: po.CreateDate, UpdateDate: po.UpdateDate, PolicyVersionList: vs})
	}
	return nil
}

// principalPolicies returns the inline policies (documents encoded as AWS returns them) and the
// attached managed policies of a user, group or role; both lists are empty rather than absent.
func principalPolicies(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, name string) ([]iamapi.PolicyDetail, []iamapi.AttachedPolicy, error) {
	inline, err := tx.InlinePolicies(ctx, account, kind, name)
	if err != nil {
		return nil, nil, err
	}
	details := make([]iamapi.PolicyDetail, len(inline))
	for i, p := range inline {
		details[i] = iamapi.PolicyDetail{PolicyName: p.PolicyName, PolicyDocument: encodeDocument(p.Document)}
	}
	attached, err := pageAll(func(o store.ListOptions) (store.Page[iam.AttachedPolicy], error) {
		return tx.AttachedPolicies(ctx, account, kind, name, o)
	})
	if err != nil {
		return nil, nil, err
	}
	return details, attachedOut(attached), nil
}
