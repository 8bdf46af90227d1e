// Package policy is iamd's implementation of the AWS IAM policy language: it parses and validates
// policy documents exactly as IAM accepts or rejects them (with AWS's MalformedPolicyDocument
// reasons and the position of the fault), compiles them once, and evaluates a request against the
// policies that apply to it with AWS's evaluation logic, returning the decision and a trace of what
// decided it.
//
// Evaluation is a pure function of its inputs: no I/O, no clock, no JSON, and with a reused
// Result no allocation. Nothing else in iamd evaluates a policy.
package policy

import "strings"

// Kind is the place a policy document is used in; it decides which elements the document may
// (or must) contain.
type Kind int

const (
	KindIdentity Kind = iota // attached to a user, group or role: no Principal
	KindResource             // attached to a resource: Principal required
	KindTrust                // a role's trust policy: a resource policy without Resource
	KindBoundary             // a permissions boundary: like an identity policy
	KindSession              // a session policy passed to AssumeRole & co.: like an identity policy
	KindSCP                  // an Organizations service control policy
	KindRCP                  // an Organizations resource control policy
	// KindManaged is a customer managed policy's document (CreatePolicy, CreatePolicyVersion):
	// an identity policy that must also be Version 2012-10-17.
	KindManaged
)

var kindNames = [...]string{"identity", "resource", "trust", "boundary", "session", "scp", "rcp", "managed"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind reads the names String returns.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if strings.EqualFold(s, n) {
			return Kind(i), true
		}
	}
	return 0, false
}

// Effect is a statement's Effect.
type Effect uint8

const (
	Allow Effect = iota
	Deny
)

func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// Policy is a parsed, validated and compiled policy document. It is immutable and safe for
// concurrent use.
type Policy struct {
	kind    Kind
	version string
	id      string
	stmts   []statement
}

// Kind is the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Version is the document's Version element ("" when absent).
func (p *Policy) Version() string { return p.version }

// ID is the document's Id element.
func (p *Policy) ID() string { return p.id }

// StatementInfo describes one statement for traces and the simulator APIs.
type StatementInfo struct {
	Index  int // position in the Statement element
	Sid    string
	Effect Effect
	Line   int // where the statement starts in the document (1-based)
	Column int
}

// Statements lists the statements in document order.
func (p *Policy) Statements() []StatementInfo {
	out := make([]StatementInfo, len(p.stmts))
	for i := range p.stmts {
		s := &p.stmts[i]
		out[i] = StatementInfo{Index: i, Sid: s.sid, Effect: s.effect, Line: s.line, Column: s.col}
	}
	return out
}

// Principal is who makes a request.
type Principal struct {
	// ARN of the caller: an IAM user, the account root (arn:aws:iam::ACCOUNT:root), or a session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, …:federated-user/NAME).
	ARN string
	// Account that owns the caller; derived from ARN when empty.
	Account string
	// RoleARN is the role's ARN for an assumed-role session.
	RoleARN string
	// Federated is the identity provider for web-identity and SAML callers (an oidc-provider or
	// saml-provider ARN, or a well-known provider such as "accounts.google.com").
	Federated string
	// Service is the AWS service principal ("ec2.amazonaws.com") when a service calls.
	Service string
	// CanonicalUser is the caller's S3 canonical user id, when known.
	CanonicalUser string
}

// Request is what is being asked.
type Request struct {
	Action, Resource string
	Principal        Principal
	ResourceAccount  string // "" = the principal's account
	Context          Context
}

// Sets holds the policies that apply to one request. Any field may be empty; an empty gate
// (no boundary, no session policies, no SCP or RCP levels) does not restrict.
type Sets struct {
	Identity []*Policy // the principal's identity-based policies (inline, managed, groups')
	Resource *Policy   // the resource's policy (a role's trust policy for sts:AssumeRole*)
	Boundary *Policy   // the principal's permissions boundary
	Session  []*Policy // session policies of a temporary session
	SCPs     [][]*Policy
	RCPs     [][]*Policy
}
