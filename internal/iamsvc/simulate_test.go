package iamsvc_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

const acct = iamtest.Account

// simFixture creates the entities the simulator tests use and returns a client for alice,
// a user with an access key and no policies yet.
func simFixture(t *testing.T) (*iamtest.Harness, *iamsdk.Client, *iamsdk.Client) {
	t.Helper()
	h, root := newClient(t)
	tag := func(v string) []types.Tag { return []types.Tag{{Key: aws.String("team"), Value: aws.String(v)}} }
	must(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/team/"), Tags: tag("red")}))(t)
	must(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob"), Tags: tag("blue")}))(t)
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trustEC2), Tags: tag("red")}))(t)
	must(root.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g1")}))(t)
	k := must(root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")}))(t)
	alice := iamtest.IAM(h.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, ""))
	return h, root, alice
}

// call is one real request of the agreement vocabulary with the resource enforcement names.
type call struct {
	action, resource string
	do               func(c *iamsdk.Client) error
}

var calls = []call{
	{"iam:GetUser", "arn:aws:iam::" + acct + ":user/bob", func(c *iamsdk.Client) error {
		_, err := c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bob")})
		return err
	}},
	{"iam:GetUser", "arn:aws:iam::" + acct + ":user/team/alice", func(c *iamsdk.Client) error {
		_, err := c.GetUser(ctx, &iamsdk.GetUserInput{})
		return err
	}},
	{"iam:ListUserTags", "arn:aws:iam::" + acct + ":user/bob", func(c *iamsdk.Client) error {
		_, err := c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: aws.String("bob")})
		return err
	}},
	{"iam:GetRole", "arn:aws:iam::" + acct + ":role/r1", func(c *iamsdk.Client) error {
		_, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("r1")})
		return err
	}},
	{"iam:ListRoles", "arn:aws:iam::" + acct + ":role/", func(c *iamsdk.Client) error {
		_, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{})
		return err
	}},
	{"iam:ListUsers", "arn:aws:iam::" + acct + ":user/", func(c *iamsdk.Client) error {
		_, err := c.ListUsers(ctx, &iamsdk.ListUsersInput{})
		return err
	}},
	{"iam:GetGroup", "arn:aws:iam::" + acct + ":group/g1", func(c *iamsdk.Client) error {
		_, err := c.GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("g1")})
		return err
	}},
	{"iam:ListAttachedUserPolicies", "arn:aws:iam::" + acct + ":user/team/alice", func(c *iamsdk.Client) error {
		_, err := c.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
		return err
	}},
}

// Vocabularies of the random policies.
var (
	vocabActions = []string{"iam:GetUser", "iam:Get*", "iam:List*", "iam:*", "*", "iam:ListUsers", "iam:GetRole",
		"iam:ListRoles", "iam:GetGroup", "iam:ListUserTags", "iam:ListAttachedUserPolicies", "iam:list*", "iam:Get?ser", "sts:*"}
	vocabResources = []string{"*", "arn:aws:iam::" + acct + ":user/*", "arn:aws:iam::" + acct + ":user/${aws:username}",
		"arn:aws:iam::" + acct + ":user/team/${aws:username}", "arn:aws:iam::" + acct + ":user/team/*", "arn:aws:iam::" + acct + ":role/*",
		"arn:aws:iam::" + acct + ":group/g1", "arn:aws:iam::" + acct + ":user/bob", "arn:aws:iam::" + acct + ":role/",
		"arn:aws:iam::" + acct + ":user/", "arn:aws:iam::*:*", "arn:aws:iam::111111111111:user/*"}
	vocabConditions = []string{
		`{"StringEquals":{"aws:ResourceTag/team":"red"}}`,
		`{"StringEquals":{"aws:PrincipalTag/team":"red"}}`,
		`{"StringEquals":{"aws:PrincipalTag/team":"blue"}}`,
		`{"StringEquals":{"aws:username":"alice"}}`,
		`{"Bool":{"aws:SecureTransport":"false"}}`,
		`{"Bool":{"aws:SecureTransport":"true"}}`,
		`{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`,
		`{"StringLike":{"aws:PrincipalArn":"*team*"}}`,
		`{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`,
		`{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`,
		`{"StringEqualsIfExists":{"aws:ResourceTag/team":"blue"}}`,
		`{"Null":{"aws:ResourceTag/team":"true"}}`,
		`{"StringEquals":{"iam:ResourceTag/team":"${aws:PrincipalTag/team}"}}`,
		`{"StringEquals":{"aws:PrincipalAccount":"` + acct + `"}}`,
	}
)

