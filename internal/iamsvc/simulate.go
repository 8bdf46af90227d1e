package iamsvc

import (
	"context"
	"errors"
	"fmt"
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

// simulate answers one EvaluationResult per action, as AWS does now: with ResourceArns, its
// top-level fields are the aggregate over the resources (the most restrictive decision) and
// ResourceSpecificResults holds each resource's own; without (or with only "*"), the result is
// that of the resource "*" and has no per-resource part. MaxItems pages the actions.
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
	if err := authz.CheckResourceHandling(handling, resources); err != nil {
		return nil, simulationError(err)
	}
	specific := len(resources) > 1 || len(resources) == 1 && resources[0] != "*"
	if !specific {
		resources = []string{"*"}
	}
	keys := make([]authz.Key, 0, len(entries))
	for _, e := range entries {
		keys = append(keys, authz.Key{Name: e.ContextKeyName, Values: e.ContextKeyValues})
	}
	max := 0
	if maxItems != nil {
		max = int(*maxItems)
	}
	page, truncated, next, err := pageSlice(actions, marker, max)
	if err != nil {
		return nil, err
	}
	out := &iamapi.SimulatePolicyResponse{EvaluationResults: make([]iamapi.EvaluationResult, 0, len(page))}
	for _, action := range page {
		per := make([]iamapi.ResourceSpecificResult, 0, len(resources))
		orgs := true
		for _, res := range resources {
			ev, err := s.cfg.Authz.Simulate(ctx, authz.Simulation{
				Account: p.Account(), Source: source, Policies: policies, Boundaries: boundaries,
				ResourcePolicy: resourcePolicy, ResourceOwner: owner, CallerARN: callerARN,
				Context: keys, Action: action, Resource: res,
			})
			if err != nil {
				return nil, simulationError(err)
			}
			per = append(per, resourceResult(&ev, res))
			orgs = orgs && allowedByOrgs(&ev)
		}
		er := aggregate(action, per, specific)
		er.OrganizationsDecisionDetail = &iamapi.OrganizationsDecisionDetail{AllowedByOrganizations: &orgs}
		out.EvaluationResults = append(out.EvaluationResults, er)
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

// resourceResult maps one decision on one resource to the wire shape. EvalDecisionDetails is
// AWS's: each side's decision for a cross-account simulation, absent otherwise (AWS sends no
// empty map).
func resourceResult(ev *authz.Evaluation, resource string) iamapi.ResourceSpecificResult {
	r := iamapi.ResourceSpecificResult{
		EvalResourceName:     resource,
		EvalResourceDecision: ev.Result.Decision.String(),
		MatchedStatements:    []iamapi.Statement{},
		MissingContextValues: append([]string{}, ev.Result.Missing...),
	}
	var boundaryAllow, boundaryDeny bool
	for _, m := range ev.Result.Matched {
		if m.Policy.Place == policy.PlaceBoundary {
			boundaryAllow = boundaryAllow || m.Effect == policy.Allow
			boundaryDeny = boundaryDeny || m.Effect == policy.Deny
		}
		// An explicit deny is reported by its deny statements alone, as AWS documents.
		if ev.Result.Decision == policy.ExplicitDeny && m.Effect != policy.Deny {
			continue
		}
		src := ev.Sources.Of(m.Policy)
		st := iamapi.Statement{SourcePolicyId: src.ID, SourcePolicyType: sourceType(src.Type)}
		if pol := ev.Policy(m.Policy); pol != nil && src.Doc != "" {
			if start, end, ok := authz.StatementSpan(pol, src.Doc, m.Statement); ok {
				// AWS's span runs from just after the statement's opening brace to just after
				// its closing one: for its simulate-custom-policy example, a statement whose
				// brace is the 37th character starts at column 38 and ends at 167, one past
				// the brace that ends it.
				start.Column++
				st.StartPosition = position(start)
				st.EndPosition = position(end)
			}
		}
		r.MatchedStatements = append(r.MatchedStatements, st)
	}
	if ev.Sets.Boundary != nil {
		ok := boundaryAllow && !boundaryDeny
		r.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: &ok}
	}
	if ev.CrossAccount() {
		r.EvalDecisionDetails = ev.DecisionDetails()
	}
	return r
}

// sourceType is a statement's SourcePolicyType as AWS's simulator writes it: "IAM Policy" for
// the caller's policies (identity, boundary and session policies) and "Resource Policy" for the
// resource's, the names its EvalDecisionDetails use. The model's enum (user, group, role,
// aws-managed, user-managed, resource, none) is not what AWS sends; this is inferred from AWS's
// answers, not documented.
func sourceType(t string) string {
	if t == "resource" {
		return "Resource Policy"
	}
	return "IAM Policy"
}

// allowedByOrgs is Organizations' verdict on one evaluation, which AWS sends with every
// action's result (OrganizationsDecisionDetail): false when an SCP or an RCP decided.
func allowedByOrgs(ev *authz.Evaluation) bool {
	return ev.Result.By.Place != policy.PlaceSCP && ev.Result.By.Place != policy.PlaceRCP
}

// restrictiveness orders decisions for the aggregate: an explicit deny on any resource wins,
// then an implicit one.
func restrictiveness(d string) int {
	switch d {
	case "explicitDeny":
		return 2
	case "implicitDeny":
		return 1
	}
	return 0
}

// aggregate builds an action's EvaluationResult from its per-resource results: the most
// restrictive decision, with the statements of the resources that reached it, every missing
// key, the boundary's verdict over all resources, and per key of EvalDecisionDetails the most
// restrictive side.
func aggregate(action string, per []iamapi.ResourceSpecificResult, specific bool) iamapi.EvaluationResult {
	out := iamapi.EvaluationResult{EvalActionName: action, EvalResourceName: per[0].EvalResourceName,
		EvalDecision: per[0].EvalResourceDecision, MatchedStatements: []iamapi.Statement{}, MissingContextValues: []string{}}
	for _, r := range per[1:] {
		if restrictiveness(r.EvalResourceDecision) > restrictiveness(out.EvalDecision) {
			out.EvalDecision = r.EvalResourceDecision
		}
	}
	seenSt, seenKey := map[string]bool{}, map[string]bool{}
	for _, r := range per {
		if r.EvalResourceDecision == out.EvalDecision {
			for _, st := range r.MatchedStatements {
				k := fmt.Sprintf("%s|%s|%v|%v", st.SourcePolicyId, st.SourcePolicyType, posKey(st.StartPosition), posKey(st.EndPosition))
				if !seenSt[k] {
					seenSt[k] = true
					out.MatchedStatements = append(out.MatchedStatements, st)
				}
			}
		}
		for _, k := range r.MissingContextValues {
			if !seenKey[k] {
				seenKey[k] = true
				out.MissingContextValues = append(out.MissingContextValues, k)
			}
		}
		if b := r.PermissionsBoundaryDecisionDetail; b != nil {
			if out.PermissionsBoundaryDecisionDetail == nil {
				out.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: ptr(true)}
			}
			if !*b.AllowedByPermissionsBoundary {
				out.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary = ptr(false)
			}
		}
		if r.EvalDecisionDetails != nil && out.EvalDecisionDetails == nil {
			out.EvalDecisionDetails = map[string]string{}
		}
		for k, d := range r.EvalDecisionDetails {
			if cur, ok := out.EvalDecisionDetails[k]; !ok || restrictiveness(d) > restrictiveness(cur) {
				out.EvalDecisionDetails[k] = d
			}
		}
	}
	if specific {
		out.ResourceSpecificResults = per
	}
	return out
}

func posKey(p *iamapi.Position) [2]int32 {
	if p == nil {
		return [2]int32{}
	}
	return [2]int32{aws32(p.Line), aws32(p.Column)}
}

func aws32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
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
