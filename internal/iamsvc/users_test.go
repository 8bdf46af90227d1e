package iamsvc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iamtest"
)

func TestCreateGetUser(t *testing.T) {
	_, c := newClient(t)
	out := must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}))(t)
	u := out.User
	if aws.ToString(u.Path) != "/" || aws.ToString(u.Arn) != "arn:aws:iam::"+iamtest.Account+":user/bob" ||
		!strings.HasPrefix(aws.ToString(u.UserId), "AIDA") || len(aws.ToString(u.UserId)) != 21 || u.CreateDate == nil {
		t.Fatalf("CreateUser = %+v", u)
	}
	got := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("BOB")}))(t).User
	if aws.ToString(got.UserName) != "bob" || aws.ToString(got.UserId) != aws.ToString(u.UserId) || !got.CreateDate.Equal(*u.CreateDate) {
		t.Errorf("GetUser = %+v, want %+v", got, u)
	}
	if len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "team" {
		t.Errorf("GetUser tags = %+v", got.Tags)
	}

	pathed := must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("ann"), Path: aws.String("/dev/")}))(t).User
	if aws.ToString(pathed.Arn) != "arn:aws:iam::"+iamtest.Account+":user/dev/ann" {
		t.Errorf("ARN with path = %s", aws.ToString(pathed.Arn))
	}

	tests := []struct {
		name      string
		in        iamsdk.CreateUserInput
		code, msg string
	}{
		{"duplicate", iamsdk.CreateUserInput{UserName: aws.String("bob")}, "EntityAlreadyExists", "User with name bob already exists."},
		{"duplicate other case", iamsdk.CreateUserInput{UserName: aws.String("Bob")}, "EntityAlreadyExists", "User with name Bob already exists."},
		{"bad name", iamsdk.CreateUserInput{UserName: aws.String("a b")}, "ValidationError",
			"The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-"},
		{"name too long", iamsdk.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65))}, "ValidationError",
			"1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"bad path", iamsdk.CreateUserInput{UserName: aws.String("x"), Path: aws.String("dev")}, "ValidationError",
			"The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."},
		{"missing boundary", iamsdk.CreateUserInput{UserName: aws.String("x"), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/nope")},
			"NoSuchEntity", "Scope ARN: arn:aws:iam::123456789012:policy/nope does not exist or is not attachable."},
		{"duplicate tag keys", iamsdk.CreateUserInput{UserName: aws.String("x"), Tags: []types.Tag{
			{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}},
			"InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateUser(ctx, &tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	// Failed creations wrote nothing.
	_, err := c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("x")})
	wantErr(t, err, "NoSuchEntity", "The user with name x cannot be found.")
}

func TestCreateUserWithBoundary(t *testing.T) {
	_, c := newClient(t)
	arn := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("b"), PolicyDocument: aws.String(allowAll)}))(t).Policy.Arn
	u := must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob"), PermissionsBoundary: arn}))(t).User
	if u.PermissionsBoundary == nil || aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(arn) {
		t.Fatalf("boundary = %+v", u.PermissionsBoundary)
	}
	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arn}))(t).Policy
	if aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", aws.ToInt32(p.PermissionsBoundaryUsageCount))
	}
	_, err := c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn})
	wantErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	must(c.DeleteUserPermissionsBoundary(ctx, &iamsdk.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bob")}))(t)
	if u := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bob")}))(t).User; u.PermissionsBoundary != nil {
		t.Errorf("boundary after delete = %+v", u.PermissionsBoundary)
	}
	must(c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: arn}))(t)
	if u := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bob")}))(t).User; u.PermissionsBoundary == nil {
		t.Error("boundary not set by PutUserPermissionsBoundary")
	}
	_, err = c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/none")})
	wantErr(t, err, "NoSuchEntity", "Scope ARN: arn:aws:iam::123456789012:policy/none does not exist or is not attachable.")
	_, err = c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("nobody"), PermissionsBoundary: arn})
	wantErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
}