func pick(r *rand.Rand, xs []string, n int) string {
	if n == 1 {
		return `"` + xs[r.IntN(len(xs))] + `"`
	}
	out := make([]string, n)
	for i := range out {
		out[i] = `"` + xs[r.IntN(len(xs))] + `"`
	}
	return "[" + strings.Join(out, ",") + "]"
}

// randomPolicy builds an identity policy of 1–3 statements from the vocabularies.
func randomPolicy(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	sts := make([]string, n)
	for i := range sts {
		effect := "Allow"
		if r.IntN(10) < 3 {
			effect = "Deny"
		}
		action := "Action"
		if r.IntN(8) == 0 {
			action = "NotAction"
		}
		resource := "Resource"
		if r.IntN(10) == 0 {
			resource = "NotResource"
		}
		st := fmt.Sprintf(`{"Sid":"S%d","Effect":"%s","%s":%s,"%s":%s`, i, effect, action, pick(r, vocabActions, 1+r.IntN(2)),
			resource, pick(r, vocabResources, 1+r.IntN(2)))
		if r.IntN(2) == 0 {
			st += `,"Condition":` + vocabConditions[r.IntN(len(vocabConditions))]
		}
		sts[i] = st + "}"
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
}

// TestSimulatorAgreesWithEnforcement generates random policies, attaches each to alice, makes
// every call of the vocabulary as alice for real, and checks that SimulateCustomPolicy (the
// same policy, alice as the caller, the transport facts of the real request as context
// entries) decides every case the same way.
func TestSimulatorAgreesWithEnforcement(t *testing.T) {
	if testing.Short() {
		t.Skip("agreement run is long")
	}
	_, root, alice := simFixture(t)
	r := rand.New(rand.NewPCG(4, 2026))
	const policies = 130 // × 8 calls = 1,040 cases
	entries := []types.ContextEntry{
		{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{"127.0.0.1"}},
		{ContextKeyName: aws.String("aws:SecureTransport"), ContextKeyType: types.ContextKeyTypeEnumBoolean, ContextKeyValues: []string{"false"}},
		{ContextKeyName: aws.String("aws:RequestedRegion"), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"us-east-1"}},
		{ContextKeyName: aws.String("aws:PrincipalTag/team"), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"red"}},
	}
	cases, allowed := 0, 0
	for i := 0; i < policies; i++ {
		doc := randomPolicy(r)
		must(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
		for _, c := range calls {
			err := c.do(alice)
			real := err == nil
			var ae smithy.APIError
			if err != nil && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied") {
				t.Fatalf("policy %s, %s: unexpected error %v", doc, c.action, err)
			}
			out := must(root.SimulateCustomPolicy(ctx, &iamsdk.SimulateCustomPolicyInput{
				PolicyInputList: []string{doc}, ActionNames: []string{c.action}, ResourceArns: []string{c.resource},
				CallerArn: aws.String("arn:aws:iam::" + acct + ":user/team/alice"), ContextEntries: entries,
			}))(t)
			sim := out.EvaluationResults[0].EvalDecision == types.PolicyEvaluationDecisionTypeAllowed
			if sim != real {
				t.Errorf("case %d: policy %s\n%s on %s: enforcement allowed=%v (%v), simulator %s", cases, doc, c.action, c.resource, real, err, out.EvaluationResults[0].EvalDecision)
			}
			cases++
			if real {
				allowed++
			}
		}
	}
	t.Logf("%d cases agree (%d allowed, %d denied)", cases, allowed, cases-allowed)
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	_, root, _ := simFixture(t)
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"iam:GetUser\", \"Resource\": \"*\"},\n" +
		"    {\"Sid\": \"D\", \"Effect\": \"Deny\", \"Action\": \"iam:GetUser\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:ResourceTag/team\": \"blue\"}}}\n  ]\n}"
	must(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	aliceARN := "arn:aws:iam::" + acct + ":user/team/alice"
	bobARN := "arn:aws:iam::" + acct + ":user/bob"
	out := must(root.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(aliceARN), ActionNames: []string{"iam:GetUser", "iam:DeleteUser"},
		ResourceArns: []string{aliceARN, bobARN},
	}))(t)
	_, err := root.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/ghost"), ActionNames: []string{"iam:GetUser"}})
	wantErr(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")

	// One result per action; each resource's decision under ResourceSpecificResults, the
	// top-level decision the most restrictive of them.
	type rsr struct {
		resource string
		decision types.PolicyEvaluationDecisionType
	}
	for _, tc := range []struct {
		action string
		want   types.PolicyEvaluationDecisionType
		per    []rsr
	}{
		{"iam:GetUser", types.PolicyEvaluationDecisionTypeExplicitDeny, []rsr{
			{aliceARN, types.PolicyEvaluationDecisionTypeAllowed},
			{bobARN, types.PolicyEvaluationDecisionTypeExplicitDeny}, // bob's stored tag team=blue
		}},
		{"iam:DeleteUser", types.PolicyEvaluationDecisionTypeImplicitDeny, []rsr{
			{aliceARN, types.PolicyEvaluationDecisionTypeImplicitDeny},
			{bobARN, types.PolicyEvaluationDecisionTypeImplicitDeny},
		}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			var er *types.EvaluationResult
			for i := range out.EvaluationResults {
				if *out.EvaluationResults[i].EvalActionName == tc.action {
					er = &out.EvaluationResults[i]
				}
			}
			if er == nil {
				t.Fatalf("no result for %s in %d results", tc.action, len(out.EvaluationResults))
			}
			if er.EvalDecision != tc.want || aws.ToString(er.EvalResourceName) != aliceARN {
				t.Errorf("top level: %s on %s, want %s on %s", er.EvalDecision, aws.ToString(er.EvalResourceName), tc.want, aliceARN)
			}
			if er.EvalDecisionDetails != nil {
				t.Errorf("EvalDecisionDetails = %v, want absent (same account, named resources)", er.EvalDecisionDetails)
			}
			if len(er.ResourceSpecificResults) != len(tc.per) {
				t.Fatalf("%d resource results, want %d", len(er.ResourceSpecificResults), len(tc.per))
			}
			for i, w := range tc.per {
				got := er.ResourceSpecificResults[i]
				if aws.ToString(got.EvalResourceName) != w.resource || got.EvalResourceDecision != w.decision {
					t.Errorf("resource %d: %s %s, want %s %s", i, aws.ToString(got.EvalResourceName), got.EvalResourceDecision, w.resource, w.decision)
				}
				if got.EvalDecisionDetails != nil {
					t.Errorf("resource %d: EvalDecisionDetails = %v, want absent", i, got.EvalDecisionDetails)
				}
			}
		})
	}
	// The explicit deny on bob is reported by its deny statement alone, with its position.
	get := out.EvaluationResults[0]
	for _, ms := range [][]types.Statement{get.MatchedStatements, get.ResourceSpecificResults[1].MatchedStatements} {
		if len(ms) != 1 {
			t.Fatalf("deny matched %d statements, want 1 (the deny)", len(ms))
		}
		d := ms[0]
		if *d.SourcePolicyId != "p" || d.SourcePolicyType != "IAM Policy" {
			t.Errorf("deny statement source = %s/%s, want p/IAM Policy", *d.SourcePolicyId, d.SourcePolicyType)
		}
		// The statement's brace is in column 5; AWS's span starts just after it.
		if d.StartPosition.Line != 5 || d.StartPosition.Column != 6 || d.EndPosition.Line != 5 {
			t.Errorf("deny statement at %d:%d–%d:%d, want line 5 from column 6", d.StartPosition.Line, d.StartPosition.Column, d.EndPosition.Line, d.EndPosition.Column)
		}
	}
	if ms := get.ResourceSpecificResults[0].MatchedStatements; len(ms) != 1 || ms[0].StartPosition.Line != 4 {
		t.Errorf("alice's allow: matched %+v, want the statement on line 4", ms)
	}
}

