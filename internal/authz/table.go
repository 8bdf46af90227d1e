package authz

import (
	"strconv"
	"strings"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/iam"
)

// DeclOf returns the declaration of service's ("iam" or "sts") operation op.
func DeclOf(service, op string) (Decl, bool) {
	tbl := iamTable
	if service == "sts" {
		tbl = stsTable
	}
	d, ok := tbl[op]
	return d, ok
}

// iamTable declares every IAM operation of the 2010-05-08 model, after AWS's Service
// Authorization Reference; the action is "iam:" + the name. A row without a body is "*" with
// the generic keys only.
var iamTable = map[string]Decl{
	"AcceptDelegationRequest": {},
	"AddClientIDToOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.AddClientIDToOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"AddRoleToInstanceProfile": On(func(r *Resolver, in *iamapi.AddRoleToInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
		r.PassRole(in.RoleName, "ec2.amazonaws.com")
	}),
	"AddUserToGroup": On(func(r *Resolver, in *iamapi.AddUserToGroupInput) {
		r.Group(in.GroupName)
	}),
	"AssociateDelegationRequest": {},
	"AttachGroupPolicy": On(func(r *Resolver, in *iamapi.AttachGroupPolicyInput) {
		r.Group(in.GroupName)
		r.Key("iam:PolicyARN", in.PolicyArn)
	}),
	"AttachRolePolicy": On(func(r *Resolver, in *iamapi.AttachRolePolicyInput) {
		r.Role(in.RoleName)
		r.Key("iam:PolicyARN", in.PolicyArn)
		r.Boundary()
	}),
	"AttachUserPolicy": On(func(r *Resolver, in *iamapi.AttachUserPolicyInput) {
		r.User(in.UserName)
		r.Key("iam:PolicyARN", in.PolicyArn)
		r.Boundary()
	}),
	"ChangePassword": On(func(r *Resolver, in *iamapi.ChangePasswordInput) {
		r.UserOrCaller("")
	}),
	"CreateAccessKey": On(func(r *Resolver, in *iamapi.CreateAccessKeyInput) {
		r.UserOrCaller(in.UserName)
		r.ShownUser(in.UserName)
	}),
	"CreateAccountAlias":      {},
	"CreateDelegationRequest": {},
	"CreateGroup": On(func(r *Resolver, in *iamapi.CreateGroupInput) {
		r.Resource(iam.GroupARN(r.Account(), pathOr(in.Path), in.GroupName))
	}),
	"CreateInstanceProfile": On(func(r *Resolver, in *iamapi.CreateInstanceProfileInput) {
		r.Resource(iam.InstanceProfileARN(r.Account(), pathOr(in.Path), in.InstanceProfileName))
		r.Tags("iam:TagInstanceProfile", iamTags(in.Tags))
	}),
	"CreateLoginProfile": On(func(r *Resolver, in *iamapi.CreateLoginProfileInput) {
		r.UserOrCaller(in.UserName)
	}),
	"CreateOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.CreateOpenIDConnectProviderInput) {
		r.Resource(r.ARN("oidc-provider/" + oidcHostPath(in.Url)))
		r.Tags("iam:TagOpenIDConnectProvider", iamTags(in.Tags))
	}),
	"CreatePolicy": On(func(r *Resolver, in *iamapi.CreatePolicyInput) {
		r.Resource(iam.PolicyARN(r.Account(), pathOr(in.Path), in.PolicyName))
		r.Shown("policy " + in.PolicyName) // AWS's denial names the new policy so, unlike a new role's ARN
		r.Tags("iam:TagPolicy", iamTags(in.Tags))
	}),
	"CreatePolicyVersion": On(func(r *Resolver, in *iamapi.CreatePolicyVersionInput) {
		r.Policy(in.PolicyArn)
	}),
	"CreateRole": On(func(r *Resolver, in *iamapi.CreateRoleInput) {
		r.Resource(iam.RoleARN(r.Account(), pathOr(in.Path), in.RoleName))
		r.NewBoundary(in.PermissionsBoundary)
		r.Tags("iam:TagRole", iamTags(in.Tags))
	}),
	"CreateSAMLProvider": On(func(r *Resolver, in *iamapi.CreateSAMLProviderInput) {
		r.Resource(r.ARN("saml-provider/" + in.Name))
		r.Tags("iam:TagSAMLProvider", iamTags(in.Tags))
	}),
	"CreateServiceLinkedRole": On(func(r *Resolver, in *iamapi.CreateServiceLinkedRoleInput) {
		// The role to be made, name and suffix included, as AWS evaluates and names it (its own
		// policies grant iam:CreateServiceLinkedRole on …/aws-service-role/SERVICE/ROLENAME); a
		// service iamd does not know keeps the path alone (the call is refused anyway).
		arn := r.ARN("role/aws-service-role/" + in.AWSServiceName + "/")
		if slr, ok := iam.ServiceLinkedRoleFor(strings.ToLower(in.AWSServiceName)); ok {
			arn += slr.RoleName
			if in.CustomSuffix != "" {
				arn += "_" + in.CustomSuffix
			}
		}
		r.Resource(arn)
		r.Key("iam:AWSServiceName", in.AWSServiceName)
	}),
	"CreateServiceSpecificCredential": On(func(r *Resolver, in *iamapi.CreateServiceSpecificCredentialInput) {
		r.User(in.UserName)
		sscKeys(r, in.ServiceName, in.CredentialAgeDays)
	}),
	"CreateUser": On(func(r *Resolver, in *iamapi.CreateUserInput) {
		r.Resource(iam.UserARN(r.Account(), pathOr(in.Path), in.UserName))
		r.NewBoundary(in.PermissionsBoundary)
		r.Tags("iam:TagUser", iamTags(in.Tags))
	}),
	"CreateVirtualMFADevice": On(func(r *Resolver, in *iamapi.CreateVirtualMFADeviceInput) {
		r.Resource(r.ARN("mfa" + pathOr(in.Path) + in.VirtualMFADeviceName))
		r.Tags("iam:TagMFADevice", iamTags(in.Tags))
	}),
	"DeactivateMFADevice": On(func(r *Resolver, in *iamapi.DeactivateMFADeviceInput) {
		r.UserOrCaller(in.UserName)
	}),
	"DeleteAccessKey": On(func(r *Resolver, in *iamapi.DeleteAccessKeyInput) {
		r.UserOrCaller(in.UserName)
		r.ShownUser(in.UserName)
	}),
	"DeleteAccountAlias":          {},
	"DeleteAccountPasswordPolicy": {},
	"DeleteGroup": On(func(r *Resolver, in *iamapi.DeleteGroupInput) {
		r.Group(in.GroupName)
	}),
	"DeleteGroupPolicy": On(func(r *Resolver, in *iamapi.DeleteGroupPolicyInput) {
		r.Group(in.GroupName)
	}),
	"DeleteInstanceProfile": On(func(r *Resolver, in *iamapi.DeleteInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
	}),
	"DeleteLoginProfile": On(func(r *Resolver, in *iamapi.DeleteLoginProfileInput) {
		r.UserOrCaller(in.UserName)
	}),
	"DeleteOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.DeleteOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"DeletePolicy": On(func(r *Resolver, in *iamapi.DeletePolicyInput) {
		r.Policy(in.PolicyArn)
	}),
	"DeletePolicyVersion": On(func(r *Resolver, in *iamapi.DeletePolicyVersionInput) {
		r.Policy(in.PolicyArn)
	}),
	"DeleteRole": On(func(r *Resolver, in *iamapi.DeleteRoleInput) {
		r.Role(in.RoleName)
	}),
	"DeleteRolePermissionsBoundary": On(func(r *Resolver, in *iamapi.DeleteRolePermissionsBoundaryInput) {
		r.Role(in.RoleName)
		r.Boundary()
	}),
	"DeleteRolePolicy": On(func(r *Resolver, in *iamapi.DeleteRolePolicyInput) {
		r.Role(in.RoleName)
		r.Boundary()
	}),
	"DeleteSAMLProvider": On(func(r *Resolver, in *iamapi.DeleteSAMLProviderInput) {
		r.Resource(in.SAMLProviderArn)
	}),
	"DeleteSSHPublicKey": On(func(r *Resolver, in *iamapi.DeleteSSHPublicKeyInput) {
		r.User(in.UserName)
	}),
	"DeleteServerCertificate": On(func(r *Resolver, in *iamapi.DeleteServerCertificateInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
	}),
	"DeleteServiceLinkedRole": On(func(r *Resolver, in *iamapi.DeleteServiceLinkedRoleInput) {
		r.Role(in.RoleName)
	}),
	"DeleteServiceSpecificCredential": On(func(r *Resolver, in *iamapi.DeleteServiceSpecificCredentialInput) {
		r.UserOrCaller(in.UserName)
	}),
	"DeleteSigningCertificate": On(func(r *Resolver, in *iamapi.DeleteSigningCertificateInput) {
		r.UserOrCaller(in.UserName)
	}),
	"DeleteUser": On(func(r *Resolver, in *iamapi.DeleteUserInput) {
		r.User(in.UserName)
	}),
	"DeleteUserPermissionsBoundary": On(func(r *Resolver, in *iamapi.DeleteUserPermissionsBoundaryInput) {
		r.User(in.UserName)
		r.Boundary()
	}),
	"DeleteUserPolicy": On(func(r *Resolver, in *iamapi.DeleteUserPolicyInput) {
		r.User(in.UserName)
		r.Boundary()
	}),
	"DeleteVirtualMFADevice": On(func(r *Resolver, in *iamapi.DeleteVirtualMFADeviceInput) {
		r.Resource(in.SerialNumber)
	}),
	"DetachGroupPolicy": On(func(r *Resolver, in *iamapi.DetachGroupPolicyInput) {
		r.Group(in.GroupName)
		r.Key("iam:PolicyARN", in.PolicyArn)
	}),
	"DetachRolePolicy": On(func(r *Resolver, in *iamapi.DetachRolePolicyInput) {
		r.Role(in.RoleName)
		r.Key("iam:PolicyARN", in.PolicyArn)
		r.Boundary()
	}),
	"DetachUserPolicy": On(func(r *Resolver, in *iamapi.DetachUserPolicyInput) {
		r.User(in.UserName)
		r.Key("iam:PolicyARN", in.PolicyArn)
		r.Boundary()
	}),
	"DisableOrganizationsRootCredentialsManagement": {},
	"DisableOrganizationsRootSessions":              {},
	"DisableOutboundWebIdentityFederation":          {},
	"EnableMFADevice": On(func(r *Resolver, in *iamapi.EnableMFADeviceInput) {
		r.User(in.UserName)
	}),
	"EnableOrganizationsRootCredentialsManagement": {},
	"EnableOrganizationsRootSessions":              {},
	"EnableOutboundWebIdentityFederation":          {},
	"GenerateCredentialReport":                     {},
	"GenerateOrganizationsAccessReport": On(func(r *Resolver, in *iamapi.GenerateOrganizationsAccessReportInput) {
		r.Resource(r.ARN("access-report/" + in.EntityPath))
		if in.OrganizationsPolicyId != "" {
			r.Key("iam:OrganizationsPolicyId", in.OrganizationsPolicyId)
		}
	}),
	"GenerateServiceLastAccessedDetails": On(func(r *Resolver, in *iamapi.GenerateServiceLastAccessedDetailsInput) {
		r.Resource(in.Arn)
	}),
	"GetAccessKeyLastUsed":           {},
	"GetAccountAuthorizationDetails": {},
	"GetAccountPasswordPolicy":       {},
	"GetAccountSummary":              {},
	"GetContextKeysForCustomPolicy":  {},
	"GetContextKeysForPrincipalPolicy": On(func(r *Resolver, in *iamapi.GetContextKeysForPrincipalPolicyInput) {
		r.Resource(in.PolicySourceArn)
	}),
	"GetCredentialReport":  {},
	"GetDelegationRequest": {},
	"GetGroup": On(func(r *Resolver, in *iamapi.GetGroupInput) {
		r.Group(in.GroupName)
	}),
	"GetGroupPolicy": On(func(r *Resolver, in *iamapi.GetGroupPolicyInput) {
		r.Group(in.GroupName)
	}),
	"GetHumanReadableSummary": {},
	"GetInstanceProfile": On(func(r *Resolver, in *iamapi.GetInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
	}),
	"GetLoginProfile": On(func(r *Resolver, in *iamapi.GetLoginProfileInput) {
		r.UserOrCaller(in.UserName)
	}),
	"GetMFADevice": On(func(r *Resolver, in *iamapi.GetMFADeviceInput) {
		r.UserOrCaller(in.UserName)
	}),
	"GetOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.GetOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"GetOrganizationsAccessReport":         {},
	"GetOutboundWebIdentityFederationInfo": {},
	"GetPolicy": On(func(r *Resolver, in *iamapi.GetPolicyInput) {
		r.Policy(in.PolicyArn)
	}),
	"GetPolicyVersion": On(func(r *Resolver, in *iamapi.GetPolicyVersionInput) {
		r.Policy(in.PolicyArn)
	}),
	"GetRole": On(func(r *Resolver, in *iamapi.GetRoleInput) {
		r.Role(in.RoleName)
	}),
	"GetRolePolicy": On(func(r *Resolver, in *iamapi.GetRolePolicyInput) {
		r.Role(in.RoleName)
	}),
	"GetSAMLProvider": On(func(r *Resolver, in *iamapi.GetSAMLProviderInput) {
		r.Resource(in.SAMLProviderArn)
	}),
	"GetSSHPublicKey": On(func(r *Resolver, in *iamapi.GetSSHPublicKeyInput) {
		r.User(in.UserName)
	}),
	"GetServerCertificate": On(func(r *Resolver, in *iamapi.GetServerCertificateInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
	}),
	"GetServiceLastAccessedDetails":             {},
	"GetServiceLastAccessedDetailsWithEntities": {},
	"GetServiceLinkedRoleDeletionStatus":        {},
	"GetUser": On(func(r *Resolver, in *iamapi.GetUserInput) {
		r.UserOrCaller(in.UserName)
	}),
	"GetUserPolicy": On(func(r *Resolver, in *iamapi.GetUserPolicyInput) {
		r.User(in.UserName)
	}),
	"ListAccessKeys": On(func(r *Resolver, in *iamapi.ListAccessKeysInput) {
		r.UserOrCaller(in.UserName)
		r.ShownUser(in.UserName)
	}),
	"ListAccountAliases": {},
	"ListAttachedGroupPolicies": On(func(r *Resolver, in *iamapi.ListAttachedGroupPoliciesInput) {
		r.Group(in.GroupName)
	}),
	"ListAttachedRolePolicies": On(func(r *Resolver, in *iamapi.ListAttachedRolePoliciesInput) {
		r.Role(in.RoleName)
	}),
	"ListAttachedUserPolicies": On(func(r *Resolver, in *iamapi.ListAttachedUserPoliciesInput) {
		r.User(in.UserName)
	}),
	"ListDelegationRequests": {},
	"ListEntitiesForPolicy": On(func(r *Resolver, in *iamapi.ListEntitiesForPolicyInput) {
		r.Policy(in.PolicyArn)
	}),
	"ListGroupPolicies": On(func(r *Resolver, in *iamapi.ListGroupPoliciesInput) {
		r.Group(in.GroupName)
	}),
	"ListGroups": On(func(r *Resolver, in *iamapi.ListGroupsInput) {
		r.Resource(r.ARN("group" + pathOr(in.PathPrefix)))
	}),
	"ListGroupsForUser": On(func(r *Resolver, in *iamapi.ListGroupsForUserInput) {
		r.User(in.UserName)
	}),
	"ListInstanceProfileTags": On(func(r *Resolver, in *iamapi.ListInstanceProfileTagsInput) {
		r.Profile(in.InstanceProfileName)
	}),
	"ListInstanceProfiles": On(func(r *Resolver, in *iamapi.ListInstanceProfilesInput) {
		r.Resource(r.ARN("instance-profile" + pathOr(in.PathPrefix)))
	}),
	"ListInstanceProfilesForRole": On(func(r *Resolver, in *iamapi.ListInstanceProfilesForRoleInput) {
		r.Role(in.RoleName)
	}),
	"ListMFADeviceTags": On(func(r *Resolver, in *iamapi.ListMFADeviceTagsInput) {
		r.Resource(in.SerialNumber)
	}),
	"ListMFADevices": On(func(r *Resolver, in *iamapi.ListMFADevicesInput) {
		r.UserOrCaller(in.UserName) // a denial names "user NAME", the caller's own name without one
	}),
	"ListOpenIDConnectProviderTags": On(func(r *Resolver, in *iamapi.ListOpenIDConnectProviderTagsInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"ListOpenIDConnectProviders": {},
	"ListOrganizationsFeatures":  {},
	"ListPolicies": On(func(r *Resolver, in *iamapi.ListPoliciesInput) {
		r.Resource(r.ARN("policy" + pathOr(in.PathPrefix)))
		r.Shown("policy path " + pathOr(in.PathPrefix))
	}),
	"ListPoliciesGrantingServiceAccess": On(func(r *Resolver, in *iamapi.ListPoliciesGrantingServiceAccessInput) {
		r.Resource(in.Arn)
	}),
	"ListPolicyTags": On(func(r *Resolver, in *iamapi.ListPolicyTagsInput) {
		r.Policy(in.PolicyArn)
	}),
	"ListPolicyVersions": On(func(r *Resolver, in *iamapi.ListPolicyVersionsInput) {
		r.Policy(in.PolicyArn)
	}),
	"ListRolePolicies": On(func(r *Resolver, in *iamapi.ListRolePoliciesInput) {
		r.Role(in.RoleName)
	}),
	"ListRoleTags": On(func(r *Resolver, in *iamapi.ListRoleTagsInput) {
		r.Role(in.RoleName)
	}),
	"ListRoles": On(func(r *Resolver, in *iamapi.ListRolesInput) {
		r.Resource(r.ARN("role" + pathOr(in.PathPrefix)))
	}),
	"ListSAMLProviderTags": On(func(r *Resolver, in *iamapi.ListSAMLProviderTagsInput) {
		r.Resource(in.SAMLProviderArn)
	}),
	"ListSAMLProviders": {},
	"ListSSHPublicKeys": On(func(r *Resolver, in *iamapi.ListSSHPublicKeysInput) {
		r.UserOrCaller(in.UserName)
	}),
	"ListServerCertificateTags": On(func(r *Resolver, in *iamapi.ListServerCertificateTagsInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
	}),
	"ListServerCertificates": {},
	"ListServiceSpecificCredentials": On(func(r *Resolver, in *iamapi.ListServiceSpecificCredentialsInput) {
		r.UserOrCaller(in.UserName)
	}),
	"ListSigningCertificates": On(func(r *Resolver, in *iamapi.ListSigningCertificatesInput) {
		r.UserOrCaller(in.UserName) // a denial names "user NAME", the caller's own name without one
	}),
	"ListUserPolicies": On(func(r *Resolver, in *iamapi.ListUserPoliciesInput) {
		r.User(in.UserName)
	}),
	"ListUserTags": On(func(r *Resolver, in *iamapi.ListUserTagsInput) {
		r.User(in.UserName)
	}),
	"ListUsers": On(func(r *Resolver, in *iamapi.ListUsersInput) {
		r.Resource(r.ARN("user" + pathOr(in.PathPrefix)))
	}),
	"ListVirtualMFADevices": {},
	"PutGroupPolicy": On(func(r *Resolver, in *iamapi.PutGroupPolicyInput) {
		r.Group(in.GroupName)
	}),
	"PutRolePermissionsBoundary": On(func(r *Resolver, in *iamapi.PutRolePermissionsBoundaryInput) {
		r.Role(in.RoleName)
		r.NewBoundary(in.PermissionsBoundary)
	}),
	"PutRolePolicy": On(func(r *Resolver, in *iamapi.PutRolePolicyInput) {
		r.Role(in.RoleName)
		r.Boundary()
	}),
	"PutUserPermissionsBoundary": On(func(r *Resolver, in *iamapi.PutUserPermissionsBoundaryInput) {
		r.User(in.UserName)
		r.NewBoundary(in.PermissionsBoundary)
	}),
	"PutUserPolicy": On(func(r *Resolver, in *iamapi.PutUserPolicyInput) {
		r.User(in.UserName)
		r.Boundary()
	}),
	"RejectDelegationRequest": {},
	"RemoveClientIDFromOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.RemoveClientIDFromOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"RemoveRoleFromInstanceProfile": On(func(r *Resolver, in *iamapi.RemoveRoleFromInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
	}),
	"RemoveUserFromGroup": On(func(r *Resolver, in *iamapi.RemoveUserFromGroupInput) {
		r.Group(in.GroupName)
	}),
	"ResetServiceSpecificCredential": On(func(r *Resolver, in *iamapi.ResetServiceSpecificCredentialInput) {
		r.UserOrCaller(in.UserName)
	}),
	"ResyncMFADevice": On(func(r *Resolver, in *iamapi.ResyncMFADeviceInput) {
		r.User(in.UserName)
	}),
	"SendDelegationToken": {},
	"SetDefaultPolicyVersion": On(func(r *Resolver, in *iamapi.SetDefaultPolicyVersionInput) {
		r.Policy(in.PolicyArn)
	}),
	"SetSecurityTokenServicePreferences": {},
	"SimulateCustomPolicy":               {},
	"SimulatePrincipalPolicy": On(func(r *Resolver, in *iamapi.SimulatePrincipalPolicyInput) {
		r.Resource(in.PolicySourceArn)
	}),
	"TagInstanceProfile": On(func(r *Resolver, in *iamapi.TagInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagMFADevice": On(func(r *Resolver, in *iamapi.TagMFADeviceInput) {
		r.Resource(in.SerialNumber)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.TagOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagPolicy": On(func(r *Resolver, in *iamapi.TagPolicyInput) {
		r.Policy(in.PolicyArn)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagRole": On(func(r *Resolver, in *iamapi.TagRoleInput) {
		r.Role(in.RoleName)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagSAMLProvider": On(func(r *Resolver, in *iamapi.TagSAMLProviderInput) {
		r.Resource(in.SAMLProviderArn)
		r.Tags("", iamTags(in.Tags))
	}),
	"TagServerCertificate": On(func(r *Resolver, in *iamapi.TagServerCertificateInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
		r.Tags("", iamTags(in.Tags))
	}),
	"TagUser": On(func(r *Resolver, in *iamapi.TagUserInput) {
		r.User(in.UserName)
		r.Tags("", iamTags(in.Tags))
	}),
	"UntagInstanceProfile": On(func(r *Resolver, in *iamapi.UntagInstanceProfileInput) {
		r.Profile(in.InstanceProfileName)
		r.TagKeys(in.TagKeys)
	}),
	"UntagMFADevice": On(func(r *Resolver, in *iamapi.UntagMFADeviceInput) {
		r.Resource(in.SerialNumber)
		r.TagKeys(in.TagKeys)
	}),
	"UntagOpenIDConnectProvider": On(func(r *Resolver, in *iamapi.UntagOpenIDConnectProviderInput) {
		r.Resource(in.OpenIDConnectProviderArn)
		r.TagKeys(in.TagKeys)
	}),
	"UntagPolicy": On(func(r *Resolver, in *iamapi.UntagPolicyInput) {
		r.Policy(in.PolicyArn)
		r.TagKeys(in.TagKeys)
	}),
	"UntagRole": On(func(r *Resolver, in *iamapi.UntagRoleInput) {
		r.Role(in.RoleName)
		r.TagKeys(in.TagKeys)
	}),
	"UntagSAMLProvider": On(func(r *Resolver, in *iamapi.UntagSAMLProviderInput) {
		r.Resource(in.SAMLProviderArn)
		r.TagKeys(in.TagKeys)
	}),
	"UntagServerCertificate": On(func(r *Resolver, in *iamapi.UntagServerCertificateInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
		r.TagKeys(in.TagKeys)
	}),
	"UntagUser": On(func(r *Resolver, in *iamapi.UntagUserInput) {
		r.User(in.UserName)
		r.TagKeys(in.TagKeys)
	}),
	"UpdateAccessKey": On(func(r *Resolver, in *iamapi.UpdateAccessKeyInput) {
		r.UserOrCaller(in.UserName)
		r.ShownUser(in.UserName) // as its three siblings' recorded denials
	}),
	"UpdateAccountPasswordPolicy": {},
	"UpdateAssumeRolePolicy": On(func(r *Resolver, in *iamapi.UpdateAssumeRolePolicyInput) {
		r.Role(in.RoleName)
	}),
	"UpdateDelegationRequest": {},
	"UpdateGroup": On(func(r *Resolver, in *iamapi.UpdateGroupInput) {
		r.Group(in.GroupName)
		r.Rename(in.NewPath, in.NewGroupName)
	}),
	"UpdateLoginProfile": On(func(r *Resolver, in *iamapi.UpdateLoginProfileInput) {
		r.UserOrCaller(in.UserName)
	}),
	"UpdateOpenIDConnectProviderThumbprint": On(func(r *Resolver, in *iamapi.UpdateOpenIDConnectProviderThumbprintInput) {
		r.Resource(in.OpenIDConnectProviderArn)
	}),
	"UpdateRole": On(func(r *Resolver, in *iamapi.UpdateRoleInput) {
		r.Role(in.RoleName)
	}),
	"UpdateRoleDescription": On(func(r *Resolver, in *iamapi.UpdateRoleDescriptionInput) {
		r.Role(in.RoleName)
	}),
	"UpdateSAMLProvider": On(func(r *Resolver, in *iamapi.UpdateSAMLProviderInput) {
		r.Resource(in.SAMLProviderArn)
	}),
	"UpdateSSHPublicKey": On(func(r *Resolver, in *iamapi.UpdateSSHPublicKeyInput) {
		r.User(in.UserName)
	}),
	"UpdateServerCertificate": On(func(r *Resolver, in *iamapi.UpdateServerCertificateInput) {
		r.Resource(r.ARN("server-certificate/" + in.ServerCertificateName))
		r.Rename(in.NewPath, in.NewServerCertificateName)
	}),
	"UpdateServiceSpecificCredential": On(func(r *Resolver, in *iamapi.UpdateServiceSpecificCredentialInput) {
		r.UserOrCaller(in.UserName)
	}),
	"UpdateSigningCertificate": On(func(r *Resolver, in *iamapi.UpdateSigningCertificateInput) {
		r.UserOrCaller(in.UserName)
	}),
	"UpdateUser": On(func(r *Resolver, in *iamapi.UpdateUserInput) {
		r.User(in.UserName)
		r.Rename(in.NewPath, in.NewUserName)
	}),
	"UploadSSHPublicKey": On(func(r *Resolver, in *iamapi.UploadSSHPublicKeyInput) {
		r.User(in.UserName)
	}),
	"UploadServerCertificate": On(func(r *Resolver, in *iamapi.UploadServerCertificateInput) {
		r.Resource(r.ARN("server-certificate" + pathOr(in.Path) + in.ServerCertificateName))
		r.Tags("iam:TagServerCertificate", iamTags(in.Tags))
	}),
	"UploadSigningCertificate": On(func(r *Resolver, in *iamapi.UploadSigningCertificateInput) {
		r.UserOrCaller(in.UserName)
	}),
}