func TestGetUserCaller(t *testing.T) {
	h, c := newClient(t)
	root := must(c.GetUser(ctx, &iamsdk.GetUserInput{}))(t).User
	if aws.ToString(root.UserId) != iamtest.Account || aws.ToString(root.Arn) != "arn:aws:iam::"+iamtest.Account+":root" || root.CreateDate == nil || root.CreateDate.IsZero() {
		t.Errorf("GetUser as root = %+v", root)
	}
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: createPolicy(t, c, "all", allowAll)}))(t)
	bob := iamtest.IAM(h.Config(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	me := must(bob.GetUser(ctx, &iamsdk.GetUserInput{}))(t).User
	if aws.ToString(me.UserName) != "bob" {
		t.Errorf("GetUser as bob = %+v", me)
	}
}

func createPolicy(t *testing.T, c *iamsdk.Client, name, doc string) *string {
	t.Helper()
	return must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))(t).Policy.Arn
}

func TestListUsersPaging(t *testing.T) {
	_, c := newClient(t)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("user%02d", i)
		path := "/"
		if i%2 == 1 {
			path = "/odd/"
		}
		must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)}))(t)
		want = append(want, name)
	}
	tests := []struct {
		name   string
		prefix string
		max    int32
		want   []string
		pages  int
	}{
		{"all in pages of 3", "", 3, want, 3},
		{"all in one page", "", 100, want, 1},
		{"prefix", "/odd/", 2, []string{"user01", "user03", "user05"}, 2},
		{"prefix matching none", "/none/", 2, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			pages := 0
			in := &iamsdk.ListUsersInput{MaxItems: aws.Int32(tc.max)}
			if tc.prefix != "" {
				in.PathPrefix = aws.String(tc.prefix)
			}
			for {
				out := must(c.ListUsers(ctx, in))(t)
				pages++
				for _, u := range out.Users {
					got = append(got, aws.ToString(u.UserName))
				}
				if !out.IsTruncated {
					if out.Marker != nil {
						t.Errorf("last page has Marker %q", aws.ToString(out.Marker))
					}
					break
				}
				in.Marker = out.Marker
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || pages != tc.pages {
				t.Errorf("listed %v in %d pages, want %v in %d", got, pages, tc.want, tc.pages)
			}
		})
	}
	_, err := c.ListUsers(ctx, &iamsdk.ListUsersInput{Marker: aws.String("garbage!")})
	wantErr(t, err, "InvalidInput", "")
}

