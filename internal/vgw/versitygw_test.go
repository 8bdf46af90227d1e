package vgw_test

// Tests with a real versitygw gateway (posix backend in a temporary directory) whose IAM is
// iamd, through the protocol on a unix socket: the aws-sdk-go-v2 S3 client drives the gateway.
// CI builds versitygw v1.8.0 and sets IAMD_TEST_VERSITYGW to its binary (.ci/run); without it
// these tests skip, except under CI, where they fail.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/vgw"
)

// versitygwBinary is the versitygw to test with, or skips (fails under CI) without one.
func versitygwBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("IAMD_TEST_VERSITYGW")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("IAMD_TEST_VERSITYGW is unset: CI must run the tests against versitygw (.ci/run builds it)")
		}
		t.Skip("IAMD_TEST_VERSITYGW is unset (the path of a versitygw binary; .ci/run builds one)")
	}
	return bin
}

// versitygwEnv is the environment of versitygw commands: AWS_CA_BUNDLE, when set for this
// machine's own clients, breaks versitygw's.
func versitygwEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			env = append(env, kv)
		}
	}
	return env
}

// serveProtocol serves h's node's protocol on a unix socket in dir until t ends.
func serveProtocol(t *testing.T, h *iamtest.Harness, dir string) string {
	t.Helper()
	handler, err := h.Node.Versitygw(context.Background(), "", "iamd test", nil)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "iam.sock")
	ln, err := vgw.ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock
}

