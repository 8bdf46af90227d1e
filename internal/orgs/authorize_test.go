package orgs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// The Organizations actions are authorized on the resources the Service Authorization Reference
// names for them, with their ARNs as AWS forms them.

func (w *world) arn(resource string) string {
	return "arn:aws:organizations::" + iamtest.Account + ":" + resource
}

// denied checks that err is Organizations' AccessDeniedException for action on resource, in
// the words of AWS's denials.
func denied(t *testing.T, err error, user, action, resource string) {
	t.Helper()
	want := "User: arn:aws:iam::" + iamtest.Account + ":user/" + user + " is not authorized to perform: " + action +
		" on resource: " + resource + " "
	if code(err) != "AccessDeniedException" || !strings.HasPrefix(message(err), want) {
		t.Errorf("got %s %q, want AccessDeniedException %q…", code(err), message(err), want)
	}
}

func TestDescribeAccountOnTheAccountsARN(t *testing.T) {
	w := newWorld(t)
	dev, _ := w.member("dev")
	prod, _ := w.member("prod")
	devARN := w.arn("account/" + w.id + "/" + dev)
	c := orgClient(user(t, w.h, w.h.Root(), "auditor",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:DescribeAccount","Resource":"`+devARN+`"}]}`))
	a, err := c.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: &dev})
	if err != nil || *a.Account.Id != dev || *a.Account.Arn != devARN {
		t.Fatalf("DescribeAccount of the allowed account: %+v %v", a, err)
	}
	_, err = c.DescribeAccount(ctx, &orgsdk.DescribeAccountInput{AccountId: &prod})
	denied(t, err, "auditor", "organizations:DescribeAccount", w.arn("account/"+w.id+"/"+prod))
	// ListAccounts names no resource: an account ARN does not grant it.
	_, err = c.ListAccounts(ctx, &orgsdk.ListAccountsInput{})
	if code(err) != "AccessDeniedException" || !strings.Contains(message(err), "organizations:ListAccounts on resource: *") {
		t.Errorf("ListAccounts: %v", err)
	}
}

func TestAttachPolicyOnThePolicyAndTheTarget(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	dev, _ := w.member("dev")
	ou := w.ou(w.root, "workloads")
	const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowed := w.policy("allowed", orgtypes.PolicyTypeServiceControlPolicy, allowAll)
	other := w.policy("other", orgtypes.PolicyTypeServiceControlPolicy, allowAll)
	allowedARN := w.arn("policy/" + w.id + "/service_control_policy/" + allowed)
	c := orgClient(user(t, w.h, w.h.Root(), "attacher", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["organizations:AttachPolicy","organizations:DetachPolicy"],
		"Resource":["`+allowedARN+`","arn:aws:organizations::*:account/o-*/*"],
		"Condition":{"StringEquals":{"organizations:PolicyType":"SERVICE_CONTROL_POLICY"}}}]}`))
	if _, err := c.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: &allowed, TargetId: &dev}); err != nil {
		t.Fatalf("attaching the allowed policy to an account: %v", err)
	}
	_, err := c.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: &other, TargetId: &dev})
	denied(t, err, "attacher", "organizations:AttachPolicy", w.arn("policy/"+w.id+"/service_control_policy/"+other))
	// The target must be allowed too: the statement names accounts, not OUs.
	_, err = c.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: &allowed, TargetId: &ou})
	denied(t, err, "attacher", "organizations:AttachPolicy", w.arn("ou/"+w.id+"/"+ou))
	// AWS managed policies have AWS's ARN.
	full := "p-FullAWSAccess"
	_, err = c.DetachPolicy(ctx, &orgsdk.DetachPolicyInput{PolicyId: &full, TargetId: &dev})
	denied(t, err, "attacher", "organizations:DetachPolicy", "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
	if _, err := c.DetachPolicy(ctx, &orgsdk.DetachPolicyInput{PolicyId: &allowed, TargetId: &dev}); err != nil {
		t.Errorf("detaching the allowed policy: %v", err)
	}
}

func TestDenyOnAnOUBlocksMovingIntoIt(t *testing.T) {
	w := newWorld(t)
	acct, _ := w.member("dev")
	sandbox := w.ou(w.root, "sandbox")
	restricted := w.ou(w.root, "restricted")
	restrictedARN := w.arn("ou/" + w.id + "/" + restricted)
	c := orgClient(user(t, w.h, w.h.Root(), "mover", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"organizations:MoveAccount","Resource":"*"},
		{"Effect":"Deny","Action":"organizations:MoveAccount","Resource":"`+restrictedARN+`"}]}`))
	if _, err := c.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: &acct, SourceParentId: &w.root, DestinationParentId: &sandbox}); err != nil {
		t.Fatalf("moving into an allowed OU: %v", err)
	}
	_, err := c.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: &acct, SourceParentId: &sandbox, DestinationParentId: &restricted})
	denied(t, err, "mover", "organizations:MoveAccount", restrictedARN)
	if !strings.HasSuffix(message(err), "with an explicit deny in an identity-based policy") {
		t.Errorf("the deny is not the reason: %q", message(err))
	}
	p, err := w.org.ListParents(ctx, &orgsdk.ListParentsInput{ChildId: &acct})
	if err != nil || len(p.Parents) != 1 || *p.Parents[0].Id != sandbox {
		t.Errorf("the account moved anyway: %+v %v", p, err)
	}
}

