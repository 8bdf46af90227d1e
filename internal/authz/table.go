package authz

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Mode says how an operation is authorized.
type Mode uint8

const (
	// Checked operations are allowed only when the policies allow the Request Resolve returns.
	Checked Mode = iota
	// Unchecked operations need no permission (AWS: GetCallerIdentity, GetSessionToken).
	Unchecked
	// ByService operations are authorized inside the service, which needs facts only it has
	// (AssumeRole evaluates the role's trust policy).
	ByService
)

// ModeOf returns how service's operation op is authorized.
func ModeOf(service, op string) Mode {
	if service == "sts" {
		switch op {
		case "GetCallerIdentity", "GetSessionToken":
			return Unchecked
		case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
			return ByService
		}
	}
	return Checked
}

// res says how an operation's resource ARN is built from its input.
type res uint8

const (
	resAny        res = iota // "*": the Service Authorization Reference lists no resource type
	resUser                  // UserName, required
	resUserCaller            // UserName, optional: absent means the calling user
	resRole                  // RoleName
	resGroup                 // GroupName
	resPolicy                // PolicyArn
	resProfile               // InstanceProfileName
	resOIDC                  // OpenIDConnectProviderArn
	resSAML                  // SAMLProviderArn
	resMFA                   // SerialNumber (a virtual device's serial number is its ARN)
	resCert                  // ServerCertificateName
	resNewUser               // Path + UserName of a user being created
	resNewRole               // Path + RoleName
	resNewGroup              // Path + GroupName
	resNewPolicy             // Path + PolicyName
	resNewProfile            // Path + InstanceProfileName
	resNewOIDC               // Url: oidc-provider/HOST/PATH
	resNewSAML               // Name
	resNewMFA                // Path + VirtualMFADeviceName
	resNewCert               // Path + ServerCertificateName
	resSLR                   // AWSServiceName: the service-linked role's path
	resList                  // an account-wide listing: the kind's ARN prefix under PathPrefix
	resField                 // an ARN given in the input field named by row.field
	resFederated             // Name: federated-user/NAME (GetFederationToken)
	resRootOf                // TargetPrincipal's root (AssumeRoot)
	resReport                // access-report/EntityPath (GenerateOrganizationsAccessReport)
)

// keys flags the service condition keys an operation supplies beyond the generic ones (every
// input with Tags supplies aws:RequestTag/* and aws:TagKeys, with TagKeys aws:TagKeys; every
// existing tagged resource supplies aws:ResourceTag/*).
type keys uint8

const (
	kPolicyARN   keys = 1 << iota // iam:PolicyARN from PolicyArn
	kNewBoundary                  // iam:PermissionsBoundary from the PermissionsBoundary being set
	kBoundary                     // iam:PermissionsBoundary: the target user's or role's boundary
	kService                      // iam:AWSServiceName from AWSServiceName
	kOrgPolicy                    // iam:OrganizationsPolicyId from OrganizationsPolicyId
	kSSC                          // iam:ServiceSpecificCredentialServiceName/AgeDays
	kTaskPolicy                   // sts:TaskPolicyArn (AssumeRoot)
	kWebToken                     // sts:IdentityTokenAudience, sts:SigningAlgorithm, sts:DurationSeconds (GetWebIdentityToken)
)

// row is one operation's authorization, after AWS's Service Authorization Reference.
type row struct {
	res  res
	arg  string // resList: the kind ("user"); resField: the input field holding the ARN
	keys keys
	// tag is the action also required when the call carries Tags (creating a tagged entity
	// needs the kind's Tag action too).
	tag string
	// passRole: the call hands the role named by RoleName to a service (iam:PassRole).
	passRole string
	// rename is the input field of a new name (UpdateUser's NewUserName): a call that renames
	// or moves (NewPath) the entity needs the action on the target ARN too, as AWS requires
	// permission on both the source and the target.
	rename string
}

