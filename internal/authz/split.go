package authz

import (
	"context"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/policy"
)

// Split is a request's decision as a party that evaluates the resource's policy itself needs it
// (a versitygw gateway, which holds its buckets' policies: internal/vgw): the identity side
// (identity policies within the permissions boundary) and, apart, the session policies, which
// also filter what the resource's policy grants. Each is ImplicitDeny, Allowed or ExplicitDeny.
type Split struct {
	Identity policy.Decision
	// Session is the session policies' decision alone; meaningful when HasSession.
	Session    policy.Decision
	HasSession bool
}

// EvaluateSplit decides req for p with no resource policy (req.ResourcePolicy is ignored), its
// identity side and its session policies apart (Split). The condition keys are iamd's, as for
// Authorize, overlaid with req.Keys and req.LazyKeys. An identity policy that allows within a
// boundary that does not is ImplicitDeny, so that a resource policy naming the caller itself may
// still grant. The organization's control policies bind as they bind Authorize's requests: an
// SCP of the caller's account or an RCP of the resource's that refuses (explicitly, or by a
// level without an Allow) makes the identity side ExplicitDeny, which no resource policy
// overrides. Observe is told of the request as Authorize tells it.
func (a *Authorizer) EvaluateSplit(ctx context.Context, p *authn.Principal, meta Origin, req Request) (Split, error) {
	if a.cfg.Observe != nil {
		a.cfg.Observe(ctx, p, req.Action)
	}
	var ident policy.Sets
	var tags []iam.Tag
	s := p.Session()
	switch p.Kind() {
	case authn.User, authn.UserSession, authn.FederatedUser, authn.AssumedRole:
		kind := iam.KindUser
		if p.Kind() == authn.AssumedRole {
			kind = iam.KindRole
		}
		if p.EntityID() != "" {
			is, err := a.identity(ctx, p.Account(), kind, p.EntityID())
			if err != nil {
				return Split{}, err
			}
			ident.Identity, ident.Boundary, tags = is.identity, is.boundary, is.tags
		}
	}
	var sess []*policy.Policy
	if s != nil && (s.Origin == session.AssumedRole || s.Origin == session.FederatedUser) {
		sp, _, err := a.sessionPolicies(ctx, s)
		if err != nil {
			return Split{}, err
		}
		sess = sp
	}
	var srcs Sources
	orgCaller, orgResource, err := a.orgPolicies(ctx, p, &req, &ident, &srcs)
	if err != nil {
		return Split{}, err
	}
	r := &policy.Request{
		Action:          req.Action,
		Resource:        req.Resource,
		ResourceAccount: req.ResourceAccount,
		Principal:       policy.Principal{ARN: p.ARN(), Account: p.Account()},
	}
	if p.Kind() == authn.AssumedRole {
		r.Principal.RoleARN = iam.RoleARN(p.Account(), s.EntityPath, s.EntityName)
	}
	keys, lazy := req.Keys, req.LazyKeys
	r.Context.Defer(func(c *policy.Context) {
		c.Grow(24 + len(tags) + len(keys))
		a.context(c, p, meta, tags)
		orgKeys(c, orgCaller, orgResource)
		for _, k := range keys {
			c.Set(k.Name, k.Values...)
		}
		if lazy != nil {
			for _, k := range lazy() {
				c.Set(k.Name, k.Values...)
			}
		}
		r.SetPrincipalKeys()
	})
	var out Split
	var res policy.Result
	policy.EvaluateInto(&res, &ident, r)
	out.Identity = res.Decision
	if pl := res.By.Place; res.Decision != policy.Allowed && (pl == policy.PlaceSCP || pl == policy.PlaceRCP) {
		out.Identity = policy.ExplicitDeny
	}
	if len(sess) > 0 {
		// The session policies alone, in the place of identity policies: Allowed when one of
		// them allows and none denies.
		policy.EvaluateInto(&res, &policy.Sets{Identity: sess}, r)
		out.Session, out.HasSession = res.Decision, true
	}
	return out, nil
}