func TestSimulateCustomPolicy(t *testing.T) {
	_, root, _ := simFixture(t)
	allowTagged := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"dev"}}}]}`
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	for _, tc := range []struct {
		name       string
		in         iamsdk.SimulateCustomPolicyInput
		want       types.PolicyEvaluationDecisionType
		missing    []string
		boundaryOK *bool
	}{
		{"missing context key", iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowTagged}, ActionNames: []string{"iam:CreateUser"}},
			types.PolicyEvaluationDecisionTypeImplicitDeny, []string{"aws:RequestTag/env"}, nil},
		{"context entry given", iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowTagged}, ActionNames: []string{"iam:CreateUser"},
			ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:RequestTag/env"), ContextKeyValues: []string{"dev"}, ContextKeyType: types.ContextKeyTypeEnumString}}},
			types.PolicyEvaluationDecisionTypeAllowed, nil, nil},
		{"boundary caps", iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowAll}, PermissionsBoundaryPolicyInputList: []string{boundary}, ActionNames: []string{"iam:CreateUser"}},
			types.PolicyEvaluationDecisionTypeImplicitDeny, nil, aws.Bool(false)},
		{"boundary admits", iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowAll}, PermissionsBoundaryPolicyInputList: []string{boundary}, ActionNames: []string{"iam:GetRole"}},
			types.PolicyEvaluationDecisionTypeAllowed, nil, aws.Bool(true)},
		{"assume role evaluates the trust policy", iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowAll}, ActionNames: []string{"sts:AssumeRole"},
			ResourceArns: []string{"arn:aws:iam::" + acct + ":role/r1"}, CallerArn: aws.String("arn:aws:iam::" + acct + ":user/team/alice")},
			types.PolicyEvaluationDecisionTypeImplicitDeny, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := must(root.SimulateCustomPolicy(ctx, &tc.in))(t)
			er := out.EvaluationResults[0]
			if er.EvalDecision != tc.want {
				t.Errorf("decision %s, want %s", er.EvalDecision, tc.want)
			}
			if strings.Join(er.MissingContextValues, ",") != strings.Join(tc.missing, ",") {
				t.Errorf("missing %v, want %v", er.MissingContextValues, tc.missing)
			}
			if tc.boundaryOK != nil && (er.PermissionsBoundaryDecisionDetail == nil || er.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary != *tc.boundaryOK) {
				t.Errorf("boundary detail %+v, want allowed=%v", er.PermissionsBoundaryDecisionDetail, *tc.boundaryOK)
			}
		})
	}
}

func TestSimulatePaging(t *testing.T) {
	_, root, _ := simFixture(t)
	in := &iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowAll}, ActionNames: []string{"iam:GetUser", "iam:GetRole", "iam:ListUsers"},
		ResourceArns: []string{"*", "arn:aws:iam::" + acct + ":user/bob"}, MaxItems: aws.Int32(2)}
	var got []string
	pages := 0
	for {
		out := must(root.SimulateCustomPolicy(ctx, in))(t)
		pages++
		for _, er := range out.EvaluationResults {
			got = append(got, *er.EvalActionName+" "+*er.EvalResourceName)
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	// One result per action: three, over two pages of two.
	if strings.Join(got, ",") != "iam:GetUser *,iam:GetRole *,iam:ListUsers *" || pages != 2 {
		t.Fatalf("paged %v in %d pages, want the three actions (first resource *) in 2", got, pages)
	}
	in.Marker = aws.String("bogus")
	_, err := root.SimulateCustomPolicy(ctx, in)
	wantErr(t, err, "InvalidInput", "")
}

func TestGetContextKeys(t *testing.T) {
	_, root, _ := simFixture(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/${aws:username}","Condition":{"StringEquals":{"aws:RequestTag/env":"dev","iam:PolicyARN":"x"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	out := must(root.GetContextKeysForCustomPolicy(ctx, &iamsdk.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}}))(t)
	want := "aws:MultiFactorAuthPresent,aws:RequestTag/env,aws:username,iam:PolicyARN"
	if got := strings.Join(out.ContextKeyNames, ","); got != want {
		t.Errorf("custom: %s, want %s", got, want)
	}
	must(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	pout := must(root.GetContextKeysForPrincipalPolicy(ctx, &iamsdk.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/bob")}))(t)
	if got := strings.Join(pout.ContextKeyNames, ","); got != want {
		t.Errorf("principal: %s, want %s", got, want)
	}
}

func TestSimulateResourceHandlingOption(t *testing.T) {
	_, root, _ := simFixture(t)
	ec2 := func(types ...string) []string {
		out := make([]string, len(types))
		for i, typ := range types {
			out[i] = "arn:aws:ec2:us-east-1:" + acct + ":" + typ + "/x-1"
		}
		return out
	}
	vpc := ec2("instance", "security-group", "network-interface")
	vpc = append(vpc, "arn:aws:ec2:us-east-1::image/ami-1") // images name no account
	for _, tc := range []struct {
		name, option string
		actions      []string
		resources    []string
		wantMsg      string // "" means the simulation runs
	}{
		{"none", "", []string{"iam:CreateUser"}, nil, ""},
		{"unknown scenario", "EC2-Classic-EBS", []string{"ec2:RunInstances"}, vpc,
			"Invalid ResourceHandlingOption EC2-Classic-EBS: valid values are EC2-VPC-EBS, EC2-VPC-EBS-Subnet, EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet."},
		{"wrong case", "ec2-vpc-ebs", []string{"ec2:RunInstances"}, vpc,
			"Invalid ResourceHandlingOption ec2-vpc-ebs: valid values are EC2-VPC-EBS, EC2-VPC-EBS-Subnet, EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet."},
		{"IAM action, no EC2 resources", "EC2-VPC-InstanceStore", []string{"iam:CreateUser"}, nil,
			"ResourceHandlingOption EC2-VPC-InstanceStore needs ResourceArns of the EC2 resource types instance, image, security-group, network-interface; missing: instance, image, security-group, network-interface."},
		{"STS action on a role", "EC2-VPC-EBS", []string{"sts:AssumeRole"}, []string{"arn:aws:iam::" + acct + ":role/r1"},
			"ResourceHandlingOption EC2-VPC-EBS needs ResourceArns of the EC2 resource types instance, image, security-group, network-interface, volume; missing: instance, image, security-group, network-interface, volume."},
		{"volume missing", "EC2-VPC-EBS", []string{"ec2:RunInstances"}, vpc,
			"ResourceHandlingOption EC2-VPC-EBS needs ResourceArns of the EC2 resource types instance, image, security-group, network-interface, volume; missing: volume."},
		{"instance store complete", "EC2-VPC-InstanceStore", []string{"ec2:RunInstances"}, vpc, ""},
		{"EBS with subnet complete", "EC2-VPC-EBS-Subnet", []string{"ec2:RunInstances"}, append(ec2("subnet", "volume"), vpc...), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &iamsdk.SimulateCustomPolicyInput{PolicyInputList: []string{allowAll}, ActionNames: tc.actions, ResourceArns: tc.resources}
			if tc.option != "" {
				in.ResourceHandlingOption = aws.String(tc.option)
			}
			out, err := root.SimulateCustomPolicy(ctx, in)
			if tc.wantMsg != "" {
				wantErr(t, err, "InvalidInput", tc.wantMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			er := out.EvaluationResults[0]
			if er.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(er.ResourceSpecificResults) != len(tc.resources) {
				t.Fatalf("%s with %d resource results, want allowed with %d", er.EvalDecision, len(er.ResourceSpecificResults), len(tc.resources))
			}
		})
	}
}

// TestSimulateDecisionDetails checks EvalDecisionDetails where AWS documents it: absent for
// "*" and for a named resource of the caller's account (AWS sends no empty map), and each side's
// decision when the resource belongs to another account (its ARN or ResourceOwner says so).
func TestSimulateDecisionDetails(t *testing.T) {
	_, root, _ := simFixture(t)
	const other = "999999999999"
	alice := "arn:aws:iam::" + acct + ":user/team/alice"
	bucket := "arn:aws:s3:::shared"
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"s3:GetObject","Resource":"*"}]}`
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name      string
		in        iamsdk.SimulateCustomPolicyInput
		decision  types.PolicyEvaluationDecisionType
		details   map[string]string // nil: absent
		perDetail map[string]string // the first resource result's; nil: absent
	}{
		{"all resources", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}},
			types.PolicyEvaluationDecisionTypeAllowed, nil, nil},
		{"same account, named resource", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{bucket}},
			types.PolicyEvaluationDecisionTypeAllowed, nil, nil},
		{"other account without its grant", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{bucket},
			ResourceOwner: aws.String(other), CallerArn: aws.String(alice)},
			types.PolicyEvaluationDecisionTypeImplicitDeny,
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"},
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}},
		{"other account granting", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{bucket},
			ResourceOwner: aws.String(other), CallerArn: aws.String(alice), ResourcePolicy: aws.String(grant)},
			types.PolicyEvaluationDecisionTypeAllowed,
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "allowed"},
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "allowed"}},
		{"other account denying", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{bucket},
			ResourceOwner: aws.String(other), CallerArn: aws.String(alice), ResourcePolicy: aws.String(deny)},
			types.PolicyEvaluationDecisionTypeExplicitDeny,
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "explicitDeny"},
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "explicitDeny"}},
		{"the ARN names the other account", iamsdk.SimulateCustomPolicyInput{ActionNames: []string{"iam:GetUser"},
			ResourceArns: []string{"arn:aws:iam::" + acct + ":user/bob", "arn:aws:iam::" + other + ":user/carol"}, CallerArn: aws.String(alice)},
			types.PolicyEvaluationDecisionTypeImplicitDeny,
			map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.PolicyInputList = []string{allowAll}
			er := must(root.SimulateCustomPolicy(ctx, &tc.in))(t).EvaluationResults[0]
			if er.EvalDecision != tc.decision {
				t.Errorf("decision %s, want %s", er.EvalDecision, tc.decision)
			}
			if (er.EvalDecisionDetails == nil) != (tc.details == nil) || fmt.Sprint(er.EvalDecisionDetails) != fmt.Sprint(tc.details) {
				t.Errorf("EvalDecisionDetails = %v (nil %v), want %v (nil %v)", er.EvalDecisionDetails, er.EvalDecisionDetails == nil, tc.details, tc.details == nil)
			}
			if tc.in.ResourceArns == nil {
				if er.ResourceSpecificResults != nil {
					t.Errorf("ResourceSpecificResults = %+v, want none for *", er.ResourceSpecificResults)
				}
				return
			}
			if len(er.ResourceSpecificResults) == 0 {
				t.Fatal("no ResourceSpecificResults")
			}
			if got := er.ResourceSpecificResults[0].EvalDecisionDetails; (got == nil) != (tc.perDetail == nil) || fmt.Sprint(got) != fmt.Sprint(tc.perDetail) {
				t.Errorf("first resource's EvalDecisionDetails = %v, want %v", got, tc.perDetail)
			}
		})
	}
}

