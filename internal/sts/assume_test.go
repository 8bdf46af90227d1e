package sts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/store"
)

const trustRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`

// putRole stores a role directly (the IAM API has its own tests), with inline policies.
func putRole(t *testing.T, h *iamtest.Harness, name, trust string, maxSession int32, inline ...string) {
	t.Helper()
	ctx := context.Background()
	err := h.Node.Store.Write(ctx, func(tx store.Tx) error {
		r := iam.Role{
			Account: iamtest.Account, RoleID: iam.NewID(iam.PrefixRole), RoleName: name, Path: "/",
			Arn: iam.RoleARN(iamtest.Account, "/", name), CreateDate: time.Now().UTC(),
			AssumeRolePolicyDocument: trust, MaxSessionDuration: maxSession,
		}
		if err := tx.CreateRole(ctx, r); err != nil {
			return err
		}
		for i, doc := range inline {
			p := iam.InlinePolicy{Kind: iam.KindRole, PrincipalName: name, PolicyName: "p" + string(rune('0'+i)), Document: doc}
			if err := tx.PutInlinePolicy(ctx, iamtest.Account, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// operators holds one IAM user per harness allowed to assume roles: AWS refuses role sessions to
// the root user, so tests assume roles as an IAM user, as AWS users do.
var operators sync.Map // *iamtest.Harness → aws.Config

func operator(t *testing.T, h *iamtest.Harness) aws.Config {
	t.Helper()
	if cfg, ok := operators.Load(h); ok {
		return cfg.(aws.Config)
	}
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("operator")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	operators.Store(h, cfg)
	return cfg
}

func assume(t *testing.T, cfg aws.Config, in *stssdk.AssumeRoleInput) (*stssdk.AssumeRoleOutput, error) {
	t.Helper()
	return iamtest.STS(cfg).AssumeRole(context.Background(), in)
}

func sessionConfig(h *iamtest.Harness, c *ststypes.Credentials) aws.Config {
	return h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func TestAssumeRole(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 7200)
	out, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("session1")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.SecretAccessKey)) != 40 {
		t.Errorf("credentials: %+v", c)
	}
	if d := time.Until(aws.ToTime(c.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("default duration: expires in %v, want 1h", d)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::123456789012:assumed-role/demo/session1" {
		t.Errorf("AssumedRoleUser.Arn = %s", got)
	}
	if !strings.HasPrefix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), "AROA") || !strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":session1") {
		t.Errorf("AssumedRoleId = %s", aws.ToString(out.AssumedRoleUser.AssumedRoleId))
	}
	id, err := iamtest.STS(sessionConfig(h, c)).GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != aws.ToString(out.AssumedRoleUser.Arn) || aws.ToString(id.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("GetCallerIdentity = %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	// The role's last use is recorded, with the caller's signing region, and without moving the
	// store generation that every cache is validated against.
	r, err := iamtest.IAM(h.Root()).GetRole(context.Background(), &iamsdk.GetRoleInput{RoleName: aws.String("demo")})
	if err != nil {
		t.Fatal(err)
	}
	if lu := r.Role.RoleLastUsed; lu == nil || lu.LastUsedDate == nil || aws.ToString(lu.Region) != iamtest.Region {
		t.Errorf("RoleLastUsed = %+v", r.Role.RoleLastUsed)
	}
	// GetAccessKeyInfo decodes the temporary key's account too.
	info, err := iamtest.STS(h.Root()).GetAccessKeyInfo(context.Background(), &stssdk.GetAccessKeyInfoInput{AccessKeyId: c.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != iamtest.Account {
		t.Errorf("GetAccessKeyInfo(ASIA…) = %v, %v", info, err)
	}
}

func TestAssumeRoleRefusals(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, 3600)
	putRole(t, h, "ext", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"xyz"}}}]}`, 3600)
	putRole(t, h, "demo", trustRoot, 3600)
	cases := []struct {
		name string
		in   stssdk.AssumeRoleInput
		code string
	}{
		{"trustDoesNotNameCaller", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/other")}, "AccessDenied"},
		{"noSuchRole", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/nope")}, "AccessDenied"},
		{"otherAccount", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:role/demo")}, "AccessDenied"},
		{"wrongPath", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/x/demo")}, "AccessDenied"},
		{"externalIdMissing", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/ext")}, "AccessDenied"},
		{"externalIdWrong", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/ext"), ExternalId: aws.String("abc")}, "AccessDenied"},
		{"durationOverMax", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), DurationSeconds: aws.Int32(3601)}, "ValidationError"},
		{"durationUnderMin", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), DurationSeconds: aws.Int32(899)}, "ValidationError"},
		{"sessionNameBad", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("a b c")}, "ValidationError"},
		{"badSessionPolicy", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"nope","Resource":"*"}]}`)}, "MalformedPolicyDocument"},
		{"duplicateTags", stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}}, "InvalidParameterValue"},
	}
	op := operator(t, h)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			if in.RoleSessionName == nil {
				in.RoleSessionName = aws.String("s1")
			}
			_, err := assume(t, op, &in)
			if got := apiCode(t, err); got != c.code {
				t.Errorf("code = %s, want %s (%v)", got, c.code, err)
			}
		})
	}
	if _, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/ext"), RoleSessionName: aws.String("s1"), ExternalId: aws.String("xyz")}); err != nil {
		t.Errorf("right ExternalId: %v", err)
	}
}

// A role session is bounded by its role's policies and by the session policy passed.
func TestSessionPolicyIntersection(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "admin", trustRoot, 3600, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles","sts:AssumeRole"],"Resource":"*"}]}`)
	putRole(t, h, "demo", trustRoot, 3600)
	out, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::123456789012:role/admin"), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 PackedPolicySize is the field iamd's (and botocore's) model serves
	pps := out.PackedPolicySize
	if pps == nil || *pps <= 0 || *pps > 100 {
		t.Errorf("PackedPolicySize = %v", pps)
	}
	c := iamtest.IAM(sessionConfig(h, out.Credentials))
	ctx := context.Background()
	if _, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("ListRoles outside the session policy: %v", err)
	} else if want := "User: arn:aws:sts::123456789012:assumed-role/admin/narrow is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no session policy allows the iam:ListRoles action"; !strings.Contains(err.Error(), want) {
		t.Errorf("message: %v\nwant: %s", err, want)
	}
	if _, err := c.ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil && apiCode(t, err) == "AccessDenied" {
		t.Errorf("ListUsers inside both: %v", err)
	}
	if _, err := c.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("admin")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("GetRole outside the role's policy: %v", err)
	} else if !strings.Contains(err.Error(), "because no identity-based policy allows the iam:GetRole action") {
		t.Errorf("message: %v", err)
	}
}

