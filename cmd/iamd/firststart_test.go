package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/node"
)

// The fixed identity some tests start with (AWS's documentation example key).
const (
	testAccount   = "123456789012"
	testRootKeyID = "AKIAIOSFODNN7EXAMPLE"
	testRootKey   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// syncBuf is a buffer the server goroutine writes while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is an `iamd serve` running in the test's process.
type served struct {
	URL, Account string
	out          *syncBuf
	stop         func()
}

// waitFor waits for the server's output to hold want (log lines are written in batches).
func (s *served) waitFor(t *testing.T, want string) bool {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(s.out.String(), want) {
			return true
		}
	}
	return false
}

var servingLine = regexp.MustCompile(`serving account (\d{12}) on (https?://\S+)`)

// startServe runs `iamd serve --addr 127.0.0.1:0 args…` until the test ends (or stop).
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	root := newRoot()
	out := &syncBuf{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	var once sync.Once
	s := &served{out: out}
	s.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Errorf("serve did not stop; output:\n%s", out)
			}
		})
	}
	t.Cleanup(s.stop)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			s.Account, s.URL = m[1], m[2]
			return s
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start in time:\n%s", out)
	return nil
}

// sdkConfig is an SDK configuration for url with a static key.
func sdkConfig(url, keyID, secret string, client *http.Client) aws.Config {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		BaseEndpoint: aws.String(url),
		// One attempt: a refused key must show as the error, not as retries.
		RetryMaxAttempts: 1,
	}
	if client != nil {
		cfg.HTTPClient = client
	}
	return cfg
}