// stsTable declares every STS operation of the 2011-06-15 model; the action is "sts:" + the
// name. AssumeRole* are authorized by the service against the role's trust policy.
var stsTable = map[string]Decl{
	"AssumeRole":                {Mode: ByService},
	"AssumeRoleWithSAML":        {Auth: Unsigned, Mode: ByService},
	"AssumeRoleWithWebIdentity": {Auth: Unsigned, Mode: ByService},
	"AssumeRoot": On(func(r *Resolver, in *stsapi.AssumeRootInput) {
		if iam.IsAccountID(in.TargetPrincipal) {
			r.Resource(iam.RootARN(in.TargetPrincipal))
		}
		if in.TaskPolicyArn != nil {
			r.Key("sts:TaskPolicyArn", in.TaskPolicyArn.Arn)
		}
	}),
	"DecodeAuthorizationMessage": {},
	"GetAccessKeyInfo":           {},
	"GetCallerIdentity":          {Mode: Unchecked},
	"GetDelegatedAccessToken":    {},
	"GetFederationToken": On(func(r *Resolver, in *stsapi.GetFederationTokenInput) {
		r.Resource(iam.FederatedUserARN(r.Account(), in.Name))
		r.Tags("sts:TagSession", stsTags(in.Tags))
	}),
	"GetSessionToken": {Mode: Unchecked},
	"GetWebIdentityToken": On(func(r *Resolver, in *stsapi.GetWebIdentityTokenInput) {
		webTokenKeys(r, in.Audience, in.SigningAlgorithm, in.DurationSeconds)
		r.Tags("sts:TagGetWebIdentityToken", stsTags(in.Tags), "sts:")
	}),
}