func TestCreatePolicyTagConditions(t *testing.T) {
	w := newWorld(t)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	c := orgClient(user(t, w.h, w.h.Root(), "author", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"organizations:CreatePolicy","Resource":"*","Condition":{
			"StringEquals":{"aws:RequestTag/team":"security"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"organizations:DescribePolicy","Resource":"*","Condition":{
			"StringEquals":{"aws:ResourceTag/team":"security"}}}]}`))
	create := func(tags ...orgtypes.Tag) (string, error) {
		out, err := c.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("p" + string(rune('a'+len(tags)))),
			Type: orgtypes.PolicyTypeServiceControlPolicy, Description: aws.String("d"), Tags: tags,
			Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)})
		if err != nil {
			return "", err
		}
		return *out.Policy.PolicySummary.Id, nil
	}
	tagged, err := create(orgtypes.Tag{Key: aws.String("team"), Value: aws.String("security")})
	if err != nil {
		t.Fatalf("CreatePolicy with the required tag: %v", err)
	}
	_, err = create()
	denied(t, err, "author", "organizations:CreatePolicy", "*")
	_, err = create(orgtypes.Tag{Key: aws.String("team"), Value: aws.String("dev")})
	denied(t, err, "author", "organizations:CreatePolicy", "*")
	_, err = create(orgtypes.Tag{Key: aws.String("team"), Value: aws.String("security")}, orgtypes.Tag{Key: aws.String("cost"), Value: aws.String("x")})
	denied(t, err, "author", "organizations:CreatePolicy", "*")

	// The policy's tags are aws:ResourceTag/… of the calls that name it.
	if _, err := c.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: &tagged}); err != nil {
		t.Errorf("DescribePolicy of the tagged policy: %v", err)
	}
	untagged := w.policy("untagged", orgtypes.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)
	_, err = c.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: &untagged})
	denied(t, err, "author", "organizations:DescribePolicy", w.arn("policy/"+w.id+"/service_control_policy/"+untagged))
	if _, err := w.org.TagResource(ctx, &orgsdk.TagResourceInput{ResourceId: &untagged,
		Tags: []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("security")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: &untagged}); err != nil {
		t.Errorf("DescribePolicy once tagged: %v", err)
	}
}

// An invited account, in no organization yet, is authorized on the handshake's ARN.
func TestHandshakeARN(t *testing.T) {
	w := newWorld(t)
	const other, key, secret = "210987654321", "AKIAOTHEROTHEROTHER1", "otherSecretotherSecretotherSecret0000000"
	if _, _, _, err := w.h.Node.CreateAccount(ctx, other, key, secret); err != nil {
		t.Fatal(err)
	}
	inv, err := w.org.InviteAccountToOrganization(ctx, &orgsdk.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String(other), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	hs := *inv.Handshake.Id
	hsARN := w.arn("handshake/" + w.id + "/invite/" + hs)
	if *inv.Handshake.Arn != hsARN {
		t.Fatalf("handshake ARN %s, want %s", *inv.Handshake.Arn, hsARN)
	}
	c := orgClient(user(t, w.h, w.h.Config(key, secret, ""), "joiner",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:AcceptHandshake","Resource":"`+hsARN+`"},
		{"Effect":"Allow","Action":"organizations:*","Resource":"*"}]}`))
	_, err = c.AcceptHandshake(ctx, &orgsdk.AcceptHandshakeInput{HandshakeId: &hs})
	want := "User: arn:aws:iam::" + other + ":user/joiner is not authorized to perform: organizations:AcceptHandshake on resource: " + hsARN + " "
	if code(err) != "AccessDeniedException" || !strings.HasPrefix(message(err), want) {
		t.Errorf("AcceptHandshake: %v, want %q…", err, want)
	}
	if _, err := c.DescribeHandshake(ctx, &orgsdk.DescribeHandshakeInput{HandshakeId: &hs}); err != nil {
		t.Errorf("DescribeHandshake: %v", err)
	}
}

// Tags of OUs and accounts are aws:ResourceTag/… of the calls that name them, the management
// account's cached membership carrying them.
func TestResourceTagsOfOUsAndAccounts(t *testing.T) {
	w := newWorld(t)
	acct, _ := w.member("dev")
	sandbox := w.ou(w.root, "sandbox")
	prod, err := w.org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: &w.root, Name: aws.String("prod"),
		Tags: []orgtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	c := orgClient(user(t, w.h, w.h.Root(), "operator", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"organizations:*","Resource":"*"},
		{"Effect":"Deny","Action":["organizations:DeleteOrganizationalUnit","organizations:MoveAccount"],"Resource":"*",
			"Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`))
	_, err = c.DeleteOrganizationalUnit(ctx, &orgsdk.DeleteOrganizationalUnitInput{OrganizationalUnitId: prod.OrganizationalUnit.Id})
	denied(t, err, "operator", "organizations:DeleteOrganizationalUnit", *prod.OrganizationalUnit.Arn)
	if _, err := c.DeleteOrganizationalUnit(ctx, &orgsdk.DeleteOrganizationalUnitInput{OrganizationalUnitId: &sandbox}); err != nil {
		t.Errorf("deleting an untagged OU: %v", err)
	}
	sandbox = w.ou(w.root, "sandbox")
	if _, err := c.TagResource(ctx, &orgsdk.TagResourceInput{ResourceId: &acct,
		Tags: []orgtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.MoveAccount(ctx, &orgsdk.MoveAccountInput{AccountId: &acct, SourceParentId: &w.root, DestinationParentId: &sandbox})
	denied(t, err, "operator", "organizations:MoveAccount", w.arn("account/"+w.id+"/"+acct))
}
