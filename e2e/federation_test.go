package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// devIdP is `iamd idp serve` running on loopback.
type devIdP struct {
	bin, key, issuer, thumbprint string
}

var thumbRe = regexp.MustCompile(`(?m)^thumbprint: ([0-9a-f]{40})`)

// startIdP runs the development IdP as a user would and reads the thumbprint it prints.
func startIdP(t *testing.T) *devIdP {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	d := &devIdP{bin: iamdBinary(t), key: filepath.Join(t.TempDir(), "idp.pem"), issuer: "https://" + addr}
	ctx, cancel := context.WithTimeout(context.Background(), serverLifetime)
	cmd := exec.CommandContext(ctx, d.bin, "idp", "serve", "--key", d.key, "--issuer", d.issuer)
	cmd.Env = cleanEnv()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		cancel()
	})
	deadline := time.Now().Add(startTimeout)
	for !strings.Contains(out.String(), "listening:") {
		select {
		case <-done:
			t.Fatalf("iamd idp serve exited:\n%s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("iamd idp serve did not start:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := thumbRe.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no thumbprint in:\n%s", out)
	}
	d.thumbprint = m[1]
	return d
}

// run runs `iamd idp ARGS --key … --issuer …` and returns its stdout.
func (d *devIdP) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	args = append([]string{"idp"}, append(args, "--key", d.key, "--issuer", d.issuer)...)
	out, err := exec.CommandContext(ctx, d.bin, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("iamd %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// TestFederation drives web-identity and SAML federation end to end: the iamd binary, the
// development IdP binary serving discovery and JWKS over HTTPS (trusted by thumbprint), and
// aws-sdk-go-v2's web-identity token file provider; then the boto3 suite
// e2e/python/test_federation.py against the same pair.
func TestFederation(t *testing.T) {
	s := start(t, t.TempDir(), fixedIdentity()...)
	d := startIdP(t)
	ctx := context.Background()
	root := sdkConfig(s.URL, rootKeyID, rootSecret, "")
	iamc := iamsdk.NewFromConfig(root)

	prov, err := iamc.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String(d.issuer), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{d.thumbprint}})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(d.issuer, "https://")
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{%q:"repo:org/app:ref:refs/heads/main"}}}]}`,
		aws.ToString(prov.OpenIDConnectProviderArn), host+":sub")
	role, err := iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("ci-deploy"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := aws.ToString(role.Role.Arn)

	t.Run("web identity token file (aws-sdk-go-v2 default chain)", func(t *testing.T) {
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(d.run(t, "token", "--sub", "repo:org/app:ref:refs/heads/main")), 0o600); err != nil {
			t.Fatal(err)
		}
		empty := filepath.Join(t.TempDir(), "empty")
		os.WriteFile(empty, nil, 0o600)
		// The variables EKS (IRSA) and CI systems set; nothing else configures credentials. The
		// SDK builds the STS client of its web-identity provider before it applies the global
		// AWS_ENDPOINT_URL, so pointing it at iamd takes the service-specific variable.
		for k, v := range map[string]string{
			"AWS_ENDPOINT_URL_STS":        s.URL,
			"AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleARN, "AWS_ROLE_SESSION_NAME": "pipeline",
			"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": region, "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
			"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		} {
			t.Setenv(k, v)
		}
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id, err := stssdk.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:sts::" + account + ":assumed-role/ci-deploy/pipeline"; aws.ToString(id.Arn) != want {
			t.Fatalf("Arn = %s, want %s", aws.ToString(id.Arn), want)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		anon := stssdk.NewFromConfig(sdkConfig(s.URL, "", "", ""))
		for _, tc := range []struct {
			name, token, code string
		}{
			{"sub not trusted", d.run(t, "token", "--sub", "repo:org/app:pull_request"), "AccessDenied"},
			{"wrong audience", d.run(t, "token", "--sub", "repo:org/app:ref:refs/heads/main", "--aud", "other"), "InvalidIdentityToken"},
			{"expired", d.run(t, "token", "--sub", "repo:org/app:ref:refs/heads/main", "--ttl=-1m"), "ExpiredTokenException"},
		} {
			_, err := anon.AssumeRoleWithWebIdentity(ctx, &stssdk.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(roleARN), RoleSessionName: aws.String("x1"), WebIdentityToken: aws.String(tc.token)})
			if errCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
	})

	t.Run("boto3", func(t *testing.T) {
		requireClients(t)
		pctx, cancel := context.WithTimeout(ctx, pythonTimeout)
		defer cancel()
		cmd := exec.CommandContext(pctx, "python3", "-m", "unittest", "-v", "test_federation")
		cmd.Dir = filepath.Join(repoRoot(t), "e2e", "python")
		cmd.Env = append(clientEnv(t, s.URL),
			"IAMD_E2E_IAMD="+d.bin, "IAMD_E2E_IDP_KEY="+d.key, "IAMD_E2E_IDP_ISSUER="+d.issuer, "IAMD_E2E_IDP_THUMBPRINT="+d.thumbprint)
		out, err := cmd.CombinedOutput()
		t.Logf("python3 -m unittest test_federation:\n%s", out)
		if err != nil {
			t.Errorf("boto3 federation suite failed: %v", err)
		}
		if strings.Contains(string(out), "skipped") {
			t.Error("the boto3 federation suite skipped tests")
		}
	})
}
