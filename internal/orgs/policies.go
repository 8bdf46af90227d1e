package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

type CreatePolicyInput struct {
	Content     string
	Description string
	Name        string
	Type        string
	Tags        []Tag
}
type PolicyOutput struct{ Policy *Policy }

type UpdatePolicyInput struct {
	PolicyId    string
	Name        string
	Description *string
	Content     string
}

type DeletePolicyInput struct{ PolicyId string }
type DeletePolicyOutput struct{}

type DescribePolicyInput struct{ PolicyId string }

type ListPoliciesInput struct {
	Filter     string
	NextToken  string
	MaxResults *int32
}
type ListPoliciesOutput struct {
	Policies  []PolicySummary
	NextToken *string `json:",omitempty"`
}

type ListPoliciesForTargetInput struct {
	TargetId   string
	Filter     string
	NextToken  string
	MaxResults *int32
}

type ListTargetsForPolicyInput struct {
	PolicyId   string
	NextToken  string
	MaxResults *int32
}
type ListTargetsForPolicyOutput struct {
	Targets   []PolicyTargetSummary
	NextToken *string `json:",omitempty"`
}

type AttachPolicyInput struct{ PolicyId, TargetId string }
type AttachPolicyOutput struct{}

type DetachPolicyInput struct{ PolicyId, TargetId string }
type DetachPolicyOutput struct{}

func checkPolicyName(n string) error {
	if n == "" || len(n) > 128 {
		return invalidInput("INVALID_INPUT", "The policy name must be 1 to 128 characters long.")
	}
	return nil
}

func (in *CreatePolicyInput) validate() error {
	if err := checkPolicyName(in.Name); err != nil {
		return err
	}
	if len(in.Description) > 512 {
		return invalidInput("MAX_LENGTH_EXCEEDED", "You provided a value that exceeds the maximum allowed length.")
	}
	if err := checkType(in.Type); err != nil {
		return err
	}
	if err := checkContent(in.Type, in.Content); err != nil {
		return err
	}
	return checkTags(in.Tags)
}

func (in *UpdatePolicyInput) validate() error {
	if in.Name != "" {
		return checkPolicyName(in.Name)
	}
	return nil
}

// checkContent validates a policy document for its type: SCPs and RCPs in the IAM policy
// language with their rules (package policy), tag policies as a JSON object; each within its
// type's size limit.
func checkContent(t, content string) error {
	limit := maxSCPSize
	if t == typeTag {
		limit = maxTagPolicySize
	}
	if len(content) > limit {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size.")
	}
	if content == "" {
		return malformed("The policy document is empty.")
	}
	switch t {
	case typeSCP, typeRCP:
		kind := policy.KindSCP
		if t == typeRCP {
			kind = policy.KindRCP
		}
		if _, err := policy.Parse([]byte(content), kind); err != nil {
			var se *policy.SyntaxError
			if errors.As(err, &se) {
				return malformed(se.Reason)
			}
			return malformed(err.Error())
		}
		if t == typeRCP {
			return checkRCPActions(content)
		}
	case typeTag:
		var v map[string]any
		if json.Unmarshal([]byte(content), &v) != nil {
			return malformed("The policy document is not a JSON object.")
		}
	}
	return nil
}

func malformed(reason string) error {
	return orgErr("MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type. "+reason)
}

// checkRCPActions refuses RCP statements naming actions of services RCPs do not govern (AWS
// accepts "*" and the supported services' actions only).
func checkRCPActions(content string) error {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(content), &doc) != nil {
		return nil
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &one) != nil {
			return nil
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		if _, ok := st["NotAction"]; ok {
			return malformed("Resource control policies do not support NotAction.")
		}
		var actions []string
		if json.Unmarshal(st["Action"], &actions) != nil {
			var a string
			json.Unmarshal(st["Action"], &a)
			actions = []string{a}
		}
		for _, a := range actions {
			if a == "*" {
				continue
			}
			svc, _, _ := strings.Cut(strings.ToLower(a), ":")
			if !slices.Contains(rcpServiceNames, svc) {
				return malformed("Resource control policies support the actions of " + strings.Join(rcpServiceNames, ", ") + " only.")
			}
		}
	}
	return nil
}

