package authz

import (
	"context"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/policy"
)

// Membership is an account's place in an AWS Organizations organization, as authorization
// needs it (package orgs supplies it through Config.Organization).
type Membership struct {
	OrgID      string
	Management string // the management account's id
	// Path is the account's organization path, aws:PrincipalOrgPaths' and aws:ResourceOrgPaths'
	// value: "o-…/r-…/ou-…/…/", down to the OU that holds the account.
	Path string
	// SCPs and RCPs are the policies attached at each level from the root down to the account
	// (root, each OU, the account), nil when the policy type is not enabled in the root.
	SCPs, RCPs [][]OrgPolicy
	// AllFeatures: the organization has all features (not consolidated billing only).
	AllFeatures bool
	// IAM's centralized root access: whether IAM's trusted access is enabled, IAM's delegated
	// administrator account ("" for none), and the features enabled (RootCredentialsManagement,
	// RootSessions).
	IAMTrusted bool
	IAMAdmin   string
	RootAccess []string
	// Resources are the organization's root, OUs, accounts and policies (AWS managed ones
	// included) by id, for the Organizations operations' authorization: set only for the
	// management account and delegated administrators, the accounts that act on them, so that
	// members' memberships stay small.
	Resources map[string]OrgResource
}

// OrgResource is a resource of an organization as authorization names it: its ARN and, for
// each of its tags, the aws:ResourceTag/KEY key.
type OrgResource struct {
	ARN  string
	Tags []Key
	// PolicyType is a policy's type (SERVICE_CONTROL_POLICY, …), organizations:PolicyType's value.
	PolicyType string
}

// OrgPolicy is one service or resource control policy.
type OrgPolicy struct {
	ARN      string // arn:aws:organizations::…:policy/…
	Document string
}

// orgSet is an account's membership with its control policies compiled.
type orgSet struct {
	m                *Membership
	scps, rcps       [][]*policy.Policy
	scpSrcs, rcpSrcs [][]Source
}

// noOrg is the cached answer for an account outside any organization.
var noOrg = &orgSet{}

// organization returns the compiled membership of account, nil outside an organization, cached
// for the store generation as identity sets are.
func (a *Authorizer) organization(ctx context.Context, account string) (*orgSet, error) {
	if a.cfg.Organization == nil || account == "" {
		return nil, nil
	}
	gen, err := a.cfg.Store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	if os, ok := a.orgs.Get(gen, account); ok {
		return os.orNil(), nil
	}
	m, err := a.cfg.Organization(ctx, account)
	if err != nil {
		return nil, err
	}
	os := noOrg
	if m != nil {
		os = &orgSet{m: m}
		os.scps, os.scpSrcs = a.compileChain(m.SCPs, policy.KindSCP, "scp")
		os.rcps, os.rcpSrcs = a.compileChain(m.RCPs, policy.KindRCP, "rcp")
	}
	a.orgs.Put(gen, account, os)
	return os.orNil(), nil
}

func (os *orgSet) orNil() *orgSet {
	if os == noOrg {
		return nil
	}
	return os
}

// compileChain compiles a control-policy chain. A stored document that no longer parses grants
// nothing at its level (it was validated when written), so the level may deny.
func (a *Authorizer) compileChain(levels [][]OrgPolicy, kind policy.Kind, typ string) ([][]*policy.Policy, [][]Source) {
	if levels == nil {
		return nil, nil
	}
	out := make([][]*policy.Policy, len(levels))
	srcs := make([][]Source, len(levels))
	for l, level := range levels {
		out[l] = []*policy.Policy{}
		for _, op := range level {
			p, err := a.docs.get(op.Document, kind)
			if err != nil {
				a.cfg.Logger.Error("stored organization policy does not compile", "policy", op.ARN, "err", err)
				continue
			}
			out[l] = append(out[l], p)
			srcs[l] = append(srcs[l], Source{ID: op.ARN, Type: typ, Doc: op.Document, Account: arnAccount(op.ARN)})
		}
	}
	return out, srcs
}

// rcpServices are the services whose resources resource control policies govern (AWS's list);
// of them iamd serves S3 and STS.
var rcpServices = []string{"s3:", "sts:", "sqs:", "kms:", "secretsmanager:", "dynamodb:", "ecr:", "logs:", "cognito-identity:", "aoss:", "s3tables:"}

// rcpSTSActions are the STS actions RCPs govern: those on a role (its trust), not a caller's
// own token requests (GetFederationToken, GetWebIdentityToken, …).
var rcpSTSActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetContext",
	"sts:SetSourceIdentity", "sts:TagSession"}