// Role chaining caps the session at one hour and counts the chain.
func TestRoleChaining(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "first", trustRoot, 43200, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	putRole(t, h, "second", trustRoot, 43200)
	out, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/first"), RoleSessionName: aws.String("aa"), DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sessionConfig(h, out.Credentials)
	_, err = assume(t, cfg, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/second"), RoleSessionName: aws.String("bb"), DurationSeconds: aws.Int32(7200)})
	if apiCode(t, err) != "ValidationError" {
		t.Errorf("chained 2h: %v", err)
	}
	out2, err := assume(t, cfg, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/second"), RoleSessionName: aws.String("bb")})
	if err != nil {
		t.Fatal(err)
	}
	id, err := iamtest.STS(sessionConfig(h, out2.Credentials)).GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/second/bb" {
		t.Errorf("chained identity: %v %v", id, err)
	}
}

// rawCall signs a GetCallerIdentity with the given credentials at time at, and returns the
// status and body.
func rawCall(t *testing.T, h *iamtest.Harness, c *ststypes.Credentials, token string, at time.Time) (int, string) {
	t.Helper()
	form := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, h.URL, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestExpiredAndTamperedTokens(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	out, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	tok := aws.ToString(c.SessionToken)
	if status, body := rawCall(t, h, c, tok, h.Clock.Now()); status != 200 {
		t.Fatalf("fresh token: %d %s", status, body)
	}
	for name, bad := range map[string]string{
		"truncated": tok[:len(tok)-10],
		"flipped":   tok[:20] + flip(tok[20]) + tok[21:],
		"other":     "AAAA" + tok[4:],
	} {
		if status, body := rawCall(t, h, c, bad, h.Clock.Now()); status != 403 || !strings.Contains(body, "<Code>InvalidClientTokenId</Code>") {
			t.Errorf("%s token: %d %s", name, status, body)
		}
	}
	h.Clock.Advance(901 * time.Second)
	if status, body := rawCall(t, h, c, tok, h.Clock.Now()); status != 403 || !strings.Contains(body, "<Code>ExpiredToken</Code>") {
		t.Errorf("expired token: %d %s", status, body)
	}
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

// A second node on the same data (store and master key) accepts the first node's tokens: no
// session state is kept anywhere.
func TestTokensWorkOnAnotherNode(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *node.Node {
		// Two nodes on one data directory: S3's local backend, which one process owns, is off.
		n, err := node.Open(ctx, node.Config{DataDir: dir, AccountID: iamtest.Account, RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret,
			Logger: slog.New(slog.DiscardHandler), S3Backend: node.S3Off})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		return n
	}
	a, b := open(), open()
	ha, hb := iamtest.Serve(t, a, nil), iamtest.Serve(t, b, nil)
	putRole(t, ha, "demo", trustRoot, 3600)
	out, err := assume(t, operator(t, ha), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	id, err := iamtest.STS(sessionConfig(hb, out.Credentials)).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/demo/s1" {
		t.Fatalf("on node B: %v %v", id, err)
	}
}

func TestGetSessionToken(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	out, err := iamtest.STS(h.Root()).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > time.Hour+time.Minute {
		t.Errorf("root session lasts %v, want ≤ 1h", d)
	}
	cfg := sessionConfig(h, out.Credentials)
	id, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" {
		t.Errorf("identity: %v %v", id, err)
	}
	if _, err := iamtest.IAM(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{}); apiCode(t, err) != "InvalidClientTokenId" {
		t.Errorf("IAM with a session token and no MFA: %v", err)
	}
	if _, err := iamtest.STS(cfg).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}
}

func TestGetFederationToken(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	out, err := iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.FederatedUser.Arn); got != "arn:aws:sts::123456789012:federated-user/bob" {
		t.Errorf("Arn = %s", got)
	}
	cfg := sessionConfig(h, out.Credentials)
	id, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.UserId) != "123456789012:bob" {
		t.Errorf("identity: %v %v", id, err)
	}
	// Federation tokens may call no IAM operation, whatever their policies (TestFederationTokenTable).
	if _, err := iamtest.IAM(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{}); apiCode(t, err) != "InvalidClientTokenId" {
		t.Errorf("federated user calling IAM: %v", err)
	}
}

