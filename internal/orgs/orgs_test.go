package orgs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

var ctx = context.Background()

// world is a harness with an organization: the harness's account is the management account.
type world struct {
	t    testing.TB
	h    *iamtest.Harness
	org  *orgsdk.Client // the management account's root
	id   string         // o-…
	root string         // r-…
	// admin is an administrator of the management account (an IAM user: AWS lets no root user
	// assume a role).
	admin aws.Config
}

func orgClient(cfg aws.Config) *orgsdk.Client { return orgsdk.NewFromConfig(cfg) }

func newWorld(t testing.TB) *world {
	t.Helper()
	h := iamtest.New(t)
	w := &world{t: t, h: h, org: orgClient(h.Root())}
	out, err := w.org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	w.id = *out.Organization.Id
	roots, err := w.org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	w.root = *roots.Roots[0].Id
	w.admin = user(t, h, h.Root(), "orgadmin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	return w
}

// user creates an IAM user with an inline policy, in cfg's account, and returns its
// configuration.
func user(t testing.TB, h *iamtest.Harness, cfg aws.Config, name, policy string) aws.Config {
	t.Helper()
	c := iamtest.IAM(cfg)
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: &name, PolicyName: aws.String("p"), PolicyDocument: &policy}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: &name})
	if err != nil {
		t.Fatal(err)
	}
	return h.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
}

func (w *world) enable(t orgtypes.PolicyType) {
	w.t.Helper()
	if _, err := w.org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: &w.root, PolicyType: t}); err != nil {
		w.t.Fatal(err)
	}
}

// member creates an account in the organization and returns its id and an administrator's
// configuration in it (a session of OrganizationAccountAccessRole, assumed by the management
// account's root).
func (w *world) member(name string) (string, aws.Config) {
	w.t.Helper()
	out, err := w.org.CreateAccount(ctx, &orgsdk.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		w.t.Fatal(err)
	}
	if out.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress {
		w.t.Fatalf("CreateAccount state %s, want IN_PROGRESS", out.CreateAccountStatus.State)
	}
	st, err := w.org.DescribeCreateAccountStatus(ctx, &orgsdk.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		w.t.Fatal(err)
	}
	if st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded || st.CreateAccountStatus.AccountId == nil {
		w.t.Fatalf("create account status %+v", st.CreateAccountStatus)
	}
	acct := *st.CreateAccountStatus.AccountId
	return acct, w.assume(w.admin, acct, "OrganizationAccountAccessRole")
}

// assume assumes a role of account with cfg's credentials.
func (w *world) assume(cfg aws.Config, account, role string) aws.Config {
	w.t.Helper()
	out, err := iamtest.STS(cfg).AssumeRole(ctx, &stssdk.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + role), RoleSessionName: aws.String("admin")})
	if err != nil {
		w.t.Fatalf("AssumeRole %s in %s: %v", role, account, err)
	}
	c := out.Credentials
	return w.h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func (w *world) policy(name string, t orgtypes.PolicyType, doc string) string {
	w.t.Helper()
	out, err := w.org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String(name), Type: t,
		Description: aws.String(name), Content: aws.String(doc)})
	if err != nil {
		w.t.Fatal(err)
	}
	return *out.Policy.PolicySummary.Id
}

func (w *world) attach(policy, target string) {
	w.t.Helper()
	if _, err := w.org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: &policy, TargetId: &target}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) detach(policy, target string) {
	w.t.Helper()
	if _, err := w.org.DetachPolicy(ctx, &orgsdk.DetachPolicyInput{PolicyId: &policy, TargetId: &target}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) ou(parent, name string) string {
	w.t.Helper()
	out, err := w.org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: &parent, Name: &name})
	if err != nil {
		w.t.Fatal(err)
	}
	return *out.OrganizationalUnit.Id
}

func (w *world) move(account, from, to string) {
	w.t.Helper()
	if _, err := w.org.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: &account, SourceParentId: &from, DestinationParentId: &to}); err != nil {
		w.t.Fatal(err)
	}
}

// code is the AWS error code of err ("" for nil), with the message for failures.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func createUser(cfg aws.Config, name string) error {
	_, err := iamtest.IAM(cfg).CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)})
	return err
}

