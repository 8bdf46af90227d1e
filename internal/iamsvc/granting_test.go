package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
)

func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	h, c := newClient(t)
	acct := h.Node.Account
	s3Read := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	iamDeny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	stsOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3read"), PolicyDocument: aws.String(s3Read)}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("noiam"), PolicyDocument: aws.String(iamDeny)}))(t)
	must(c.PutGroupPolicy(ctx, &iamsdk.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(stsOnly)}))(t)
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	must(c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(admin)}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)

	type pol struct{ Name, Type, Arn, EntityType, EntityName string }
	list := func(t *testing.T, arn string, ns ...string) map[string][]pol {
		out := must(c.ListPoliciesGrantingServiceAccess(ctx, &iamsdk.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn), ServiceNamespaces: ns}))(t)
		if out.IsTruncated {
			t.Errorf("truncated")
		}
		got := map[string][]pol{}
		for _, e := range out.PoliciesGrantingServiceAccess {
			ps := []pol{}
			for _, p := range e.Policies {
				ps = append(ps, pol{aws.ToString(p.PolicyName), string(p.PolicyType), aws.ToString(p.PolicyArn), string(p.EntityType), aws.ToString(p.EntityName)})
			}
			got[aws.ToString(e.ServiceNamespace)] = ps
		}
		return got
	}
	userARN := "arn:aws:iam::" + acct + ":user/eng/alice"
	cases := []struct {
		name string
		arn  string
		ns   []string
		want map[string][]pol
	}{
		{"user with groups", userARN, []string{"s3", "iam", "sts"}, map[string][]pol{
			"s3":  {{"s3read", "INLINE", "", "USER", "alice"}, {"AdministratorAccess", "MANAGED", admin, "", ""}},
			"iam": {{"AdministratorAccess", "MANAGED", admin, "", ""}},
			"sts": {{"assume", "INLINE", "", "GROUP", "devs"}, {"AdministratorAccess", "MANAGED", admin, "", ""}},
		}},
		{"group", "arn:aws:iam::" + acct + ":group/devs", []string{"s3"}, map[string][]pol{
			"s3": {{"AdministratorAccess", "MANAGED", admin, "", ""}},
		}},
		{"role without policies", "arn:aws:iam::" + acct + ":role/r", []string{"iam"}, map[string][]pol{"iam": {}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(t, tc.arn, tc.ns...)); diff != "" {
				t.Errorf("policies (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []struct{ name, arn, code string }{
		{"wrong path", "arn:aws:iam::" + acct + ":user/alice", "NoSuchEntity"},
		{"missing role", "arn:aws:iam::" + acct + ":role/nope", "NoSuchEntity"},
		{"other account", "arn:aws:iam::999999999999:user/eng/alice", "NoSuchEntity"},
		{"policy ARN", admin, "InvalidInput"},
		{"not IAM", "arn:aws:s3:::some-bucket-name", "InvalidInput"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := c.ListPoliciesGrantingServiceAccess(ctx, &iamsdk.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(bad.arn), ServiceNamespaces: []string{"iam"}})
			wantErr(t, err, bad.code, "")
		})
	}
}
