// Package iamtest is the in-process harness for end-to-end tests: a node on a fresh data
// directory served on loopback by the same HTTP front as `iamd serve` (internal/leanhttp), with a fixed account and root key, and
// aws-sdk-go-v2 configurations that point real SDK clients at it.
package iamtest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/leanhttp"
	"github.com/iamd/iamd/internal/node"
)

// The fixed identity of every harness.
const (
	Account    = "123456789012"
	RootKeyID  = "AKIAIOSFODNN7EXAMPLE"
	RootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	Region     = "us-east-1"
)

// Harness is a running iamd.
type Harness struct {
	URL   string
	Node  *node.Node
	Clock *Clock
	// client reaches the harness; its idle connections are closed with the harness.
	client *http.Client
}

// Client returns an HTTP client for the harness's URL.
func (h *Harness) Client() *http.Client { return h.client }

// Clock is a settable clock; the harness's node reads time from it.
type Clock struct {
	mu     sync.Mutex
	off    time.Duration
	frozen time.Time // when not zero, Now is this plus off: time moves only with Advance
}

// Now is the real time plus the offset set with Advance (or, once frozen, the time it froze at
// plus the offset).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen.Add(c.off)
	}
	return time.Now().Add(c.off)
}

// Freeze stops the clock where it is, so that a test of time windows (rate limits) does not
// depend on how fast the machine runs it; Advance still moves it.
func (c *Clock) Freeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen.IsZero() {
		c.frozen = time.Now()
	}
}

// Advance moves the node's clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// New starts a harness that stops when t ends.
func New(t testing.TB) *Harness {
	t.Helper()
	dir := t.TempDir()
	files, err := template()
	if err != nil {
		t.Fatalf("iamtest: %v", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatalf("iamtest: %v", err)
		}
	}
	clock := &Clock{}
	cfg := NodeConfig(dir)
	cfg.Now = clock.Now
	return Serve(t, OpenNode(t, cfg), clock)
}

// OpenNode opens a node that closes when t ends (closing it sooner is allowed).
func OpenNode(t testing.TB, cfg node.Config) *node.Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := node.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("iamtest: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// NodeConfig is the configuration of a harness's node on data directory dir: the fixed account
// and root key, logs discarded.
func NodeConfig(dir string) node.Config {
	return node.Config{
		DataDir:             dir,
		AccountID:           Account,
		RootAccessKeyID:     RootKeyID,
		RootSecretAccessKey: RootSecret,
		Logger:              slog.New(slog.DiscardHandler),
	}
}

// templateDir is a data directory as a first start leaves it (the account, its root key, the
// AWS managed policies), kept in memory: each harness starts from a copy of it rather than
// making and seeding its own, which costs tens of milliseconds, most of them the AWS managed
// policies.
var templateDir struct {
	once  sync.Once
	files map[string][]byte
	err   error
}

func template() (map[string][]byte, error) {
	templateDir.once.Do(func() {
		dir, err := os.MkdirTemp("", "iamtest-template-")
		if err != nil {
			templateDir.err = err
			return
		}
		defer os.RemoveAll(dir)
		n, err := node.Open(context.Background(), NodeConfig(dir))
		if err != nil {
			templateDir.err = err
			return
		}
		if err := n.Close(); err != nil {
			templateDir.err = err
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			templateDir.err = err
			return
		}
		templateDir.files = map[string][]byte{}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				templateDir.err = err
				return
			}
			templateDir.files[e.Name()] = b
		}
	})
	return templateDir.files, templateDir.err
}

// Serve serves node n (opened by the caller, with clock as its clock; clock may be nil) as a
// harness that stops when t ends; the caller still closes n.
func Serve(t testing.TB, n *node.Node, clock *Clock) *Harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("iamtest: %v", err)
	}
	srv := leanhttp.New(&http.Server{Handler: n, ReadHeaderTimeout: 10 * time.Second})
	srv.Lean = node.LeanTarget
	go srv.Serve(ln)
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
	})
	return &Harness{URL: "http://" + ln.Addr().String(), Node: n, Clock: clock, client: client}
}

// Config returns an SDK configuration signing with the given credentials (session may be "").
// The SDK's own clock is used for signing, so tests that move the node's clock far see skew.
func (h *Harness) Config(keyID, secret, session string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, session),
		BaseEndpoint: aws.String(h.URL),
		HTTPClient:   h.client,
		// Errors must reach the test as the server sent them, not after retries.
		RetryMaxAttempts: 1,
	}
}

// Root is the root user's configuration.
func (h *Harness) Root() aws.Config { return h.Config(RootKeyID, RootSecret, "") }

// IAM returns an IAM client for cfg.
func IAM(cfg aws.Config) *iamsdk.Client { return iamsdk.NewFromConfig(cfg) }

// STS returns an STS client for cfg.
func STS(cfg aws.Config) *stssdk.Client { return stssdk.NewFromConfig(cfg) }

// S3 returns an S3 client for cfg, path-style as iamd serves without --s3-domain.
func S3(cfg aws.Config) *s3sdk.Client {
	return s3sdk.NewFromConfig(cfg, func(o *s3sdk.Options) { o.UsePathStyle = true })
}
