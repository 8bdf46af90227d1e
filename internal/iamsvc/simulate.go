package iamsvc

import (
	"context"
	"errors"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/policy"
)

// The simulator operations ask authz.Simulate, which decides with the code that enforces real
// requests; this file only maps the wire shapes and pages the results.

// SimulatePrincipalPolicy simulates the policies of a user (with its groups'), role or group.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, in *iamapi.SimulatePrincipalPolicyInput) (*iamapi.SimulatePrincipalPolicyOutput, error) {
	return s.simulate(ctx, in.PolicySourceArn, in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ActionNames,
		in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.CallerArn, in.ContextEntries, in.ResourceHandlingOption, in.MaxItems, in.Marker)
}

// SimulateCustomPolicy simulates the given policies alone.
func (s *Service) SimulateCustomPolicy(ctx context.Context, in *iamapi.SimulateCustomPolicyInput) (*iamapi.SimulateCustomPolicyOutput, error) {
	return s.simulate(ctx, "", in.PolicyInputList, in.PermissionsBoundaryPolicyInputList, in.ActionNames,
		in.ResourceArns, in.ResourcePolicy, in.ResourceOwner, in.CallerArn, in.ContextEntries, in.ResourceHandlingOption, in.MaxItems, in.Marker)
}

func (s *Service) simulate(ctx context.Context, source string, policies, boundaries, actions, resources []string,
	resourcePolicy, owner, callerARN string, entries []iamapi.ContextEntry, handling string, maxItems *int32, marker string,
) (*iamapi.SimulatePolicyResponse, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.cfg.Authz == nil {
		return nil, errors.New("iamsvc: the simulator needs an authorizer")
	}
	if source == "" && len(policies) == 0 {
		return nil, awserr.InvalidInput("PolicyInputList must contain at least one policy.")
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	keys := make([]authz.Key, 0, len(entries))
	for _, e := range entries {
		keys = append(keys, authz.Key{Name: e.ContextKeyName, Values: e.ContextKeyValues})
	}
	_ = handling // EC2 scenarios shape which resources AWS asks for; IAM and STS need none.
	type pair struct{ action, resource string }
	pairs := make([]pair, 0, len(actions)*len(resources))
	for _, a := range actions {
		for _, r := range resources {
			pairs = append(pairs, pair{a, r})
		}
	}
	max := 0
	if maxItems != nil {
		max = int(*maxItems)
	}
	page, truncated, next, err := pageSlice(pairs, marker, max)
	if err != nil {
		return nil, err
	}
	out := &iamapi.SimulatePolicyResponse{EvaluationResults: []iamapi.EvaluationResult{}}
	for _, pr := range page {
		ev, err := s.cfg.Authz.Simulate(ctx, authz.Simulation{
			Account: p.Account(), Source: source, Policies: policies, Boundaries: boundaries,
			ResourcePolicy: resourcePolicy, ResourceOwner: owner, CallerARN: callerARN,
			Context: keys, Action: pr.action, Resource: pr.resource,
		})
		if err != nil {
			return nil, simulationError(err)
		}
		out.EvaluationResults = append(out.EvaluationResults, evaluationResult(&ev, pr.action, pr.resource))
	}
	out.IsTruncated = &truncated
	out.Marker = next
	return out, nil
}

func simulationError(err error) error {
	var se *authz.SimulationError
	if errors.As(err, &se) {
		if strings.Contains(se.Msg, "cannot be found") {
			return awserr.NoSuchEntity(se.Msg)
		}
		return awserr.InvalidInput(se.Msg)
	}
	return err
}

// evaluationResult maps one decision to the wire shape.
func evaluationResult(ev *authz.Evaluation, action, resource string) iamapi.EvaluationResult {
	r := iamapi.EvaluationResult{
		EvalActionName:       action,
		EvalResourceName:     resource,
		EvalDecision:         ev.Result.Decision.String(),
		MatchedStatements:    []iamapi.Statement{},
		MissingContextValues: append([]string{}, ev.Result.Missing...),
	}
	var boundaryAllow, boundaryDeny bool
	for _, m := range ev.Result.Matched {
		src := ev.Sources.Of(m.Policy)
		st := iamapi.Statement{SourcePolicyId: src.ID, SourcePolicyType: src.Type}
		if pol := ev.Policy(m.Policy); pol != nil && src.Doc != "" {
			if start, end, ok := authz.StatementSpan(pol, src.Doc, m.Statement); ok {
				st.StartPosition = position(start)
				st.EndPosition = position(end)
			}
		}
		r.MatchedStatements = append(r.MatchedStatements, st)
		if m.Policy.Place == policy.PlaceBoundary {
			boundaryAllow = boundaryAllow || m.Effect == policy.Allow
			boundaryDeny = boundaryDeny || m.Effect == policy.Deny
		}
	}
	if ev.Sets.Boundary != nil {
		ok := boundaryAllow && !boundaryDeny
		r.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: &ok}
	}
	if ev.Sets.Resource != nil {
		// Which side decided, as the console's simulator shows it for resource policies.
		r.EvalDecisionDetails = map[string]string{"decidedBy": ev.Result.By.Place.String()}
	}
	return r
}

func position(p authz.Position) *iamapi.Position {
	l, c := int32(p.Line), int32(p.Column)
	return &iamapi.Position{Line: &l, Column: &c}
}

// GetContextKeysForCustomPolicy lists the condition keys the given policies use.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, in *iamapi.GetContextKeysForCustomPolicyInput) (*iamapi.GetContextKeysForCustomPolicyOutput, error) {
	keys, err := authz.ContextKeys(in.PolicyInputList)
	if err != nil {
		return nil, simulationError(err)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: keys}, nil
}

// GetContextKeysForPrincipalPolicy lists the condition keys a principal's policies (and the
// given ones) use.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, in *iamapi.GetContextKeysForPrincipalPolicyInput) (*iamapi.GetContextKeysForPrincipalPolicyOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.cfg.Authz == nil {
		return nil, errors.New("iamsvc: the simulator needs an authorizer")
	}
	docs, err := s.cfg.Authz.PrincipalPolicies(ctx, p.Account(), in.PolicySourceArn)
	if err != nil {
		return nil, simulationError(err)
	}
	keys, err := authz.ContextKeys(append(docs, in.PolicyInputList...))
	if err != nil {
		return nil, simulationError(err)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: keys}, nil
}