// BenchmarkSimulateResources measures one SimulatePrincipalPolicy request of 10 actions on 10
// stored users (100 evaluations, each reading the resource's tags), through the SDK and HTTP.
func BenchmarkSimulateResources(b *testing.B) {
	h := iamtest.New(b)
	c := iamtest.IAM(h.Root())
	resources := make([]string, 10)
	for i := range resources {
		name := fmt.Sprintf("u%d", i)
		if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
		resources[i] = "arn:aws:iam::" + acct + ":user/" + name
	}
	if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("u0"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}); err != nil {
		b.Fatal(err)
	}
	actions := []string{"iam:GetUser", "iam:DeleteUser", "iam:ListUserTags", "iam:TagUser", "iam:UntagUser",
		"iam:CreateAccessKey", "iam:ListAccessKeys", "iam:PutUserPolicy", "iam:GetUserPolicy", "iam:UpdateUser"}
	in := &iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(resources[0]), ActionNames: actions, ResourceArns: resources}
	b.ResetTimer()
	for b.Loop() {
		out, err := c.SimulatePrincipalPolicy(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if len(out.EvaluationResults) != 10 || len(out.EvaluationResults[9].ResourceSpecificResults) != 10 {
			b.Fatalf("%d results", len(out.EvaluationResults))
		}
	}
}