func TestOrganizationLifecycle(t *testing.T) {
	w := newWorld(t)
	d, err := w.org.DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	o := d.Organization
	if !strings.HasPrefix(*o.Id, "o-") || len(*o.Id) != 12 || *o.MasterAccountId != iamtest.Account ||
		*o.Arn != "arn:aws:organizations::"+iamtest.Account+":organization/"+*o.Id || o.FeatureSet != orgtypes.OrganizationFeatureSetAll {
		t.Errorf("organization %+v", o)
	}
	if _, err := w.org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{}); code(err) != "AlreadyInOrganizationException" {
		t.Errorf("second CreateOrganization: %v", err)
	}
	if !strings.HasPrefix(w.root, "r-") {
		t.Errorf("root id %s", w.root)
	}
	// Before SCPs are enabled a policy cannot be attached.
	p := w.policy("deny-users", orgtypes.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)
	if _, err := w.org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: &p, TargetId: &w.root}); code(err) != "PolicyTypeNotEnabledException" {
		t.Errorf("attach before enabling: %v", err)
	}
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	if _, err := w.org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: &w.root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); code(err) != "PolicyTypeAlreadyEnabledException" {
		t.Errorf("enable twice: %v", err)
	}
	// FullAWSAccess is attached to the root as the type is enabled.
	lp, err := w.org.ListPoliciesForTarget(ctx, &orgsdk.ListPoliciesForTargetInput{TargetId: &w.root, Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(lp.Policies) != 1 || *lp.Policies[0].Id != "p-FullAWSAccess" || !lp.Policies[0].AwsManaged {
		t.Fatalf("root's SCPs: %+v, %v", lp, err)
	}
	if _, err := w.org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("deny-users"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Description: aws.String(""), Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); code(err) != "DuplicatePolicyException" {
		t.Errorf("duplicate policy: %v", err)
	}
	if _, err := w.org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("bad"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Description: aws.String(""), Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)}); code(err) != "MalformedPolicyDocumentException" {
		t.Errorf("SCP with a Principal: %v", err)
	}
	_, err = w.org.DetachPolicy(ctx, &orgsdk.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &w.root})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded {
		t.Errorf("detaching the root's last SCP: %v", err)
	}

	acct, admin := w.member("dev")
	a, err := w.org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: &acct})
	if err != nil || *a.Account.Name != "dev" || a.Account.JoinedMethod != orgtypes.AccountJoinedMethodCreated || a.Account.Status != orgtypes.AccountStatusActive {
		t.Fatalf("DescribeAccount: %+v, %v", a, err)
	}
	// The new account's administrator works in it, and sees its organization.
	id, err := iamtest.STS(admin).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || *id.Account != acct {
		t.Fatalf("GetCallerIdentity in the member: %v %v", id, err)
	}
	if err := createUser(admin, "alice"); err != nil {
		t.Fatal(err)
	}
	md, err := orgClient(admin).DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{})
	if err != nil || *md.Organization.Id != w.id {
		t.Fatalf("member's DescribeOrganization: %v %v", md, err)
	}
	// Only the management account manages the organization.
	if _, err := orgClient(admin).ListAccounts(ctx, &orgsdk.ListAccountsInput{}); code(err) != "AccessDeniedException" {
		t.Errorf("member's ListAccounts: %v", err)
	}
	accts, err := w.org.ListAccounts(ctx, &orgsdk.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 2 {
		t.Fatalf("ListAccounts: %+v %v", accts, err)
	}

	ou := w.ou(w.root, "workloads")
	if !strings.HasPrefix(ou, "ou-"+strings.TrimPrefix(w.root, "r-")+"-") {
		t.Errorf("OU id %s", ou)
	}
	if _, err := w.org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: &w.root, Name: aws.String("workloads")}); code(err) != "DuplicateOrganizationalUnitException" {
		t.Errorf("duplicate OU: %v", err)
	}
	w.move(acct, w.root, ou)
	parents, err := w.org.ListParents(ctx, &orgsdk.ListParentsInput{ChildId: &acct})
	if err != nil || *parents.Parents[0].Id != ou || parents.Parents[0].Type != orgtypes.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents: %+v %v", parents, err)
	}
	children, err := w.org.ListChildren(ctx, &orgsdk.ListChildrenInput{ParentId: &ou, ChildType: orgtypes.ChildTypeAccount})
	if err != nil || len(children.Children) != 1 || *children.Children[0].Id != acct {
		t.Fatalf("ListChildren: %+v %v", children, err)
	}
	if _, err := w.org.DeleteOrganizationalUnit(ctx, &orgsdk.DeleteOrganizationalUnitInput{OrganizationalUnitId: &ou}); code(err) != "OrganizationalUnitNotEmptyException" {
		t.Errorf("deleting a non-empty OU: %v", err)
	}
	// The OU got FullAWSAccess when it was created.
	targets, err := w.org.ListTargetsForPolicy(ctx, &orgsdk.ListTargetsForPolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil || len(targets.Targets) != 4 { // root, management, dev, the OU
		t.Fatalf("FullAWSAccess targets: %+v %v", targets, err)
	}
	if _, err := w.org.DeleteOrganization(ctx, &orgsdk.DeleteOrganizationInput{}); code(err) != "OrganizationNotEmptyException" {
		t.Errorf("deleting a non-empty organization: %v", err)
	}
	if _, err := w.org.RemoveAccountFromOrganization(ctx, &orgsdk.RemoveAccountFromOrganizationInput{AccountId: aws.String(iamtest.Account)}); code(err) != "MasterCannotLeaveOrganizationException" {
		t.Errorf("removing the management account: %v", err)
	}
	if _, err := w.org.RemoveAccountFromOrganization(ctx, &orgsdk.RemoveAccountFromOrganizationInput{AccountId: &acct}); err != nil {
		t.Fatal(err)
	}
	if _, err := orgClient(admin).DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{}); code(err) != "AWSOrganizationsNotInUseException" {
		t.Errorf("removed account's DescribeOrganization: %v", err)
	}
	if _, err := w.org.DeleteOrganization(ctx, &orgsdk.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.org.DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{}); code(err) != "AWSOrganizationsNotInUseException" {
		t.Errorf("DescribeOrganization after delete: %v", err)
	}
}

