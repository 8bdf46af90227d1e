package orgs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
)

// op is one operation: its authorization and its implementation over its typed input.
type op struct {
	decl   func(s *Service) authz.Decl
	input  reflect.Type
	invoke func(s *Service, ctx context.Context, in any) (any, error)
}

// def declares an operation whose input is In. Its authorization is organizations:<name> on the
// resources res names from the input (nil: none, "*", as the Service Authorization Reference
// lists none for it), with the condition keys the reference gives the action.
func def[In, Out any](f func(s *Service, ctx context.Context, in *In) (*Out, error), res func(n *names, in *In)) op {
	return op{
		decl: func(s *Service) authz.Decl {
			return authz.On(func(r *authz.Resolver, in *In) {
				if res != nil {
					res(&names{s: s, r: r}, in)
				}
			})
		},
		input: reflect.TypeFor[In](),
		invoke: func(s *Service, ctx context.Context, in any) (any, error) {
			return f(s, ctx, in.(*In))
		},
	}
}

// The resources and keys of each action are the Service Authorization Reference's. An action
// naming several resources is authorized on each (the first is the request's resource, the
// others go along as further requests of the same action).
var ops = map[string]op{
	"CreateOrganization":   def((*Service).CreateOrganization, nil),
	"DescribeOrganization": def((*Service).DescribeOrganization, nil),
	"DeleteOrganization":   def((*Service).DeleteOrganization, nil),
	"ListRoots":            def((*Service).ListRoots, nil),
	"EnablePolicyType": def((*Service).EnablePolicyType, func(n *names, in *EnablePolicyTypeInput) {
		n.on(in.RootId, policyType(in.PolicyType)...)
	}),
	"DisablePolicyType": def((*Service).DisablePolicyType, func(n *names, in *DisablePolicyTypeInput) {
		n.on(in.RootId, policyType(in.PolicyType)...)
	}),

	"CreateOrganizationalUnit": def((*Service).CreateOrganizationalUnit, func(n *names, in *CreateOrganizationalUnitInput) {
		n.on(in.ParentId, requestTags(in.Tags)...)
	}),
	"UpdateOrganizationalUnit": def((*Service).UpdateOrganizationalUnit, func(n *names, in *UpdateOrganizationalUnitInput) {
		n.on(in.OrganizationalUnitId)
	}),
	"DeleteOrganizationalUnit": def((*Service).DeleteOrganizationalUnit, func(n *names, in *DeleteOrganizationalUnitInput) {
		n.on(in.OrganizationalUnitId)
	}),
	"DescribeOrganizationalUnit": def((*Service).DescribeOrganizationalUnit, func(n *names, in *DescribeOrganizationalUnitInput) {
		n.on(in.OrganizationalUnitId)
	}),
	"ListOrganizationalUnitsForParent": def((*Service).ListOrganizationalUnitsForParent, func(n *names, in *ListOrganizationalUnitsForParentInput) {
		n.on(in.ParentId)
	}),
	"ListChildren": def((*Service).ListChildren, func(n *names, in *ListChildrenInput) { n.on(in.ParentId) }),
	"ListParents":  def((*Service).ListParents, func(n *names, in *ListParentsInput) { n.on(in.ChildId) }),
	// MoveAccount names the account, the parent it leaves and the parent it joins.
	"MoveAccount": def((*Service).MoveAccount, func(n *names, in *MoveAccountInput) {
		n.on(in.AccountId)
		n.also(in.SourceParentId)
		n.also(in.DestinationParentId)
	}),

	"CreateAccount": def((*Service).CreateAccount, func(n *names, in *CreateAccountInput) {
		n.keys(requestTags(in.Tags))
	}),
	"DescribeCreateAccountStatus": def((*Service).DescribeCreateAccountStatus, nil),
	"ListCreateAccountStatus":     def((*Service).ListCreateAccountStatus, nil),
	"DescribeAccount":             def((*Service).DescribeAccount, func(n *names, in *DescribeAccountInput) { n.on(in.AccountId) }),
	"ListAccounts":                def((*Service).ListAccounts, nil),
	"ListAccountsForParent": def((*Service).ListAccountsForParent, func(n *names, in *ListAccountsForParentInput) {
		n.on(in.ParentId)
	}),
	"RemoveAccountFromOrganization": def((*Service).RemoveAccountFromOrganization, func(n *names, in *RemoveAccountFromOrganizationInput) {
		n.on(in.AccountId)
	}),
	"LeaveOrganization": def((*Service).LeaveOrganization, nil),
	"CloseAccount":      def((*Service).CloseAccount, func(n *names, in *CloseAccountInput) { n.on(in.AccountId) }),
	"InviteAccountToOrganization": def((*Service).InviteAccountToOrganization, func(n *names, in *InviteAccountToOrganizationInput) {
		// The invited account, when the target is one (iamd invites no email address).
		if in.Target.Type == "ACCOUNT" {
			n.on(in.Target.Id)
		}
		n.keys(requestTags(in.Tags))
	}),
	"AcceptHandshake":                     def((*Service).AcceptHandshake, func(n *names, in *AcceptHandshakeInput) { n.handshake(in.HandshakeId) }),
	"DeclineHandshake":                    def((*Service).DeclineHandshake, func(n *names, in *DeclineHandshakeInput) { n.handshake(in.HandshakeId) }),
	"CancelHandshake":                     def((*Service).CancelHandshake, func(n *names, in *CancelHandshakeInput) { n.handshake(in.HandshakeId) }),
	"DescribeHandshake":                   def((*Service).DescribeHandshake, func(n *names, in *DescribeHandshakeInput) { n.handshake(in.HandshakeId) }),
	"ListHandshakesForAccount":            def((*Service).ListHandshakesForAccount, nil),
	"ListHandshakesForOrganization":       def((*Service).ListHandshakesForOrganization, nil),
	"EnableAWSServiceAccess":              def((*Service).EnableAWSServiceAccess, func(n *names, in *EnableAWSServiceAccessInput) { n.keys(servicePrincipalKey(in.ServicePrincipal)) }),
	"DisableAWSServiceAccess":             def((*Service).DisableAWSServiceAccess, func(n *names, in *DisableAWSServiceAccessInput) { n.keys(servicePrincipalKey(in.ServicePrincipal)) }),
	"ListAWSServiceAccessForOrganization": def((*Service).ListAWSServiceAccessForOrganization, nil),
	"RegisterDelegatedAdministrator": def((*Service).RegisterDelegatedAdministrator, func(n *names, in *RegisterDelegatedAdministratorInput) {
		n.on(in.AccountId, servicePrincipalKey(in.ServicePrincipal)...)
	}),
	"DeregisterDelegatedAdministrator": def((*Service).DeregisterDelegatedAdministrator, func(n *names, in *DeregisterDelegatedAdministratorInput) {
		n.on(in.AccountId, servicePrincipalKey(in.ServicePrincipal)...)
	}),
	"ListDelegatedAdministrators": def((*Service).ListDelegatedAdministrators, func(n *names, in *ListDelegatedAdministratorsInput) {
		n.keys(servicePrincipalKey(in.ServicePrincipal))
	}),
	"ListDelegatedServicesForAccount": def((*Service).ListDelegatedServicesForAccount, func(n *names, in *ListDelegatedServicesForAccountInput) {
		n.on(in.AccountId)
	}),

	"CreatePolicy": def((*Service).CreatePolicy, func(n *names, in *CreatePolicyInput) {
		n.keys(policyType(in.Type), requestTags(in.Tags))
	}),
	"UpdatePolicy":   def((*Service).UpdatePolicy, func(n *names, in *UpdatePolicyInput) { n.policy(in.PolicyId) }),
	"DeletePolicy":   def((*Service).DeletePolicy, func(n *names, in *DeletePolicyInput) { n.policy(in.PolicyId) }),
	"DescribePolicy": def((*Service).DescribePolicy, func(n *names, in *DescribePolicyInput) { n.policy(in.PolicyId) }),
	"ListPolicies": def((*Service).ListPolicies, func(n *names, in *ListPoliciesInput) {
		n.keys(policyType(in.Filter))
	}),
	"ListPoliciesForTarget": def((*Service).ListPoliciesForTarget, func(n *names, in *ListPoliciesForTargetInput) {
		n.on(in.TargetId, policyType(in.Filter)...)
	}),
	"ListTargetsForPolicy": def((*Service).ListTargetsForPolicy, func(n *names, in *ListTargetsForPolicyInput) { n.policy(in.PolicyId) }),
	// Attaching and detaching name the policy and the root, OU or account it goes on.
	"AttachPolicy": def((*Service).AttachPolicy, func(n *names, in *AttachPolicyInput) {
		n.also(in.TargetId, n.policy(in.PolicyId)...)
	}),
	"DetachPolicy": def((*Service).DetachPolicy, func(n *names, in *DetachPolicyInput) {
		n.also(in.TargetId, n.policy(in.PolicyId)...)
	}),

	"TagResource": def((*Service).TagResource, func(n *names, in *TagResourceInput) {
		n.on(in.ResourceId, requestTags(in.Tags)...)
	}),
	"UntagResource": def((*Service).UntagResource, func(n *names, in *UntagResourceInput) {
		var keys []authz.Key
		if len(in.TagKeys) > 0 {
			keys = []authz.Key{{Name: "aws:TagKeys", Values: in.TagKeys}}
		}
		n.on(in.ResourceId, keys...)
	}),
	"ListTagsForResource": def((*Service).ListTagsForResource, func(n *names, in *ListTagsForResourceInput) { n.on(in.ResourceId) }),
}