func callerARN(t *testing.T, cfg aws.Config) (string, error) {
	t.Helper()
	out, err := stssdk.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

var printedKey = regexp.MustCompile(`AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})\s+AWS_SECRET_ACCESS_KEY=(\S{40})`)

// A start that is refused creates nothing: the data directory stays absent.
func TestRefusedStartCreatesNothing(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tlsDir := t.TempDir()
	certPath, keyPath := writePair(t, tlsDir, "a")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{name: "port taken", args: []string{"--addr", taken.Addr().String()}, want: "address already in use"},
		{name: "addr without port", args: []string{"--addr", "127.0.0.1"}, want: "--addr"},
		{name: "addr port not a number", args: []string{"--addr", "127.0.0.1:http8"}, want: "--addr"},
		{name: "unknown store", args: []string{"--store", "mysql"}, want: "--store"},
		{name: "postgres without dsn", args: []string{"--store", "postgres"}, want: "--postgres-dsn"},
		{name: "account id", env: map[string]string{"IAMD_ACCOUNT_ID": "12345"}, want: "12 digits"},
		{name: "key id shape", env: map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPL1", "IAMD_ROOT_SECRET_ACCESS_KEY": testRootKey}, want: "IAMD_ROOT_ACCESS_KEY_ID"},
		{name: "key id prefix", env: map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "IAMD_ROOT_SECRET_ACCESS_KEY": testRootKey}, want: "IAMD_ROOT_ACCESS_KEY_ID"},
		{name: "secret length", env: map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": testRootKeyID, "IAMD_ROOT_SECRET_ACCESS_KEY": "short"}, want: "IAMD_ROOT_SECRET_ACCESS_KEY"},
		{name: "secret alphabet", env: map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": testRootKeyID, "IAMD_ROOT_SECRET_ACCESS_KEY": strings.Repeat("-", 40)}, want: "IAMD_ROOT_SECRET_ACCESS_KEY"},
		{name: "key id without secret", env: map[string]string{"IAMD_ROOT_ACCESS_KEY_ID": testRootKeyID}, want: "both or neither"},
		{name: "master key", env: map[string]string{"IAMD_MASTER_KEY": "bm90IDMyIGJ5dGVz"}, want: "IAMD_MASTER_KEY"},
		{name: "public url", args: []string{"--public-url", "iamd.example.com"}, want: "--public-url"},
		{name: "tls cert without key", args: []string{"--tls-cert", certPath}, want: "--tls-key"},
		{name: "tls key not the cert's", args: []string{"--tls-cert", certPath, "--tls-key", filepath.Join(tlsDir, "missing.key")}, want: "TLS certificate"},
		{name: "tls both kinds", args: []string{"--tls-cert", certPath, "--tls-key", keyPath, "--tls-self-signed"}, want: "--tls-self-signed"},
		{name: "postgres unreachable", args: []string{"--store", "postgres", "--postgres-dsn", "postgres://iamd@127.0.0.1:1/iamd?connect_timeout=2"}, want: "store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			data := filepath.Join(t.TempDir(), "data")
			out, err := run(t, "", append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %q; output:\n%s", err, tt.want, out)
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused start left %s (%v)", data, err)
			}
			if strings.Contains(out, "AWS_SECRET_ACCESS_KEY") {
				t.Errorf("a refused start printed a key:\n%s", out)
			}
		})
	}
}

// The first start prints the root key once; reset-root-key replaces it (the old one stops
// working); settings that only apply to a first start are said to be ignored later.
func TestFirstStartAndResetRootKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, "--data", data)
	m := printedKey.FindStringSubmatch(s.out.String())
	if m == nil || !strings.Contains(s.out.String(), "Created account "+s.Account) {
		t.Fatalf("no root key printed:\n%s", s.out)
	}
	if strings.Contains(s.out.String(), "iamd dev ") {
		t.Errorf("the banner says dev:\n%s", s.out)
	}
	oldID, oldSecret := m[1], m[2]
	if _, err := callerARN(t, sdkConfig(s.URL, oldID, oldSecret, nil)); err != nil {
		t.Fatal(err)
	}
	s.stop()

	out, err := run(t, "", "account", "reset-root-key", "--data", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m = printedKey.FindStringSubmatch(out)
	if m == nil || m[1] == oldID {
		t.Fatalf("no new key printed:\n%s", out)
	}
	newID, newSecret := m[1], m[2]

	t.Setenv("IAMD_ACCOUNT_ID", "210987654321")
	s = startServe(t, "--data", data)
	if strings.Contains(s.out.String(), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("a second start printed a key:\n%s", s.out)
	}
	if !s.waitFor(t, "ignored") {
		t.Errorf("IAMD_ACCOUNT_ID on an existing installation not said to be ignored:\n%s", s.out)
	}
	arn, err := callerARN(t, sdkConfig(s.URL, newID, newSecret, nil))
	if err != nil || arn != "arn:aws:iam::"+s.Account+":root" {
		t.Fatalf("new key: %q %v", arn, err)
	}
	if _, err := callerARN(t, sdkConfig(s.URL, oldID, oldSecret, nil)); err == nil || !strings.Contains(err.Error(), "InvalidClientTokenId") {
		t.Errorf("old key after the reset: %v", err)
	}
}

// A start that created the root key and never printed it is reported by the next start until
// the key is reset.
func TestUnshownRootKeyIsReported(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	n, err := node.Open(context.Background(), node.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if !n.Bootstrapped {
		t.Fatal("not a first start")
	}
	n.Close() // as a process that died before printing the key would
	s := startServe(t, "--data", data)
	if !s.waitFor(t, "reset-root-key") {
		t.Errorf("the lost key is not reported:\n%s", s.out)
	}
	s.stop()
	if out, err := run(t, "", "account", "reset-root-key", "--data", data); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s = startServe(t, "--data", data)
	s.stop() // flushes the log
	if strings.Contains(s.out.String(), "reset-root-key") {
		t.Errorf("reported after the reset:\n%s", s.out)
	}
}

func TestResetRootKeyNeedsData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "none")
	if _, err := run(t, "", "account", "reset-root-key", "--data", data); err == nil {
		t.Error("reset on a missing data directory succeeded")
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("reset created %s", data)
	}
}

func TestPostgresDSNWithSQLiteIsIgnoredAloud(t *testing.T) {
	s := startServe(t, "--data", t.TempDir(), "--postgres-dsn", "postgres://x@127.0.0.1:1/x")
	if !s.waitFor(t, "--postgres-dsn is ignored with --store sqlite") {
		t.Errorf("no warning:\n%s", s.out)
	}
}