// Organizations calls are authorized as organizations:<Operation>, like any other.
func TestOrganizationsActionsAreAuthorized(t *testing.T) {
	w := newWorld(t)
	reader := orgClient(user(t, w.h, w.h.Root(), "reader",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}`))
	if _, err := reader.ListRoots(ctx, &orgsdk.ListRootsInput{}); err != nil {
		t.Errorf("allowed ListRoots: %v", err)
	}
	_, err := reader.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: &w.root, Name: aws.String("x")})
	if code(err) != "AccessDeniedException" || !strings.Contains(message(err), "organizations:CreateOrganizationalUnit") {
		t.Errorf("denied CreateOrganizationalUnit: %v", err)
	}
}

func TestInviteAndAcceptHandshake(t *testing.T) {
	w := newWorld(t)
	const other, key, secret = "210987654321", "AKIAOTHEROTHEROTHER1", "otherSecretotherSecretotherSecret0000000"
	if _, _, _, err := w.h.Node.CreateAccount(ctx, other, key, secret); err != nil {
		t.Fatal(err)
	}
	inv, err := w.org.InviteAccountToOrganization(ctx, &orgsdk.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String(other), Type: orgtypes.HandshakePartyTypeAccount}, Notes: aws.String("join us")})
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Handshake
	if !strings.HasPrefix(*h.Id, "h-") || h.State != orgtypes.HandshakeStateOpen || h.Action != orgtypes.ActionTypeInviteAccountToOrganization {
		t.Fatalf("handshake %+v", h)
	}
	invited := orgClient(w.h.Config(key, secret, ""))
	list, err := invited.ListHandshakesForAccount(ctx, &orgsdk.ListHandshakesForAccountInput{})
	if err != nil || len(list.Handshakes) != 1 || *list.Handshakes[0].Id != *h.Id {
		t.Fatalf("ListHandshakesForAccount: %+v %v", list, err)
	}
	acc, err := invited.AcceptHandshake(ctx, &orgsdk.AcceptHandshakeInput{HandshakeId: h.Id})
	if err != nil || acc.Handshake.State != orgtypes.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake: %+v %v", acc, err)
	}
	if _, err := invited.AcceptHandshake(ctx, &orgsdk.AcceptHandshakeInput{HandshakeId: h.Id}); code(err) != "InvalidHandshakeTransitionException" {
		t.Errorf("accepting twice: %v", err)
	}
	a, err := w.org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: aws.String(other)})
	if err != nil || a.Account.JoinedMethod != orgtypes.AccountJoinedMethodInvited {
		t.Fatalf("DescribeAccount of the invited account: %+v %v", a, err)
	}
	// The invited account may leave; the management account may not.
	if _, err := invited.LeaveOrganization(ctx, &orgsdk.LeaveOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.org.LeaveOrganization(ctx, &orgsdk.LeaveOrganizationInput{}); code(err) != "MasterCannotLeaveOrganizationException" {
		t.Errorf("management account leaving: %v", err)
	}
}

// The proofs of issue 22: SCPs and RCPs bind.

const denyCreateUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`

func TestSCPDenyBindsMembersNotManagement(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	acct, admin := w.member("dev")
	p := w.policy("no-users", orgtypes.PolicyTypeServiceControlPolicy, denyCreateUser)
	w.attach(p, w.root)
	err := createUser(admin, "bob")
	if code(err) != "AccessDenied" {
		t.Fatalf("member admin's CreateUser under a denying SCP: %v", err)
	}
	want := "with an explicit deny in a service control policy: arn:aws:organizations::" + iamtest.Account + ":policy/" + w.id + "/service_control_policy/" + p
	if !strings.Contains(message(err), want) {
		t.Errorf("denial %q does not name the SCP (%s)", message(err), want)
	}
	// The management account is exempt.
	if err := createUser(w.h.Root(), "carol"); err != nil {
		t.Errorf("management account's CreateUser: %v", err)
	}
	// The simulator reports the organization's verdict.
	sim, err := iamtest.IAM(admin).SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), ActionNames: []string{"iam:CreateUser", "iam:ListUsers"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sim.EvaluationResults {
		deny := *r.EvalActionName == "iam:CreateUser"
		if r.OrganizationsDecisionDetail == nil || r.OrganizationsDecisionDetail.AllowedByOrganizations == deny {
			t.Errorf("%s: OrganizationsDecisionDetail %+v", *r.EvalActionName, r.OrganizationsDecisionDetail)
		}
		if deny && (string(r.EvalDecision) != "explicitDeny" || len(r.MatchedStatements) != 1 || !strings.Contains(*r.MatchedStatements[0].SourcePolicyId, p)) {
			t.Errorf("simulated CreateUser: %s, %+v", r.EvalDecision, r.MatchedStatements)
		}
	}
	// A service-linked role is exempt from SCPs, in the simulator as in enforcement.
	slr, err := iamtest.IAM(admin).CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	sim, err = iamtest.IAM(admin).SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
		PolicySourceArn: slr.Role.Arn, ActionNames: []string{"iam:CreateUser"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := sim.EvaluationResults[0]; r.OrganizationsDecisionDetail == nil || !r.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("simulated CreateUser of a service-linked role: OrganizationsDecisionDetail %+v", r.OrganizationsDecisionDetail)
	}
	// Detached, the member's administrator may again.
	w.detach(p, w.root)
	if err := createUser(admin, "bob"); err != nil {
		t.Errorf("CreateUser after the SCP is detached: %v", err)
	}
}

func TestOUWithoutAllowBlocksEverythingBelow(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	acct, admin := w.member("dev")
	outer := w.ou(w.root, "outer")
	inner := w.ou(outer, "inner")
	w.move(acct, w.root, inner)
	if err := createUser(admin, "ok"); err != nil {
		t.Fatalf("before: %v", err)
	}
	// The outer OU allows S3 only: nothing else is allowed anywhere below it, whatever the
	// inner OU and the account allow.
	s3only := w.policy("s3-only", orgtypes.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	w.attach(s3only, outer)
	w.detach("p-FullAWSAccess", outer)
	err := createUser(admin, "blocked")
	if code(err) != "AccessDenied" || !strings.Contains(message(err), "because no service control policy allows the iam:CreateUser action") {
		t.Fatalf("CreateUser below an OU without an Allow: %v", err)
	}
	if _, err := iamtest.STS(admin).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity needs no permission: %v", err)
	}
	// S3 is still allowed at every level.
	if _, err := iamtest.S3(admin).CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("dev-bucket-" + acct)}); err != nil {
		t.Errorf("CreateBucket allowed by every level: %v", err)
	}
}