// iamTags and stsTags are the tags of a call, as the policy keys read them.
func iamTags(ts []iamapi.Tag) []iam.Tag {
	out := make([]iam.Tag, len(ts))
	for i, t := range ts {
		out[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func stsTags(ts []stsapi.Tag) []iam.Tag {
	out := make([]iam.Tag, len(ts))
	for i, t := range ts {
		out[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// sscKeys are a service-specific credential's keys: its service and, when given, its age.
func sscKeys(r *Resolver, service string, ageDays *int32) {
	r.Key("iam:ServiceSpecificCredentialServiceName", service)
	if ageDays != nil {
		r.Key("iam:ServiceSpecificCredentialAgeDays", strconv.Itoa(int(*ageDays)))
	}
}

// webTokenKeys are GetWebIdentityToken's keys: every audience, the algorithm, and the token
// lifetime (300 seconds when DurationSeconds is absent, the lifetime the token gets).
func webTokenKeys(r *Resolver, audience []string, alg string, seconds *int32) {
	if len(audience) > 0 {
		r.Key("sts:IdentityTokenAudience", audience...)
	}
	if alg != "" {
		r.Key("sts:SigningAlgorithm", alg)
	}
	d := int32(300)
	if seconds != nil {
		d = *seconds
	}
	r.Key("sts:DurationSeconds", strconv.Itoa(int(d)))
}