// iamTable is every IAM operation of the 2010-05-08 model; the action is "iam:" + the name.
var iamTable = map[string]row{
	"AcceptDelegationRequest":                       {},
	"AddClientIDToOpenIDConnectProvider":            {res: resOIDC},
	"AddRoleToInstanceProfile":                      {res: resProfile, passRole: "ec2.amazonaws.com"},
	"AddUserToGroup":                                {res: resGroup},
	"AssociateDelegationRequest":                    {},
	"AttachGroupPolicy":                             {res: resGroup, keys: kPolicyARN},
	"AttachRolePolicy":                              {res: resRole, keys: kPolicyARN | kBoundary},
	"AttachUserPolicy":                              {res: resUser, keys: kPolicyARN | kBoundary},
	"ChangePassword":                                {res: resUserCaller},
	"CreateAccessKey":                               {res: resUserCaller},
	"CreateAccountAlias":                            {},
	"CreateDelegationRequest":                       {},
	"CreateGroup":                                   {res: resNewGroup},
	"CreateInstanceProfile":                         {res: resNewProfile, tag: "iam:TagInstanceProfile"},
	"CreateLoginProfile":                            {res: resUserCaller},
	"CreateOpenIDConnectProvider":                   {res: resNewOIDC, tag: "iam:TagOpenIDConnectProvider"},
	"CreatePolicy":                                  {res: resNewPolicy, tag: "iam:TagPolicy"},
	"CreatePolicyVersion":                           {res: resPolicy},
	"CreateRole":                                    {res: resNewRole, keys: kNewBoundary, tag: "iam:TagRole"},
	"CreateSAMLProvider":                            {res: resNewSAML, tag: "iam:TagSAMLProvider"},
	"CreateServiceLinkedRole":                       {res: resSLR, keys: kService},
	"CreateServiceSpecificCredential":               {res: resUser, keys: kSSC},
	"CreateUser":                                    {res: resNewUser, keys: kNewBoundary, tag: "iam:TagUser"},
	"CreateVirtualMFADevice":                        {res: resNewMFA, tag: "iam:TagMFADevice"},
	"DeactivateMFADevice":                           {res: resUserCaller},
	"DeleteAccessKey":                               {res: resUserCaller},
	"DeleteAccountAlias":                            {},
	"DeleteAccountPasswordPolicy":                   {},
	"DeleteGroup":                                   {res: resGroup},
	"DeleteGroupPolicy":                             {res: resGroup},
	"DeleteInstanceProfile":                         {res: resProfile},
	"DeleteLoginProfile":                            {res: resUserCaller},
	"DeleteOpenIDConnectProvider":                   {res: resOIDC},
	"DeletePolicy":                                  {res: resPolicy},
	"DeletePolicyVersion":                           {res: resPolicy},
	"DeleteRole":                                    {res: resRole},
	"DeleteRolePermissionsBoundary":                 {res: resRole, keys: kBoundary},
	"DeleteRolePolicy":                              {res: resRole, keys: kBoundary},
	"DeleteSAMLProvider":                            {res: resSAML},
	"DeleteSSHPublicKey":                            {res: resUser},
	"DeleteServerCertificate":                       {res: resCert},
	"DeleteServiceLinkedRole":                       {res: resRole},
	"DeleteServiceSpecificCredential":               {res: resUserCaller},
	"DeleteSigningCertificate":                      {res: resUserCaller},
	"DeleteUser":                                    {res: resUser},
	"DeleteUserPermissionsBoundary":                 {res: resUser, keys: kBoundary},
	"DeleteUserPolicy":                              {res: resUser, keys: kBoundary},
	"DeleteVirtualMFADevice":                        {res: resMFA},
	"DetachGroupPolicy":                             {res: resGroup, keys: kPolicyARN},
	"DetachRolePolicy":                              {res: resRole, keys: kPolicyARN | kBoundary},
	"DetachUserPolicy":                              {res: resUser, keys: kPolicyARN | kBoundary},
	"DisableOrganizationsRootCredentialsManagement": {},
	"DisableOrganizationsRootSessions":              {},
	"DisableOutboundWebIdentityFederation":          {},
	"EnableMFADevice":                               {res: resUser},
	"EnableOrganizationsRootCredentialsManagement":  {},
	"EnableOrganizationsRootSessions":               {},
	"EnableOutboundWebIdentityFederation":           {},
	"GenerateCredentialReport":                      {},
	"GenerateOrganizationsAccessReport":             {res: resReport, keys: kOrgPolicy},
	"GenerateServiceLastAccessedDetails":            {res: resField, arg: "Arn"},
	"GetAccessKeyLastUsed":                          {},
	"GetAccountAuthorizationDetails":                {},
	"GetAccountPasswordPolicy":                      {},
	"GetAccountSummary":                             {},
	"GetContextKeysForCustomPolicy":                 {},
	"GetContextKeysForPrincipalPolicy":              {res: resField, arg: "PolicySourceArn"},
	"GetCredentialReport":                           {},
	"GetDelegationRequest":                          {},
	"GetGroup":                                      {res: resGroup},
	"GetGroupPolicy":                                {res: resGroup},
	"GetHumanReadableSummary":                       {},
	"GetInstanceProfile":                            {res: resProfile},
	"GetLoginProfile":                               {res: resUserCaller},
	"GetMFADevice":                                  {res: resUserCaller},
	"GetOpenIDConnectProvider":                      {res: resOIDC},
	"GetOrganizationsAccessReport":                  {},
	"GetOutboundWebIdentityFederationInfo":          {},
	"GetPolicy":                                     {res: resPolicy},
	"GetPolicyVersion":                              {res: resPolicy},
	"GetRole":                                       {res: resRole},
	"GetRolePolicy":                                 {res: resRole},
	"GetSAMLProvider":                               {res: resSAML},
	"GetSSHPublicKey":                               {res: resUser},
	"GetServerCertificate":                          {res: resCert},
	"GetServiceLastAccessedDetails":                 {},
	"GetServiceLastAccessedDetailsWithEntities":     {},
	"GetServiceLinkedRoleDeletionStatus":            {},
	"GetUser":                                       {res: resUserCaller},
	"GetUserPolicy":                                 {res: resUser},
	"ListAccessKeys":                                {res: resUserCaller},
	"ListAccountAliases":                            {},
	"ListAttachedGroupPolicies":                     {res: resGroup},
	"ListAttachedRolePolicies":                      {res: resRole},
	"ListAttachedUserPolicies":                      {res: resUser},
	"ListDelegationRequests":                        {},
	"ListEntitiesForPolicy":                         {res: resPolicy},
	"ListGroupPolicies":                             {res: resGroup},
	"ListGroups":                                    {res: resList, arg: "group"},
	"ListGroupsForUser":                             {res: resUser},
	"ListInstanceProfileTags":                       {res: resProfile},
	"ListInstanceProfiles":                          {res: resList, arg: "instance-profile"},
	"ListInstanceProfilesForRole":                   {res: resRole},
	"ListMFADeviceTags":                             {res: resMFA},
	"ListMFADevices":                                {res: resUserCaller},
	"ListOpenIDConnectProviderTags":                 {res: resOIDC},
	"ListOpenIDConnectProviders":                    {},
	"ListOrganizationsFeatures":                     {},
	"ListPolicies":                                  {res: resList, arg: "policy"},
	"ListPoliciesGrantingServiceAccess":             {res: resField, arg: "Arn"},
	"ListPolicyTags":                                {res: resPolicy},
	"ListPolicyVersions":                            {res: resPolicy},
	"ListRolePolicies":                              {res: resRole},
	"ListRoleTags":                                  {res: resRole},
	"ListRoles":                                     {res: resList, arg: "role"},
	"ListSAMLProviderTags":                          {res: resSAML},
	"ListSAMLProviders":                             {},
	"ListSSHPublicKeys":                             {res: resUserCaller},
	"ListServerCertificateTags":                     {res: resCert},
	"ListServerCertificates":                        {},
	"ListServiceSpecificCredentials":                {res: resUserCaller},
	"ListSigningCertificates":                       {res: resUserCaller},
	"ListUserPolicies":                              {res: resUser},
	"ListUserTags":                                  {res: resUser},
	"ListUsers":                                     {res: resList, arg: "user"},
	"ListVirtualMFADevices":                         {},
	"PutGroupPolicy":                                {res: resGroup},
	"PutRolePermissionsBoundary":                    {res: resRole, keys: kNewBoundary},
	"PutRolePolicy":                                 {res: resRole, keys: kBoundary},
	"PutUserPermissionsBoundary":                    {res: resUser, keys: kNewBoundary},
	"PutUserPolicy":                                 {res: resUser, keys: kBoundary},
	"RejectDelegationRequest":                       {},
	"RemoveClientIDFromOpenIDConnectProvider":       {res: resOIDC},
	"RemoveRoleFromInstanceProfile":                 {res: resProfile},
	"RemoveUserFromGroup":                           {res: resGroup},
	"ResetServiceSpecificCredential":                {res: resUserCaller},
	"ResyncMFADevice":                               {res: resUser},
	"SendDelegationToken":                           {},
	"SetDefaultPolicyVersion":                       {res: resPolicy},
	"SetSecurityTokenServicePreferences":            {},
	"SimulateCustomPolicy":                          {},
	"SimulatePrincipalPolicy":                       {res: resField, arg: "PolicySourceArn"},
	"TagInstanceProfile":                            {res: resProfile},
	"TagMFADevice":                                  {res: resMFA},
	"TagOpenIDConnectProvider":                      {res: resOIDC},
	"TagPolicy":                                     {res: resPolicy},
	"TagRole":                                       {res: resRole},
	"TagSAMLProvider":                               {res: resSAML},
	"TagServerCertificate":                          {res: resCert},
	"TagUser":                                       {res: resUser},
	"UntagInstanceProfile":                          {res: resProfile},
	"UntagMFADevice":                                {res: resMFA},
	"UntagOpenIDConnectProvider":                    {res: resOIDC},
	"UntagPolicy":                                   {res: resPolicy},
	"UntagRole":                                     {res: resRole},
	"UntagSAMLProvider":                             {res: resSAML},
	"UntagServerCertificate":                        {res: resCert},
	"UntagUser":                                     {res: resUser},
	"UpdateAccessKey":                               {res: resUserCaller},
	"UpdateAccountPasswordPolicy":                   {},
	"UpdateAssumeRolePolicy":                        {res: resRole},
	"UpdateDelegationRequest":                       {},
	"UpdateGroup":                                   {res: resGroup, rename: "NewGroupName"},
	"UpdateLoginProfile":                            {res: resUserCaller},
	"UpdateOpenIDConnectProviderThumbprint":         {res: resOIDC},
	"UpdateRole":                                    {res: resRole},
	"UpdateRoleDescription":                         {res: resRole},
	"UpdateSAMLProvider":                            {res: resSAML},
	"UpdateSSHPublicKey":                            {res: resUser},
	"UpdateServerCertificate":                       {res: resCert, rename: "NewServerCertificateName"},
	"UpdateServiceSpecificCredential":               {res: resUserCaller},
	"UpdateSigningCertificate":                      {res: resUserCaller},
	"UpdateUser":                                    {res: resUser, rename: "NewUserName"},
	"UploadSSHPublicKey":                            {res: resUser},
	"UploadServerCertificate":                       {res: resNewCert, tag: "iam:TagServerCertificate"},
	"UploadSigningCertificate":                      {res: resUserCaller},
}

