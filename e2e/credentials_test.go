package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestCredentialProcessRoleARN runs `iamd credentials --role-arn` the way the SDKs run a
// credential_process: a profile in an AWS config file names the command, aws-sdk-go-v2 loads that
// profile and calls GetCallerIdentity against iamd, and the caller must be the role session. The
// command assumes the role with a source profile's long-term key; nothing else in the
// environment holds AWS credentials.
func TestCredentialProcessRoleARN(t *testing.T) {
	bin := iamdBinary(t)
	s := start(t, t.TempDir(), fixedIdentity()...)
	ctx := context.Background()
	c := iamsdk.NewFromConfig(sdkConfig(s.URL, rootKeyID, rootSecret, ""))
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// dev may assume app (its trust policy names dev, dev's policy allows it); locked trusts no one
	// dev may use.
	devARN := "arn:aws:iam::" + account + ":user/dev"
	appTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + devARN + `"},"Action":"sts:AssumeRole"}]}`
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("dev")}))
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(appTrust)}))
	must(c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(listRolesDoc)}))
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("locked"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)}))
	key, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	devSecret := aws.ToString(key.AccessKey.SecretAccessKey)

	dir := t.TempDir()
	cacheDir := filepath.Join(dir, "cache")
	configFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	roleARN := func(name string) string { return "arn:aws:iam::" + account + ":role/" + name }
	process := func(role string, extra ...string) string {
		return strings.Join(append([]string{bin, "credentials", "--role-arn", roleARN(role), "--profile", "base", "--cache-dir", cacheDir}, extra...), " ")
	}
	// base holds dev's key; app and locked get theirs from the command, which reads base.
	cfgText := fmt.Sprintf(`[profile base]
region = %[1]s
endpoint_url = %[2]s

[profile app]
region = %[1]s
endpoint_url = %[2]s
credential_process = %[3]s

[profile locked]
region = %[1]s
endpoint_url = %[2]s
credential_process = %[4]s
`, region, s.URL, process("app", "--session-name", "e2e-proc"), process("locked", "--session-name", "e2e-locked"))
	credText := fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n", aws.ToString(key.AccessKey.AccessKeyId), devSecret)
	for path, text := range map[string]string{configFile: cfgText, credFile: credText} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The SDK starts the command with this process's environment: only the two files, no
	// credentials and no endpoint.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "IAMD_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")

	load := func(t *testing.T, profile string) aws.Config {
		t.Helper()
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	var firstKeyID string
	t.Run("sdk profile with credential_process", func(t *testing.T) {
		cfg := load(t, "app")
		id, err := stssdk.NewFromConfig(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := "arn:aws:sts::" + account + ":assumed-role/app/e2e-proc"
		if aws.ToString(id.Arn) != want {
			t.Errorf("caller %s, want %s", aws.ToString(id.Arn), want)
		}
		if uid := aws.ToString(id.UserId); !strings.HasPrefix(uid, "AROA") || !strings.HasSuffix(uid, ":e2e-proc") {
			t.Errorf("UserId %s, want AROA…:e2e-proc", uid)
		}
		// The session has the role's permissions, not dev's.
		if _, err := iamsdk.NewFromConfig(cfg).ListRoles(ctx, &iamsdk.ListRolesInput{}); err != nil {
			t.Errorf("ListRoles as the role: %v", err)
		}
		if _, err := iamsdk.NewFromConfig(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{}); errorCode(err) != "AccessDenied" {
			t.Errorf("ListUsers as the role: %v, want AccessDenied", err)
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SessionToken == "" || !creds.CanExpire || time.Until(creds.Expires) < 50*time.Minute {
			t.Errorf("credentials: key %s, token set %v, expires %v", creds.AccessKeyID, creds.SessionToken != "", creds.Expires)
		}
		firstKeyID = creds.AccessKeyID
	})

	t.Run("answer cached for the next run", func(t *testing.T) {
		entries, err := os.ReadDir(cacheDir)
		if err != nil || len(entries) != 1 {
			t.Fatalf("cache: %v %v", entries, err)
		}
		if fi, _ := entries[0].Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("cache file mode %v", fi.Mode())
		}
		creds, err := load(t, "app").Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if creds.AccessKeyID != firstKeyID {
			t.Errorf("second run: key %s, want the cached %s", creds.AccessKeyID, firstKeyID)
		}
	})

	t.Run("output is credential_process Version 1", func(t *testing.T) {
		cmd := exec.Command(bin, "credentials", "--role-arn", roleARN("app"), "--profile", "base", "--no-cache")
		cmd.Env = os.Environ()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		var got struct {
			Version                                                int
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("stdout is not JSON: %v", err)
		}
		exp, err := time.Parse(time.RFC3339, got.Expiration)
		if got.Version != 1 || !strings.HasPrefix(got.AccessKeyId, "ASIA") || got.AccessKeyId == firstKeyID ||
			len(got.SecretAccessKey) != 40 || got.SessionToken == "" || err != nil || time.Until(exp) < 50*time.Minute {
			t.Errorf("output: Version %d key %s (first %s) secret length %d token set %v Expiration %q (%v)",
				got.Version, got.AccessKeyId, firstKeyID, len(got.SecretAccessKey), got.SessionToken != "", got.Expiration, err)
		}
		if stderr.Len() != 0 {
			t.Errorf("stderr: %s", stderr.String())
		}
	})

	t.Run("role the source cannot assume", func(t *testing.T) {
		_, err := stssdk.NewFromConfig(load(t, "locked")).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err == nil {
			t.Fatal("GetCallerIdentity succeeded with credentials for a role dev may not assume")
		}
		// The SDK reports the command's failure as its provider's (the command's AccessDenied
		// went to stderr, which the SDK passes through).
		var pe *processcreds.ProviderError
		if !errors.As(err, &pe) {
			t.Errorf("error %v, want a credential_process provider error", err)
		}
		if msg := err.Error(); strings.Contains(msg, devSecret) {
			t.Errorf("the source profile's secret reached the error: %s", msg)
		}
		entries, _ := os.ReadDir(cacheDir)
		if len(entries) != 1 {
			t.Errorf("cache holds %d answers after a refused AssumeRole, want 1", len(entries))
		}
	})

	t.Run("another source key is another request", func(t *testing.T) {
		// dev's first key is deleted: an answer cached for it must not be served for the new one.
		key2, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("dev")})
		if err != nil {
			t.Fatal(err)
		}
		must(c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: key.AccessKey.AccessKeyId}))
		text := fmt.Sprintf("[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
			aws.ToString(key2.AccessKey.AccessKeyId), aws.ToString(key2.AccessKey.SecretAccessKey))
		if err := os.WriteFile(credFile, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		creds, err := load(t, "app").Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if creds.AccessKeyID == firstKeyID {
			t.Errorf("the answer cached for the deleted key was served for the new one")
		}
		if entries, _ := os.ReadDir(cacheDir); len(entries) != 2 {
			t.Errorf("cache holds %d answers, want 2 (one per source key)", len(entries))
		}
	})
}