func TestMoveAccountChangesPermissions(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	acct, admin := w.member("dev")
	locked := w.ou(w.root, "locked")
	open := w.ou(w.root, "open")
	w.attach(w.policy("no-users", orgtypes.PolicyTypeServiceControlPolicy, denyCreateUser), locked)
	w.move(acct, w.root, locked)
	if err := createUser(admin, "a"); code(err) != "AccessDenied" {
		t.Fatalf("in the locked OU: %v", err)
	}
	w.move(acct, locked, open)
	if err := createUser(admin, "a"); err != nil {
		t.Fatalf("moved to the open OU: %v", err)
	}
	w.move(acct, open, locked)
	if err := createUser(admin, "b"); code(err) != "AccessDenied" {
		t.Fatalf("moved back: %v", err)
	}
}

func TestRCPDeniesOutsideOrganization(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeResourceControlPolicy)
	acct, admin := w.member("data")
	// An account outside the organization, whose root reads the member's bucket.
	const outside, key, secret = "210987654321", "AKIAOUTSIDEOUTSIDE01", "outsideSecretoutsideSecretoutside0000000"
	if _, _, _, err := w.h.Node.CreateAccount(ctx, outside, key, secret); err != nil {
		t.Fatal(err)
	}
	bucket := "shared-" + acct
	s3c := iamtest.S3(admin)
	if _, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	// The bucket policy lets the outside account and the management account read.
	bp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + outside + `:root","arn:aws:iam::` + iamtest.Account + `:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	if _, err := s3c.PutBucketPolicy(ctx, &s3sdk.PutBucketPolicyInput{Bucket: &bucket, Policy: &bp}); err != nil {
		t.Fatal(err)
	}
	get := func(cfg aws.Config) error {
		out, err := iamtest.S3(cfg).GetObject(ctx, &s3sdk.GetObjectInput{Bucket: &bucket, Key: aws.String("k")})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	outsider := w.h.Config(key, secret, "")
	if err := get(outsider); err != nil {
		t.Fatalf("outside read before the RCP: %v", err)
	}
	rcp := w.policy("org-only", orgtypes.PolicyTypeResourceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"`+w.id+`"}}}]}`)
	w.attach(rcp, w.root)
	if err := get(outsider); code(err) != "AccessDenied" {
		t.Errorf("outside read under the RCP: %v", err)
	}
	if err := get(w.h.Root()); err != nil {
		t.Errorf("the organization's management account reading: %v", err)
	}
	if err := get(admin); err != nil {
		t.Errorf("the owner's own read: %v", err)
	}
}