func rcpApplies(action string) bool {
	if len(action) > 4 && strings.EqualFold(action[:4], "sts:") {
		for _, a := range rcpSTSActions {
			if strings.EqualFold(action, a) {
				return true
			}
		}
		return false
	}
	for _, s := range rcpServices {
		if len(action) > len(s) && strings.EqualFold(action[:len(s)], s) {
			return true
		}
	}
	return false
}

// serviceLinked reports whether p is a session of a service-linked role, which control
// policies do not restrict (AWS's rule).
func serviceLinked(p *authn.Principal) bool {
	s := p.Session()
	return p.Kind() == authn.AssumedRole && s != nil && iam.IsServiceLinked(s.EntityPath)
}

// orgPolicies fills sets with the SCPs of the caller's account and the RCPs of the resource's
// account (orgChains), and returns both accounts' memberships for the context keys (nil
// outside an organization).
func (a *Authorizer) orgPolicies(ctx context.Context, p *authn.Principal, req *Request, sets *policy.Sets, srcs *Sources) (caller, resource *Membership, err error) {
	if a.cfg.Organization == nil {
		return nil, nil, nil
	}
	callerAcct := p.Account()
	if p.Kind() == authn.Anonymous {
		callerAcct = ""
	}
	resAcct := req.ResourceAccount
	if resAcct == "" {
		resAcct = p.Account()
	}
	return a.orgChains(ctx, callerAcct, resAcct, req.Action, serviceLinked(p), sets, srcs)
}

// orgChains fills sets with the SCPs of callerAcct ("" for a caller of no account: anonymous)
// and the RCPs of resAcct for action, as enforcement and the simulator both apply them. The
// management account is exempt from its own organization's, as are service-linked roles
// (exempt).
func (a *Authorizer) orgChains(ctx context.Context, callerAcct, resAcct, action string, exempt bool, sets *policy.Sets, srcs *Sources) (caller, resource *Membership, err error) {
	var callerOrg, resOrg *orgSet
	if callerOrg, err = a.organization(ctx, callerAcct); err != nil {
		return nil, nil, err
	}
	if callerOrg != nil {
		caller = callerOrg.m
		if !exempt && caller.Management != callerAcct {
			sets.SCPs, srcs.SCPs = callerOrg.scps, callerOrg.scpSrcs
		}
	}
	if resAcct == callerAcct {
		resOrg = callerOrg // looked up once
	} else if resOrg, err = a.organization(ctx, resAcct); err != nil {
		return nil, nil, err
	}
	if resOrg != nil {
		resource = resOrg.m
		if !exempt && resource.Management != resAcct && rcpApplies(action) {
			sets.RCPs, srcs.RCPs = resOrg.rcps, resOrg.rcpSrcs
		}
	}
	return caller, resource, nil
}

// orgKeys sets the organization condition keys of the caller's and the resource's accounts.
func orgKeys(c *policy.Context, caller, resource *Membership) {
	if caller != nil {
		c.Set("aws:PrincipalOrgID", caller.OrgID)
		c.Set("aws:PrincipalOrgPaths", caller.Path)
	}
	if resource != nil {
		c.Set("aws:ResourceOrgID", resource.OrgID)
		c.Set("aws:ResourceOrgPaths", resource.Path)
	}
}

// OrganizationOf returns the membership of account (nil outside an organization), through the
// authorizer's cache: for the services that read an account's organization on the request path.
func (a *Authorizer) OrganizationOf(ctx context.Context, account string) (*Membership, error) {
	os, err := a.organization(ctx, account)
	if os == nil || err != nil {
		return nil, err
	}
	return os.m, nil
}

// RootTask reports whether s is a session of sts:AssumeRoot: a root session in a member account
// limited by its root-task policy, which rides as the session policy (a root session got with
// GetSessionToken never has one).
func RootTask(s *session.Session) bool {
	return s != nil && s.Origin == session.RootSession && s.Policy != ""
}

// Organization is the membership of the caller's account (nil outside an organization), from
// the authorizer's cache: the Organizations operations name their resources' ARNs from it
// without reading the store.
func (r *Resolver) Organization() *Membership {
	if r.err != nil {
		return nil
	}
	m, err := r.a.OrganizationOf(r.ctx, r.account)
	if err != nil {
		r.err = err
	}
	return m
}

// Context is the call's context, for a declaration that must read what no cache holds.
func (r *Resolver) Context() context.Context { return r.ctx }

// Fail stops the resolution with err (a store error of a declaration's own read).
func (r *Resolver) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Also adds the call's action on a further resource with its keys: an Organizations action
// that names several resources (AttachPolicy: the policy and its target) must be allowed on
// each, and a denial names the one denied.
func (r *Resolver) Also(resource string, keys []Key) {
	if resource != "" {
		r.req.Dependent = append(r.req.Dependent, Request{Action: r.req.Action, Resource: resource, Keys: keys})
	}
}
