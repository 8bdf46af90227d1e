package iamsvc_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iamtest"
)

func TestGetAccountAuthorizationDetails(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("Bob")}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("admins")}))(t)
	must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String("alice")}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowAll)}))(t)
	must(c.PutGroupPolicy(ctx, &iamsdk.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("g"), PolicyDocument: aws.String(allowAll)}))(t)
	pol := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(allowAll)}))(t).Policy
	must(c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(allowAll), SetAsDefault: true}))(t)
	must(c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: pol.Arn}))(t)
	const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("web"), PolicyArn: aws.String(readOnly)}))(t)
	must(c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: pol.Arn}))(t)
	must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-ip")}))(t)
	must(c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")}))(t)

	all := must(c.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{}))(t)
	if all.IsTruncated || len(all.UserDetailList) != 2 || len(all.GroupDetailList) != 1 || len(all.RoleDetailList) != 1 {
		t.Fatalf("counts: users %d groups %d roles %d truncated %v", len(all.UserDetailList), len(all.GroupDetailList), len(all.RoleDetailList), all.IsTruncated)
	}
	alice := all.UserDetailList[0]
	if aws.ToString(alice.UserName) != "alice" || !cmp.Equal(alice.GroupList, []string{"admins"}) || len(alice.UserPolicyList) != 1 ||
		decodeDoc(t, alice.UserPolicyList[0].PolicyDocument) != allowAll || len(alice.Tags) != 1 || len(alice.AttachedManagedPolicies) != 0 {
		t.Errorf("alice = %+v", alice)
	}
	if bob := all.UserDetailList[1]; aws.ToString(bob.UserName) != "Bob" || len(bob.GroupList) != 0 || len(bob.Tags) != 0 {
		t.Errorf("Bob = %+v", bob)
	}
	g := all.GroupDetailList[0]
	if len(g.GroupPolicyList) != 1 || len(g.AttachedManagedPolicies) != 1 || aws.ToString(g.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(pol.Arn) {
		t.Errorf("group = %+v", g)
	}
	r := all.RoleDetailList[0]
	if decodeDoc(t, r.AssumeRolePolicyDocument) != trustEC2 || len(r.InstanceProfileList) != 1 ||
		aws.ToString(r.InstanceProfileList[0].InstanceProfileName) != "web-ip" || len(r.InstanceProfileList[0].Roles) != 1 ||
		r.PermissionsBoundary == nil || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(pol.Arn) ||
		len(r.AttachedManagedPolicies) != 1 || r.RoleLastUsed == nil {
		t.Errorf("role = %+v", r)
	}
	// Policies: the customer managed one with both versions, and only the AWS managed policy in use.
	var arns []string
	for _, p := range all.Policies {
		arns = append(arns, aws.ToString(p.Arn))
		if aws.ToString(p.Arn) == aws.ToString(pol.Arn) {
			if len(p.PolicyVersionList) != 2 || aws.ToString(p.DefaultVersionId) != "v2" || aws.ToInt32(p.AttachmentCount) != 1 ||
				aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 {
				t.Errorf("policy detail = %+v", p)
			}
		}
	}
	if want := []string{aws.ToString(pol.Arn), readOnly}; !cmp.Equal(arns, want) {
		t.Errorf("policies = %v, want %v", arns, want)
	}

	filters := []struct {
		name                           string
		filter                         []iamtypes.EntityType
		users, groups, roles, policies int
	}{
		{"users", []iamtypes.EntityType{iamtypes.EntityTypeUser}, 2, 0, 0, 0},
		{"roles and groups", []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeGroup}, 0, 1, 1, 0},
		{"local policies", []iamtypes.EntityType{iamtypes.EntityTypeLocalManagedPolicy}, 0, 0, 0, 1},
		{"AWS policies", []iamtypes.EntityType{iamtypes.EntityTypeAWSManagedPolicy}, 0, 0, 0, 1},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			out := must(c.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{Filter: tc.filter}))(t)
			got := [4]int{len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies)}
			if want := [4]int{tc.users, tc.groups, tc.roles, tc.policies}; got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}

	// Paging one entity at a time walks the same sequence, and an entity created mid-way
	// before the marker is not returned twice or shift the rest.
	var seen []string
	in := &iamsdk.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)}
	for i := 0; ; i++ {
		out := must(c.GetAccountAuthorizationDetails(ctx, in))(t)
		n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
		if n != 1 {
			t.Fatalf("page %d has %d entities", i, n)
		}
		for _, u := range out.UserDetailList {
			seen = append(seen, "user:"+aws.ToString(u.UserName))
		}
		for _, g := range out.GroupDetailList {
			seen = append(seen, "group:"+aws.ToString(g.GroupName))
		}
		for _, r := range out.RoleDetailList {
			seen = append(seen, "role:"+aws.ToString(r.RoleName))
		}
		for _, p := range out.Policies {
			seen = append(seen, "policy:"+aws.ToString(p.PolicyName))
		}
		if i == 1 {
			must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("aaron")}))(t) // sorts before the marker
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	want := []string{"user:alice", "user:Bob", "group:admins", "role:web", "policy:mine", "policy:IAMReadOnlyAccess"}
	if !cmp.Equal(seen, want) {
		t.Errorf("paged sequence = %v, want %v", seen, want)
	}
	_, err := c.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{Marker: aws.String("bogus")})
	wantErr(t, err, "InvalidInput", "Invalid Marker.")
}