// An RCP binds roles' trust too: sts:AssumeRole of a member's role from outside the
// organization is refused though the trust policy names the outsider.
func TestRCPDeniesAssumeRoleFromOutside(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeResourceControlPolicy)
	acct, admin := w.member("data")
	const outside, key, secret = "210987654321", "AKIAOUTSIDEOUTSIDE02", "outsideSecretoutsideSecretoutside0000001"
	if _, _, _, err := w.h.Node.CreateAccount(ctx, outside, key, secret); err != nil {
		t.Fatal(err)
	}
	outsider := user(t, w.h, w.h.Config(key, secret, ""), "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + outside + `:root","arn:aws:iam::` + iamtest.Account + `:root"]},"Action":"sts:AssumeRole"}]}`
	if _, err := iamtest.IAM(admin).CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("shared"), AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
	w.assume(outsider, acct, "shared")
	rcp := w.policy("org-only", orgtypes.PolicyTypeResourceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"`+w.id+`"}}}]}`)
	w.attach(rcp, acct)
	_, err := iamtest.STS(outsider).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/shared"), RoleSessionName: aws.String("x1")})
	if code(err) != "AccessDenied" {
		t.Errorf("outside AssumeRole under the RCP: %v", err)
	}
	w.assume(w.admin, acct, "shared") // from inside the organization
	// RCPFullAWSAccess stays: it cannot be detached.
	_, err = w.org.DetachPolicy(ctx, &orgsdk.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: &acct})
	var ii *orgtypes.InvalidInputException
	if !errors.As(err, &ii) || ii.Reason != orgtypes.InvalidInputExceptionReasonNonDetachablePolicy {
		t.Errorf("detaching RCPFullAWSAccess: %v", err)
	}
}

