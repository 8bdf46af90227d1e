package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

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
