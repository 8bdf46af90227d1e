package policyengines

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamd/iamd/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// RegoModule evaluates an IAM policy document in Rego. The document itself (Identity, verbatim:
// JSON is a Rego object literal) is the rule's data; the rules are IAM's evaluation logic for
// the parts of the language the workload uses: Action and Resource as a string or a list,
// wildcards matched with glob.match without delimiters (so "*" spans ":" and "/", as in IAM),
// actions and condition-key names compared without regard to case, every condition operator of
// a statement and every key under it must hold, and an explicit deny overrides any allow.
// Unknown operators never hold. glob.match also gives "[", "]", "{" and "}" a meaning that IAM
// does not; the policy uses none of them.
const RegoModule = `package iam

import rego.v1

doc := ` + Identity + `

statements := doc.Statement if is_array(doc.Statement)
else := [doc.Statement]

as_list(x) := x if is_array(x)
else := [x]

action_matches(st) if {
	some p in as_list(st.Action)
	glob.match(lower(p), null, lower(input.action))
}

resource_matches(st) if {
	some p in as_list(st.Resource)
	glob.match(p, null, input.resource)
}

conditions_hold(st) if {
	every op, keys in object.get(st, "Condition", {}) {
		every key, want in keys {
			operator(op, input.context[lower(key)], as_list(want))
		}
	}
}

operator("IpAddress", have, cidrs) if {
	some v in have
	some c in cidrs
	net.cidr_contains(c, v)
}

operator("StringLike", have, patterns) if {
	some v in have
	some p in patterns
	glob.match(p, null, v)
}

applies(st) if {
	action_matches(st)
	resource_matches(st)
	conditions_hold(st)
}

denied if {
	some st in statements
	st.Effect == "Deny"
	applies(st)
}

allowed if {
	some st in statements
	st.Effect == "Allow"
	applies(st)
}

decision := "explicitDeny" if denied
else := "allowed" if allowed
else := "implicitDeny"
`

// RegoRules is Identity translated by hand into Rego, one rule per statement, the way a Rego
// author would write it: the same matching as RegoModule (glob.match without delimiters, actions
// compared in lower case, deny overrides allow), with the patterns as literals (a pattern
// without wildcard as ==), so OPA's compiler sees the statements instead of walking a document
// at evaluation time.
const RegoRules = `package iam

import rego.v1

# IAM compares actions without regard to case: the action is lower-cased once per query, and
# the patterns are written in lower case.
action := lower(input.action)

# ReadBuckets
allowed if {
	some p in ["s3:get*", "s3:list*"]
	glob.match(p, null, action)
	some r in ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"]
	glob.match(r, null, input.resource)
}

# WriteFromOffice
allowed if {
	action == "s3:putobject"
	glob.match("arn:aws:s3:::data-*/uploads/*", null, input.resource)
	some ip in input.context["aws:sourceip"]
	some cidr in ["10.0.0.0/8", "192.0.2.0/24"]
	net.cidr_contains(cidr, ip)
}

# OwnPrefix
allowed if {
	action == "s3:deleteobject"
	glob.match("arn:aws:s3:::data-*/*", null, input.resource)
	some v in input.context["s3:prefix"]
	some p in ["home/alice/*", "shared/*"]
	glob.match(p, null, v)
}

# NoSecrets
denied if {
	glob.match("s3:*", null, action)
	glob.match("arn:aws:s3:::data-*/secret/*", null, input.resource)
}

# Describe (Resource "*" matches every resource)
allowed if {
	some p in ["ec2:describe*", "cloudwatch:get*"]
	glob.match(p, null, action)
}

decision := "explicitDeny" if denied
else := "allowed" if allowed
else := "implicitDeny"
`

// OPA is Open Policy Agent's rego package with one of the Rego modules compiled into a
// prepared query for data.iam.decision.
type OPA struct {
	name string
	pq   rego.PreparedEvalQuery
}

// NewOPA compiles RegoModule (the document as data, generic IAM rules).
func NewOPA(ctx context.Context) (*OPA, error) { return newOPA(ctx, "opa", RegoModule) }

// NewOPARules compiles RegoRules (one rule per statement).
func NewOPARules(ctx context.Context) (*OPA, error) { return newOPA(ctx, "opa-rules", RegoRules) }

func newOPA(ctx context.Context, name, module string) (*OPA, error) {
	pq, err := rego.New(
		rego.Query("data.iam.decision"),
		rego.Module(name+".rego", module),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &OPA{name: name, pq: pq}, nil
}

func (e *OPA) Name() string { return e.name }

// Prepare converts the request to OPA's value form once, so the loop does no JSON or
// reflection work. Context keys are lower-cased here because Rego object keys compare exactly.
func (e *OPA) Prepare(r Request) (Decider, error) {
	ctxKeys := map[string]any{}
	if r.SourceIP != "" {
		ctxKeys[strings.ToLower("aws:SourceIp")] = []any{r.SourceIP}
	}
	if r.Prefix != "" {
		ctxKeys[strings.ToLower("s3:prefix")] = []any{r.Prefix}
	}
	input, err := ast.InterfaceToValue(map[string]any{
		"principal": CallerARN,
		"action":    r.Action,
		"resource":  r.Resource,
		"context":   ctxKeys,
	})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	return func() (policy.Decision, error) {
		rs, err := e.pq.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return 0, err
		}
		if len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return 0, fmt.Errorf("opa: unexpected result set %v", rs)
		}
		switch rs[0].Expressions[0].Value {
		case "allowed":
			return policy.Allowed, nil
		case "explicitDeny":
			return policy.ExplicitDeny, nil
		case "implicitDeny":
			return policy.ImplicitDeny, nil
		}
		return 0, fmt.Errorf("opa: unexpected decision %v", rs[0].Expressions[0].Value)
	}, nil
}
