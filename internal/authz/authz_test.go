package authz_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

var ctx = context.Background()

const (
	acct     = iamtest.Account
	allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyList = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`
	allowGet = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	trustAcc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
)

func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func apiErr(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want an AWS error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// newUser creates a user with the given inline policies (and boundary) and returns its config.
func newUser(t *testing.T, h *iamtest.Harness, name, boundary string, policies ...string) aws.Config {
	t.Helper()
	root := iamtest.IAM(h.Root())
	in := &iamsdk.CreateUserInput{UserName: aws.String(name)}
	if boundary != "" {
		p := must(root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(name + "-boundary"), PolicyDocument: aws.String(boundary)}))(t)
		in.PermissionsBoundary = p.Policy.Arn
	}
	must(root.CreateUser(ctx, in))(t)
	for i, doc := range policies {
		must(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p" + string(rune('0'+i))), PolicyDocument: aws.String(doc)}))(t)
	}
	k := must(root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)}))(t)
	return h.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
}

// managedDeny is user mdeny, allowed everything inline and denied iam:List* by an attached
// managed policy.
func managedDeny(t *testing.T, h *iamtest.Harness) aws.Config {
	t.Helper()
	cfg := newUser(t, h, "mdeny", "", allowAll)
	root := iamtest.IAM(h.Root())
	p := must(root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("no-listing"), PolicyDocument: aws.String(denyList)}))(t)
	must(root.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("mdeny"), PolicyArn: p.Policy.Arn}))(t)
	return cfg
}

// TestDenialMessages checks AWS's enhanced AccessDenied wording for each gate.
func TestDenialMessages(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("admin"), AssumeRolePolicyDocument: aws.String(trustAcc)}))(t)
	must(root.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allowAll)}))(t)
	assumer := newUser(t, h, "assumer", "", allowAll)
	sess := must(iamtest.STS(assumer).AssumeRole(ctx, &stssdk.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/admin"), RoleSessionName: aws.String("s1"), Policy: aws.String(allowGet),
	}))(t)
	sessCfg := h.Config(*sess.Credentials.AccessKeyId, *sess.Credentials.SecretAccessKey, *sess.Credentials.SessionToken)
	const tail = " is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::" + acct + ":user/ "
	for _, tc := range []struct {
		name string
		cfg  aws.Config
		want string
	}{
		{"no identity policy", newUser(t, h, "nobody", ""),
			"User: arn:aws:iam::" + acct + ":user/nobody" + tail + "because no identity-based policy allows the iam:ListUsers action"},
		{"explicit deny", newUser(t, h, "denied", "", allowAll, denyList),
			"User: arn:aws:iam::" + acct + ":user/denied" + tail + "with an explicit deny in an identity-based policy"},
		{"boundary without allow", newUser(t, h, "bounded", allowGet, allowAll),
			"User: arn:aws:iam::" + acct + ":user/bounded" + tail + "because no permissions boundary allows the iam:ListUsers action"},
		// A managed policy that denies is named by its ARN, as AWS's messages name it; an inline
		// one (above) is not.
		{"boundary deny", newUser(t, h, "bdeny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:List*","Resource":"*"}]}`, allowAll),
			"User: arn:aws:iam::" + acct + ":user/bdeny" + tail + "with an explicit deny in a permissions boundary: arn:aws:iam::" + acct + ":policy/bdeny-boundary"},
		{"managed policy deny", managedDeny(t, h),
			"User: arn:aws:iam::" + acct + ":user/mdeny" + tail + "with an explicit deny in an identity-based policy: arn:aws:iam::" + acct + ":policy/no-listing"},
		{"session policy", sessCfg,
			"User: arn:aws:sts::" + acct + ":assumed-role/admin/s1" + tail + "because no session policy allows the iam:ListUsers action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iamtest.IAM(tc.cfg).ListUsers(ctx, &iamsdk.ListUsersInput{})
			code, msg := apiErr(t, err)
			if code != "AccessDenied" || msg != tc.want {
				t.Errorf("got %s: %q\nwant AccessDenied: %q", code, msg, tc.want)
			}
		})
	}
}

