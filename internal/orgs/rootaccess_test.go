package orgs_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// invite brings a hosted account with a root access key into the organization.
func (w *world) invite(account, key, secret string) aws.Config {
	w.t.Helper()
	if _, _, _, err := w.h.Node.CreateAccount(ctx, account, key, secret); err != nil {
		w.t.Fatal(err)
	}
	inv, err := w.org.InviteAccountToOrganization(ctx, &orgsdk.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String(account), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		w.t.Fatal(err)
	}
	root := w.h.Config(key, secret, "")
	if _, err := orgClient(root).AcceptHandshake(ctx, &orgsdk.AcceptHandshakeInput{HandshakeId: inv.Handshake.Id}); err != nil {
		w.t.Fatal(err)
	}
	return root
}

const deleteRootCreds = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"

func assumeRoot(cfg aws.Config, target, task string) (*stssdk.AssumeRootOutput, error) {
	return iamtest.STS(cfg).AssumeRoot(ctx, &stssdk.AssumeRootInput{TargetPrincipal: aws.String(target),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(task)}})
}

func TestAssumeRootDeletesMemberRootKeys(t *testing.T) {
	w := newWorld(t)
	const member, key, secret = "210987654321", "AKIAMEMBERMEMBERMEM1", "memberSecretmemberSecretmemberSecret0000"
	memberRoot := w.invite(member, key, secret)
	iamc := iamtest.IAM(w.h.Root())

	// Not yet: IAM's trusted access, then the features.
	if _, err := iamc.EnableOrganizationsRootSessions(ctx, &iamsdk.EnableOrganizationsRootSessionsInput{}); code(err) != "ServiceAccessNotEnabledException" {
		t.Fatalf("EnableOrganizationsRootSessions without trusted access: %v", err)
	}
	if _, err := assumeRoot(w.admin, member, deleteRootCreds); code(err) != "AccessDenied" {
		t.Fatalf("AssumeRoot before root sessions are enabled: %v", err)
	}
	if _, err := w.org.EnableAWSServiceAccess(ctx, &orgsdk.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.EnableOrganizationsRootCredentialsManagement(ctx, &iamsdk.EnableOrganizationsRootCredentialsManagementInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := iamc.EnableOrganizationsRootSessions(ctx, &iamsdk.EnableOrganizationsRootSessionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.OrganizationId != w.id || !slices.Equal(featureNames(out.EnabledFeatures), []string{"RootCredentialsManagement", "RootSessions"}) {
		t.Errorf("EnableOrganizationsRootSessions: %s %v", *out.OrganizationId, out.EnabledFeatures)
	}
	// A member cannot manage the features.
	if _, err := iamtest.IAM(memberRoot).ListOrganizationsFeatures(ctx, &iamsdk.ListOrganizationsFeaturesInput{}); code(err) != "AccountNotManagementOrDelegatedAdministratorException" {
		t.Errorf("member's ListOrganizationsFeatures: %v", err)
	}

	// The management account's root user may not call AssumeRoot; its administrator may.
	if _, err := assumeRoot(w.h.Root(), member, deleteRootCreds); code(err) != "AccessDenied" {
		t.Errorf("root user's AssumeRoot: %v", err)
	}
	if _, err := assumeRoot(w.admin, iamtest.Account, deleteRootCreds); code(err) != "AccessDenied" {
		t.Errorf("AssumeRoot into the management account: %v", err)
	}
	if _, err := assumeRoot(w.admin, member, "arn:aws:iam::aws:policy/AdministratorAccess"); code(err) != "ValidationError" {
		t.Errorf("AssumeRoot with a policy that is no root-task policy: %v", err)
	}
	// The target is an account id or its root user's ARN, nothing else of the account.
	for _, target := range []string{"arn:aws:iam::" + member, "arn:aws:iam::" + member + ":user/admin"} {
		if _, err := assumeRoot(w.admin, target, deleteRootCreds); code(err) != "ValidationError" {
			t.Errorf("AssumeRoot into %s: %v", target, err)
		}
	}
	if _, err := assumeRoot(w.admin, "arn:aws:iam::"+member+":root", deleteRootCreds); err != nil {
		t.Errorf("AssumeRoot into the member's root ARN: %v", err)
	}
	ar, err := assumeRoot(w.admin, member, deleteRootCreds)
	if err != nil {
		t.Fatal(err)
	}
	c := ar.Credentials
	task := w.h.Config(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	id, err := iamtest.STS(task).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+member+":root" {
		t.Fatalf("the task session's identity: %v %v", id, err)
	}
	// The task policy bounds the session: it may not create a user.
	if err := createUser(task, "nope"); code(err) != "AccessDenied" {
		t.Errorf("CreateUser in a root task session: %v", err)
	}
	keys, err := iamtest.IAM(task).ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != key {
		t.Fatalf("the member root's keys: %+v %v", keys, err)
	}
	if _, err := iamtest.IAM(task).DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{AccessKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.STS(memberRoot).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); code(err) != "InvalidClientTokenId" {
		t.Errorf("the deleted root key still works: %v", err)
	}
	// Disabled, root sessions are refused again.
	if _, err := iamc.DisableOrganizationsRootSessions(ctx, &iamsdk.DisableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	lf, err := iamc.ListOrganizationsFeatures(ctx, &iamsdk.ListOrganizationsFeaturesInput{})
	if err != nil || !slices.Equal(featureNames(lf.EnabledFeatures), []string{"RootCredentialsManagement"}) {
		t.Errorf("ListOrganizationsFeatures: %v %v", lf, err)
	}
	if _, err := assumeRoot(w.admin, member, deleteRootCreds); code(err) != "AccessDenied" {
		t.Errorf("AssumeRoot after root sessions are disabled: %v", err)
	}
}

func featureNames[T ~string](fs []T) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	slices.Sort(out)
	return out
}