// AWS managed policies are shared by every account of an installation; each account sees only
// its own uses of them.
func TestAuthorizationDetailsAcrossAccounts(t *testing.T) {
	h, c := newClient(t)
	_, keyID, secret, err := h.Node.CreateAccount(ctx, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	other := iamtest.IAM(h.Config(keyID, secret, ""))
	const arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	must(other.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(other.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}))(t)
	filter := []iamtypes.EntityType{iamtypes.EntityTypeAWSManagedPolicy}
	if out := must(c.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{Filter: filter}))(t); len(out.Policies) != 0 {
		t.Errorf("this account sees %d AWS managed policies in use, want 0 (the other account's attachment)", len(out.Policies))
	}
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(arn)}))(t)
	out := must(c.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{Filter: filter}))(t)
	if len(out.Policies) != 1 || aws.ToInt32(out.Policies[0].AttachmentCount) != 0 || aws.ToInt32(out.Policies[0].PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("policies = %+v", out.Policies)
	}
	if out := must(other.GetAccountAuthorizationDetails(ctx, &iamsdk.GetAccountAuthorizationDetailsInput{Filter: filter}))(t); len(out.Policies) != 1 ||
		aws.ToInt32(out.Policies[0].AttachmentCount) != 1 || aws.ToInt32(out.Policies[0].PermissionsBoundaryUsageCount) != 0 {
		t.Errorf("other account's policies = %+v", out.Policies)
	}
}

// BenchmarkAuthorizationDetails walks a whole account of 300 users (each with an inline policy
// and a group), 100 roles and 50 policies in pages of 100, through the SDK.
func BenchmarkAuthorizationDetails(b *testing.B) {
	h := iamtest.New(b)
	c := iamtest.IAM(h.Root())
	fatal := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	_, err := c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("all")})
	fatal(err)
	for i := 0; i < 300; i++ {
		name := aws.String(fmt.Sprintf("user%03d", i))
		_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: name})
		fatal(err)
		_, err = c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: name, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)})
		fatal(err)
		_, err = c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("all"), UserName: name})
		fatal(err)
	}
	for i := 0; i < 100; i++ {
		_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role%03d", i)), AssumeRolePolicyDocument: aws.String(trustEC2)})
		fatal(err)
	}
	for i := 0; i < 50; i++ {
		_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("pol%03d", i)), PolicyDocument: aws.String(allowAll)})
		fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		in := &iamsdk.GetAccountAuthorizationDetailsInput{}
		n := 0
		for {
			out, err := c.GetAccountAuthorizationDetails(ctx, in)
			fatal(err)
			n += len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
			if !out.IsTruncated {
				break
			}
			in.Marker = out.Marker
		}
		if n != 451 {
			b.Fatalf("walked %d entities, want 451", n)
		}
	}
}