// stsTable is every STS operation of the 2011-06-15 model; the action is "sts:" + the name.
// AssumeRole* are authorized by the service against the role's trust policy (ModeOf); their
// rows give the resource for the simulator.
var stsTable = map[string]row{
	"AssumeRole":                 {res: resField, arg: "RoleArn"},
	"AssumeRoleWithSAML":         {res: resField, arg: "RoleArn"},
	"AssumeRoleWithWebIdentity":  {res: resField, arg: "RoleArn"},
	"AssumeRoot":                 {res: resRootOf, keys: kTaskPolicy},
	"DecodeAuthorizationMessage": {},
	"GetAccessKeyInfo":           {},
	"GetCallerIdentity":          {},
	"GetDelegatedAccessToken":    {},
	"GetFederationToken":         {res: resFederated, tag: "sts:TagSession"},
	"GetSessionToken":            {},
	"GetWebIdentityToken":        {keys: kWebToken, tag: "sts:TagGetWebIdentityToken"},
}

// iamdTable is iamd's own operations, outside the AWS API; the action is "iamd:" + the name.
// Enrolling an instance hands the profile's role to the machine, as associating an instance
// profile does on EC2, so it needs iam:PassRole on the role too (its ResourceTag keys apply).
var iamdTable = map[string]row{
	"EnrollInstance": {res: resProfile, passRole: "ec2.amazonaws.com"},
	"RevokeInstance": {res: resField, arg: "InstanceArn"},
	"ListInstances":  {},
}