// AWS refuses role sessions to the root user, whatever the trust policy says.
func TestRootMayNotAssumeRoles(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	_, err := assume(t, h.Root(), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s1")})
	if apiCode(t, err) != "AccessDenied" || !strings.Contains(err.Error(), "Roles may not be assumed by root accounts.") {
		t.Errorf("root AssumeRole: %v", err)
	}
}

// A user whose identity policy does not allow sts:AssumeRole cannot use a trust policy that
// only names the account: the account delegates to the user's own policies.
func TestTrustOfAccountNeedsIdentityAllow(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	_, err = assume(t, cfg, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s1")})
	if apiCode(t, err) != "AccessDenied" {
		t.Errorf("user without sts:AssumeRole: %v", err)
	}
	// A trust policy naming the user itself grants on its own.
	putRole(t, h, "direct", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/plain"},"Action":"sts:AssumeRole"}]}`, 3600)
	if _, err := assume(t, cfg, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/direct"), RoleSessionName: aws.String("s1")}); err != nil {
		t.Errorf("trust naming the user: %v", err)
	}
}

// Accounts hosted by one iamd are separate: a role in account B can be assumed from account A only
// when A's identity policy allows it and B's trust policy names A.
func TestCrossAccountAssumeRole(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	const other = "210987654321"
	acct, keyID, secret, err := h.Node.CreateAccount(ctx, other, "", "")
	if err != nil || acct != other {
		t.Fatalf("CreateAccount: %v %v", acct, err)
	}
	if _, _, _, err := h.Node.CreateAccount(ctx, other, "", ""); err == nil {
		t.Fatal("the same account created twice")
	}
	rootB := iamtest.IAM(h.Config(keyID, secret, ""))
	mkRole := func(name, trustAccount string) {
		_, err := rootB.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + trustAccount + `:root"},"Action":"sts:AssumeRole"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	mkRole("trusts-a", iamtest.Account)
	mkRole("trusts-nobody", "999999999999")

	// operator (account A) may assume any role by its own policy.
	op := operator(t, h)
	out, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + other + ":role/trusts-a"), RoleSessionName: aws.String("x1")})
	if err != nil {
		t.Fatalf("both sides allow: %v", err)
	}
	id, err := iamtest.STS(sessionConfig(h, out.Credentials)).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != other || aws.ToString(id.Arn) != "arn:aws:sts::"+other+":assumed-role/trusts-a/x1" {
		t.Fatalf("session in B: %v %v", id, err)
	}
	if _, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + other + ":role/trusts-nobody"), RoleSessionName: aws.String("x2")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("trust does not name A: %v", err)
	}
	// A user of A without an identity policy allowing it is refused even though B trusts A.
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	plain := h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	if _, err := assume(t, plain, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + other + ":role/trusts-a"), RoleSessionName: aws.String("x3")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("identity side does not allow: %v", err)
	}
	// Account B's root cannot see account A's users: the accounts are separate.
	if _, err := rootB.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("plain")}); apiCode(t, err) != "NoSuchEntity" {
		t.Errorf("B sees A's user: %v", err)
	}
}

// Session policies and tags that overflow the packed limit are refused with AWS's error; under it,
// PackedPolicySize reports the share used.
func TestPackedPolicyTooLarge(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	var tags []ststypes.Tag
	for i := 0; i < 50; i++ {
		tags = append(tags, ststypes.Tag{Key: aws.String(fmt.Sprintf("key-%02d-%s", i, strings.Repeat("k", 100))), Value: aws.String(strings.Repeat("v", 200))})
	}
	_, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"), RoleSessionName: aws.String("s1"), Tags: tags})
	if apiCode(t, err) != "PackedPolicyTooLarge" || !strings.Contains(err.Error(), "of allotted space, please use smaller policy.") {
		t.Errorf("oversized tags: %v", err)
	}
}