// Decl declares how operation name is authorized; false for an operation iamd does not answer.
func (s *Service) Decl(name string) (authz.Decl, bool) {
	d, ok := s.decls[name]
	return d, ok
}

// Decode reads operation name's JSON body into its input. Members the model does not define
// are refused, as AWS's JSON services refuse them.
func (s *Service) Decode(name string, body []byte) (any, error) {
	o, ok := ops[name]
	if !ok {
		return nil, unknownOperation(name)
	}
	in := reflect.New(o.input).Interface()
	if len(bytes.TrimSpace(body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.DisallowUnknownFields()
		if err := d.Decode(in); err != nil {
			return nil, awserr.New(http.StatusBadRequest, "SerializationException", fmt.Sprintf("The request body is not a valid %s request: %v", name, err))
		}
	}
	if v, ok := in.(interface{ validate() error }); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// Invoke runs a decoded, authorized input for the principal in ctx.
func (s *Service) Invoke(ctx context.Context, name string, in any) (any, error) {
	o, ok := ops[name]
	if !ok {
		return nil, unknownOperation(name)
	}
	return o.invoke(s, ctx, in)
}

// Operations lists the operations iamd answers.
func Operations() []string {
	out := make([]string, 0, len(ops))
	for n := range ops {
		out = append(out, n)
	}
	return out
}

func unknownOperation(name string) error {
	return awserr.New(http.StatusBadRequest, "UnknownOperationException", "iamd does not answer the Organizations operation "+name+".")
}
