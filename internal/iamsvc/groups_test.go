package iamsvc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

func TestGroups(t *testing.T) {
	_, c := newClient(t)
	g := must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")}))(t).Group
	if aws.ToString(g.Arn) != "arn:aws:iam::"+iamtest.Account+":group/eng/devs" || !strings.HasPrefix(aws.ToString(g.GroupId), "AGPA") {
		t.Fatalf("CreateGroup = %+v", g)
	}
	_, err := c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantErr(t, err, "EntityAlreadyExists", "Group with name DEVS already exists.")

	for i := range 5 {
		name := aws.String(fmt.Sprintf("u%d", i))
		must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: name}))(t)
		must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: name}))(t)
	}
	// Adding again is a no-op.
	must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("u0")}))(t)
	var members []string
	in := &iamsdk.GetGroupInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(2)}
	for {
		out := must(c.GetGroup(ctx, in))(t)
		if aws.ToString(out.Group.GroupName) != "devs" {
			t.Fatalf("GetGroup group = %+v", out.Group)
		}
		for _, u := range out.Users {
			members = append(members, aws.ToString(u.UserName))
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if strings.Join(members, ",") != "u0,u1,u2,u3,u4" {
		t.Errorf("members = %v", members)
	}

	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"add to missing group", func() error {
			_, err := c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("none"), UserName: aws.String("u0")})
			return err
		}, "NoSuchEntity", "The group with name none cannot be found."},
		{"add missing user", func() error {
			_, err := c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("none")})
			return err
		}, "NoSuchEntity", "The user with name none cannot be found."},
		{"delete with members", func() error {
			_, err := c.DeleteGroup(ctx, &iamsdk.DeleteGroupInput{GroupName: aws.String("devs")})
			return err
		}, "DeleteConflict", "Cannot delete entity, must remove users from group first."},
		{"get missing", func() error {
			_, err := c.GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("none")})
			return err
		}, "NoSuchEntity", "The group with name none cannot be found."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), tc.code, tc.msg) })
	}

	must(c.UpdateGroup(ctx, &iamsdk.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("builders")}))(t)
	if gs := must(c.ListGroupsForUser(ctx, &iamsdk.ListGroupsForUserInput{UserName: aws.String("u1")}))(t).Groups; len(gs) != 1 || aws.ToString(gs[0].GroupName) != "builders" {
		t.Errorf("groups of u1 after rename = %+v", gs)
	}
	for i := range 5 {
		must(c.RemoveUserFromGroup(ctx, &iamsdk.RemoveUserFromGroupInput{GroupName: aws.String("builders"), UserName: aws.String(fmt.Sprintf("u%d", i))}))(t)
	}
	must(c.PutGroupPolicy(ctx, &iamsdk.PutGroupPolicyInput{GroupName: aws.String("builders"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}))(t)
	_, err = c.DeleteGroup(ctx, &iamsdk.DeleteGroupInput{GroupName: aws.String("builders")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must(c.DeleteGroupPolicy(ctx, &iamsdk.DeleteGroupPolicyInput{GroupName: aws.String("builders"), PolicyName: aws.String("p")}))(t)
	must(c.DeleteGroup(ctx, &iamsdk.DeleteGroupInput{GroupName: aws.String("builders")}))(t)
	if gs := must(c.ListGroups(ctx, &iamsdk.ListGroupsInput{}))(t).Groups; len(gs) != 0 {
		t.Errorf("groups left = %+v", gs)
	}
}

// TestGroupsPerUserQuota checks the quota and that the failed add left nothing behind.
func TestGroupsPerUserQuota(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	for i := range 11 {
		must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i))}))(t)
	}
	for i := range 10 {
		must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i)), UserName: aws.String("bob")}))(t)
	}
	_, err := c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("g10"), UserName: aws.String("bob")})
	wantErr(t, err, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
	if users := must(c.GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("g10")}))(t).Users; len(users) != 0 {
		t.Errorf("g10 members after the refused add = %d", len(users))
	}
	page := must(c.ListGroupsForUser(ctx, &iamsdk.ListGroupsForUserInput{UserName: aws.String("bob"), MaxItems: aws.Int32(4)}))(t)
	if len(page.Groups) != 4 || !page.IsTruncated {
		t.Errorf("ListGroupsForUser page = %d truncated=%v", len(page.Groups), page.IsTruncated)
	}
}