// Resolve returns the authorization request for a decoded input of service's operation op: the
// action, the resource ARN built as AWS's Service Authorization Reference names it (with the
// entity's path read from the store where the entity exists), the condition keys the operation
// supplies, and the further actions the call needs (Request.Dependent).
func (a *Authorizer) Resolve(ctx context.Context, p *authn.Principal, service, op string, in any) (Request, error) {
	req := Request{Action: service + ":" + op, Resource: "*"}
	tbl := iamTable
	switch service {
	case "sts":
		tbl = stsTable
	case "iamd":
		tbl = iamdTable
	}
	rw, ok := tbl[op]
	if !ok {
		return req, nil
	}
	f := fields(in)
	account := p.Account()
	var boundary string    // the target user's or role's permissions boundary
	var profileRole string // the role an existing instance profile holds
	var err error
	switch rw.res {
	case resUser:
		boundary, err = a.entity(ctx, &req, account, iam.KindUser, f.str("UserName"))
	case resUserCaller:
		switch name := f.str("UserName"); {
		case name != "":
			boundary, err = a.entity(ctx, &req, account, iam.KindUser, name)
		case p.Kind() == authn.User || p.Kind() == authn.UserSession:
			boundary, err = a.entity(ctx, &req, account, iam.KindUser, p.UserName())
		default:
			// Root acts on its own credentials; other callers must name a user (the service
			// answers ValidationError), so the resource is the caller itself.
			req.Resource = p.ARN()
		}
	case resRole:
		boundary, err = a.entity(ctx, &req, account, iam.KindRole, f.str("RoleName"))
	case resGroup:
		boundary, err = a.entity(ctx, &req, account, iam.KindGroup, f.str("GroupName"))
	case resPolicy:
		err = a.managedPolicy(ctx, &req, f.str("PolicyArn"))
	case resProfile:
		profileRole, err = a.instanceProfile(ctx, &req, account, f.str("InstanceProfileName"))
	case resOIDC:
		req.Resource = f.str("OpenIDConnectProviderArn")
	case resSAML:
		req.Resource = f.str("SAMLProviderArn")
	case resMFA:
		req.Resource = f.str("SerialNumber")
	case resCert:
		req.Resource = arnOf(account, "server-certificate/"+f.str("ServerCertificateName"))
	case resNewUser:
		req.Resource = iam.UserARN(account, pathOr(f.str("Path")), f.str("UserName"))
	case resNewRole:
		req.Resource = iam.RoleARN(account, pathOr(f.str("Path")), f.str("RoleName"))
	case resNewGroup:
		req.Resource = iam.GroupARN(account, pathOr(f.str("Path")), f.str("GroupName"))
	case resNewPolicy:
		req.Resource = iam.PolicyARN(account, pathOr(f.str("Path")), f.str("PolicyName"))
	case resNewProfile:
		req.Resource = iam.InstanceProfileARN(account, pathOr(f.str("Path")), f.str("InstanceProfileName"))
	case resNewOIDC:
		req.Resource = arnOf(account, "oidc-provider/"+oidcHostPath(f.str("Url")))
	case resNewSAML:
		req.Resource = arnOf(account, "saml-provider/"+f.str("Name"))
	case resNewMFA:
		req.Resource = arnOf(account, "mfa"+pathOr(f.str("Path"))+f.str("VirtualMFADeviceName"))
	case resNewCert:
		req.Resource = arnOf(account, "server-certificate"+pathOr(f.str("Path"))+f.str("ServerCertificateName"))
	case resSLR:
		req.Resource = arnOf(account, "role/aws-service-role/"+f.str("AWSServiceName")+"/")
	case resList:
		req.Resource = arnOf(account, rw.arg+pathOr(f.str("PathPrefix")))
	case resField:
		if v := f.str(rw.arg); v != "" {
			req.Resource = v
		}
	case resFederated:
		req.Resource = iam.FederatedUserARN(account, f.str("Name"))
	case resRootOf:
		if t := f.str("TargetPrincipal"); iam.IsAccountID(t) {
			req.Resource = iam.RootARN(t)
		}
	case resReport:
		req.Resource = arnOf(account, "access-report/"+f.str("EntityPath"))
	}
	if err != nil {
		return req, err
	}
	if rw.keys&kPolicyARN != 0 {
		req.Keys = append(req.Keys, Key{Name: "iam:PolicyARN", Values: []string{f.str("PolicyArn")}})
	}
	if rw.keys&kNewBoundary != 0 {
		boundary = f.str("PermissionsBoundary")
	}
	if rw.keys&(kNewBoundary|kBoundary) != 0 && boundary != "" {
		req.Keys = append(req.Keys, Key{Name: "iam:PermissionsBoundary", Values: []string{boundary}})
	}
	if rw.keys&kService != 0 {
		req.Keys = append(req.Keys, Key{Name: "iam:AWSServiceName", Values: []string{f.str("AWSServiceName")}})
	}
	if rw.keys&kOrgPolicy != 0 {
		if v := f.str("OrganizationsPolicyId"); v != "" {
			req.Keys = append(req.Keys, Key{Name: "iam:OrganizationsPolicyId", Values: []string{v}})
		}
	}
	if rw.keys&kSSC != 0 {
		req.Keys = append(req.Keys, Key{Name: "iam:ServiceSpecificCredentialServiceName", Values: []string{f.str("ServiceName")}})
		if days, ok := f.int("CredentialAgeDays"); ok {
			req.Keys = append(req.Keys, Key{Name: "iam:ServiceSpecificCredentialAgeDays", Values: []string{strconv.FormatInt(days, 10)}})
		}
	}
	if rw.keys&kTaskPolicy != 0 {
		if v := f.str("TaskPolicyArn"); v != "" {
			req.Keys = append(req.Keys, Key{Name: "sts:TaskPolicyArn", Values: []string{v}})
		}
	}
	if rw.keys&kWebToken != 0 {
		req.Keys = append(req.Keys, f.webTokenKeys()...)
	}
	tagged := f.tags(&req)
	f.tagKeys(&req)
	if tagged && rw.tag != "" {
		dep := Request{Action: rw.tag, Resource: req.Resource}
		for _, k := range req.Keys {
			// Policies limit sts:TagGetWebIdentityToken by audience too, so its keys go along.
			if strings.HasPrefix(k.Name, "aws:RequestTag/") || k.Name == "aws:TagKeys" || rw.keys&kWebToken != 0 && strings.HasPrefix(k.Name, "sts:") {
				dep.Keys = append(dep.Keys, k)
			}
		}
		req.Dependent = append(req.Dependent, dep)
	}
	if rw.rename != "" {
		newName, newPath := f.str(rw.rename), f.str("NewPath")
		if newName != "" || newPath != "" {
			req.Dependent = append(req.Dependent, Request{Action: req.Action, Resource: renamed(req.Resource, newPath, newName)})
		}
	}
	if rw.passRole != "" {
		name := f.str("RoleName")
		if name == "" {
			// EnrollInstance names the profile only: the role passed is the one it holds.
			name = profileRole
		}
		if name != "" {
			dep := Request{Action: "iam:PassRole", Keys: []Key{
				{Name: "iam:PassedToService", Values: []string{rw.passRole}},
				{Name: "iam:AssociatedResourceArn", Values: []string{"arn:aws:ec2:*:" + account + ":instance/*"}},
			}}
			if _, err := a.entity(ctx, &dep, account, iam.KindRole, name); err != nil {
				return req, err
			}
			req.Dependent = append(req.Dependent, dep)
		}
	}
	return req, nil
}

