package iamsvc_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestInstanceProfiles(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("db"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	created := must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), Path: aws.String("/app/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t).InstanceProfile
	if id := aws.ToString(created.InstanceProfileId); len(id) != 21 || id[:4] != "AIPA" || aws.ToString(created.Arn) != "arn:aws:iam::123456789012:instance-profile/app/web-ip" {
		t.Errorf("created = %s %s", id, aws.ToString(created.Arn))
	}
	_, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB-IP")})
	wantErr(t, err, "EntityAlreadyExists", "Instance Profile WEB-IP already exists.")

	must(c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")}))(t)
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"second role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("db")})
			return err
		}, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
		{"delete with role", func() error {
			_, err := c.DeleteInstanceProfile(ctx, &iamsdk.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-ip")})
			return err
		}, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."},
		{"delete role in profile", func() error {
			_, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("web")})
			return err
		}, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."},
		{"missing profile", func() error {
			_, err := c.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "Instance Profile nope cannot be found."},
		{"missing role", func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), tc.code, tc.msg) })
	}

	got := must(c.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("web-ip")}))(t).InstanceProfile
	if len(got.Roles) != 1 || aws.ToString(got.Roles[0].RoleName) != "web" || len(got.Tags) != 1 {
		t.Errorf("GetInstanceProfile = %+v", got)
	}
	for _, n := range []int{1, 2, 3} {
		must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("p%d", n))}))(t)
	}
	var names []string
	in := &iamsdk.ListInstanceProfilesInput{MaxItems: aws.Int32(3)}
	for p := iamsdk.NewListInstanceProfilesPaginator(c, in); p.HasMorePages(); {
		for _, ip := range must(p.NextPage(ctx))(t).InstanceProfiles {
			names = append(names, aws.ToString(ip.InstanceProfileName))
		}
	}
	if fmt.Sprint(names) != "[p1 p2 p3 web-ip]" {
		t.Errorf("paged ListInstanceProfiles = %v", names)
	}
	forRole := must(c.ListInstanceProfilesForRole(ctx, &iamsdk.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")}))(t)
	if len(forRole.InstanceProfiles) != 1 {
		t.Errorf("ListInstanceProfilesForRole = %d, want 1", len(forRole.InstanceProfiles))
	}

	must(c.UntagInstanceProfile(ctx, &iamsdk.UntagInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), TagKeys: []string{"team"}}))(t)
	must(c.TagInstanceProfile(ctx, &iamsdk.TagInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	tags := must(c.ListInstanceProfileTags(ctx, &iamsdk.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-ip")}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Errorf("tags = %v", tags)
	}

	must(c.RemoveRoleFromInstanceProfile(ctx, &iamsdk.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")}))(t)
	must(c.DeleteInstanceProfile(ctx, &iamsdk.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-ip")}))(t)
	must(c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("web")}))(t)
}
