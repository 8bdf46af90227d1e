package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

// The identity the Python suite expects: AWS's documentation examples name account 123456789012.
const (
	account    = "123456789012"
	rootKeyID  = "AKIAIOSFODNN7EXAMPLE"
	rootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	region     = "us-east-1"
)

// Timeouts for every subprocess, generous for a loaded 2-core machine.
const (
	buildTimeout   = 5 * time.Minute
	startTimeout   = 20 * time.Second
	stopTimeout    = 5 * time.Second
	pythonTimeout  = 3 * time.Minute
	probeTimeout   = 30 * time.Second
	serverLifetime = 5 * time.Minute // hard stop for a server a test forgot
)

// repoRoot is the module root: the test runs in e2e/, the module is its parent.
func repoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.Contains(mod, []byte("module github.com/iamd/iamd")) {
		t.Fatalf("cannot find the iamd module root above %s (go.mod: %v)", wd, err)
	}
	return root
}

var (
	buildOnce sync.Once
	binDir    string // removed by TestMain
	binPath   string
	buildErr  error
)

// iamdBinary builds cmd/iamd once per test process, into a directory removed when all tests end
// (see TestMain), and returns its path. IAMD_E2E_BINARY names a prebuilt binary to test instead
// (a release build, or a known-good build while the working tree is mid-change).
func iamdBinary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("IAMD_E2E_BINARY"); bin != "" {
		return bin
	}
	root := repoRoot(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iamd-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binDir = dir
		binPath = filepath.Join(dir, "iamd")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", binPath, "./cmd/iamd")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/iamd: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// cleanEnv is the test process's environment without AWS_* and IAMD_* variables, so neither a
// developer's AWS profile nor a stray iamd setting changes what the suite tests.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "IAMD_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// syncBuffer is a bytes.Buffer safe for the exec copier goroutine and the test to share.
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

// server is one running `iamd serve` process.
type server struct {
	URL            string
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{} // closed when the process has been waited for
	waitErr        error
}

// start runs `iamd serve` on a free loopback port with dataDir and the extra environment, and
// waits until GET /healthz answers. A port taken between choosing and binding is retried.
func start(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	bin := iamdBinary(t)
	for attempt := 1; ; attempt++ {
		s, err := startOnce(t, bin, dataDir, env)
		if err == nil {
			return s
		}
		if errors.Is(err, errPortTaken) && attempt < 5 {
			t.Logf("attempt %d: %v; retrying on another port", attempt, err)
			continue
		}
		t.Fatal(err)
	}
}

var errPortTaken = errors.New("port already in use")

func startOnce(t *testing.T, bin, dataDir string, env []string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), serverLifetime)
	s := &server{
		URL:    "http://" + addr,
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		done:   make(chan struct{}),
	}
	s.cmd = exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data", dataDir)
	s.cmd.Env = append(cleanEnv(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		cancel()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("iamd at %s stdout:\n%s\nstderr:\n%s", s.URL, s.stdout, s.stderr)
		}
	})

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			if strings.Contains(s.stderr.String(), "address already in use") {
				return nil, fmt.Errorf("%s: %w", addr, errPortTaken)
			}
			return nil, fmt.Errorf("iamd exited before serving (%v)\nstdout:\n%s\nstderr:\n%s", s.waitErr, s.stdout, s.stderr)
		default:
		}
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, s.waitStdout("serving account")
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("iamd did not answer /healthz within %v; its goroutines:\n%s", startTimeout, s.dump())
}

// dump ends a hung iamd with SIGQUIT, which makes the Go runtime print every goroutine's stack
// (a deadlock shows where it waits), and returns the tail of its stderr.
func (s *server) dump() string {
	s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	const max = 16 << 10
	out := s.stderr.String()
	if len(out) > max {
		out = "…" + out[len(out)-max:]
	}
	return out
}

