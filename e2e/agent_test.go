package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	instanceID   = "i-0a1b2c3d4e5f60718"
	instanceARN  = "arn:aws:sts::" + account + ":assumed-role/web/" + instanceID
	agentToken   = "e2e-container-token"
	ec2TrustDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	listRolesDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`
)

// TestAgent enrols an instance with the iamd binary, runs `iamd agent`, and has unmodified SDKs
// (aws-sdk-go-v2's default chain, boto3, credential_process) get the instance role's credentials
// from it with no AWS credentials in their environment; then revokes the instance.
func TestAgent(t *testing.T) {
	bin := iamdBinary(t)
	s := start(t, t.TempDir(), fixedIdentity()...)
	ctx := context.Background()
	root := sdkConfig(s.URL, rootKeyID, rootSecret, "")
	c := iamsdk.NewFromConfig(root)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(ec2TrustDoc)}))
	must(c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("p"), PolicyDocument: aws.String(listRolesDoc)}))
	must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	must(c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")}))

	dir := t.TempDir()
	credFile, tokenFile := filepath.Join(dir, "instance.cred"), filepath.Join(dir, "container.token")
	adminEnv := append(cleanEnv(), "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret, "AWS_REGION="+region,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"))
	run := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("iamd %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	out := run(adminEnv, "instance", "enroll", "--endpoint", s.URL, "--instance-profile", "web", "--instance-id", instanceID,
		"--region", "eu-west-1", "--credential-out", credFile)
	if strings.Contains(out, "iamdi1.") || !strings.Contains(out, `"Status":"Active"`) {
		t.Fatalf("enroll printed %s", out)
	}
	if fi, err := os.Stat(credFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credential file: %v %v", fi, err)
	}
	if err := os.WriteFile(tokenFile, []byte(agentToken), 0o600); err != nil {
		t.Fatal(err)
	}

	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	agentURL := "http://" + addr
	actx, cancel := context.WithTimeout(ctx, serverLifetime)
	defer cancel()
	agent := exec.CommandContext(actx, bin, "agent", "--endpoint", s.URL, "--credential-file", credFile, "--addr", addr, "--container-token-file", tokenFile)
	agent.Env = cleanEnv()
	agentLog := &syncBuffer{}
	agent.Stdout, agent.Stderr = agentLog, agentLog
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		agent.Process.Kill()
		agent.Wait()
		if t.Failed() {
			t.Logf("agent log:\n%s", agentLog)
		}
	}()
	roleServed := func() int {
		req, _ := http.NewRequest(http.MethodPut, agentURL+"/latest/api/token", nil)
		req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "60")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		tok, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		req, _ = http.NewRequest(http.MethodGet, agentURL+"/latest/meta-data/iam/security-credentials/", nil)
		req.Header.Set("X-aws-ec2-metadata-token", string(tok))
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitLong(t, "the agent to serve credentials", func() bool { return roleServed() == http.StatusOK })

	// No AWS credentials anywhere: only the agent's endpoints.
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	base := map[string]string{"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": region, "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_MAX_ATTEMPTS": "1"}
	check := func(t *testing.T, env map[string]string) {
		for k, v := range base {
			t.Setenv(k, v)
		}
		for k, v := range env {
			t.Setenv(k, v)
		}
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id, err := stssdk.NewFromConfig(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(id.Arn) != instanceARN {
			t.Errorf("caller %s, want %s", aws.ToString(id.Arn), instanceARN)
		}
		if _, err := iamsdk.NewFromConfig(cfg).ListRoles(ctx, &iamsdk.ListRolesInput{}); err != nil {
			t.Errorf("ListRoles: %v", err)
		}
		if _, err := iamsdk.NewFromConfig(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{}); errorCode(err) != "AccessDenied" {
			t.Errorf("ListUsers: %v, want AccessDenied", err)
		}
	}
	procConfig := filepath.Join(dir, "config")
	cacheDir := filepath.Join(dir, "cache")
	cfgText := fmt.Sprintf("[profile app]\ncredential_process = %s credentials --agent %s --cache-dir %s\n", bin, agentURL, cacheDir)
	if err := os.WriteFile(procConfig, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("go default chain imds", func(t *testing.T) {
		check(t, map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": agentURL})
	})
	t.Run("go default chain container", func(t *testing.T) {
		check(t, map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": agentURL + "/container/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": agentToken})
	})
	t.Run("go credential_process", func(t *testing.T) {
		check(t, map[string]string{"AWS_CONFIG_FILE": procConfig, "AWS_PROFILE": "app"})
		entries, err := os.ReadDir(cacheDir)
		if err != nil || len(entries) != 1 {
			t.Fatalf("cache: %v %v", entries, err)
		}
		if fi, _ := entries[0].Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("cache file mode %v", fi.Mode())
		}
	})
	t.Run("boto3", func(t *testing.T) {
		requireClients(t)
		ctx, cancel := context.WithTimeout(ctx, pythonTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "python3", "-m", "unittest", "-v", "test_agent")
		cmd.Dir = filepath.Join(repoRoot(t), "e2e", "python")
		cmd.Env = append(cleanEnv(), "AWS_ENDPOINT_URL="+s.URL, "AWS_DEFAULT_REGION="+region, "AWS_CONFIG_FILE="+empty,
			"AWS_SHARED_CREDENTIALS_FILE="+empty, "AWS_MAX_ATTEMPTS=1", "PYTHONDONTWRITEBYTECODE=1",
			"IAMD_E2E_AGENT="+agentURL, "IAMD_E2E_AGENT_TOKEN="+agentToken, "IAMD_E2E_INSTANCE_ARN="+instanceARN,
			"IAMD_E2E_PROCESS_CONFIG="+procConfig)
		out, err := cmd.CombinedOutput()
		t.Logf("python3 test_agent:\n%s", out)
		if err != nil {
			t.Errorf("boto3 suite: %v", err)
		}
	})

	// Revocation: the next refresh (SIGHUP asks for it now) is refused and the agent stops serving.
	run(adminEnv, "instance", "revoke", "--endpoint", s.URL, instanceID)
	if err := agent.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLong(t, "the agent to stop serving after revocation", func() bool { return roleServed() == http.StatusNotFound })
	if list := run(adminEnv, "instance", "list", "--endpoint", s.URL); !strings.Contains(list, `"Status": "Revoked"`) {
		t.Errorf("list after revoke: %s", list)
	}
	if log := agentLog.String(); strings.Contains(log, "iamdi1.") || strings.Contains(log, "SecretAccessKey") {
		t.Error("a secret reached the agent's log")
	}
}

// waitLong waits for cond up to startTimeout: the agent is a process starting on a loaded machine.
func waitLong(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