// startGateway starts a versitygw on a unix socket in dir whose root key is iamd's root key and
// whose IAM is iamd's protocol at iamSock, and returns an HTTP client that reaches it.
func startGateway(t *testing.T, bin, dir, iamSock, rootKey, rootSecret string) *http.Client {
	t.Helper()
	data := filepath.Join(dir, "posix")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	gwSock := filepath.Join(dir, "s3.sock")
	var out bytes.Buffer
	cmd := exec.Command(bin, "--quiet", "--access", rootKey, "--secret", rootSecret, "--port", gwSock,
		"--iam-standalone-endpoint", iamSock, "posix", data)
	cmd.Env = versitygwEnv()
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("versitygw's output:\n%s", out.String())
		}
	})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", gwSock)
		}}}
	t.Cleanup(client.CloseIdleConnections)
	// Up when it answers on its socket (bounded: it probes iamd at start).
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("http://gateway/")
		if err == nil {
			resp.Body.Close()
			return client
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("versitygw exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not come up: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// s3Client reaches the gateway through client with the given credentials.
func s3Client(client *http.Client, keyID, secret, token string) *s3.Client {
	return s3.New(s3.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint:     aws.String("http://gateway"),
		UsePathStyle:     true,
		HTTPClient:       client,
		RetryMaxAttempts: 1,
	})
}

// code is the error code of an SDK error ("" for nil).
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

func TestVersitygwGateway(t *testing.T) {
	bin := versitygwBinary(t)
	ctx := context.Background()
	h := iamtest.New(t)
	dir := shortTempDir(t)
	client := startGateway(t, bin, dir, serveProtocol(t, h, dir), iamtest.RootKeyID, iamtest.RootSecret)

	// The root user bypasses policies: it makes the buckets.
	root := s3Client(client, iamtest.RootKeyID, iamtest.RootSecret, "")
	for _, b := range []string{"allowed", "other"} {
		if _, err := root.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("root CreateBucket %s: %v", b, err)
		}
	}
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("secret"), Body: strings.NewReader("s")}); err != nil {
		t.Fatal(err)
	}

	// An IAM user of iamd whose policy allows one bucket.
	g := &gateway{t: t, h: h}
	_, key, secret := g.user("uploader", "/", `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::allowed/*"},
	 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::allowed"},
	 {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::allowed/readonly/*"}]}`)
	user := s3Client(client, key, secret, "")

	if _, err := user.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("allowed"), Key: aws.String("a.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("PutObject in the allowed bucket: %v", err)
	}
	got, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("allowed"), Key: aws.String("a.txt")})
	if err != nil {
		t.Fatalf("GetObject in the allowed bucket: %v", err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != "hello" {
		t.Errorf("GetObject = %q", b)
	}
	list, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("allowed")})
	if err != nil || len(list.Contents) != 1 {
		t.Errorf("ListObjectsV2 in the allowed bucket: %v %+v", err, list)
	}
	for name, call := range map[string]func() error{
		"PutObject elsewhere": func() error {
			_, err := user.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("x"), Body: strings.NewReader("x")})
			return err
		},
		"GetObject elsewhere": func() error {
			_, err := user.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other"), Key: aws.String("secret")})
			return err
		},
		"ListObjectsV2 elsewhere": func() error {
			_, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("other")})
			return err
		},
		"PutObject under an explicit Deny": func() error {
			_, err := user.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("allowed"), Key: aws.String("readonly/x"), Body: strings.NewReader("x")})
			return err
		},
		"CreateBucket": func() error {
			_, err := user.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("mine")})
			return err
		},
		"DeleteBucket": func() error {
			_, err := user.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("allowed")})
			return err
		},
	} {
		if c := code(call()); c != "AccessDenied" {
			t.Errorf("%s: %q, want AccessDenied", name, c)
		}
	}

	// Credentials iamd does not know, or a wrong secret.
	if _, err := s3Client(client, "AKIAXXXXXXXXXXXXXXXX", secret, "").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("allowed")}); code(err) != "InvalidAccessKeyId" {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := s3Client(client, key, secret+"x", "").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("allowed")}); code(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v", err)
	}

	// A bucket policy the gateway keeps, naming a principal iamd resolves.
	reader, rkey, rsecret := g.user("reader", "/", "")
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, reader)
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("other"), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	if _, err := s3Client(client, rkey, rsecret, "").GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other"), Key: aws.String("secret")}); err != nil {
		t.Errorf("GetObject granted by the bucket policy: %v", err)
	}
	bad := strings.Replace(policy, "user/reader", "user/nobody", 1)
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("other"), Policy: aws.String(bad)}); code(err) != "MalformedPolicy" {
		t.Errorf("PutBucketPolicy naming no one: %v", err)
	}

	// Temporary credentials of iamd's STS: a role session whose session policy narrows it.
	_, creds := g.role("gw-role",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::allowed/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	sess := s3Client(client, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	if _, err := sess.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("allowed"), Key: aws.String("a.txt")}); err != nil {
		t.Errorf("session GetObject: %v", err)
	}
	if _, err := sess.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("allowed"), Key: aws.String("s"), Body: strings.NewReader("x")}); code(err) != "AccessDenied" {
		t.Errorf("session PutObject outside its session policy: %v", err)
	}

	// Deleting the user in iamd ends its access at once.
	c := iamtest.IAM(h.Root())
	if _, err := c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("uploader"), AccessKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := user.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("allowed")}); code(err) != "InvalidAccessKeyId" {
		t.Errorf("deleted key: %v", err)
	}
}