func arnOf(account, resource string) string { return "arn:aws:iam::" + account + ":" + resource }

// renamed is the ARN an IAM entity's ARN (arn:aws:iam::ACCOUNT:TYPE/PATH/NAME) becomes with a
// new path and name; an empty one keeps the current.
func renamed(current, newPath, newName string) string {
	typeEnd := strings.IndexByte(current, '/')
	nameStart := strings.LastIndexByte(current, '/') + 1
	if typeEnd < 0 {
		return current
	}
	path, name := current[typeEnd:nameStart], current[nameStart:]
	if newPath != "" {
		path = newPath
	}
	if newName != "" {
		name = newName
	}
	return current[:typeEnd] + path + name
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// oidcHostPath is an OIDC provider URL without its scheme, as its ARN names it.
func oidcHostPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host + strings.TrimSuffix(u.Path, "/")
	}
	return strings.TrimPrefix(raw, "https://")
}

// input reads named fields of a generated input struct; the table names the fields, so the
// generic access stays confined here.
type input struct{ v reflect.Value }

func fields(in any) input {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return input{}
	}
	return input{v}
}

func (f input) str(name string) string {
	if !f.v.IsValid() {
		return ""
	}
	x := f.v.FieldByName(name)
	if x.IsValid() && x.Kind() == reflect.String {
		return x.String()
	}
	return ""
}

