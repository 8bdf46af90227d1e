package policy

import (
	"strconv"
	"strings"
)

// Decision is the outcome of an evaluation, named as AWS names it.
type Decision int

const (
	ImplicitDeny Decision = iota // the zero value: nothing allowed the request
	Allowed
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// Place is where a policy sits in Sets.
type Place uint8

const (
	PlaceNone Place = iota
	PlaceIdentity
	PlaceResource
	PlaceBoundary
	PlaceSession
	PlaceSCP
	PlaceRCP
)

var placeNames = [...]string{"", "identityPolicies", "resourcePolicy", "permissionsBoundary", "sessionPolicies", "scps", "rcps"}

func (p Place) String() string {
	if int(p) < len(placeNames) {
		return placeNames[p]
	}
	return "unknown"
}

// PolicyRef names one policy of a Sets: Index into Identity or Session, Level and Index into
// SCPs or RCPs. For a gate as a whole (Result.By of an implicit deny) Index is -1.
type PolicyRef struct {
	Place        Place
	Level, Index int
}

// String formats the reference as the simulator prints it: "identityPolicies[0]",
// "resourcePolicy", "permissionsBoundary", "sessionPolicies[1]", "scps[0][2]", "rcps[1][0]".
func (r PolicyRef) String() string {
	switch r.Place {
	case PlaceIdentity, PlaceSession:
		if r.Index < 0 {
			return r.Place.String()
		}
		return r.Place.String() + "[" + strconv.Itoa(r.Index) + "]"
	case PlaceSCP, PlaceRCP:
		s := r.Place.String() + "[" + strconv.Itoa(r.Level) + "]"
		if r.Index >= 0 {
			s += "[" + strconv.Itoa(r.Index) + "]"
		}
		return s
	}
	return r.Place.String()
}

// Match is one statement that applied to the request: its Principal, Action, Resource and
// Condition all matched.
type Match struct {
	Policy    PolicyRef
	Statement int // index in the policy's Statement element
	Sid       string
	Effect    Effect
}

// Result is a decision with its trace. A Result can be reused across evaluations
// (EvaluateInto): its slices keep their storage, so the steady state allocates nothing.
type Result struct {
	Decision Decision
	// By says what decided: for an explicit deny, the first policy whose Deny applied; for an
	// implicit deny, the gate that had no Allow (PlaceIdentity when neither identity nor resource
	// policies allowed; PlaceResource when a cross-account request lacked the resource's Allow);
	// for an allow, PlaceIdentity or PlaceResource, whichever granted it.
	By PolicyRef
	// Matched lists every statement, of every policy evaluated, that applied.
	Matched []Match
	// Missing lists the context keys that conditions of applicable statements asked for and the
	// request did not have, each once, in the order first asked for.
	Missing []string
}

// env is the evaluation state of one request; it lives on the caller's stack.
type env struct {
	req      *Request
	acct     string
	res      *Result
	boundary bool // the caller has a permissions boundary
}

func (e *env) variable(t *tok) (string, bool) {
	if vals, _ := e.req.Context.Lookup(t.text); len(vals) == 1 {
		return vals[0], true
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

func (e *env) missing(key string) {
	for _, k := range e.res.Missing {
		if strings.EqualFold(k, key) {
			return
		}
	}
	e.res.Missing = append(e.res.Missing, key)
}

// policyOutcome is what one policy said about the request.
type policyOutcome struct {
	allow  grant // the strongest way an Allow statement named the caller; grantNone: no Allow
	denied bool
}

func (e *env) policy(p *Policy, ref PolicyRef) policyOutcome {
	var o policyOutcome
	if p == nil {
		return o
	}
	for i := range p.stmts {
		st := &p.stmts[i]
		g, ok := st.applies(e)
		if !ok {
			continue
		}
		e.res.Matched = append(e.res.Matched, Match{Policy: ref, Statement: i, Sid: st.sid, Effect: st.effect})
		if st.effect == Deny {
			o.denied = true
		} else if g > o.allow {
			o.allow = g
		}
	}
	return o
}

// Evaluate decides the request against the policy sets with AWS's evaluation logic.
func Evaluate(s *Sets, r *Request) Result {
	var res Result
	EvaluateInto(&res, s, r)
	return res
}

// EvaluateInto is Evaluate writing into res, reusing its slices: with a Result reused across
// calls it allocates nothing.
//
// The logic, after AWS's "policy evaluation logic" pages:
//   - An applicable Deny in any policy wins (explicit deny).
//   - Each RCP level and each SCP level needs an applicable Allow.
//   - Within one account, identity-based and resource-based policies are a union: a resource
//     policy that names the caller itself (user, role session, "*", service, federated) grants on
//     its own, past implicit denies of identity policies, the boundary and session policies; one
//     that names the session's role grants past the identity policies but stays bounded by the
//     boundary and session policies; one that names the account only delegates to the account's
//     own policies.
//   - Across accounts, both the caller's identity side (identity policies, bounded by boundary and
//     session policies) and the resource's policy must allow.
//   - The account root user is not limited by identity policies (it has none), but by SCPs, RCPs
//     and explicit denies.
func EvaluateInto(res *Result, s *Sets, r *Request) {
	res.Decision = ImplicitDeny
	res.By = PolicyRef{}
	res.Matched = res.Matched[:0]
	res.Missing = res.Missing[:0]
	e := env{req: r, acct: principalAccount(&r.Principal), res: res, boundary: s.Boundary != nil}
	resAcct := r.ResourceAccount
	if resAcct == "" {
		resAcct = e.acct
	}
	cross := e.acct != "" && resAcct != e.acct
	root := strings.HasSuffix(r.Principal.ARN, ":root") && kindOf(r.Principal.ARN) == pkRoot

	deny := PolicyRef{Index: -1}
	denied := false
	note := func(o policyOutcome, ref PolicyRef) policyOutcome {
		if o.denied && !denied {
			denied, deny = true, ref
		}
		return o
	}

	identity := false
	for i, p := range s.Identity {
		if note(e.policy(p, PolicyRef{Place: PlaceIdentity, Index: i}), PolicyRef{Place: PlaceIdentity, Index: i}).allow != grantNone {
			identity = true
		}
	}
	resGrant := note(e.policy(s.Resource, PolicyRef{Place: PlaceResource}), PolicyRef{Place: PlaceResource}).allow
	boundary := s.Boundary == nil || note(e.policy(s.Boundary, PolicyRef{Place: PlaceBoundary}), PolicyRef{Place: PlaceBoundary}).allow != grantNone
	session := len(s.Session) == 0
	for i, p := range s.Session {
		if note(e.policy(p, PolicyRef{Place: PlaceSession, Index: i}), PolicyRef{Place: PlaceSession, Index: i}).allow != grantNone {
			session = true
		}
	}
	rcpFail := e.chain(s.RCPs, PlaceRCP, note)
	// SCPs restrict the principals of the organization's accounts; a caller of no account (an
	// anonymous caller, an AWS service) is none of them. RCPs restrict resources, whoever calls.
	scpFail := -1
	if e.acct != "" {
		scpFail = e.chain(s.SCPs, PlaceSCP, note)
	}

	switch {
	case denied:
		res.Decision, res.By = ExplicitDeny, deny
		return
	case rcpFail >= 0:
		res.By = PolicyRef{Place: PlaceRCP, Level: rcpFail, Index: -1}
		return
	case scpFail >= 0:
		res.By = PolicyRef{Place: PlaceSCP, Level: scpFail, Index: -1}
		return
	}
	identity = identity || root
	if root {
		// The root user has no boundary, and no allow for session policies to narrow: its only
		// session policies are the root-task policy of a session of sts:AssumeRoot, which AWS
		// writes as Deny statements alone, and those denies have been applied above.
		boundary, session = true, true
	}
	gate := func(by Place) {
		res.By = PolicyRef{Place: by, Index: -1}
	}
	if !cross {
		switch {
		case resGrant == grantDirect:
			res.Decision = Allowed
			gate(PlaceResource)
		case !identity && resGrant != grantRole:
			gate(PlaceIdentity)
		case !boundary:
			gate(PlaceBoundary)
		case !session:
			gate(PlaceSession)
		default:
			res.Decision = Allowed
			if identity {
				gate(PlaceIdentity)
			} else {
				gate(PlaceResource)
			}
		}
		return
	}
	switch {
	case !identity:
		gate(PlaceIdentity)
	case !boundary:
		gate(PlaceBoundary)
	case !session:
		gate(PlaceSession)
	case resGrant == grantNone:
		gate(PlaceResource)
	default:
		res.Decision = Allowed
		gate(PlaceResource)
	}
}

// TrustGate applies the rule that a role's trust policy must itself allow an sts:AssumeRole*
// request (Sets.Resource of KindTrust): unlike another resource policy, a trust policy that
// allows nothing to the caller is not made up for by the caller's identity policies, even in
// the role's own account. Enforcement (internal/authz) and the offline simulator both apply it
// to Evaluate's result, so that they decide alike.
func TrustGate(res *Result, s *Sets) {
	if res.Decision != Allowed || s.Resource == nil || s.Resource.Kind() != KindTrust {
		return
	}
	for _, m := range res.Matched {
		if m.Policy.Place == PlaceResource && m.Effect == Allow {
			return
		}
	}
	res.Decision = ImplicitDeny
	res.By = PolicyRef{Place: PlaceResource, Index: -1}
}

// chain evaluates an SCP or RCP chain and returns the first level without an Allow, or -1.
func (e *env) chain(levels [][]*Policy, place Place, note func(policyOutcome, PolicyRef) policyOutcome) int {
	fail := -1
	for l, level := range levels {
		allowed := false
		for i, p := range level {
			ref := PolicyRef{Place: place, Level: l, Index: i}
			if note(e.policy(p, ref), ref).allow != grantNone {
				allowed = true
			}
		}
		if !allowed && fail < 0 {
			fail = l
		}
	}
	return fail
}
