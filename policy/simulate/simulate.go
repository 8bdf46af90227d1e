// Package simulate is the offline policy simulator behind `iamd policy simulate` and
// `iamd policy validate`: it reads a JSON request (the policies that apply, the principal, the
// action, the resource and the context), evaluates it with package policy and writes the JSON
// result. The CLI is a thin shell around Run and Validate.
package simulate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iamd/iamd/policy"
)

// Request is one simulation request, as read from JSON.
type Request struct {
	Action          string                     `json:"action"`
	Resource        string                     `json:"resource"`
	Principal       *Principal                 `json:"principal,omitempty"`
	ResourceAccount string                     `json:"resourceAccount,omitempty"`
	Context         map[string]json.RawMessage `json:"context,omitempty"`

	IdentityPolicies    []json.RawMessage   `json:"identityPolicies,omitempty"`
	ResourcePolicy      json.RawMessage     `json:"resourcePolicy,omitempty"`
	PermissionsBoundary json.RawMessage     `json:"permissionsBoundary,omitempty"`
	SessionPolicies     []json.RawMessage   `json:"sessionPolicies,omitempty"`
	SCPs                [][]json.RawMessage `json:"scps,omitempty"`
	RCPs                [][]json.RawMessage `json:"rcps,omitempty"`
}

// Principal is the caller, as read from JSON.
type Principal struct {
	ARN           string `json:"arn,omitempty"`
	Account       string `json:"account,omitempty"`
	RoleARN       string `json:"roleArn,omitempty"`
	Federated     string `json:"federated,omitempty"`
	Service       string `json:"service,omitempty"`
	CanonicalUser string `json:"canonicalUser,omitempty"`
}

// Result is one simulation result, as written to JSON. Error is set (and nothing else) when the
// request or one of its policies is invalid.
type Result struct {
	Decision           string             `json:"decision,omitempty"`
	DecidedBy          string             `json:"decidedBy,omitempty"`
	MatchedStatements  []MatchedStatement `json:"matchedStatements"`
	MissingContextKeys []string           `json:"missingContextKeys"`
	Error              string             `json:"error,omitempty"`
}

// MatchedStatement is a statement that applied to the request.
type MatchedStatement struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid"`
	Effect string `json:"effect"`
}

// errorResult is what an invalid request prints: only the error.
type errorResult struct {
	Error string `json:"error"`
}

// Validate parses doc as a policy of the given kind; the error is a *policy.SyntaxError with
// AWS's MalformedPolicyDocument reason.
func Validate(doc []byte, kind policy.Kind) error {
	_, err := policy.Parse(doc, kind)
	return err
}

// Run reads one request (or, with batch, one request per line) from in and writes one result
// (per line) to out. An invalid policy is an answer, {"error": reason}, not a failure of Run; an
// unreadable request fails Run in single mode and answers {"error": …} in batch mode, so that
// one bad line does not stop a batch.
func Run(in io.Reader, out io.Writer, batch bool) error {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if !batch {
		data, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		res, err := simulateJSON(data)
		if err != nil {
			return err
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
		return bw.Flush()
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		res, err := simulateJSON(line)
		if err != nil {
			res = errorResult{Error: err.Error()}
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

// simulateJSON answers one request document; the error is for an unreadable request only.
func simulateJSON(data []byte) (any, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fmt.Errorf("simulate: reading the request: %w", err)
	}
	if req.Action == "" || req.Resource == "" {
		return nil, errors.New("simulate: the request needs an action and a resource")
	}
	res, err := Simulate(&req)
	if err != nil {
		var se *policy.SyntaxError
		if errors.As(err, &se) {
			return errorResult{Error: se.Reason}, nil
		}
		return nil, err
	}
	return res, nil
}

// Simulate evaluates one request.
func Simulate(req *Request) (*Result, error) {
	sets, err := compileSets(req)
	if err != nil {
		return nil, err
	}
	r := &policy.Request{Action: req.Action, Resource: req.Resource, ResourceAccount: req.ResourceAccount}
	if req.Principal != nil {
		r.Principal = policy.Principal(*req.Principal)
	}
	for k, raw := range req.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return nil, fmt.Errorf("simulate: context key %s: %w", k, err)
		}
		r.Context.Set(k, vals...)
	}
	r.SetPrincipalKeys()
	if strings.EqualFold(req.Action, "sts:GetCallerIdentity") {
		// AWS answers GetCallerIdentity for any valid credentials, whatever the policies say
		// (the server declares it Unchecked): no policy is evaluated.
		return &Result{Decision: policy.Allowed.String(), MatchedStatements: []MatchedStatement{}, MissingContextKeys: []string{}}, nil
	}
	ev := policy.Evaluate(sets, r)
	// The trust policy's own rule, as the server applies it.
	policy.TrustGate(&ev, sets)
	out := &Result{
		Decision:           ev.Decision.String(),
		DecidedBy:          ev.By.String(),
		MatchedStatements:  make([]MatchedStatement, 0, len(ev.Matched)),
		MissingContextKeys: append([]string{}, ev.Missing...),
	}
	for _, m := range ev.Matched {
		out.MatchedStatements = append(out.MatchedStatements, MatchedStatement{Policy: m.Policy.String(), Sid: m.Sid, Effect: m.Effect.String()})
	}
	return out, nil
}

// contextValues reads a context value: a string, a number or a boolean (taken as written), or a
// list of those.
func contextValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	one := func(x any) (string, error) {
		switch x := x.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			if x {
				return "true", nil
			}
			return "false", nil
		}
		return "", fmt.Errorf("unsupported value %v", x)
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			s, err := one(x)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

func compileSets(req *Request) (*policy.Sets, error) {
	s := &policy.Sets{}
	for _, d := range req.IdentityPolicies {
		p, err := policy.Parse(d, policy.KindIdentity)
		if err != nil {
			return nil, err
		}
		s.Identity = append(s.Identity, p)
	}
	if present(req.ResourcePolicy) {
		// A role's trust policy is the resource policy of the sts:AssumeRole* actions.
		kind := policy.KindResource
		if strings.HasPrefix(strings.ToLower(req.Action), "sts:assumerole") {
			kind = policy.KindTrust
		}
		p, err := policy.Parse(req.ResourcePolicy, kind)
		if err != nil {
			return nil, err
		}
		s.Resource = p
	}
	if present(req.PermissionsBoundary) {
		p, err := policy.Parse(req.PermissionsBoundary, policy.KindBoundary)
		if err != nil {
			return nil, err
		}
		s.Boundary = p
	}
	for _, d := range req.SessionPolicies {
		p, err := policy.Parse(d, policy.KindSession)
		if err != nil {
			return nil, err
		}
		s.Session = append(s.Session, p)
	}
	var err error
	if s.SCPs, err = chain(req.SCPs, policy.KindSCP); err != nil {
		return nil, err
	}
	if s.RCPs, err = chain(req.RCPs, policy.KindRCP); err != nil {
		return nil, err
	}
	return s, nil
}

func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

func chain(levels [][]json.RawMessage, kind policy.Kind) ([][]*policy.Policy, error) {
	var out [][]*policy.Policy
	for _, level := range levels {
		ps := []*policy.Policy{}
		for _, d := range level {
			p, err := policy.Parse(d, kind)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		out = append(out, ps)
	}
	return out, nil
}