// int returns an optional integer member (a *int32 or *int64 in the generated inputs).
func (f input) int(name string) (int64, bool) {
	if !f.v.IsValid() {
		return 0, false
	}
	x := f.v.FieldByName(name)
	if !x.IsValid() || x.Kind() != reflect.Pointer || x.IsNil() {
		return 0, false
	}
	switch e := x.Elem(); e.Kind() {
	case reflect.Int32, reflect.Int64:
		return e.Int(), true
	}
	return 0, false
}

// tags adds aws:RequestTag/* and aws:TagKeys for an input's Tags and reports whether it had any.
func (f input) tags(req *Request) bool {
	if !f.v.IsValid() {
		return false
	}
	x := f.v.FieldByName("Tags")
	if !x.IsValid() || x.Kind() != reflect.Slice || x.Len() == 0 {
		return false
	}
	names := make([]string, 0, x.Len())
	for i := 0; i < x.Len(); i++ {
		t := x.Index(i)
		if t.Kind() != reflect.Struct {
			return false
		}
		k, val := t.FieldByName("Key"), t.FieldByName("Value")
		if !k.IsValid() || !val.IsValid() || k.Kind() != reflect.String || val.Kind() != reflect.String {
			return false
		}
		names = append(names, k.String())
		req.Keys = append(req.Keys, Key{Name: "aws:RequestTag/" + k.String(), Values: []string{val.String()}})
	}
	req.Keys = append(req.Keys, Key{Name: "aws:TagKeys", Values: names})
	return true
}

