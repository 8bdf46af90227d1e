package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/store/sqlstore/pgtest"
)

// consistencyBound is how soon a change made on one node must take effect on another (README).
const consistencyBound = time.Second

// TestMultiNodePostgres runs two `iamd serve` processes on one PostgreSQL database, both reaching
// it through a TCP proxy the test can cut, and shows through aws-sdk-go-v2 clients: quotas hold
// across nodes, changes on one node take effect on the other within consistencyBound, session
// tokens work on every node, a SIGKILLed node loses no acknowledged write while the other keeps
// serving, and a database outage fails requests quickly and heals without a restart.
func TestMultiNodePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	proxy := startProxy(t, dsn)
	master := make([]byte, 32)
	rand.Read(master)
	env := append(fixedIdentity(),
		"IAMD_STORE=postgres",
		"IAMD_POSTGRES_DSN="+proxy.dsn,
		"IAMD_MASTER_KEY="+base64.StdEncoding.EncodeToString(master),
	)
	a := start(t, t.TempDir(), env...)
	b := start(t, t.TempDir(), env...)
	ctx := context.Background()
	iamA := iamsdk.NewFromConfig(sdkConfig(a.URL, rootKeyID, rootSecret, ""))
	iamB := iamsdk.NewFromConfig(sdkConfig(b.URL, rootKeyID, rootSecret, ""))

	t.Run("QuotaAcrossNodes", func(t *testing.T) {
		if _, err := iamA.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("racer")}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, codes := 0, map[string]int{}
		for i := range 100 {
			c := []*iamsdk.Client{iamA, iamB}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("racer")})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					created++
					return
				}
				codes[errorCode(err)]++
			}()
		}
		wg.Wait()
		if created != 2 || codes["LimitExceeded"] != 98 {
			t.Errorf("100 CreateAccessKey over two nodes: %d created, errors %v; want 2 created and 98 LimitExceeded", created, codes)
		}
		out, err := iamB.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("racer")})
		if err != nil || len(out.AccessKeyMetadata) != 2 {
			t.Errorf("ListAccessKeys on node B: %d keys, %v; want 2", lenKeys(out), err)
		}
	})

	// alice may read users; her key and her policy change on A, B is asked.
	if _, err := iamA.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamA.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{
		UserName: aws.String("alice"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","sts:GetSessionToken"],"Resource":"*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
	key, err := iamA.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	aliceKey, aliceSecret := *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey
	aliceB := iamsdk.NewFromConfig(sdkConfig(b.URL, aliceKey, aliceSecret, ""))
	getUser := func() error {
		_, err := aliceB.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("alice")})
		return err
	}

	t.Run("SessionTokenFromOneNodeWorksOnTheOther", func(t *testing.T) {
		stsA := stssdk.NewFromConfig(sdkConfig(a.URL, aliceKey, aliceSecret, ""))
		tok, err := stsA.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		c := tok.Credentials
		stsB := stssdk.NewFromConfig(sdkConfig(b.URL, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
		id, err := stsB.GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("session token from node A on node B: %v", err)
		}
		if want := "arn:aws:iam::" + account + ":user/alice"; aws.ToString(id.Arn) != want {
			t.Errorf("GetCallerIdentity on B = %s, want %s", aws.ToString(id.Arn), want)
		}
	})

	t.Run("PolicyChangeReachesOtherNode", func(t *testing.T) {
		if err := getUser(); err != nil { // warms B's caches with the allowing policy
			t.Fatalf("alice on B before the change: %v", err)
		}
		if _, err := iamA.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "policy deletion on A denies on B", func() bool { return errorCode(getUser()) == "AccessDenied" })
		if _, err := iamA.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{
			UserName: aws.String("alice"), PolicyName: aws.String("read"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`),
		}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "policy restored on A allows on B", func() bool { return getUser() == nil })
	})

	t.Run("KeyDeactivationReachesOtherNode", func(t *testing.T) {
		if _, err := iamA.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceKey), Status: "Inactive"}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "key deactivated on A refused on B", func() bool { return errorCode(getUser()) == "InvalidClientTokenId" })
	})

	t.Run("UserDeletionReachesOtherNode", func(t *testing.T) {
		if _, err := iamB.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("racer")}); err != nil {
			t.Fatal(err)
		}
		keys, err := iamA.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("racer")})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys.AccessKeyMetadata {
			if _, err := iamA.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("racer"), AccessKeyId: k.AccessKeyId}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := iamA.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("racer")}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "user deleted on A gone on B", func() bool {
			_, err := iamB.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("racer")})
			return errorCode(err) == "NoSuchEntity"
		})
	})

	t.Run("KilledNodeLosesNoAcknowledgedWrite", func(t *testing.T) {
		var acked []string
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%04d", i)
				if _, err := iamA.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
					return // the node is gone
				}
				acked = append(acked, name)
			}
		}()
		time.Sleep(300 * time.Millisecond)
		a.cmd.Process.Kill() // SIGKILL, mid-stream
		<-a.done
		close(stop)
		<-done
		if len(acked) == 0 {
			t.Fatal("no write was acknowledged before the kill")
		}
		have := map[string]bool{}
		p := iamsdk.NewListUsersPaginator(iamB, &iamsdk.ListUsersInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers on the surviving node: %v", err)
			}
			for _, u := range page.Users {
				have[*u.UserName] = true
			}
		}
		for _, name := range acked {
			if !have[name] {
				t.Errorf("user %s was acknowledged by the killed node but is not in the database", name)
			}
		}
		t.Logf("%d writes acknowledged before SIGKILL, all present on the surviving node", len(acked))
	})

	t.Run("DatabaseOutageFailsFastAndHeals", func(t *testing.T) {
		proxy.cut()
		start := time.Now()
		_, err := iamB.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("during-outage")})
		took := time.Since(start)
		var re *awshttp.ResponseError
		if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() < 500 {
			t.Errorf("CreateUser during the outage: %v; want a 5xx", err)
		} else if code := errorCode(err); code != "ServiceFailure" && code != "ServiceUnavailable" && code != "InternalFailure" {
			t.Errorf("CreateUser during the outage: code %s, want ServiceFailure", code)
		}
		if took > 6*time.Second {
			t.Errorf("CreateUser during the outage took %v; want a quick failure (5 s bound)", took)
		}
		proxy.restore(t)
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, err := iamB.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("after-outage")})
			if err == nil {
				t.Logf("outage: failed in %v, served again %v after the database came back", took.Round(time.Millisecond), time.Since(deadline.Add(-15*time.Second)).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node B did not recover within 15 s of the database coming back: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	b.stop(t)
}

// waitFor polls cond until it holds, failing the test if that takes longer than consistencyBound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > consistencyBound {
			t.Errorf("%s: not within %v", what, consistencyBound)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%s: after %v", what, time.Since(start).Round(time.Millisecond))
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func lenKeys(out *iamsdk.ListAccessKeysOutput) int {
	if out == nil {
		return 0
	}
	return len(out.AccessKeyMetadata)
}

// tcpProxy forwards a loopback port to the PostgreSQL server; cut closes the listener and every
// connection (the database "goes away"), restore listens on the same port again.
type tcpProxy struct {
	dsn, listen, target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, dsn string) *tcpProxy {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("pgtest DSN is not a URL: %v", err)
	}
	p := &tcpProxy{target: u.Host, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.listen = ln.Addr().String()
	u.Host = p.listen
	p.dsn = u.String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *tcpProxy) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.listen)
	if err != nil {
		t.Fatalf("proxy: listen again on %s: %v", p.listen, err)
	}
	p.serve(ln)
}

// TestMultiNodeThroughput measures CreateUser and AssumeRole throughput on PostgreSQL with one
// node and with two (clients spread evenly), for docs/BENCHMARKS.md. It runs only when
// IAMD_BENCH_MULTINODE=1: it takes a while and its numbers mean little on a loaded machine.
func TestMultiNodeThroughput(t *testing.T) {
	if os.Getenv("IAMD_BENCH_MULTINODE") != "1" {
		t.Skip("set IAMD_BENCH_MULTINODE=1 to measure multi-node throughput")
	}
	dsn := pgtest.DSN(t)
	master := make([]byte, 32)
	rand.Read(master)
	env := append(fixedIdentity(), "IAMD_STORE=postgres", "IAMD_POSTGRES_DSN="+dsn,
		"IAMD_MASTER_KEY="+base64.StdEncoding.EncodeToString(master))
	nodes := []*server{start(t, t.TempDir(), env...), start(t, t.TempDir(), env...)}
	ctx := context.Background()
	root := iamsdk.NewFromConfig(sdkConfig(nodes[0].URL, rootKeyID, rootSecret, ""))
	mustDo := func(_ any, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	mustDo(root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bench")}))
	mustDo(root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	mustDo(root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("bench-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		t.Fatal(err)
	}
	const workers, window = 16, 3 * time.Second
	var seq int64
	var seqMu sync.Mutex
	ops := map[string]func(url string) func() error{
		"CreateUser": func(url string) func() error {
			c := iamsdk.NewFromConfig(sdkConfig(url, rootKeyID, rootSecret, ""))
			return func() error {
				seqMu.Lock()
				seq++
				n := seq
				seqMu.Unlock()
				_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", n))})
				return err
			}
		},
		"AssumeRole": func(url string) func() error {
			c := stssdk.NewFromConfig(sdkConfig(url, *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
			return func() error {
				_, err := c.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/bench-role"), RoleSessionName: aws.String("bench")})
				return err
			}
		},
	}
	for _, op := range []string{"CreateUser", "AssumeRole"} {
		for _, n := range []int{1, 2} {
			var wg sync.WaitGroup
			var mu sync.Mutex
			done, failed := 0, 0
			var firstErr error
			deadline := time.Now().Add(window)
			for w := range workers {
				call := ops[op](nodes[w%n].URL)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(deadline) {
						err := call()
						mu.Lock()
						if err != nil {
							failed++
							if firstErr == nil {
								firstErr = err
							}
						} else {
							done++
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			t.Logf("%s, %d node(s), %d clients: %.0f/s (%d errors, first: %v)", op, n, workers, float64(done)/window.Seconds(), failed, firstErr)
		}
	}
}