// TestDependentActions checks that a call needing several actions is refused unless all are allowed.
func TestDependentActions(t *testing.T) {
	h := iamtest.New(t)
	createOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}]}`
	createTag := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateUser","iam:TagUser"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}]}`
	tagged := func(v string) *iamsdk.CreateUserInput {
		return &iamsdk.CreateUserInput{UserName: aws.String("new-" + v), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(v)}}}
	}
	for _, tc := range []struct {
		name, policy string
		in           *iamsdk.CreateUserInput
		want         string // "" = allowed; else a fragment of the denial
	}{
		{"untagged needs only CreateUser", createOnly, &iamsdk.CreateUserInput{UserName: aws.String("plain")}, ""},
		{"tagged needs TagUser", createOnly, tagged("red"), "iam:TagUser on resource: arn:aws:iam::" + acct + ":user/new-red because no identity-based policy"},
		{"request tag condition holds", createTag, tagged("red"), ""},
		{"request tag condition fails", createTag, tagged("blue"), "iam:CreateUser on resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newUser(t, h, "u-"+strings.ReplaceAll(tc.name, " ", "-"), "", tc.policy)
			_, err := iamtest.IAM(cfg).CreateUser(ctx, tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if code, msg := apiErr(t, err); code != "AccessDenied" || !strings.Contains(msg, tc.want) {
				t.Errorf("got %s: %q, want AccessDenied containing %q", code, msg, tc.want)
			}
		})
	}
}

// TestABAC checks aws:ResourceTag against aws:PrincipalTag and ${aws:username} scoping.
func TestABAC(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	team := func(v string) []types.Tag { return []types.Tag{{Key: aws.String("team"), Value: aws.String(v)}} }
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("red-role"), AssumeRolePolicyDocument: aws.String(trustAcc), Tags: team("red")}))(t)
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("blue-role"), AssumeRolePolicyDocument: aws.String(trustAcc), Tags: team("blue")}))(t)
	abac := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
		{"Effect":"Allow","Action":["iam:ListAccessKeys","iam:CreateAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`
	cfg := newUser(t, h, "carol", "", abac)
	must(root.TagUser(ctx, &iamsdk.TagUserInput{UserName: aws.String("carol"), Tags: team("red")}))(t)
	newUser(t, h, "dave", "")
	c := iamtest.IAM(cfg)
	for _, tc := range []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"same team", func() error {
			_, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("red-role")})
			return err
		}, true},
		{"other team", func() error {
			_, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("blue-role")})
			return err
		}, false},
		{"own keys", func() error { _, err := c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{}); return err }, true},
		{"someone else's keys", func() error {
			_, err := c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("dave")})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.allowed && err != nil {
				t.Fatal(err)
			}
			if !tc.allowed {
				if code, _ := apiErr(t, err); code != "AccessDenied" {
					t.Fatalf("got %s, want AccessDenied", code)
				}
			}
		})
	}
}

