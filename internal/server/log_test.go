package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Secrets, session tokens and signatures never reach the log, at the most verbose level.
func TestLogsCarryNoSecrets(t *testing.T) {
	var logs syncBuffer
	n, err := node.Open(context.Background(), node.Config{
		DataDir: t.TempDir(), AccountID: iamtest.Account,
		RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	h := iamtest.Serve(t, n, nil)
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("logged")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("logged")})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iamtest.STS(h.Root()).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	// A request with a bad signature and one with a tampered token log their failures too.
	iamtest.STS(h.Config(iamtest.RootKeyID, "wrong", "")).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	sess := tok.Credentials
	iamtest.STS(h.Config(aws.ToString(sess.AccessKeyId), aws.ToString(sess.SecretAccessKey), aws.ToString(sess.SessionToken)+"x")).
		GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})

	out := logs.String()
	if !strings.Contains(out, "CreateAccessKey") {
		t.Fatalf("the access log is missing: %s", out)
	}
	for name, secret := range map[string]string{
		"root secret":     iamtest.RootSecret,
		"user secret":     aws.ToString(k.AccessKey.SecretAccessKey),
		"session secret":  aws.ToString(sess.SecretAccessKey),
		"session token":   aws.ToString(sess.SessionToken)[:40],
		"signature label": "Signature=",
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}

// The access log (node.Config.AccessLog) writes each call's record as slog's TextHandler writes
// it through node.Config.Logger: two nodes serve the same calls, one each way, and their
// request lines must be the same but for the time, the request id and the latency.
func TestAccessLogCallMatchesSlog(t *testing.T) {
	var lines [2][]string
	for i := range lines {
		var logs syncBuffer
		cfg := node.Config{DataDir: t.TempDir(), AccountID: iamtest.Account,
			RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret,
			Logger: slog.New(slog.DiscardHandler)}
		if i == 0 {
			cfg.AccessLog = &logs
		} else {
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		}
		n, err := node.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		h := iamtest.Serve(t, n, nil)
		accessLogScenario(t, h)
		n.Close()
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, " msg=request ") {
				lines[i] = append(lines[i], masked.ReplaceAllString(l, "$1=X"))
			}
		}
	}
	if len(lines[0]) < 10 {
		t.Fatalf("only %d request lines: %q", len(lines[0]), lines[0])
	}
	if diff := cmp.Diff(lines[1], lines[0]); diff != "" {
		t.Errorf("access log lines differ from slog's (-slog +access log):\n%s", diff)
	}
}

var masked = regexp.MustCompile(`\b(time|requestId|latency)=[^ ]+`)

// accessLogScenario makes calls that give every kind of record: root's, allowed by a
// statement with and without a Sid, denied explicitly and implicitly, by a trust policy,
// anonymous, with a bad signature, and an action name that needs quoting.
func accessLogScenario(t *testing.T, h *iamtest.Harness) {
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u=1")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"iam:Get*","Resource":"*"},` +
		`{"Effect":"Allow","Action":["iam:ListUsers","sts:AssumeRole"],"Resource":"*"},` +
		`{"Sid":"No","Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("u=1"),
		PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("u=1")})
	if err != nil {
		t.Fatal(err)
	}
	user := h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	u := iamtest.IAM(user)
	u.GetUser(ctx, &iamsdk.GetUserInput{})     // allowed, Sid
	u.ListUsers(ctx, &iamsdk.ListUsersInput{}) // explicit deny
	u.ListRoles(ctx, &iamsdk.ListRolesInput{}) // implicit deny
	iamtest.STS(user).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/r"),
		RoleSessionName: aws.String("sess")}) // allowed by the trust policy
	iamtest.STS(h.Config(iamtest.RootKeyID, "wrong", "")).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	for _, form := range []string{"Action=GetCallerIdentity&Version=2011-06-15", "Action=Get%20%22It%22%3D%C3%A9&Version=2011-06-15"} {
		resp, err := h.Client().Post(h.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}