// waitStdout waits until stdout contains want: the process writes it before serving, but the
// copy into our buffer runs in its own goroutine.
func (s *server) waitStdout(want string) error {
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(s.stdout.String(), want) {
		if time.Now().After(deadline) {
			return fmt.Errorf("stdout lacks %q:\n%s", want, s.stdout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// freeAddr picks a loopback port the kernel considers free; start retries if it is taken before
// iamd binds it.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// stop sends SIGTERM and requires a clean exit (status 0) within stopTimeout.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		t.Fatalf("iamd did not exit within %v of SIGTERM; its goroutines:\n%s", stopTimeout, s.dump())
	}
	if s.waitErr != nil {
		t.Fatalf("iamd exited uncleanly after SIGTERM: %v\nstderr:\n%s", s.waitErr, s.stderr)
	}
}

// fixedIdentity is the environment that bootstraps the account the Python suite expects.
func fixedIdentity() []string {
	return []string{
		"IAMD_ACCOUNT_ID=" + account,
		"IAMD_ROOT_ACCESS_KEY_ID=" + rootKeyID,
		"IAMD_ROOT_SECRET_ACCESS_KEY=" + rootSecret,
	}
}

// requireClients skips the test when python3 with boto3 or the aws CLI is missing, except in CI
// (CI=true), where a missing client is a broken environment and fails the test.
func requireClients(t *testing.T) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: the real-client suite must run)", msg)
		}
		t.Skipf("%s; install python3 with boto3 and the aws CLI to run the real-client suite", msg)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		missing("python3 not found")
	}
	if out, err := probe("python3", "-c", "import boto3"); err != nil {
		missing("python3 cannot import boto3 (%v: %s)", err, lastLine(out))
	}
	if _, err := exec.LookPath("aws"); err != nil {
		missing("aws CLI not found")
	}
	if out, err := probe("aws", "--version"); err != nil {
		missing("aws --version failed (%v: %s)", err, lastLine(out))
	}
}

// lastLine is the last non-empty line of a tool's output, where Python puts the exception.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func probe(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = cleanEnv()
	return cmd.CombinedOutput()
}

// clientEnv is the environment the Python clients run with: the server as endpoint, the fixed
// root key, and empty AWS config files so that ~/.aws cannot interfere.
func clientEnv(t *testing.T, url string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return append(cleanEnv(),
		"AWS_ENDPOINT_URL="+url,
		"AWS_ACCESS_KEY_ID="+rootKeyID,
		"AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_DEFAULT_REGION="+region,
		"AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		// Errors must reach the assertions as the server sent them, not after retries.
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		// Keep the working tree free of __pycache__.
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONUNBUFFERED=1",
	)
}

// TestPythonClients runs the boto3 and aws CLI suite (e2e/python) against the iamd binary.
func TestPythonClients(t *testing.T) {
	requireClients(t)
	root := repoRoot(t)
	s := start(t, t.TempDir(), fixedIdentity()...)

	ctx, cancel := context.WithTimeout(context.Background(), pythonTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-m", "unittest", "discover", "-s", filepath.Join("e2e", "python"), "-v")
	cmd.Dir = root
	cmd.Env = clientEnv(t, s.URL)
	begin := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("python3 -m unittest (%v):\n%s", time.Since(begin).Round(time.Millisecond), out)
	switch {
	case ctx.Err() != nil:
		t.Errorf("python suite did not finish within %v", pythonTimeout)
	case err != nil:
		t.Errorf("python suite failed: %v (output above)", err)
	}
	// Even after failures: a server that served the whole suite must still stop cleanly.
	s.stop(t)
	if log := s.stderr.String(); strings.Contains(log, rootSecret) {
		t.Error("the root secret reached iamd's log")
	}
}

// sdkConfig is an aws-sdk-go-v2 configuration for url that reads nothing from the environment.
func sdkConfig(url, keyID, secret, token string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

// bootstrapOutput is what `iamd serve` prints on stdout at first start without IAMD_ROOT_*.
var (
	createdRe = regexp.MustCompile(`(?m)^Created account (\d{12})\.$`)
	keyIDRe   = regexp.MustCompile(`(?m)^\s*AWS_ACCESS_KEY_ID=(AKIA[A-Z0-9]{16})$`)
	secretRe  = regexp.MustCompile(`(?m)^\s*AWS_SECRET_ACCESS_KEY=([A-Za-z0-9/+]{40})$`)
	servingRe = regexp.MustCompile(`(?m)^iamd \S+ serving account (\d{12}) on http://`)
)

type bootstrapKey struct{ account, keyID, secret string }

// parseBootstrap extracts the generated account and root key, requiring each to appear once.
func parseBootstrap(t *testing.T, stdout string) bootstrapKey {
	t.Helper()
	var got []string
	for _, re := range []*regexp.Regexp{createdRe, keyIDRe, secretRe} {
		m := re.FindAllStringSubmatch(stdout, -1)
		if len(m) != 1 {
			t.Fatalf("stdout has %d matches of %s, want 1:\n%s", len(m), re, stdout)
		}
		got = append(got, m[0][1])
	}
	return bootstrapKey{account: got[0], keyID: got[1], secret: got[2]}
}

// TestFirstStartGeneratesRootKey starts iamd without IAMD_ROOT_* and uses the root key it prints.
func TestFirstStartGeneratesRootKey(t *testing.T) {
	s := start(t, t.TempDir())
	k := parseBootstrap(t, s.stdout.String())
	if strings.Count(s.stdout.String(), k.secret) != 1 {
		t.Errorf("the secret is printed %d times, want once", strings.Count(s.stdout.String(), k.secret))
	}
	if strings.Contains(s.stderr.String(), k.secret) {
		t.Error("the root secret reached the log (stderr)")
	}

	ctx := context.Background()
	stsc := stssdk.NewFromConfig(sdkConfig(s.URL, k.keyID, k.secret, ""))
	id, err := stsc.GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the printed key: %v", err)
	}
	want := map[string]string{"Account": k.account, "Arn": "arn:aws:iam::" + k.account + ":root", "UserId": k.account}
	got := map[string]string{"Account": aws.ToString(id.Account), "Arn": aws.ToString(id.Arn), "UserId": aws.ToString(id.UserId)}
	for field, w := range want {
		if got[field] != w {
			t.Errorf("GetCallerIdentity %s = %q, want %q", field, got[field], w)
		}
	}
	// The generated key id encodes the account, so GetAccessKeyInfo must find it.
	info, err := stsc.GetAccessKeyInfo(ctx, &stssdk.GetAccessKeyInfoInput{AccessKeyId: aws.String(k.keyID)})
	if err != nil {
		t.Fatalf("GetAccessKeyInfo: %v", err)
	}
	if aws.ToString(info.Account) != k.account {
		t.Errorf("GetAccessKeyInfo(%s) = %q, want %q", k.keyID, aws.ToString(info.Account), k.account)
	}
	// A wrong secret for the same key id must not work.
	bad := stssdk.NewFromConfig(sdkConfig(s.URL, k.keyID, strings.Repeat("x", 40), ""))
	if _, err := bad.GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("GetCallerIdentity with a wrong secret: err = %v, want SignatureDoesNotMatch", err)
	}
	s.stop(t)
}

