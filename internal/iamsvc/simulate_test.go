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
	want := map[string]types.PolicyEvaluationDecisionType{
		"iam:GetUser " + aliceARN:    types.PolicyEvaluationDecisionTypeAllowed,
		"iam:GetUser " + bobARN:      types.PolicyEvaluationDecisionTypeExplicitDeny, // bob's stored tag team=blue
		"iam:DeleteUser " + aliceARN: types.PolicyEvaluationDecisionTypeImplicitDeny,
		"iam:DeleteUser " + bobARN:   types.PolicyEvaluationDecisionTypeImplicitDeny,
	}
	_, err := root.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":user/ghost"), ActionNames: []string{"iam:GetUser"}})
	wantErr(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
	if len(out.EvaluationResults) != 4 {
		t.Fatalf("got %d results, want 4", len(out.EvaluationResults))
	}
	for _, er := range out.EvaluationResults {
		k := *er.EvalActionName + " " + *er.EvalResourceName
		if er.EvalDecision != want[k] {
			t.Errorf("%s: %s, want %s", k, er.EvalDecision, want[k])
		}
		if k == "iam:GetUser "+bobARN {
			if len(er.MatchedStatements) != 2 {
				t.Fatalf("%s: matched %d statements, want 2", k, len(er.MatchedStatements))
			}
			d := er.MatchedStatements[1]
			if *d.SourcePolicyId != "p" || d.SourcePolicyType != types.PolicySourceTypeUser {
				t.Errorf("deny statement source = %s/%s, want p/user", *d.SourcePolicyId, d.SourcePolicyType)
			}
			if d.StartPosition.Line != 5 || d.StartPosition.Column != 5 || d.EndPosition.Line != 5 {
				t.Errorf("deny statement at %d:%d–%d:%d, want line 5 from column 5", d.StartPosition.Line, d.StartPosition.Column, d.EndPosition.Line, d.EndPosition.Column)
			}
		}
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
		ResourceArns: []string{"*", "arn:aws:iam::" + acct + ":user/bob"}, MaxItems: aws.Int32(4)}
	var got []string
	for {
		out := must(root.SimulateCustomPolicy(ctx, in))(t)
		for _, er := range out.EvaluationResults {
			got = append(got, *er.EvalActionName+" "+*er.EvalResourceName)
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if len(got) != 6 {
		t.Fatalf("paged %d results, want 6: %v", len(got), got)
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
