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
	decl   authz.Decl
	input  reflect.Type
	invoke func(s *Service, ctx context.Context, in any) (any, error)
}

// def declares an operation whose input is In; keys adds its condition keys (nil: none). Every
// operation is authorized as organizations:<name> on "*" (iamd names no Organizations resource
// ARNs in requests), with the keys the Service Authorization Reference gives it.
func def[In, Out any](f func(s *Service, ctx context.Context, in *In) (*Out, error), keys func(r *authz.Resolver, in *In)) op {
	return op{
		decl: authz.On(func(r *authz.Resolver, in *In) {
			if keys != nil {
				keys(r, in)
			}
		}),
		input: reflect.TypeFor[In](),
		invoke: func(s *Service, ctx context.Context, in any) (any, error) {
			return f(s, ctx, in.(*In))
		},
	}
}

func policyTypeKey(t string) func(r *authz.Resolver) {
	return func(r *authz.Resolver) {
		if t != "" {
			r.Key("organizations:PolicyType", t)
		}
	}
}

var ops = map[string]op{
	"CreateOrganization":   def((*Service).CreateOrganization, nil),
	"DescribeOrganization": def((*Service).DescribeOrganization, nil),
	"DeleteOrganization":   def((*Service).DeleteOrganization, nil),
	"ListRoots":            def((*Service).ListRoots, nil),
	"EnablePolicyType": def((*Service).EnablePolicyType, func(r *authz.Resolver, in *EnablePolicyTypeInput) {
		policyTypeKey(in.PolicyType)(r)
	}),
	"DisablePolicyType": def((*Service).DisablePolicyType, func(r *authz.Resolver, in *DisablePolicyTypeInput) {
		policyTypeKey(in.PolicyType)(r)
	}),

	"CreateOrganizationalUnit":         def((*Service).CreateOrganizationalUnit, nil),
	"UpdateOrganizationalUnit":         def((*Service).UpdateOrganizationalUnit, nil),
	"DeleteOrganizationalUnit":         def((*Service).DeleteOrganizationalUnit, nil),
	"DescribeOrganizationalUnit":       def((*Service).DescribeOrganizationalUnit, nil),
	"ListOrganizationalUnitsForParent": def((*Service).ListOrganizationalUnitsForParent, nil),
	"ListChildren":                     def((*Service).ListChildren, nil),
	"ListParents":                      def((*Service).ListParents, nil),
	"MoveAccount":                      def((*Service).MoveAccount, nil),

	"CreateAccount":                       def((*Service).CreateAccount, nil),
	"DescribeCreateAccountStatus":         def((*Service).DescribeCreateAccountStatus, nil),
	"ListCreateAccountStatus":             def((*Service).ListCreateAccountStatus, nil),
	"DescribeAccount":                     def((*Service).DescribeAccount, nil),
	"ListAccounts":                        def((*Service).ListAccounts, nil),
	"ListAccountsForParent":               def((*Service).ListAccountsForParent, nil),
	"RemoveAccountFromOrganization":       def((*Service).RemoveAccountFromOrganization, nil),
	"LeaveOrganization":                   def((*Service).LeaveOrganization, nil),
	"CloseAccount":                        def((*Service).CloseAccount, nil),
	"InviteAccountToOrganization":         def((*Service).InviteAccountToOrganization, nil),
	"AcceptHandshake":                     def((*Service).AcceptHandshake, nil),
	"DeclineHandshake":                    def((*Service).DeclineHandshake, nil),
	"CancelHandshake":                     def((*Service).CancelHandshake, nil),
	"DescribeHandshake":                   def((*Service).DescribeHandshake, nil),
	"ListHandshakesForAccount":            def((*Service).ListHandshakesForAccount, nil),
	"ListHandshakesForOrganization":       def((*Service).ListHandshakesForOrganization, nil),
	"EnableAWSServiceAccess":              def((*Service).EnableAWSServiceAccess, servicePrincipalKey[EnableAWSServiceAccessInput]),
	"DisableAWSServiceAccess":             def((*Service).DisableAWSServiceAccess, servicePrincipalKey[DisableAWSServiceAccessInput]),
	"ListAWSServiceAccessForOrganization": def((*Service).ListAWSServiceAccessForOrganization, nil),
	"RegisterDelegatedAdministrator":      def((*Service).RegisterDelegatedAdministrator, servicePrincipalKey[RegisterDelegatedAdministratorInput]),
	"DeregisterDelegatedAdministrator": def((*Service).DeregisterDelegatedAdministrator,
		servicePrincipalKey[DeregisterDelegatedAdministratorInput]),
	"ListDelegatedAdministrators":     def((*Service).ListDelegatedAdministrators, nil),
	"ListDelegatedServicesForAccount": def((*Service).ListDelegatedServicesForAccount, nil),

	"CreatePolicy": def((*Service).CreatePolicy, func(r *authz.Resolver, in *CreatePolicyInput) {
		policyTypeKey(in.Type)(r)
	}),
	"UpdatePolicy":   def((*Service).UpdatePolicy, nil),
	"DeletePolicy":   def((*Service).DeletePolicy, nil),
	"DescribePolicy": def((*Service).DescribePolicy, nil),
	"ListPolicies": def((*Service).ListPolicies, func(r *authz.Resolver, in *ListPoliciesInput) {
		policyTypeKey(in.Filter)(r)
	}),
	"ListPoliciesForTarget": def((*Service).ListPoliciesForTarget, func(r *authz.Resolver, in *ListPoliciesForTargetInput) {
		policyTypeKey(in.Filter)(r)
	}),
	"ListTargetsForPolicy": def((*Service).ListTargetsForPolicy, nil),
	"AttachPolicy":         def((*Service).AttachPolicy, nil),
	"DetachPolicy":         def((*Service).DetachPolicy, nil),

	"TagResource":         def((*Service).TagResource, nil),
	"UntagResource":       def((*Service).UntagResource, nil),
	"ListTagsForResource": def((*Service).ListTagsForResource, nil),
}

func servicePrincipalKey[In any](r *authz.Resolver, in *In) {
	v := reflect.ValueOf(in).Elem().FieldByName("ServicePrincipal")
	if v.IsValid() && v.String() != "" {
		r.Key("organizations:ServicePrincipal", v.String())
	}
}

// Decl declares how operation name is authorized; false for an operation iamd does not answer.
func (s *Service) Decl(name string) (authz.Decl, bool) {
	o, ok := ops[name]
	return o.decl, ok
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