// TestVersitygwS3IAMConformance runs versitygw's conformance suite for gateways backed by a
// standalone IAM (`versitygw test s3-iam`) against a gateway whose IAM is iamd and, side by side,
// one whose IAM is versitygw's own (`versitygw iam`), and records both counts. iamd must pass
// every test versitygw's own IAM passes. The suite's account id is fixed (000000000000), so
// the node gets that account.
func TestVersitygwS3IAMConformance(t *testing.T) {
	bin := versitygwBinary(t)
	if testing.Short() {
		t.Skip("the conformance suite takes about twenty seconds")
	}
	dir := shortTempDir(t)
	cfg := iamtest.NodeConfig(filepath.Join(dir, "data"))
	cfg.AccountID = "000000000000"
	clock := &iamtest.Clock{}
	cfg.Now = clock.Now
	h := iamtest.Serve(t, iamtest.OpenNode(t, cfg), clock)
	iamdRes := runS3IAM(t, bin, startTCPGateway(t, bin, filepath.Join(dir, "iamd-gw"), serveProtocol(t, h, dir)), h.URL)
	t.Logf("versitygw test s3-iam through iamd:            ran %d, passed %d, failed %d, skipped %d", iamdRes.ran, iamdRes.pass, iamdRes.fail, iamdRes.skip)

	// versitygw's own IAM service, its private protocol on another socket.
	own := filepath.Join(dir, "own")
	if err := os.MkdirAll(filepath.Join(own, "iam"), 0o700); err != nil {
		t.Fatal(err)
	}
	ownAddr := freeAddr(t)
	ownSock := filepath.Join(own, "priv.sock")
	startProcess(t, bin, ownAddr, "--quiet", "--access", iamtest.RootKeyID, "--secret", iamtest.RootSecret, "--port", ownAddr,
		"iam", "--dir", filepath.Join(own, "iam"), "--private-ports", ownSock)
	ownRes := runS3IAM(t, bin, startTCPGateway(t, bin, filepath.Join(own, "gw"), ownSock), "http://"+ownAddr)
	t.Logf("versitygw test s3-iam through versitygw's IAM: ran %d, passed %d, failed %d, skipped %d", ownRes.ran, ownRes.pass, ownRes.fail, ownRes.skip)

	for name := range iamdRes.failed {
		if !ownRes.failed[name] {
			t.Errorf("fails through iamd, not through versitygw's own IAM: %s", name)
		}
	}
	if iamdRes.ran != ownRes.ran {
		t.Errorf("ran %d tests through iamd, %d through versitygw's own IAM", iamdRes.ran, ownRes.ran)
	}
}

// failLine is a failed test's line of the suite's output (its FAIL is colored).
var failLine = regexp.MustCompile(`FAIL (?:\x1b\[[0-9;]*m)?\s*([A-Za-z0-9_]+):`)

// s3IAMResult is the outcome of a run of the suite.
type s3IAMResult struct {
	ran, pass, fail, skip int
	failed                map[string]bool // by test name
}

// runS3IAM runs `versitygw test s3-iam` against a gateway at addr and an IAM endpoint.
func runS3IAM(t *testing.T, bin, addr, iamEndpoint string) s3IAMResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	test := exec.CommandContext(ctx, bin, "test", "--access", iamtest.RootKeyID, "--secret", iamtest.RootSecret,
		"--endpoint", "http://"+addr, "--iam-endpoint", iamEndpoint, "s3-iam")
	test.Env = versitygwEnv()
	out, err := test.CombinedOutput()
	m := regexp.MustCompile(`RAN: (\d+) PASS: (\d+) FAIL: (\d+) SKIP: (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("versitygw test s3-iam: %v\n%s", err, out)
	}
	r := s3IAMResult{failed: map[string]bool{}}
	fmt.Sscan(string(m[1]), &r.ran)
	fmt.Sscan(string(m[2]), &r.pass)
	fmt.Sscan(string(m[3]), &r.fail)
	fmt.Sscan(string(m[4]), &r.skip)
	for _, f := range failLine.FindAllSubmatch(out, -1) {
		r.failed[string(f[1])] = true
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "FAIL") && !strings.Contains(line, "RAN:") {
			t.Log(line)
		}
	}
	return r
}

// freeAddr is a loopback address with a port free a moment ago (the suite takes URLs).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs versitygw with args until t ends, once it accepts connections on addr.
func startProcess(t *testing.T, bin, addr string, args ...string) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = versitygwEnv()
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("versitygw %s:\n%s", strings.Join(args, " "), out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw %s did not come up: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startTCPGateway starts a gateway (posix backend in dir) on a loopback port whose IAM speaks
// the private protocol at iamSock, and returns its address.
func startTCPGateway(t *testing.T, bin, dir, iamSock string) string {
	t.Helper()
	posix := filepath.Join(dir, "posix")
	if err := os.MkdirAll(posix, 0o700); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	startProcess(t, bin, addr, "--quiet", "--access", iamtest.RootKeyID, "--secret", iamtest.RootSecret, "--port", addr,
		"--iam-standalone-endpoint", iamSock, "posix", posix)
	return addr
}