// TestRestartKeepsState stops iamd with SIGTERM and starts it again on the same data directory:
// the account, a user and its access key survive, and no second bootstrap happens.
func TestRestartKeepsState(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	s := start(t, data)
	k := parseBootstrap(t, s.stdout.String())
	rootCfg := sdkConfig(s.URL, k.keyID, k.secret, "")

	const user = "survivor"
	u, err := iamsdk.NewFromConfig(rootCfg).CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	ak, err := iamsdk.NewFromConfig(rootCfg).CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	userKey, userSecret := aws.ToString(ak.AccessKey.AccessKeyId), aws.ToString(ak.AccessKey.SecretAccessKey)
	s.stop(t)
	// Every request left its access-log line on stderr by the time iamd exited.
	for _, action := range []string{"CreateUser", "CreateAccessKey"} {
		re := regexp.MustCompile(`(?m)^time=\S+ level=INFO msg=request requestId=[0-9a-f-]{36} service=iam action=` + action +
			` principal=arn:aws:iam::` + k.account + `:root authz\.action=iam:` + action + ` \S+ authz\.decision=allowed authz\.by=.* status=200 latency=\S+$`)
		if !re.MatchString(s.stderr.String()) {
			t.Errorf("no access-log line for %s matching %s in:\n%s", action, re, s.stderr)
		}
	}

	s2 := start(t, data)
	out := s2.stdout.String()
	for _, leak := range []string{"Created account", "AWS_SECRET_ACCESS_KEY", k.secret, k.keyID} {
		if strings.Contains(out, leak) {
			t.Errorf("second start printed %q (a fresh bootstrap?):\n%s", leak, out)
		}
	}
	if m := servingRe.FindStringSubmatch(out); m == nil || m[1] != k.account {
		t.Errorf("second start serves %v, want account %s:\n%s", m, k.account, out)
	}

	rootCfg = sdkConfig(s2.URL, k.keyID, k.secret, "")
	got, err := iamsdk.NewFromConfig(rootCfg).GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatalf("GetUser after restart: %v", err)
	}
	if aws.ToString(got.User.UserId) != aws.ToString(u.User.UserId) || aws.ToString(got.User.Arn) != aws.ToString(u.User.Arn) {
		t.Errorf("user after restart = %s %s, want %s %s", aws.ToString(got.User.UserId), aws.ToString(got.User.Arn),
			aws.ToString(u.User.UserId), aws.ToString(u.User.Arn))
	}
	id, err := stssdk.NewFromConfig(sdkConfig(s2.URL, userKey, userSecret, "")).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the user's key after restart: %v", err)
	}
	if want := "arn:aws:iam::" + k.account + ":user/" + user; aws.ToString(id.Arn) != want {
		t.Errorf("caller after restart = %q, want %q", aws.ToString(id.Arn), want)
	}
	s2.stop(t)
}
