package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

// writePair writes a new self-signed certificate for 127.0.0.1 and its key as dir/name.crt and
// dir/name.key.
func writePair(t *testing.T, dir, name string) (certPath, keyPath string) {
	t.Helper()
	certPEM, keyPEM, err := selfSignedPair(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

func serialOf(t *testing.T, certPath string) *big.Int {
	t.Helper()
	b, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.SerialNumber
}

// trusting is a transport that trusts the certificates in files, HTTP/2 or HTTP/1.1 only.
func trusting(t *testing.T, h2 bool, files ...string) *http.Transport {
	t.Helper()
	pool := x509.NewCertPool()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(b)
	}
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
}

// recorder notes the protocol and certificate of each response.
type recorder struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	protos []string
	serial *big.Int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.rt.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.protos = append(r.protos, resp.Proto)
		if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
			r.serial = resp.TLS.PeerCertificates[0].SerialNumber
		}
		r.mu.Unlock()
	}
	return resp, err
}

func fixedIdentityEnv(t *testing.T) {
	t.Setenv("IAMD_ACCOUNT_ID", testAccount)
	t.Setenv("IAMD_ROOT_ACCESS_KEY_ID", testRootKeyID)
	t.Setenv("IAMD_ROOT_SECRET_ACCESS_KEY", testRootKey)
}

// GetCallerIdentity through aws-sdk-go-v2 over HTTPS, with HTTP/1.1 and with HTTP/2.
func TestTLSServesHTTP1AndHTTP2(t *testing.T) {
	fixedIdentityEnv(t)
	certPath, keyPath := writePair(t, t.TempDir(), "server")
	s := startServe(t, "--data", t.TempDir(), "--tls-cert", certPath, "--tls-key", keyPath)
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("serving on %s", s.URL)
	}
	for _, tc := range []struct {
		h2    bool
		proto string
	}{{false, "HTTP/1.1"}, {true, "HTTP/2.0"}} {
		rec := &recorder{rt: trusting(t, tc.h2, certPath)}
		arn, err := callerARN(t, sdkConfig(s.URL, testRootKeyID, testRootKey, &http.Client{Transport: rec}))
		if err != nil || arn != "arn:aws:iam::"+testAccount+":root" {
			t.Fatalf("%s: %q %v", tc.proto, arn, err)
		}
		if len(rec.protos) != 1 || rec.protos[0] != tc.proto {
			t.Errorf("protocols %v, want %s", rec.protos, tc.proto)
		}
	}
	// A client that does not trust the certificate is refused by its own TLS check.
	if _, err := callerARN(t, sdkConfig(s.URL, testRootKeyID, testRootKey, &http.Client{Transport: &http.Transport{}})); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate accepted: %v", err)
	}
}

// aws:SecureTransport is true over TLS and false over plain HTTP.
func TestSecureTransportCondition(t *testing.T) {
	fixedIdentityEnv(t)
	data := t.TempDir()
	certPath, keyPath := writePair(t, t.TempDir(), "server")
	client := &http.Client{Transport: trusting(t, true, certPath)}
	s := startServe(t, "--data", data, "--tls-cert", certPath, "--tls-key", keyPath)
	ctx := context.Background()
	admin := iamsdk.NewFromConfig(sdkConfig(s.URL, testRootKeyID, testRootKey, client))
	if _, err := admin.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("tls-only"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	if _, err := iamsdk.NewFromConfig(sdkConfig(s.URL, id, secret, client)).ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil {
		t.Errorf("over TLS: %v", err)
	}
	s.stop()
	s = startServe(t, "--data", data)
	_, err = iamsdk.NewFromConfig(sdkConfig(s.URL, id, secret, nil)).ListUsers(ctx, &iamsdk.ListUsersInput{})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("over plain HTTP: %v, want AccessDenied", err)
	}
}