// webTokenKeys are GetWebIdentityToken's keys: every audience, the algorithm, and the token
// lifetime (300 seconds when DurationSeconds is absent, the lifetime the token gets).
func (f input) webTokenKeys() []Key {
	if !f.v.IsValid() {
		return nil
	}
	var ks []Key
	if x := f.v.FieldByName("Audience"); x.IsValid() && x.CanInterface() {
		if aud, ok := x.Interface().([]string); ok && len(aud) > 0 {
			ks = append(ks, Key{Name: "sts:IdentityTokenAudience", Values: aud})
		}
	}
	if alg := f.str("SigningAlgorithm"); alg != "" {
		ks = append(ks, Key{Name: "sts:SigningAlgorithm", Values: []string{alg}})
	}
	seconds := int32(300)
	if x := f.v.FieldByName("DurationSeconds"); x.IsValid() && x.CanInterface() {
		if d, ok := x.Interface().(*int32); ok && d != nil {
			seconds = *d
		}
	}
	return append(ks, Key{Name: "sts:DurationSeconds", Values: []string{strconv.Itoa(int(seconds))}})
}

// tagKeys adds aws:TagKeys for an Untag input's TagKeys.
func (f input) tagKeys(req *Request) {
	if !f.v.IsValid() {
		return
	}
	x := f.v.FieldByName("TagKeys")
	if !x.IsValid() || x.Kind() != reflect.Slice || x.Len() == 0 {
		return
	}
	if ks, ok := x.Interface().([]string); ok {
		req.Keys = append(req.Keys, Key{Name: "aws:TagKeys", Values: ks})
	}
}