// TestTokenIssueTimeRevokes checks AWS's revocation: a Deny on aws:TokenIssueTime stops the
// sessions issued before it and no later one.
func TestTokenIssueTimeRevokes(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trustAcc)}))(t)
	must(root.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("get"), PolicyDocument: aws.String(allowGet)}))(t)
	assumer := iamtest.STS(newUser(t, h, "assumer", "", allowAll))
	assume := func() *iamsdk.Client {
		out := must(assumer.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/ops"), RoleSessionName: aws.String("s1")}))(t)
		return iamtest.IAM(h.Config(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken))
	}
	old := assume()
	if _, err := old.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(2 * time.Second)
	cutoff := h.Clock.Now().UTC().Format(time.RFC3339)
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`
	must(root.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("revoke"), PolicyDocument: aws.String(revoke)}))(t)
	h.Clock.Advance(2 * time.Second)
	_, err := old.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("ops")})
	if code, msg := apiErr(t, err); code != "AccessDenied" || !strings.Contains(msg, "with an explicit deny in an identity-based policy") {
		t.Fatalf("old session: %s: %s", code, msg)
	}
	if _, err := assume().GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("ops")}); err != nil {
		t.Fatalf("new session: %v", err)
	}
}

// TestRootCredentialsAreRootsAlone checks that no other principal reaches the root user's
// access keys, whatever its policies allow.
func TestRootCredentialsAreRootsAlone(t *testing.T) {
	h := iamtest.New(t)
	admin := iamtest.IAM(newUser(t, h, "admin", "", allowAll))
	keys := must(admin.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{}))(t)
	for _, k := range keys.AccessKeyMetadata {
		if *k.AccessKeyId == iamtest.RootKeyID {
			t.Fatal("an IAM user listed the root user's key")
		}
	}
	_, err := admin.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{AccessKeyId: aws.String(iamtest.RootKeyID)})
	if err == nil {
		t.Fatal("an IAM user deleted the root user's key")
	}
}

// TestEncodedMessage checks that STS answers a denied AssumeRole in AWS's words, with no encoded
// message (AWS encodes the denials of some services, EC2's among them, never STS's or IAM's),
// while a denial of iamd's own instance operations (the counterpart of EC2's instance-profile
// calls) carries a sealed message that DecodeAuthorizationMessage opens for a caller allowed
// to, and only for one.
func TestEncodedMessage(t *testing.T) {
	h := iamtest.New(t)
	root := iamtest.IAM(h.Root())
	noTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("locked"), AssumeRolePolicyDocument: aws.String(noTrust)}))(t)
	denyEnrol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iamd:EnrollInstance","Resource":"*"}]}`
	cfg := newUser(t, h, "eve", "", denyEnrol)
	user := iamtest.STS(cfg)
	_, err := user.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/locked"), RoleSessionName: aws.String("s1")})
	code, msg := apiErr(t, err)
	want := "User: arn:aws:iam::" + acct + ":user/eve is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":role/locked"
	if code != "AccessDenied" || msg != want {
		t.Errorf("AssumeRole: got %s: %q\nwant AccessDenied: %q", code, msg, want)
	}

	const marker = "Encoded authorization failure message: "
	msg = iamdDenial(t, h, cfg, url.Values{"Action": {"EnrollInstance"}, "InstanceProfileName": {"web"}})
	i := strings.Index(msg, marker)
	if i < 0 {
		t.Fatalf("EnrollInstance: %q, want an AccessDenied with an encoded message", msg)
	}
	encoded := msg[i+len(marker):]
	out := must(user.DecodeAuthorizationMessage(ctx, &stssdk.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)}))(t)
	var m struct {
		Allowed, ExplicitDeny bool
		MatchedStatements     struct{ Items []struct{ Effect string } }
		Context               struct {
			Principal        struct{ ARN string }
			Action, Resource string
		}
	}
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &m); err != nil {
		t.Fatal(err)
	}
	if m.Allowed || !m.ExplicitDeny || m.Context.Action != "iamd:EnrollInstance" ||
		m.Context.Principal.ARN != "arn:aws:iam::"+acct+":user/eve" {
		t.Errorf("decoded %s", *out.DecodedMessage)
	}
	nobody := iamtest.STS(newUser(t, h, "nobody", ""))
	_, err = nobody.DecodeAuthorizationMessage(ctx, &stssdk.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
	if code, _ := apiErr(t, err); code != "AccessDenied" {
		t.Errorf("a caller without sts:DecodeAuthorizationMessage: %s", code)
	}
	_, err = user.DecodeAuthorizationMessage(ctx, &stssdk.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded[:len(encoded)-4] + "AAAA")})
	if code, _ := apiErr(t, err); code != "InvalidAuthorizationMessageException" {
		t.Errorf("a tampered message: %s", code)
	}
}

// iamdDenial sends one of iamd's own operations signed with cfg and returns the message of the
// AccessDenied it must be answered with.
func iamdDenial(t *testing.T, h *iamtest.Harness, cfg aws.Config, form url.Values) string {
	t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := must(cfg.Credentials.Retrieve(ctx))(t)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp := must(http.DefaultClient.Do(req))(t)
	defer resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error.Code != "AccessDenied" {
		t.Fatalf("%s: %d %+v (%v), want AccessDenied", form.Get("Action"), resp.StatusCode, e, err)
	}
	return e.Error.Message
}

// TestAccessLogRecordsDecision checks that the access log names the decision and the deciding statement.
func TestAccessLogRecordsDecision(t *testing.T) {
	var buf bytes.Buffer
	n, err := node.Open(ctx, node.Config{DataDir: t.TempDir(), AccountID: acct, RootAccessKeyID: iamtest.RootKeyID,
		RootSecretAccessKey: iamtest.RootSecret, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	h := iamtest.Serve(t, n, &iamtest.Clock{})
	cfg := newUser(t, h, "logged", "", allowAll, denyList)
	buf.Reset()
	_, err = iamtest.IAM(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{})
	if err == nil {
		t.Fatal("ListUsers allowed")
	}
	var rec struct {
		Authz struct{ Action, Decision, By string }
	}
	line := strings.TrimSpace(buf.String())
	if err := json.Unmarshal([]byte(line[strings.LastIndexByte(line, '\n')+1:]), &rec); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if rec.Authz.Action != "iam:ListUsers" || rec.Authz.Decision != "explicitDeny" || !strings.Contains(rec.Authz.By, "(p1) statement 0") {
		t.Errorf("access log authz = %+v", rec.Authz)
	}
	// The root user is allowed by being root, not by a statement.
	buf.Reset()
	if _, err := iamtest.IAM(h.Root()).ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	line = strings.TrimSpace(buf.String())
	if err := json.Unmarshal([]byte(line[strings.LastIndexByte(line, '\n')+1:]), &rec); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if rec.Authz.Decision != "allowed" || rec.Authz.By != "root user" {
		t.Errorf("root's access log authz = %+v", rec.Authz)
	}
}