// A changed certificate file is taken up by new connections; a connection made before keeps
// working with the certificate it was made with.
func TestTLSCertificateReload(t *testing.T) {
	defer func(d time.Duration) { certPollInterval = d }(certPollInterval)
	certPollInterval = 50 * time.Millisecond
	fixedIdentityEnv(t)
	dir := t.TempDir()
	certPath, keyPath := writePair(t, dir, "server")
	oldSerial := serialOf(t, certPath)
	// The clients trust both certificates, from copies the replacement does not touch.
	oldCopy := filepath.Join(t.TempDir(), "old.crt")
	if b, err := os.ReadFile(certPath); err != nil || os.WriteFile(oldCopy, b, 0o600) != nil {
		t.Fatal(err)
	}
	nextCert, nextKey := writePair(t, t.TempDir(), "next")
	newSerial := serialOf(t, nextCert)
	s := startServe(t, "--data", t.TempDir(), "--tls-cert", certPath, "--tls-key", keyPath)

	kept := &recorder{rt: trusting(t, false, oldCopy, nextCert)}
	keptCfg := sdkConfig(s.URL, testRootKeyID, testRootKey, &http.Client{Transport: kept})
	if _, err := callerARN(t, keptCfg); err != nil {
		t.Fatal(err)
	}
	if kept.serial.Cmp(oldSerial) != 0 {
		t.Fatalf("first connection saw serial %v", kept.serial)
	}
	for _, p := range [][2]string{{nextKey, keyPath}, {nextCert, certPath}} {
		b, err := os.ReadFile(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFileAtomic(p[1], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fresh := &recorder{rt: trusting(t, false, oldCopy, nextCert)}
		if _, err := callerARN(t, sdkConfig(s.URL, testRootKeyID, testRootKey, &http.Client{Transport: fresh})); err != nil {
			t.Fatal(err)
		}
		if fresh.serial.Cmp(newSerial) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new connections still see serial %v\n%s", fresh.serial, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var reused bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }})
	if _, err := stssdk.NewFromConfig(keptCfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the connection made before the reload: %v", err)
	}
	if !reused || kept.serial.Cmp(oldSerial) != 0 {
		t.Errorf("kept connection: reused %v, serial %v (want the old %v)", reused, kept.serial, oldSerial)
	}
}

// --tls-self-signed makes a certificate once, prints its fingerprint, and `iamd credentials
// --ca-file` trusts it; without --ca-file the credentials command refuses the certificate.
func TestSelfSignedAndCredentialsCAFile(t *testing.T) {
	fixedIdentityEnv(t)
	data := t.TempDir()
	s := startServe(t, "--data", data, "--tls-self-signed")
	certPath := filepath.Join(data, selfSignedCert)
	if !strings.Contains(s.out.String(), "Created self-signed certificate") || !strings.Contains(s.out.String(), "SHA-256 fingerprint") {
		t.Errorf("no fingerprint:\n%s", s.out)
	}
	if fi, err := os.Stat(filepath.Join(data, selfSignedKey)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
	client := &http.Client{Transport: trusting(t, true, certPath)}
	ctx := context.Background()
	admin := iamsdk.NewFromConfig(sdkConfig(s.URL, testRootKeyID, testRootKey, client))
	if _, err := admin.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	role, err := admin.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": aws.ToString(key.AccessKey.AccessKeyId), "AWS_SECRET_ACCESS_KEY": aws.ToString(key.AccessKey.SecretAccessKey),
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true", chainEnv: "",
	} {
		t.Setenv(k, v)
	}
	arn := aws.ToString(role.Role.Arn)
	if out, err := run(t, "", "credentials", "--role-arn", arn, "--no-cache"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without --ca-file: %v\n%s", err, out)
	}
	os.Setenv(chainEnv, "")
	out, err := run(t, "", "credentials", "--role-arn", arn, "--no-cache", "--ca-file", certPath)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var c processCredentials
	if err := json.Unmarshal([]byte(out), &c); err != nil || !strings.HasPrefix(c.AccessKeyId, "ASIA") {
		t.Fatalf("%v: %s", err, out)
	}
	s.stop()
	// The second start uses the same certificate.
	before, _ := os.ReadFile(certPath)
	s = startServe(t, "--data", data, "--tls-self-signed")
	after, _ := os.ReadFile(certPath)
	if string(before) != string(after) || !strings.Contains(s.out.String(), "Using self-signed certificate") {
		t.Errorf("the certificate was not kept:\n%s", s.out)
	}
}

// iamd instance and iamd agent reach an https iamd with --ca-file; iamd credentials --agent
// then reads the role's credentials from the agent.
func TestAgentCAFile(t *testing.T) {
	fixedIdentityEnv(t)
	data := t.TempDir()
	s := startServe(t, "--data", data, "--tls-self-signed")
	certPath := filepath.Join(data, selfSignedCert)
	ctx := context.Background()
	admin := iamsdk.NewFromConfig(sdkConfig(s.URL, testRootKeyID, testRootKey, &http.Client{Transport: trusting(t, true, certPath)}))
	if _, err := admin.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_IAM": s.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": testRootKeyID, "AWS_SECRET_ACCESS_KEY": testRootKey,
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true", chainEnv: "",
	} {
		t.Setenv(k, v)
	}
	credFile := filepath.Join(t.TempDir(), "web.cred")
	if out, err := run(t, "", "instance", "enroll", "--instance-profile", "web", "--credential-out", credFile); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("enrolled without trusting the certificate: %v\n%s", err, out)
	}
	if out, err := run(t, "", "instance", "enroll", "--ca-file", certPath, "--instance-profile", "web", "--credential-out", credFile); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	actx, cancel := context.WithCancel(context.Background())
	root := newRoot()
	out := &syncBuf{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"agent", "--endpoint", s.URL, "--ca-file", certPath, "--credential-file", credFile, "--addr", "127.0.0.1:0"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(actx) }()
	defer func() {
		cancel()
		<-done
	}()
	agentURL := ""
	for deadline := time.Now().Add(10 * time.Second); agentURL == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if i := strings.Index(out.String(), "serving on "); i >= 0 {
			agentURL = strings.Fields(out.String()[i+len("serving on "):])[0]
		}
	}
	if agentURL == "" {
		t.Fatalf("the agent did not start:\n%s", out)
	}
	var c processCredentials
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got, err := run(t, "", "credentials", "--agent", agentURL, "--no-cache")
		os.Setenv(chainEnv, "")
		if err == nil {
			if err := json.Unmarshal([]byte(got), &c); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no credentials from the agent: %v\n%s", err, out)
		}
	}
	arn, err := callerARN(t, aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: trusting(t, true, certPath)},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
		})})
	if err != nil || !strings.Contains(arn, ":assumed-role/web/i-") {
		t.Errorf("%q %v", arn, err)
	}
}
