package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// Renaming or moving a user, group or server certificate needs the permission on both the
// source and the target, as AWS requires: permission on the old name alone is not enough.
func TestRenameNeedsBothSides(t *testing.T) {
	h, root := newClient(t)
	const acct = "arn:aws:iam::123456789012:"
	must(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("admin")}))(t)
	k := must(root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("admin")}))(t)
	admin := iamtest.IAM(h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""))
	allow := func(resources string) {
		t.Helper()
		must(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:UpdateUser","iam:UpdateGroup"],"Resource":[` + resources + `]}]}`)}))(t)
	}
	must(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(root.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}))(t)

	allow(`"` + acct + `user/bob","` + acct + `group/devs"`)
	_, err := admin.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert")})
	wantErr(t, err, "AccessDenied", "User: "+acct+"user/admin is not authorized to perform: iam:UpdateUser on resource: "+acct+"user/robert because no identity-based policy allows the iam:UpdateUser action")
	_, err = admin.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob"), NewPath: aws.String("/ops/")})
	wantErr(t, err, "AccessDenied", "")
	_, err = admin.UpdateGroup(ctx, &iamsdk.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("developers")})
	wantErr(t, err, "AccessDenied", "")
	// Without a new name or path nothing moves: the source alone decides.
	must(admin.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob")}))(t)

	allow(`"` + acct + `user/bob","` + acct + `user/ops/robert","` + acct + `group/devs","` + acct + `group/developers"`)
	must(admin.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert"), NewPath: aws.String("/ops/")}))(t)
	must(admin.UpdateGroup(ctx, &iamsdk.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("developers")}))(t)
	u := must(root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("robert")}))(t)
	if got := aws.ToString(u.User.Arn); got != acct+"user/ops/robert" {
		t.Errorf("renamed user's ARN = %s", got)
	}
}
