package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/iamtest"
)

func TestAWSManagedPolicies(t *testing.T) {
	h, c := newClient(t)
	want := map[string]iam.AWSManagedPolicy{}
	for _, m := range iam.AWSManagedPolicies() {
		want[m.Policy().Arn] = m
	}
	listed := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})
	if len(listed) != len(want) {
		t.Fatalf("ListPolicies(AWS) = %d policies, want %d", len(listed), len(want))
	}
	for _, p := range listed {
		m, ok := want[aws.ToString(p.Arn)]
		if !ok || aws.ToString(p.PolicyId) != m.ID || aws.ToString(p.DefaultVersionId) != m.DefaultVersion || !p.IsAttachable {
			t.Errorf("policy %s id %s version %s: not as shipped", aws.ToString(p.Arn), aws.ToString(p.PolicyId), aws.ToString(p.DefaultVersionId))
		}
	}
	if local := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))(t); len(local.Policies) != 0 {
		t.Errorf("ListPolicies(Local) = %d, want 0", len(local.Policies))
	}

	const power = "arn:aws:iam::aws:policy/PowerUserAccess"
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(power), VersionId: aws.String("v12")}))(t)
	if got := decodeDoc(t, v.PolicyVersion.Document); got != want[power].Document || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("PowerUserAccess v12 = %s", got)
	}

	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("ann")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("ann"), PolicyArn: aws.String(power)}))(t)
	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(power)}))(t)
	if aws.ToInt32(p.Policy.AttachmentCount) != 1 || aws.ToString(p.Policy.Description) == "" {
		t.Errorf("GetPolicy: AttachmentCount %d, Description %q", aws.ToInt32(p.Policy.AttachmentCount), aws.ToString(p.Policy.Description))
	}
	attached := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{OnlyAttached: true}))(t)
	if len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].Arn) != power {
		t.Errorf("ListPolicies(OnlyAttached) = %v", attached.Policies)
	}

	tests := []struct {
		name string
		call func() error
	}{
		{"DeletePolicy", func() error {
			_, err := c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}},
		{"CreatePolicyVersion", func() error {
			_, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: aws.String(power), PolicyDocument: aws.String(allowAll)})
			return err
		}},
		{"TagPolicy", func() error {
			_, err := c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: aws.String(power), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), "AccessDenied", "") })
	}

	// A second seeding (another node, a restart) changes nothing.
	if err := iamsvc.New(iamsvc.Config{Store: h.Node.Store}).SeedAWSManagedPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	if again := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}); len(again) != len(want) {
		t.Errorf("after reseeding: %d policies", len(again))
	}
}

// TestReadOnlyAccess checks the shipped ReadOnlyAccess end to end: served whole over the wire
// although it is six times the customer quota, and, attached to a user, allowing reads and
// denying writes through authorization as a real client meets it.
func TestReadOnlyAccess(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	h, c := newClient(t)
	var shipped iam.AWSManagedPolicy
	for _, m := range iam.AWSManagedPolicies() {
		if m.Name == "ReadOnlyAccess" {
			shipped = m
		}
	}

	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
	if aws.ToString(p.PolicyId) != "ANPAILL3HVNFSB6DCOWYQ" || aws.ToString(p.DefaultVersionId) != shipped.DefaultVersion ||
		aws.ToString(p.Description) != "Provides read-only access to AWS services and resources." ||
		!aws.ToTime(p.CreateDate).Equal(shipped.Created) || !aws.ToTime(p.UpdateDate).Equal(shipped.Updated) {
		t.Errorf("GetPolicy = id %s version %s %q created %v updated %v", aws.ToString(p.PolicyId), aws.ToString(p.DefaultVersionId),
			aws.ToString(p.Description), aws.ToTime(p.CreateDate), aws.ToTime(p.UpdateDate))
	}
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(shipped.DefaultVersion)}))(t)
	doc := decodeDoc(t, v.PolicyVersion.Document)
	if doc != shipped.Document || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion %s: %d chars, default %v; want the shipped %d chars", shipped.DefaultVersion, len(doc), v.PolicyVersion.IsDefaultVersion, len(shipped.Document))
	}
	if iam.PolicySize(doc) <= iam.MaxManagedPolicyChars {
		t.Errorf("document of %d chars: expected above the customer quota", iam.PolicySize(doc))
	}
	// The customer quota still binds customers: the same text cannot be a customer managed policy.
	_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("MyReadOnly"), PolicyDocument: aws.String(doc)})
	wantErr(t, err, "LimitExceeded", "")

	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("reader")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String(arn)}))(t)
	k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("reader")}))(t).AccessKey
	reader := iamtest.IAM(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))

	reads := []struct {
		name string
		call func() error
	}{
		{"ListUsers", func() error { _, err := reader.ListUsers(ctx, &iamsdk.ListUsersInput{}); return err }},
		{"GetUser", func() error {
			_, err := reader.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("reader")})
			return err
		}},
		{"ListAttachedUserPolicies", func() error {
			_, err := reader.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("reader")})
			return err
		}},
		{"GetPolicyVersion", func() error {
			_, err := reader.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(shipped.DefaultVersion)})
			return err
		}},
		{"GetAccountSummary", func() error { _, err := reader.GetAccountSummary(ctx, &iamsdk.GetAccountSummaryInput{}); return err }},
	}
	for _, tc := range reads {
		t.Run("allows "+tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		})
	}
	writes := []struct {
		name string
		call func() error
	}{
		{"CreateUser", func() error {
			_, err := reader.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("mallory")})
			return err
		}},
		{"DetachUserPolicy", func() error {
			_, err := reader.DetachUserPolicy(ctx, &iamsdk.DetachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String(arn)})
			return err
		}},
		{"CreateAccessKey", func() error {
			_, err := reader.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("reader")})
			return err
		}},
		{"PutUserPolicy", func() error {
			_, err := reader.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)})
			return err
		}},
	}
	for _, tc := range writes {
		t.Run("denies "+tc.name, func(t *testing.T) { wantErr(t, tc.call(), "AccessDenied", "") })
	}

	// The simulator reaches the same decisions from the attached policy.
	user := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("reader")}))(t).User
	sim := must(c.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: user.Arn,
		ActionNames: []string{"iam:ListUsers", "s3:GetObject", "iam:CreateUser", "ec2:TerminateInstances"}}))(t)
	want := map[string]types.PolicyEvaluationDecisionType{"iam:ListUsers": types.PolicyEvaluationDecisionTypeAllowed,
		"s3:GetObject": types.PolicyEvaluationDecisionTypeAllowed, "iam:CreateUser": types.PolicyEvaluationDecisionTypeImplicitDeny,
		"ec2:TerminateInstances": types.PolicyEvaluationDecisionTypeImplicitDeny}
	for _, r := range sim.EvaluationResults {
		if a := aws.ToString(r.EvalActionName); r.EvalDecision != want[a] {
			t.Errorf("simulated %s = %s, want %s", a, r.EvalDecision, want[a])
		}
	}
	if len(sim.EvaluationResults) != len(want) {
		t.Errorf("simulator: %d results, want %d", len(sim.EvaluationResults), len(want))
	}
}