var rcpServiceNames = []string{"s3", "sts", "sqs", "kms", "secretsmanager", "dynamodb", "ecr", "logs", "cognito-identity", "aoss", "s3tables"}

func (o *org) summary(p *orgPolicy) PolicySummary {
	return PolicySummary{Id: p.ID, Arn: o.policyARN(p), Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: p.AWSManaged}
}

func (o *org) policyOut(p *orgPolicy) *Policy {
	sum := o.summary(p)
	return &Policy{PolicySummary: &sum, Content: p.Content}
}

func immutable() error {
	return invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
}

func duplicatePolicy() error {
	return orgErr("DuplicatePolicyException", "A policy with the same name already exists.")
}

// CreatePolicy adds a customer managed policy.
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (*PolicyOutput, error) {
	var out *Policy
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		n := 0
		for _, p := range o.allPolicies() {
			if p.Type != in.Type {
				continue
			}
			n++
			if p.Name == in.Name {
				return duplicatePolicy()
			}
		}
		if n >= maxPoliciesPerType {
			return constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You have reached the maximum number of policies of this type in your organization.")
		}
		p := orgPolicy{ID: newPolicyID(), Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content}
		o.Policies = append(o.Policies, p)
		if err := o.setTags(p.ID, in.Tags); err != nil {
			return err
		}
		out = o.policyOut(&p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: out}, nil
}

