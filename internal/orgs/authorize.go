package orgs

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
)

// names resolves the ids an operation's input names to the ARNs the Service Authorization
// Reference authorizes it on (arn:aws:organizations::MANAGEMENT:account/o-…/ACCOUNT, …/ou/o-…/ou-…,
// …/root/o-…/r-…, …/policy/o-…/TYPE/p-…, arn:aws:organizations::aws:policy/TYPE/p-… for AWS
// managed policies, …/handshake/o-…/invite/h-…), with aws:ResourceTag/… for tagged ones. It reads
// them from the caller's membership, which the authorizer caches for the store generation, so
// that authorizing an Organizations call reads nothing from the store (an invited account's
// handshake calls excepted).
type names struct {
	s      *Service
	r      *authz.Resolver
	m      *authz.Membership
	loaded bool
}

func (n *names) membership() *authz.Membership {
	if !n.loaded {
		n.m, n.loaded = n.r.Organization(), true
	}
	return n.m
}

// of returns the ARN of a root, OU, account or policy id, its aws:ResourceTag keys and, for a
// policy, its type. Outside an organization, and for a policy the organization does not have
// (whose ARN would name its type), the ARN is "": the call is then authorized on "*" and the
// service answers that the organization or the policy does not exist.
func (n *names) of(id string) (arn string, tags []authz.Key, policyType string) {
	m := n.membership()
	if m == nil || id == "" {
		return "", nil, ""
	}
	if res, ok := m.Resources[id]; ok {
		return res.ARN, res.Tags, res.PolicyType
	}
	// Members' memberships carry no resources: they manage none (the service refuses them),
	// but the ARN of an id other than a policy's is told from the id.
	base := "arn:aws:organizations::" + m.Management + ":"
	switch {
	case strings.HasPrefix(id, "p-"):
		return "", nil, ""
	case strings.HasPrefix(id, "ou-"):
		return base + "ou/" + m.OrgID + "/" + id, nil, ""
	case strings.HasPrefix(id, "r-"):
		return base + "root/" + m.OrgID + "/" + id, nil, ""
	}
	return base + "account/" + m.OrgID + "/" + id, nil, ""
}

// on makes id the call's resource, with its tags; keys go with it.
func (n *names) on(id string, keys ...authz.Key) {
	arn, tags, _ := n.of(id)
	n.r.Resource(arn)
	n.keys(keys, tags)
}

// also adds the call's action on the further resource id: each must be allowed.
func (n *names) also(id string, keys ...authz.Key) {
	if arn, tags, _ := n.of(id); arn != "" {
		n.r.Also(arn, append(keys, tags...))
	}
}

// policy makes the policy id the call's resource with organizations:PolicyType (its type) and
// its tags, and returns the key for the call's further resources.
func (n *names) policy(id string) []authz.Key {
	arn, tags, t := n.of(id)
	n.r.Resource(arn)
	var keys []authz.Key
	if t != "" {
		keys = []authz.Key{{Name: "organizations:PolicyType", Values: []string{t}}}
	}
	n.keys(keys, tags)
	return keys
}

func (n *names) keys(lists ...[]authz.Key) {
	for _, l := range lists {
		for _, k := range l {
			n.r.Key(k.Name, k.Values...)
		}
	}
}

// handshake makes the handshake id the call's resource. The management account names it from
// its organization; an invited account, in none yet, from its own record of the invitation.
func (n *names) handshake(id string) {
	if id == "" {
		return
	}
	org, mgmt := "", ""
	if m := n.membership(); m != nil {
		org, mgmt = m.OrgID, m.Management
	} else if n.s != nil {
		ctx := n.r.Context()
		var rec handshakeRec
		err := n.s.cfg.Store.Read(ctx, func(tx store.Tx) error {
			r, err := tx.Record(ctx, n.r.Account(), kindHandshake, id)
			if err != nil {
				return err
			}
			return json.Unmarshal(r.Data, &rec)
		})
		if errors.Is(err, store.ErrNotFound) {
			return
		}
		if err != nil {
			n.r.Fail(err)
			return
		}
		org, mgmt = rec.Organization, rec.Management
	}
	if org != "" {
		n.r.Resource("arn:aws:organizations::" + mgmt + ":handshake/" + org + "/invite/" + id)
	}
}

func policyType(t string) []authz.Key {
	if t == "" {
		return nil
	}
	return []authz.Key{{Name: "organizations:PolicyType", Values: []string{t}}}
}

// requestTags are aws:RequestTag/… and aws:TagKeys for tags given with a call.
func requestTags(tags []Tag) []authz.Key {
	if len(tags) == 0 {
		return nil
	}
	out := make([]authz.Key, 0, len(tags)+1)
	keys := make([]string, len(tags))
	for i, t := range tags {
		out = append(out, authz.Key{Name: "aws:RequestTag/" + t.Key, Values: []string{t.Value}})
		keys[i] = t.Key
	}
	return append(out, authz.Key{Name: "aws:TagKeys", Values: keys})
}

func servicePrincipalKey(sp string) []authz.Key {
	if sp == "" {
		return nil
	}
	return []authz.Key{{Name: "organizations:ServicePrincipal", Values: []string{sp}}}
}

// resources indexes the organization's root, OUs, accounts and policies for authz.Membership.
func (o *org) resources() map[string]authz.OrgResource {
	out := make(map[string]authz.OrgResource, 1+len(o.OUs)+len(o.Accounts)+len(managedPolicies)+len(o.Policies))
	add := func(id, arn, policyType string) {
		var keys []authz.Key
		for _, t := range o.Tags[id] {
			keys = append(keys, authz.Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}})
		}
		out[id] = authz.OrgResource{ARN: arn, Tags: keys, PolicyType: policyType}
	}
	add(o.RootID, o.rootARN(), "")
	for _, u := range o.OUs {
		add(u.ID, o.ouARN(u.ID), "")
	}
	for _, a := range o.Accounts {
		add(a.ID, o.accountARN(a.ID), "")
	}
	for _, p := range o.allPolicies() {
		add(p.ID, o.policyARN(&p), p.Type)
	}
	return out
}