// entity sets req.Resource to a user's, role's or group's ARN. For an existing entity the
// stored path is used and its tags become aws:ResourceTag/* and iam:ResourceTag/*; it returns
// the entity's permissions boundary. A missing entity's ARN is built with the path "/".
func (a *Authorizer) entity(ctx context.Context, req *Request, account string, kind iam.PrincipalKind, name string) (boundary string, err error) {
	var arn string
	var tags []iam.Tag
	err = a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		switch kind {
		case iam.KindUser:
			u, err := tx.User(ctx, account, name)
			arn, tags, boundary = u.Arn, u.Tags, u.PermissionsBoundary
			return err
		case iam.KindRole:
			r, err := tx.Role(ctx, account, name)
			arn, tags, boundary = r.Arn, r.Tags, r.PermissionsBoundary
			return err
		default:
			g, err := tx.Group(ctx, account, name)
			arn = g.Arn
			return err
		}
	})
	if errors.Is(err, store.ErrNotFound) {
		switch kind {
		case iam.KindRole:
			req.Resource = iam.RoleARN(account, "/", name)
		case iam.KindGroup:
			req.Resource = iam.GroupARN(account, "/", name)
		default:
			req.Resource = iam.UserARN(account, "/", name)
		}
		return "", nil
	}
	if err != nil {
		return "", err
	}
	req.Resource = arn
	for _, t := range tags {
		req.Keys = append(req.Keys,
			Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}},
			Key{Name: "iam:ResourceTag/" + t.Key, Values: []string{t.Value}})
	}
	return boundary, nil
}

// managedPolicy sets req.Resource to a policy ARN and its tags as aws:ResourceTag/*.
func (a *Authorizer) managedPolicy(ctx context.Context, req *Request, arn string) error {
	req.Resource = arn
	if arn == "" {
		req.Resource = "*"
		return nil
	}
	var tags []iam.Tag
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		mp, err := tx.Policy(ctx, arn)
		tags = mp.Tags
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, t := range tags {
		req.Keys = append(req.Keys, Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}})
	}
	return nil
}

// instanceProfile sets req.Resource to an instance profile's ARN (stored path) and its tags; it
// returns the name of the role the profile holds ("" for none).
func (a *Authorizer) instanceProfile(ctx context.Context, req *Request, account, name string) (string, error) {
	var ip iam.InstanceProfile
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		ip, err = tx.InstanceProfile(ctx, account, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		req.Resource = iam.InstanceProfileARN(account, "/", name)
		return "", nil
	}
	if err != nil {
		return "", err
	}
	req.Resource = ip.Arn
	for _, t := range ip.Tags {
		req.Keys = append(req.Keys, Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}})
	}
	if len(ip.Roles) > 0 {
		return ip.Roles[0].RoleName, nil
	}
	return "", nil
}