func TestUpdateUserKeepsEverything(t *testing.T) {
	h, c := newClient(t)
	created := must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t).User
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
	arn := createPolicy(t, c, "all", allowAll)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: arn}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("in"), PolicyDocument: aws.String(allowAll)}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g")}))(t)
	must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("bob")}))(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("taken")}))(t)

	_, err := c.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("taken")})
	wantErr(t, err, "EntityAlreadyExists", "User with name taken already exists.")
	_, err = c.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("nobody"), NewUserName: aws.String("x")})
	wantErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")

	must(c.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert"), NewPath: aws.String("/eng/")}))(t)
	u := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("robert")}))(t).User
	if aws.ToString(u.UserId) != aws.ToString(created.UserId) || aws.ToString(u.Arn) != "arn:aws:iam::"+iamtest.Account+":user/eng/robert" {
		t.Errorf("renamed user = %+v", u)
	}
	if _, err := c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bob")}); err == nil {
		t.Error("old name still resolves")
	}
	keys := must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("robert")}))(t).AccessKeyMetadata
	if len(keys) != 1 || aws.ToString(keys[0].AccessKeyId) != aws.ToString(key.AccessKeyId) || aws.ToString(keys[0].UserName) != "robert" {
		t.Errorf("keys after rename = %+v", keys)
	}
	if ap := must(c.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("robert")}))(t).AttachedPolicies; len(ap) != 1 {
		t.Errorf("attached after rename = %+v", ap)
	}
	if ip := must(c.ListUserPolicies(ctx, &iamsdk.ListUserPoliciesInput{UserName: aws.String("robert")}))(t).PolicyNames; len(ip) != 1 {
		t.Errorf("inline after rename = %v", ip)
	}
	if gs := must(c.ListGroupsForUser(ctx, &iamsdk.ListGroupsForUserInput{UserName: aws.String("robert")}))(t).Groups; len(gs) != 1 {
		t.Errorf("groups after rename = %+v", gs)
	}
	// The renamed user's key still signs, and the caller is the new name.
	robert := iamtest.IAM(h.Config(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	if me := must(robert.GetUser(ctx, &iamsdk.GetUserInput{}))(t).User; aws.ToString(me.UserName) != "robert" {
		t.Errorf("caller after rename = %s", aws.ToString(me.UserName))
	}
}

func TestDeleteUserConflicts(t *testing.T) {
	_, c := newClient(t)
	name := aws.String("bob")
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: name}))(t)
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: name}))(t).AccessKey
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: name, PolicyName: aws.String("in"), PolicyDocument: aws.String(allowAll)}))(t)
	arn := createPolicy(t, c, "all", allowAll)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: name, PolicyArn: arn}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g")}))(t)
	must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("g"), UserName: name}))(t)

	// Each step removes what the previous DeleteUser complained about.
	steps := []struct {
		name   string
		msg    string
		remove func() error
	}{
		{"access keys", "Cannot delete entity, must delete access keys first.", func() error {
			_, err := c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: name, AccessKeyId: key.AccessKeyId})
			return err
		}},
		{"inline policies", "Cannot delete entity, must delete policies first.", func() error {
			_, err := c.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String("in")})
			return err
		}},
		{"attached policies", "Cannot delete entity, must detach all policies first.", func() error {
			_, err := c.DetachUserPolicy(ctx, &iamsdk.DetachUserPolicyInput{UserName: name, PolicyArn: arn})
			return err
		}},
		{"groups", "Cannot delete entity, must remove users from group first.", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &iamsdk.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: name})
			return err
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, err := c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: name})
			wantErr(t, err, "DeleteConflict", st.msg)
			if err := st.remove(); err != nil {
				t.Fatal(err)
			}
		})
	}
	must(c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: name}))(t)
	_, err := c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: name})
	wantErr(t, err, "NoSuchEntity", "The user with name bob cannot be found.")
}

func TestUserTags(t *testing.T) {
	_, c := newClient(t)
	name := aws.String("bob")
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: name, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}))(t)
	must(c.TagUser(ctx, &iamsdk.TagUserInput{UserName: name, Tags: []types.Tag{
		{Key: aws.String("A"), Value: aws.String("2")}, {Key: aws.String("b"), Value: aws.String("3")}}}))(t)
	tags := must(c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: name}))(t).Tags
	if len(tags) != 2 || aws.ToString(tags[0].Key) != "A" || aws.ToString(tags[0].Value) != "2" {
		t.Fatalf("tags = %+v", tags)
	}
	page := must(c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: name, MaxItems: aws.Int32(1)}))(t)
	if !page.IsTruncated || len(page.Tags) != 1 {
		t.Fatalf("first tag page = %+v", page)
	}
	page = must(c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: name, MaxItems: aws.Int32(1), Marker: page.Marker}))(t)
	if page.IsTruncated || len(page.Tags) != 1 || aws.ToString(page.Tags[0].Key) != "b" {
		t.Fatalf("second tag page = %+v", page)
	}
	must(c.UntagUser(ctx, &iamsdk.UntagUserInput{UserName: name, TagKeys: []string{"a", "missing"}}))(t)
	if tags := must(c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: name}))(t).Tags; len(tags) != 1 {
		t.Errorf("tags after untag = %+v", tags)
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	_, err := c.TagUser(ctx, &iamsdk.TagUserInput{UserName: name, Tags: many})
	wantErr(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
	_, err = c.TagUser(ctx, &iamsdk.TagUserInput{UserName: aws.String("nobody"), Tags: many[:1]})
	wantErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
}
