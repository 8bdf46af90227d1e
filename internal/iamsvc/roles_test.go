package iamsvc_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iamtest"
)

func TestRoles(t *testing.T) {
	_, c := newClient(t)
	r := must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(trustEC2), Description: aws.String("d"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t).Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+iamtest.Account+":role/svc/app" || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") ||
		r.MaxSessionDuration != nil || decodeDoc(t, r.AssumeRolePolicyDocument) != trustEC2 {
		t.Fatalf("CreateRole = %+v", r)
	}
	got := must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("APP")}))(t).Role
	if aws.ToString(got.RoleId) != aws.ToString(r.RoleId) || aws.ToString(got.Description) != "d" || len(got.Tags) != 1 || got.RoleLastUsed == nil {
		t.Errorf("GetRole = %+v", got)
	}

	tests := []struct {
		name      string
		in        iamsdk.CreateRoleInput
		code, msg string
	}{
		{"duplicate", iamsdk.CreateRoleInput{RoleName: aws.String("App"), AssumeRolePolicyDocument: aws.String(trustEC2)},
			"EntityAlreadyExists", "Role with name App already exists."},
		{"identity policy as trust", iamsdk.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(allowAll)},
			"MalformedPolicyDocument", ""},
		{"trust too large", iamsdk.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(
			strings.Replace(trustEC2, "ec2.amazonaws.com", strings.Repeat("a", 2000)+".amazonaws.com", 1))},
			"LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"session too short", iamsdk.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trustEC2), MaxSessionDuration: aws.Int32(3599)},
			"ValidationError", ""},
		{"session too long", iamsdk.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trustEC2), MaxSessionDuration: aws.Int32(43201)},
			"ValidationError", ""},
		{"missing boundary", iamsdk.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trustEC2),
			PermissionsBoundary: aws.String("arn:aws:iam::" + iamtest.Account + ":policy/none")}, "NoSuchEntity", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateRole(ctx, &tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("x")})
	wantErr(t, err, "NoSuchEntity", "The role with name x cannot be found.")

	must(c.UpdateRole(ctx, &iamsdk.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(43200), Description: aws.String("e")}))(t)
	must(c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(trustLambda)}))(t)
	_, err = c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String("{")})
	wantErr(t, err, "MalformedPolicyDocument", "")
	got = must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("app")}))(t).Role
	if aws.ToInt32(got.MaxSessionDuration) != 43200 || aws.ToString(got.Description) != "e" || decodeDoc(t, got.AssumeRolePolicyDocument) != trustLambda {
		t.Errorf("after update = %+v", got)
	}
	desc := must(c.UpdateRoleDescription(ctx, &iamsdk.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("f")}))(t).Role
	if aws.ToString(desc.Description) != "f" {
		t.Errorf("UpdateRoleDescription = %+v", desc)
	}

	must(c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String("app"), Tags: []types.Tag{{Key: aws.String("k2"), Value: aws.String("v")}}}))(t)
	must(c.UntagRole(ctx, &iamsdk.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"k"}}))(t)
	if tags := must(c.ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String("app")}))(t).Tags; len(tags) != 1 || aws.ToString(tags[0].Key) != "k2" {
		t.Errorf("role tags = %+v", tags)
	}

	arn := createPolicy(t, c, "b", allowAll)
	must(c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: arn}))(t)
	if b := must(c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("app")}))(t).Role.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != aws.ToString(arn) {
		t.Errorf("boundary = %+v", b)
	}
	must(c.DeleteRolePermissionsBoundary(ctx, &iamsdk.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app")}))(t)

	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	roles := must(c.ListRoles(ctx, &iamsdk.ListRolesInput{MaxItems: aws.Int32(1)}))(t)
	if len(roles.Roles) != 1 || !roles.IsTruncated || aws.ToString(roles.Roles[0].RoleName) != "app" || roles.Roles[0].Tags != nil {
		t.Errorf("ListRoles page 1 = %+v", roles)
	}
	roles = must(c.ListRoles(ctx, &iamsdk.ListRolesInput{Marker: roles.Marker}))(t)
	if len(roles.Roles) != 1 || roles.IsTruncated || aws.ToString(roles.Roles[0].RoleName) != "other" {
		t.Errorf("ListRoles page 2 = %+v", roles)
	}
	if only := must(c.ListRoles(ctx, &iamsdk.ListRolesInput{PathPrefix: aws.String("/svc/")}))(t).Roles; len(only) != 1 {
		t.Errorf("ListRoles /svc/ = %d roles", len(only))
	}
}

func TestDeleteRoleConflicts(t *testing.T) {
	_, c := newClient(t)
	name := aws.String("app")
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("in"), PolicyDocument: aws.String(allowAll)}))(t)
	arn := createPolicy(t, c, "all", allowAll)
	must(c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: name, PolicyArn: arn}))(t)
	steps := []struct {
		name, msg string
		remove    func() error
	}{
		{"inline", "Cannot delete entity, must delete policies first.", func() error {
			_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String("in")})
			return err
		}},
		{"attached", "Cannot delete entity, must detach all policies first.", func() error {
			_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: name, PolicyArn: arn})
			return err
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: name})
			wantErr(t, err, "DeleteConflict", st.msg)
			if err := st.remove(); err != nil {
				t.Fatal(err)
			}
		})
	}
	must(c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: name}))(t)
	_, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: name})
	wantErr(t, err, "NoSuchEntity", "The role with name app cannot be found.")
}

const trustLambda = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