// TestSimulateCallerArn checks AWS's rules for the simulated caller: an IAM user only, and
// required with a ResourcePolicy when the policy source is not a user.
func TestSimulateCallerArn(t *testing.T) {
	_, root, _ := simFixture(t)
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	role := "arn:aws:iam::" + acct + ":role/r1"
	for _, tc := range []struct {
		name    string
		in      iamsdk.SimulatePrincipalPolicyInput
		wantMsg string // "" means the simulation runs
	}{
		{"role source, no resource policy", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role)}, ""},
		{"role source with a resource policy", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ResourcePolicy: aws.String(grant)},
			"CallerArn is required to simulate a ResourcePolicy when PolicySourceArn is not an IAM user."},
		{"role source, user caller, resource policy", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), ResourcePolicy: aws.String(grant),
			CallerArn: aws.String("arn:aws:iam::" + acct + ":user/bob")}, ""},
		{"user source with a resource policy", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/bob"), ResourcePolicy: aws.String(grant)}, ""},
		{"role as caller", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), CallerArn: aws.String(role)},
			"Invalid CallerArn " + role + ": the simulated caller can only be an IAM user."},
		{"assumed role as caller", iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(role), CallerArn: aws.String("arn:aws:sts::" + acct + ":assumed-role/r1/s")},
			"Invalid CallerArn arn:aws:sts::" + acct + ":assumed-role/r1/s: the simulated caller can only be an IAM user."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.ActionNames = []string{"s3:GetObject"}
			_, err := root.SimulatePrincipalPolicy(ctx, &tc.in)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, "InvalidInput", tc.wantMsg)
		})
	}
}
