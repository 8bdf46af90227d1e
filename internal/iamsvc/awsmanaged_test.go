package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
)

func TestAWSManagedPolicies(t *testing.T) {
	h, c := newClient(t)
	want := map[string]iam.AWSManagedPolicy{}
	for _, m := range iam.AWSManagedPolicies() {
		want["arn:aws:iam::aws:policy/"+m.Name] = m
	}
	out := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}))(t)
	if len(out.Policies) != len(want) {
		t.Fatalf("ListPolicies(AWS) = %d policies, want %d", len(out.Policies), len(want))
	}
	for _, p := range out.Policies {
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
	if again := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}))(t); len(again.Policies) != len(want) {
		t.Errorf("after reseeding: %d policies", len(again.Policies))
	}
}
