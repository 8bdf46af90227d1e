package sts_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// deleteRole removes a role and its inline policies through the IAM API.
func deleteRole(t *testing.T, c *iamsdk.Client, name string, policies ...string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range policies {
		if _, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// The attack: a session of a role that was deleted is used after a new role of the same name,
// with administrator rights, was created. AWS binds sessions to the role's unique id: the old
// session ends with its role and never acts as the new one.
func TestSessionOfDeletedRoleEndsWithIt(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	putRole(t, h, "app", trustRoot, 3600)
	out, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/app"), RoleSessionName: aws.String("old")})
	if err != nil {
		t.Fatal(err)
	}
	old := sessionConfig(h, out.Credentials)
	if _, err := iamtest.STS(old).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the session before its role is deleted: %v", err)
	}
	deleteRole(t, root, "app")
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"GetCallerIdentity", func() error {
			_, err := iamtest.STS(old).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
			return err
		}},
		{"CreateUser", func() error {
			_, err := iamtest.IAM(old).CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("mallory")})
			return err
		}},
	} {
		if err := tc.call(); apiCode(t, err) != "InvalidClientTokenId" {
			t.Errorf("%s with the session of a deleted role: %v, want InvalidClientTokenId", tc.name, err)
		}
	}
	// A new role of the same name with administrator rights: the old session is still not it.
	putRole(t, h, "app", trustRoot, 3600, adminPolicy)
	if _, err := iamtest.IAM(old).CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("mallory")}); apiCode(t, err) != "InvalidClientTokenId" {
		t.Errorf("CreateUser with the old session after the role was re-created: %v, want InvalidClientTokenId", err)
	}
	if _, err := root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("mallory")}); apiCode(t, err) != "NoSuchEntity" {
		t.Errorf("mallory exists: %v", err)
	}
	// A session of the new role has its rights.
	out, err = assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/app"), RoleSessionName: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.IAM(sessionConfig(h, out.Credentials)).CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Errorf("a session of the new role: %v", err)
	}
}

// newUser creates a user with an inline policy and an access key, and returns its config.
func newUser(t *testing.T, h *iamtest.Harness, name, doc string) aws.Config {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

// deleteUser removes a user with its one access key and inline policy "p".
func deleteUser(t *testing.T, h *iamtest.Harness, cfg aws.Config, name string) {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(creds.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	c.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p")})
	if _, err := c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// GetSessionToken and GetFederationToken credentials of a deleted user end with it, and never
// act as a user re-created under its name.
func TestSessionsOfDeletedUserEndWithIt(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	dave := newUser(t, h, "dave", adminPolicy)
	st, err := iamtest.STS(dave).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	ft, err := iamtest.STS(dave).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("fed"), Policy: aws.String(adminPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	sessions := map[string]aws.Config{"GetSessionToken": sessionConfig(h, st.Credentials), "GetFederationToken": sessionConfig(h, ft.Credentials)}
	for name, cfg := range sessions {
		if _, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("%s credentials before the user is deleted: %v", name, err)
		}
	}
	// A renamed user is the same user: its sessions go on.
	root := iamtest.IAM(h.Root())
	if _, err := root.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("dave"), NewUserName: aws.String("david")}); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range sessions {
		if _, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
			t.Errorf("%s credentials after the user was renamed: %v", name, err)
		}
	}
	if _, err := root.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("david"), NewUserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	deleteUser(t, h, dave, "dave")
	newUser(t, h, "dave", adminPolicy)
	for name, cfg := range sessions {
		if _, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); apiCode(t, err) != "InvalidClientTokenId" {
			t.Errorf("%s credentials of the deleted dave: %v, want InvalidClientTokenId", name, err)
		}
	}
}

// A trust policy naming a user binds that user's unique id: a user deleted and re-created under
// the same name may not assume the role, and the policy then shows the old unique id in place
// of the ARN, as IAM shows it. A renamed user keeps its place and shows under its new name.
func TestTrustPolicyBindsPrincipalIDs(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	const assumePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	const carolARN = "arn:aws:iam::123456789012:user/carol"
	// The condition names carol's ARN too: only the principal is bound to her id.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + carolARN + `"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalArn":"` + carolARN + `"}}}]}`

	// A principal that does not exist is refused, as IAM refuses it.
	_, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	if apiCode(t, err) != "MalformedPolicyDocument" || !strings.Contains(err.Error(), `Invalid principal in policy: "AWS":"`+carolARN+`"`) {
		t.Fatalf("CreateRole naming a user that does not exist: %v", err)
	}
	carol := newUser(t, h, "carol", assumePolicy)
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	roleARN := aws.String("arn:aws:iam::123456789012:role/r")
	if _, err := assume(t, carol, &stssdk.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatalf("carol assumes the role: %v", err)
	}
	u, err := root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatal(err)
	}
	oldID := aws.ToString(u.User.UserId)

	deleteUser(t, h, carol, "carol")
	newCarol := newUser(t, h, "carol", assumePolicy)
	if _, err := assume(t, newCarol, &stssdk.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("a re-created carol assumes the role: %v, want AccessDenied", err)
	}
	trustNow := func() string {
		t.Helper()
		r, err := root.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("r")})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	// Only the principal is shown by its id; the condition naming the same ARN is left as written.
	want := strings.Replace(trust, `["`+carolARN+`"]`, `["`+oldID+`"]`, 1)
	if got := trustNow(); got != want {
		t.Errorf("trust policy after carol was deleted:\n got %s\nwant %s", got, want)
	}
	lr, err := root.ListRoles(ctx, &iamsdk.ListRolesInput{})
	if err != nil || len(lr.Roles) != 1 || !strings.Contains(aws.ToString(lr.Roles[0].AssumeRolePolicyDocument), oldID) {
		t.Errorf("ListRoles shows the trust policy without the old id: %v", err)
	}

	// Renaming: the policy follows the user under its new name, and the user may still assume.
	newCarolUser, err := root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatal(err)
	}
	trust2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + carolARN + `"},"Action":"sts:AssumeRole"}]}`
	if _, err := root.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(trust2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateUser(ctx, &iamsdk.UpdateUserInput{UserName: aws.String("carol"), NewUserName: aws.String("caroline")}); err != nil {
		t.Fatal(err)
	}
	if got, want := trustNow(), strings.Replace(trust2, "user/carol", "user/caroline", 1); got != want {
		t.Errorf("trust policy after carol was renamed:\n got %s\nwant %s", got, want)
	}
	if _, err := assume(t, newCarol, &stssdk.AssumeRoleInput{RoleArn: roleARN, RoleSessionName: aws.String("s1")}); err != nil {
		t.Errorf("the renamed user %s assumes the role: %v", aws.ToString(newCarolUser.User.UserId), err)
	}
}
