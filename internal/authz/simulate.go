package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Simulation is a what-if question for the simulator APIs. It is answered by the code that
// enforces requests: the same policy gathering (for a PolicySourceArn), the same context
// building, the same decision (decide).
type Simulation struct {
	Account string // the calling account, which owns the source entity
	// Source is SimulatePrincipalPolicy's PolicySourceArn: a user, role or group whose stored
	// policies (and boundary, and for a user its groups' policies) apply. "" for custom policies.
	Source string
	// Policies are PolicyInputList documents, added to the source's identity policies.
	Policies []string
	// Boundaries are PermissionsBoundaryPolicyInputList documents; they replace a stored boundary.
	Boundaries     []string
	ResourcePolicy string
	ResourceOwner  string
	CallerARN      string
	Context        []Key
	Action         string
	Resource       string // "" means "*"
}

// SimulationError is a simulation input the simulator cannot evaluate (InvalidInput).
type SimulationError struct{ Msg string }

func (e *SimulationError) Error() string { return e.Msg }

// Simulate answers one (action, resource) question.
func (a *Authorizer) Simulate(ctx context.Context, sim Simulation) (Evaluation, error) {
	var ev Evaluation
	if sim.Resource == "" {
		sim.Resource = "*"
	}
	caller := sim.CallerARN
	if caller != "" && !isUserARN(caller) {
		return ev, &SimulationError{"Invalid CallerArn " + caller + ": the simulated caller can only be an IAM user."}
	}
	var tags []iam.Tag
	if sim.Source != "" {
		kind, name, ok := entityOf(sim.Source, sim.Account)
		if !ok {
			return ev, &SimulationError{"Invalid PolicySourceArn: " + sim.Source}
		}
		var is *identitySet
		var err error
		if kind == iam.KindGroup {
			is, err = a.group(ctx, sim.Account, name)
		} else {
			var id string
			if id, err = a.entityID(ctx, sim.Account, kind, name); err == nil {
				is, err = a.identity(ctx, sim.Account, kind, id)
			}
		}
		if err != nil {
			return ev, err
		}
		ev.Sets.Identity = append(ev.Sets.Identity, is.identity...)
		ev.Sources.Identity = append(ev.Sources.Identity, is.ids...)
		ev.Sets.Boundary, ev.Sources.Boundary, tags = is.boundary, is.bid, is.tags
		if caller == "" && kind != iam.KindGroup {
			caller = sim.Source
		}
	}
	for i, doc := range sim.Policies {
		p, err := a.docs.get(doc, policy.KindIdentity)
		if err != nil {
			return ev, &SimulationError{fmt.Sprintf("PolicyInputList.%d: %v", i+1, err)}
		}
		ev.Sets.Identity = append(ev.Sets.Identity, p)
		ev.Sources.Identity = append(ev.Sources.Identity, Source{ID: fmt.Sprintf("PolicyInputList.%d", i+1), Type: "none", Doc: doc, Account: sim.Account})
	}
	for i, doc := range sim.Boundaries {
		p, err := a.docs.get(doc, policy.KindBoundary)
		if err != nil {
			return ev, &SimulationError{fmt.Sprintf("PermissionsBoundaryPolicyInputList.%d: %v", i+1, err)}
		}
		ev.Sets.Boundary = p
		ev.Sources.Boundary = Source{ID: fmt.Sprintf("PermissionsBoundaryPolicyInputList.%d", i+1), Type: "none", Doc: doc, Account: sim.Account}
	}
	resAcct := resourceAccount(sim.Resource, sim.ResourceOwner)
	if sim.ResourcePolicy != "" && !isUserARN(caller) {
		// The resource policy's Principal element needs a caller to match (AWS's rule).
		return ev, &SimulationError{"CallerArn is required to simulate a ResourcePolicy when PolicySourceArn is not an IAM user."}
	}
	if sim.ResourcePolicy != "" {
		p, err := a.docs.get(sim.ResourcePolicy, policy.KindResource)
		if err != nil {
			return ev, &SimulationError{fmt.Sprintf("ResourcePolicy: %v", err)}
		}
		ev.Sets.Resource = p
		ev.Sources.Resource = Source{ID: "ResourcePolicy", Type: "resource", Doc: sim.ResourcePolicy, Account: resAcct}
	}
	var keys []Key
	// A principal's simulation includes its account's service control policies and the
	// resource account's resource control policies, as enforcement does
	// (OrganizationsDecisionDetail says whether they allowed).
	var orgCaller, orgResource *Membership
	if sim.Source != "" {
		// A service-linked role is exempt, as in enforcement (its ARN holds its path).
		exempt := strings.Contains(sim.Source, ":role/aws-service-role/")
		var err error
		orgCaller, orgResource, err = a.orgChains(ctx, sim.Account, iamAccountOr(resAcct, sim.Account), sim.Action, exempt, &ev.Sets, &ev.Sources)
		if err != nil {
			return ev, err
		}
	}
	if err := a.resourceKeys(ctx, &ev, &keys, sim); err != nil {
		return ev, err
	}
	// With no caller the policies are evaluated for an unnamed principal of the account: never
	// as the root user, which identity policies do not limit.
	r := &policy.Request{
		Action: sim.Action, Resource: sim.Resource, ResourceAccount: iamAccountOr(resAcct, ""),
		Principal: policy.Principal{ARN: caller, Account: sim.Account},
	}
	if strings.Contains(caller, ":role/") {
		r.Principal.RoleARN = caller
	}
	for _, t := range tags {
		r.Context.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	orgKeys(&r.Context, orgCaller, orgResource)
	for _, k := range keys {
		r.Context.Set(k.Name, k.Values...)
	}
	// Context entries come last: what the caller states overrides what iamd looked up.
	for _, k := range sim.Context {
		r.Context.Set(k.Name, k.Values...)
	}
	r.SetPrincipalKeys()
	ev.Request = r
	decide(&ev)
	return ev, nil
}

// isUserARN reports whether a is an IAM user's ARN (of any account): the only caller the
// simulator accepts, as AWS documents CallerArn.
func isUserARN(a string) bool {
	parts := strings.SplitN(a, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && len(parts[4]) == 12 &&
		strings.HasPrefix(parts[5], "user/") && !strings.HasSuffix(parts[5], "/")
}

// resourceAccount is the account owning a simulated resource: the one its ARN names, else
// ResourceOwner (AWS's rule: ResourceOwner is for ARNs that do not name their owner, as S3's).
// "" means the caller's account.
func resourceAccount(resource, owner string) string {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[4] != "" && !strings.ContainsAny(parts[4], "*?") {
		return parts[4]
	}
	return owner
}

// CrossAccount reports whether the evaluated request crossed accounts: the resource's owner is
// not the caller's account.
func (ev *Evaluation) CrossAccount() bool {
	r := ev.Request
	return r != nil && r.ResourceAccount != "" && r.ResourceAccount != r.Principal.Account
}

// DecisionDetails is the simulator's EvalDecisionDetails of a cross-account evaluation: the
// decision of each of the two sides AWS evaluates separately and both of which must allow, the
// caller's IAM policies (identity policies within the boundary and session policies) and the
// resource's policy. The keys are the policy-type names AWS's simulator gives sources ("IAM
// Policy"), with "Resource Policy" for the other side.
func (ev *Evaluation) DecisionDetails() map[string]string {
	var identityAllow, identityDeny, boundaryAllow, resourceAllow, resourceDeny bool
	sessionAllow := len(ev.Sets.Session) == 0
	for _, m := range ev.Result.Matched {
		allow := m.Effect == policy.Allow
		switch m.Policy.Place {
		case policy.PlaceResource:
			resourceAllow = resourceAllow || allow
			resourceDeny = resourceDeny || !allow
		case policy.PlaceIdentity:
			identityAllow = identityAllow || allow
			identityDeny = identityDeny || !allow
		case policy.PlaceBoundary:
			boundaryAllow = boundaryAllow || allow
			identityDeny = identityDeny || !allow
		case policy.PlaceSession:
			sessionAllow = sessionAllow || allow
			identityDeny = identityDeny || !allow
		default: // SCPs and RCPs gate the caller's side
			identityDeny = identityDeny || !allow
		}
	}
	side := func(allow, deny bool) string {
		switch {
		case deny:
			return policy.ExplicitDeny.String()
		case allow:
			return policy.Allowed.String()
		}
		return policy.ImplicitDeny.String()
	}
	identity := identityAllow && (ev.Sets.Boundary == nil || boundaryAllow) && sessionAllow
	return map[string]string{
		"IAM Policy":      side(identity, identityDeny),
		"Resource Policy": side(resourceAllow, resourceDeny),
	}
}

// ResourceHandlingOptions are the simulator's scenarios, each with the EC2 resource types a
// simulation of it must name among its ResourceArns (SimulatePrincipalPolicy's documentation;
// the EC2-Classic scenarios went with EC2-Classic).
var ResourceHandlingOptions = map[string][]string{
	"EC2-VPC-InstanceStore":        {"instance", "image", "security-group", "network-interface"},
	"EC2-VPC-InstanceStore-Subnet": {"instance", "image", "security-group", "network-interface", "subnet"},
	"EC2-VPC-EBS":                  {"instance", "image", "security-group", "network-interface", "volume"},
	"EC2-VPC-EBS-Subnet":           {"instance", "image", "security-group", "network-interface", "subnet", "volume"},
}

// CheckResourceHandling validates a ResourceHandlingOption against the simulated resources:
// the simulator enforces that a scenario's resources are present rather than run a
// simulation that cannot be reliable. A scenario that does not fit (an IAM or STS simulation
// names no EC2 resources) is refused, not ignored. "" is no scenario.
func CheckResourceHandling(option string, resources []string) error {
	if option == "" {
		return nil
	}
	need, ok := ResourceHandlingOptions[option]
	if !ok {
		names := make([]string, 0, len(ResourceHandlingOptions))
		for n := range ResourceHandlingOptions {
			names = append(names, n)
		}
		sort.Strings(names)
		return &SimulationError{"Invalid ResourceHandlingOption " + option + ": valid values are " + strings.Join(names, ", ") + "."}
	}
	have := map[string]bool{}
	for _, r := range resources {
		parts := strings.SplitN(r, ":", 6)
		if len(parts) == 6 && parts[0] == "arn" && parts[2] == "ec2" {
			typ, _, _ := strings.Cut(parts[5], "/")
			have[typ] = true
		}
	}
	var missing []string
	for _, t := range need {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return &SimulationError{"ResourceHandlingOption " + option + " needs ResourceArns of the EC2 resource types " +
			strings.Join(need, ", ") + "; missing: " + strings.Join(missing, ", ") + "."}
	}
	return nil
}

func iamAccountOr(a, def string) string {
	if a == "" {
		return def
	}
	return a
}

// resourceKeys adds the facts iamd knows of the simulated resource: the tags of a stored user,
// role, group, policy or instance profile, and, for a simulated sts:AssumeRole* of a stored
// role, the role's trust policy (AWS's simulator skips it; enforcement does not).
func (a *Authorizer) resourceKeys(ctx context.Context, ev *Evaluation, keys *[]Key, sim Simulation) error {
	kind, name, ok := entityOf(sim.Resource, sim.Account)
	if !ok {
		if strings.Contains(sim.Resource, ":policy/") {
			req := Request{}
			r := &Resolver{a: a, ctx: ctx, account: sim.Account, req: &req}
			if r.Policy(sim.Resource); r.err != nil {
				return r.err
			}
			*keys = append(*keys, req.Keys...)
		}
		return nil
	}
	req := Request{}
	r := &Resolver{a: a, ctx: ctx, account: sim.Account, req: &req}
	if r.entity(kind, name); r.err != nil {
		return r.err
	}
	*keys = append(*keys, req.Keys...)
	assume := strings.HasPrefix(strings.ToLower(sim.Action), "sts:assumerole")
	if !assume || kind != iam.KindRole || ev.Sets.Resource != nil {
		return nil
	}
	var role iam.Role
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if role, err = tx.Role(ctx, sim.Account, name); err != nil {
			return err
		}
		role.AssumeRolePolicyDocument, err = principals.TrustPolicy(ctx, tx, role)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	trust, err := a.docs.get(role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return nil
	}
	ev.Sets.Resource = trust
	ev.Sources.Resource = Source{ID: role.Arn, Type: "resource", Doc: role.AssumeRolePolicyDocument, Account: sim.Account}
	return nil
}

// entityOf splits an IAM user, role or group ARN of account into kind and name.
func entityOf(a, account string) (iam.EntityKind, string, bool) {
	rest, ok := strings.CutPrefix(a, "arn:aws:iam::"+account+":")
	if !ok {
		return "", "", false
	}
	kind, path, ok := strings.Cut(rest, "/")
	if !ok {
		return "", "", false
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	if name == "" {
		return "", "", false
	}
	switch kind {
	case "user":
		return iam.KindUser, name, true
	case "role":
		return iam.KindRole, name, true
	case "group":
		return iam.KindGroup, name, true
	}
	return "", "", false
}

// entityID returns a user's or role's unique id, or a SimulationError naming one that does not
// exist.
func (a *Authorizer) entityID(ctx context.Context, account string, kind iam.EntityKind, name string) (string, error) {
	var id string
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if kind == iam.KindRole {
			r, err := tx.Role(ctx, account, name)
			id = r.RoleID
			return err
		}
		u, err := tx.User(ctx, account, name)
		id = u.UserID
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", &SimulationError{"The " + string(kind) + " with name " + name + " cannot be found."}
	}
	return id, err
}

// group loads a group's own policies (a group has no boundary and no tags).
func (a *Authorizer) group(ctx context.Context, account, name string) (*identitySet, error) {
	var docs []namedDoc
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := tx.Group(ctx, account, name); err != nil {
			return err
		}
		var err error
		docs, err = appendPolicies(ctx, tx, docs[:0], account, iam.KindGroup, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, &SimulationError{"The group with name " + name + " cannot be found."}
	}
	if err != nil {
		return nil, err
	}
	is := &identitySet{}
	for _, d := range docs {
		p, err := a.docs.get(d.doc, policy.KindIdentity)
		if err != nil {
			continue
		}
		d.src.Doc = d.doc
		is.identity = append(is.identity, p)
		is.ids = append(is.ids, d.src)
	}
	return is, nil
}

// PrincipalPolicies returns the documents of a user's (with its groups'), role's or group's
// identity policies, for GetContextKeysForPrincipalPolicy.
func (a *Authorizer) PrincipalPolicies(ctx context.Context, account, source string) ([]string, error) {
	kind, name, ok := entityOf(source, account)
	if !ok {
		return nil, &SimulationError{"Invalid PolicySourceArn: " + source}
	}
	var is *identitySet
	var err error
	if kind == iam.KindGroup {
		is, err = a.group(ctx, account, name)
	} else {
		var id string
		var se *SimulationError
		switch id, err = a.entityID(ctx, account, kind, name); {
		case err == nil:
			is, err = a.identity(ctx, account, kind, id)
		case errors.As(err, &se):
			is, err = &identitySet{}, nil // a principal that does not exist has no policies
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(is.ids))
	for _, s := range is.ids {
		out = append(out, s.Doc)
	}
	return out, nil
}

// Position is a line and column in a policy document, both 1-based.
type Position struct{ Line, Column int }

// StatementSpan returns where statement index of src's document starts and ends (the end is
// just past its closing brace).
func StatementSpan(p *policy.Policy, doc string, index int) (start, end Position, ok bool) {
	sts := p.Statements()
	if index < 0 || index >= len(sts) {
		return start, end, false
	}
	start = Position{sts[index].Line, sts[index].Column}
	off := offsetOf(doc, start)
	if off < 0 || off >= len(doc) {
		return start, end, false
	}
	depth, inStr, esc := 0, false, false
	for i := off; i < len(doc); i++ {
		c := doc[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return start, positionOf(doc, i+1), true
			}
		}
	}
	return start, end, false
}

func offsetOf(doc string, p Position) int {
	line, i := 1, 0
	for line < p.Line {
		j := strings.IndexByte(doc[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		line++
	}
	return i + p.Column - 1
}

func positionOf(doc string, off int) Position {
	line := 1 + strings.Count(doc[:off], "\n")
	return Position{line, off - strings.LastIndexByte(doc[:off], '\n')}
}

// Policy returns the compiled policy ref points at in ev.
func (ev *Evaluation) Policy(ref policy.PolicyRef) *policy.Policy {
	switch ref.Place {
	case policy.PlaceIdentity:
		if ref.Index >= 0 && ref.Index < len(ev.Sets.Identity) {
			return ev.Sets.Identity[ref.Index]
		}
	case policy.PlaceSession:
		if ref.Index >= 0 && ref.Index < len(ev.Sets.Session) {
			return ev.Sets.Session[ref.Index]
		}
	case policy.PlaceResource:
		return ev.Sets.Resource
	case policy.PlaceBoundary:
		return ev.Sets.Boundary
	}
	return nil
}

// variableRE finds policy variables (${aws:username}, ${aws:PrincipalTag/team, 'x'}).
var variableRE = regexp.MustCompile(`\$\{([^}*?$,]+)`)

// ContextKeys lists the condition keys the documents use, in their Condition elements and as
// policy variables, each once (case-insensitively), sorted.
func ContextKeys(docs []string) ([]string, error) {
	seen := map[string]string{}
	for i, doc := range docs {
		if _, err := policy.Parse([]byte(doc), policy.KindIdentity); err != nil {
			if _, err2 := policy.Parse([]byte(doc), policy.KindResource); err2 != nil {
				return nil, &SimulationError{fmt.Sprintf("PolicyInputList.%d: %v", i+1, err)}
			}
		}
		var d struct{ Statement json.RawMessage }
		if json.Unmarshal([]byte(doc), &d) != nil {
			continue
		}
		var list []map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &list) != nil {
			var one map[string]json.RawMessage
			if json.Unmarshal(d.Statement, &one) != nil {
				continue
			}
			list = []map[string]json.RawMessage{one}
		}
		for _, st := range list {
			var cond map[string]map[string]json.RawMessage
			if json.Unmarshal(st["Condition"], &cond) == nil {
				for _, kv := range cond {
					for k := range kv {
						addKey(seen, k)
					}
				}
			}
			for _, el := range []string{"Resource", "NotResource", "Condition"} {
				for _, m := range variableRE.FindAllStringSubmatch(string(st[el]), -1) {
					addKey(seen, strings.TrimSpace(m[1]))
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for _, k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

func addKey(seen map[string]string, k string) {
	if _, ok := seen[strings.ToLower(k)]; !ok {
		seen[strings.ToLower(k)] = k
	}
}
