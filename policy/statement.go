package policy

import "strings"

// statement is the compiled form of one Statement entry.
type statement struct {
	sid          string
	effect       Effect
	line, col    int
	principal    *principals // nil: no Principal element (identity-type policies)
	notPrincipal bool
	actions      []pattern
	notAction    bool
	resources    []resPattern
	notResource  bool
	hasResource  bool
	conds        []condition
}

type principals struct {
	any       bool     // "*" or {"AWS": "*"}
	accounts  []string // account ids, from "123456789012" or arn:…:iam::123456789012:root
	arns      []string // users, roles, sessions, federated users
	services  []string
	federated []string
	canonical []string
}

// grant says how a resource-policy statement named the caller; it decides which implicit denies
// the statement's Allow overrides (see the evaluation logic in eval.go).
type grant uint8

const (
	grantNone    grant = iota
	grantAccount       // the caller's account: a delegation, the account's own policies must allow
	grantRole          // the role the session belongs to: still bounded by boundary and session policies
	grantDirect        // the caller itself (user, session, service, federated, "*")
)

type principalKind uint8

const (
	pkOther principalKind = iota
	pkUser
	pkRoot
	pkAssumedRole
	pkFederatedUser
)

// kindOf tells the kinds of caller apart by their ARN's resource type.
func kindOf(a string) principalKind {
	svc, res, ok := arnServiceResource(a)
	if !ok {
		return pkOther
	}
	switch {
	case svc == "iam" && res == "root":
		return pkRoot
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		return pkUser
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		return pkAssumedRole
	case svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		return pkFederatedUser
	}
	return pkOther
}

// arnServiceResource returns an ARN's service and resource sections without allocating.
func arnServiceResource(a string) (svc, res string, ok bool) {
	rest, ok := strings.CutPrefix(a, "arn:")
	if !ok {
		return "", "", false
	}
	var f [4]string
	for i := range f {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return "", "", false
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	return f[1], rest, true
}

// principalAccount is the caller's account, from Account or else from the ARN.
func principalAccount(p *Principal) string {
	if p.Account != "" {
		return p.Account
	}
	rest, ok := strings.CutPrefix(p.ARN, "arn:")
	if !ok {
		return ""
	}
	for range 3 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ""
		}
		rest = rest[j+1:]
	}
	if j := strings.IndexByte(rest, ':'); j >= 0 {
		return rest[:j]
	}
	return ""
}

// match says whether and how the statement's Principal names the caller.
func (pr *principals) match(p *Principal, acct string) grant {
	if pr.any {
		return grantDirect
	}
	g := grantNone
	for _, a := range pr.arns {
		if p.ARN != "" && a == p.ARN {
			return grantDirect
		}
		if p.RoleARN != "" && a == p.RoleARN {
			g = grantRole
		}
	}
	for _, s := range pr.services {
		if p.Service != "" && s == p.Service {
			return grantDirect
		}
	}
	for _, f := range pr.federated {
		if p.Federated != "" && f == p.Federated {
			return grantDirect
		}
	}
	for _, c := range pr.canonical {
		if p.CanonicalUser != "" && c == p.CanonicalUser {
			return grantDirect
		}
	}
	if g != grantNone {
		return g
	}
	for _, a := range pr.accounts {
		if acct != "" && a == acct && p.Service == "" {
			return grantAccount
		}
	}
	return grantNone
}

// lists reports whether NotPrincipal excludes the caller: every identity the caller has (its
// ARN, its session's role, its account, its service or provider) must be listed, which is why
// AWS asks a NotPrincipal to name the account and the role along with a user or session.
func (pr *principals) lists(p *Principal, acct string) bool {
	if pr.any {
		return true
	}
	has := false
	if p.ARN != "" {
		has = true
		if a, ok := rootAccount(p.ARN); ok {
			if !slicesContains(pr.accounts, a) {
				return false
			}
		} else if !slicesContains(pr.arns, p.ARN) {
			return false
		}
	}
	if p.RoleARN != "" {
		has = true
		if !slicesContains(pr.arns, p.RoleARN) {
			return false
		}
	}
	if acct != "" && p.Service == "" {
		has = true
		if !slicesContains(pr.accounts, acct) {
			return false
		}
	}
	for _, id := range [...]struct {
		v    string
		list []string
	}{{p.Service, pr.services}, {p.Federated, pr.federated}, {p.CanonicalUser, pr.canonical}} {
		if id.v != "" {
			has = true
			if !slicesContains(id.list, id.v) {
				return false
			}
		}
	}
	return has
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// applies evaluates the statement's Principal, Action, Resource and Condition for the request;
// it returns how the caller was named (grantDirect when the statement has no Principal) and
// whether everything matched.
func (st *statement) applies(e *env) (grant, bool) {
	g := grantDirect
	if st.principal != nil {
		if st.notPrincipal {
			// AWS documents that a Deny with NotPrincipal denies every principal that has a
			// permissions boundary, whatever NotPrincipal lists.
			boundaryDeny := st.effect == Deny && e.boundary
			if !boundaryDeny && st.principal.lists(&e.req.Principal, e.acct) {
				return grantNone, false
			}
		} else if g = st.principal.match(&e.req.Principal, e.acct); g == grantNone {
			return grantNone, false
		}
	}
	matched := false
	for i := range st.actions {
		if st.actions[i].match(e.req.Action, true, e) {
			matched = true
			break
		}
	}
	if matched == st.notAction {
		return grantNone, false
	}
	if st.hasResource {
		matched = false
		for i := range st.resources {
			if st.resources[i].match(e.req.Resource, e) {
				matched = true
				break
			}
		}
		if matched == st.notResource {
			return grantNone, false
		}
	}
	ok := true
	// Every condition is evaluated, even after one fails, so that the trace lists every context
	// key the statement needed and did not get.
	for i := range st.conds {
		if !st.conds[i].eval(e) {
			ok = false
		}
	}
	return g, ok
}