// A closed account stays in the organization, suspended: its principals can do nothing.
func TestClosedAccountIsSuspended(t *testing.T) {
	w := newWorld(t)
	acct, admin := w.member("old")
	if _, err := w.org.CloseAccount(ctx, &orgsdk.CloseAccountInput{AccountId: &acct}); err != nil {
		t.Fatal(err)
	}
	a, err := w.org.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: &acct})
	if err != nil || a.Account.Status != orgtypes.AccountStatusSuspended || a.Account.State != orgtypes.AccountStateClosed {
		t.Fatalf("closed account: %+v %v", a, err)
	}
	if err := createUser(admin, "late"); code(err) != "AccessDenied" {
		t.Errorf("CreateUser in a closed account: %v", err)
	}
	if _, err := w.org.CloseAccount(ctx, &orgsdk.CloseAccountInput{AccountId: &acct}); code(err) != "AccountAlreadyClosedException" {
		t.Errorf("closing twice: %v", err)
	}
	_, err = w.org.CloseAccount(ctx, &orgsdk.CloseAccountInput{AccountId: aws.String(iamtest.Account)})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonCannotCloseManagementAccount {
		t.Errorf("closing the management account: %v", err)
	}
}

// A delegated administrator reads the organization; only the management account changes it.
func TestDelegatedAdministratorReads(t *testing.T) {
	w := newWorld(t)
	acct, admin := w.member("security")
	sp := aws.String("securityhub.amazonaws.com")
	_, err := w.org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonServiceAccessNotEnabled {
		t.Fatalf("registering before trusted access: %v", err)
	}
	if _, err := w.org.EnableAWSServiceAccess(ctx, &orgsdk.EnableAWSServiceAccessInput{ServicePrincipal: sp}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.org.RegisterDelegatedAdministrator(ctx, &orgsdk.RegisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp}); code(err) != "AccountAlreadyRegisteredException" {
		t.Errorf("registering twice: %v", err)
	}
	delegate := orgClient(admin)
	accts, err := delegate.ListAccounts(ctx, &orgsdk.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 2 {
		t.Fatalf("delegated administrator's ListAccounts: %+v %v", accts, err)
	}
	das, err := delegate.ListDelegatedAdministrators(ctx, &orgsdk.ListDelegatedAdministratorsInput{})
	if err != nil || len(das.DelegatedAdministrators) != 1 || *das.DelegatedAdministrators[0].Id != acct {
		t.Fatalf("ListDelegatedAdministrators: %+v %v", das, err)
	}
	if _, err := delegate.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: &w.root, Name: aws.String("x")}); code(err) != "AccessDeniedException" {
		t.Errorf("delegated administrator's CreateOrganizationalUnit: %v", err)
	}
	// A delegated administrator cannot be removed before it is deregistered.
	_, err = w.org.RemoveAccountFromOrganization(ctx, &orgsdk.RemoveAccountFromOrganizationInput{AccountId: &acct})
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonCannotRemoveDelegatedAdministratorFromOrg {
		t.Errorf("removing a delegated administrator: %v", err)
	}
	if _, err := w.org.DeregisterDelegatedAdministrator(ctx, &orgsdk.DeregisterDelegatedAdministratorInput{AccountId: &acct, ServicePrincipal: sp}); err != nil {
		t.Fatal(err)
	}
	if _, err := delegate.ListAccounts(ctx, &orgsdk.ListAccountsInput{}); code(err) != "AccessDeniedException" {
		t.Errorf("deregistered account's ListAccounts: %v", err)
	}
	// Paging: one account a page.
	p1, err := w.org.ListAccounts(ctx, &orgsdk.ListAccountsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(p1.Accounts) != 1 || p1.NextToken == nil {
		t.Fatalf("first page: %+v %v", p1, err)
	}
	p2, err := w.org.ListAccounts(ctx, &orgsdk.ListAccountsInput{MaxResults: aws.Int32(1), NextToken: p1.NextToken})
	if err != nil || len(p2.Accounts) != 1 || p2.NextToken != nil || *p2.Accounts[0].Id == *p1.Accounts[0].Id {
		t.Fatalf("second page: %+v %v", p2, err)
	}
	if _, err := w.org.ListAccounts(ctx, &orgsdk.ListAccountsInput{NextToken: aws.String("bogus")}); code(err) != "InvalidInputException" {
		t.Errorf("a token iamd did not issue: %v", err)
	}
}