// UpdatePolicy changes a customer managed policy's name, description or content; the change
// applies to every request from then on.
func (s *Service) UpdatePolicy(ctx context.Context, in *UpdatePolicyInput) (*PolicyOutput, error) {
	var out *Policy
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		p := o.policy(in.PolicyId)
		if p == nil {
			return policyNotFound()
		}
		if p.AWSManaged {
			return immutable()
		}
		if in.Name != "" && in.Name != p.Name {
			for _, q := range o.allPolicies() {
				if q.Type == p.Type && q.Name == in.Name {
					return duplicatePolicy()
				}
			}
			p.Name = in.Name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		if in.Content != "" {
			if err := checkContent(p.Type, in.Content); err != nil {
				return err
			}
			p.Content = in.Content
		}
		out = o.policyOut(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: out}, nil
}

// DeletePolicy deletes a customer managed policy attached to nothing.
func (s *Service) DeletePolicy(ctx context.Context, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		p := o.policy(in.PolicyId)
		if p == nil {
			return policyNotFound()
		}
		if p.AWSManaged {
			return immutable()
		}
		for _, a := range o.Attachments {
			if a.Policy == in.PolicyId {
				return orgErr("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
			}
		}
		o.Policies = slices.DeleteFunc(o.Policies, func(q orgPolicy) bool { return q.ID == in.PolicyId })
		delete(o.Tags, in.PolicyId)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeletePolicyOutput{}, nil
}

// DescribePolicy returns a policy with its content.
func (s *Service) DescribePolicy(ctx context.Context, in *DescribePolicyInput) (*PolicyOutput, error) {
	var out *Policy
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		p := o.policy(in.PolicyId)
		if p == nil {
			return policyNotFound()
		}
		out = o.policyOut(p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PolicyOutput{Policy: out}, nil
}

// ListPolicies lists the policies of one type, AWS managed ones included.
func (s *Service) ListPolicies(ctx context.Context, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	if !slices.Contains(modelTypes, in.Filter) {
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
	}
	out := &ListPoliciesOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var all []PolicySummary
		for _, p := range o.allPolicies() {
			if p.Type == in.Filter {
				all = append(all, o.summary(&p))
			}
		}
		var err error
		out.Policies, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// isTarget reports whether id is the root, an OU or an account of o.
func (o *org) isTarget(id string) bool { return o.isParent(id) || o.account(id) != nil }

// ListPoliciesForTarget lists the policies of one type attached directly to a target.
func (s *Service) ListPoliciesForTarget(ctx context.Context, in *ListPoliciesForTargetInput) (*ListPoliciesOutput, error) {
	if !slices.Contains(modelTypes, in.Filter) {
		return nil, invalidInput("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string.")
	}
	out := &ListPoliciesOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if !o.isTarget(in.TargetId) {
			return targetNotFound()
		}
		var all []PolicySummary
		for _, a := range o.Attachments {
			if a.Target != in.TargetId {
				continue
			}
			if p := o.policy(a.Policy); p != nil && p.Type == in.Filter {
				all = append(all, o.summary(p))
			}
		}
		var err error
		out.Policies, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (o *org) targetSummary(id string) PolicyTargetSummary {
	t := PolicyTargetSummary{TargetId: id, Arn: o.targetARN(id)}
	switch {
	case id == o.RootID:
		t.Name, t.Type = "Root", "ROOT"
	case o.ou(id) != nil:
		t.Name, t.Type = o.ou(id).Name, "ORGANIZATIONAL_UNIT"
	case o.account(id) != nil:
		t.Name, t.Type = o.account(id).Name, "ACCOUNT"
	}
	return t
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, in *ListTargetsForPolicyInput) (*ListTargetsForPolicyOutput, error) {
	out := &ListTargetsForPolicyOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if o.policy(in.PolicyId) == nil {
			return policyNotFound()
		}
		var all []PolicyTargetSummary
		for _, a := range o.Attachments {
			if a.Policy == in.PolicyId {
				all = append(all, o.targetSummary(a.Target))
			}
		}
		var err error
		out.Targets, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AttachPolicy attaches a policy to the root, an OU or an account; its type must be enabled.
func (s *Service) AttachPolicy(ctx context.Context, in *AttachPolicyInput) (*AttachPolicyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		p := o.policy(in.PolicyId)
		if p == nil {
			return policyNotFound()
		}
		if !o.isTarget(in.TargetId) {
			return targetNotFound()
		}
		if !o.enabled(p.Type) {
			return policyTypeNotEnabled()
		}
		if o.attached(p.ID, in.TargetId) {
			return orgErr("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
		}
		if (p.Type == typeSCP || p.Type == typeRCP) && o.attachedOfType(p.Type, in.TargetId) >= maxAttachedPerType {
			return constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of this type that can be attached to an entity.")
		}
		o.Attachments = append(o.Attachments, attachment{p.ID, in.TargetId})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AttachPolicyOutput{}, nil
}

func policyTypeNotEnabled() error {
	return orgErr("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
}

// DetachPolicy detaches a policy. Every root, OU and account keeps at least one SCP while
// SCPs are enabled, and RCPFullAWSAccess cannot be detached (AWS's rules).
func (s *Service) DetachPolicy(ctx context.Context, in *DetachPolicyInput) (*DetachPolicyOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		p := o.policy(in.PolicyId)
		if p == nil {
			return policyNotFound()
		}
		if !o.isTarget(in.TargetId) {
			return targetNotFound()
		}
		if !o.attached(p.ID, in.TargetId) {
			return orgErr("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
		}
		if p.ID == rcpFullAWSAccessID {
			return invalidInput("NON_DETACHABLE_POLICY", "You can't detach the RCPFullAWSAccess policy.")
		}
		if p.Type == typeSCP && o.attachedOfType(typeSCP, in.TargetId) <= 1 {
			return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
		}
		o.Attachments = slices.DeleteFunc(o.Attachments, func(a attachment) bool { return a == attachment{p.ID, in.TargetId} })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DetachPolicyOutput{}, nil
}
