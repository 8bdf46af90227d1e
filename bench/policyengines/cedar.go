package policyengines

import (
	"fmt"
	"net/netip"

	"github.com/cedar-policy/cedar-go"
	"github.com/iamd/iamd/policy"
)

// CedarPolicies is Identity in Cedar. Each IAM statement becomes one permit or forbid scoped to
// the user the policy is attached to. Cedar's `like` matches only strings, and an entity's id is
// not readable as a string, so the action and the resource carry their names as attributes
// (`name`, `arn`) and the IAM wildcards become `like` patterns (IAM's `*` is Cedar's `*`; the
// policy uses no `?`). aws:SourceIp and s3:prefix are context attributes, tested only when
// present (`has`), as IAM's condition operators return false for an absent key.
const CedarPolicies = `
@id("ReadBuckets")
permit (principal == User::"alice", action, resource)
when {
  (action.name like "s3:Get*" || action.name like "s3:List*") &&
  (resource.arn like "arn:aws:s3:::data-*" || resource.arn like "arn:aws:s3:::data-*/*")
};

@id("WriteFromOffice")
permit (principal == User::"alice", action, resource)
when {
  action.name like "s3:PutObject" &&
  resource.arn like "arn:aws:s3:::data-*/uploads/*" &&
  context has sourceIp &&
  (context.sourceIp.isInRange(ip("10.0.0.0/8")) || context.sourceIp.isInRange(ip("192.0.2.0/24")))
};

@id("OwnPrefix")
permit (principal == User::"alice", action, resource)
when {
  action.name like "s3:DeleteObject" &&
  resource.arn like "arn:aws:s3:::data-*/*" &&
  context has prefix &&
  (context.prefix like "home/alice/*" || context.prefix like "shared/*")
};

@id("NoSecrets")
forbid (principal == User::"alice", action, resource)
when {
  action.name like "s3:*" &&
  resource.arn like "arn:aws:s3:::data-*/secret/*"
};

@id("Describe")
permit (principal == User::"alice", action, resource)
when {
  (action.name like "ec2:Describe*" || action.name like "cloudwatch:Get*") &&
  resource.arn like "*"
};
`

// Cedar is cedar-go with CedarPolicies parsed once.
type Cedar struct {
	ps *cedar.PolicySet
}

// NewCedar parses CedarPolicies.
func NewCedar() (*Cedar, error) {
	ps, err := cedar.NewPolicySetFromBytes("identity.cedar", []byte(CedarPolicies))
	if err != nil {
		return nil, err
	}
	return &Cedar{ps: ps}, nil
}

func (*Cedar) Name() string { return "cedar-go" }

// Prepare builds the request's entities and context. The source address is given as Cedar's
// ipaddr value, parsed here; an address Cedar cannot parse is left out of the context, which
// for IpAddress (the only operator reading it) decides as IAM does for an unparsable address.
func (e *Cedar) Prepare(r Request) (Decider, error) {
	principal := cedar.NewEntityUID("User", CallerName)
	action := cedar.NewEntityUID("Action", cedar.String(r.Action))
	resource := cedar.NewEntityUID("Resource", cedar.String(r.Resource))
	entities := cedar.EntityMap{
		principal: {UID: principal},
		action:    {UID: action, Attributes: cedar.NewRecord(cedar.RecordMap{"name": cedar.String(r.Action)})},
		resource:  {UID: resource, Attributes: cedar.NewRecord(cedar.RecordMap{"arn": cedar.String(r.Resource)})},
	}
	ctx := cedar.RecordMap{}
	if r.SourceIP != "" {
		if a, err := netip.ParseAddr(r.SourceIP); err == nil {
			ctx["sourceIp"] = cedar.IPAddr(netip.PrefixFrom(a, a.BitLen()))
		}
	}
	if r.Prefix != "" {
		ctx["prefix"] = cedar.String(r.Prefix)
	}
	req := cedar.Request{Principal: principal, Action: action, Resource: resource, Context: cedar.NewRecord(ctx)}
	return func() (policy.Decision, error) {
		d, diag := cedar.Authorize(e.ps, entities, req)
		if len(diag.Errors) > 0 {
			return 0, fmt.Errorf("cedar: %s: %s", diag.Errors[0].PolicyID, diag.Errors[0].Message)
		}
		switch {
		case d == cedar.Allow:
			return policy.Allowed, nil
		case len(diag.Reasons) > 0: // a forbid matched
			return policy.ExplicitDeny, nil
		}
		return policy.ImplicitDeny, nil
	}, nil
}
