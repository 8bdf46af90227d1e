package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// clock is a settable clock for the agent.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// iamd is a harness with role "web" (trusting EC2, allowed iam:ListRoles) in profile "web",
// and one instance enrolled; it returns the instance credential.
func iamd(t *testing.T) (*iamtest.Harness, string) {
	t.Helper()
	h := iamtest.New(t)
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	steps := []func() error{
		func() error {
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)})
			return err
		},
		func() error {
			_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("p"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)})
			return err
		},
		func() error {
			_, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
			return err
		},
		func() error {
			_, err := c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")})
			return err
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	var out struct{ Credential string }
	admin(t, h, url.Values{"Action": {"EnrollInstance"}, "InstanceId": {"i-0123456789abcdef0"}, "InstanceProfileName": {"web"}, "Region": {"eu-west-1"}}, &out)
	return h, out.Credential
}

// admin makes one of iamd's own operations as root.
func admin(t *testing.T, h *iamtest.Harness, form url.Values, out any) {
	t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	// Signed at the server's time, which a test may have moved.
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", form.Get("Action"), resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

// switchable passes requests to iamd unless down, when it answers 503 as a failing proxy would.
type switchable struct {
	next http.Handler
	down atomic.Bool
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	s.next.ServeHTTP(w, r)
}

// nower is a clock: the tests' frozen one, or the harness's, which the server reads too.
type nower interface{ Now() time.Time }

func newAgent(t testing.TB, endpoint, cred string, clk nower, mod func(*Config)) *Agent {
	t.Helper()
	cfg := Config{Endpoint: endpoint, Credential: cred, Logger: slog.New(slog.DiscardHandler), Now: clk.Now, ContainerToken: "container-secret"}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSDKProviders runs aws-sdk-go-v2's own IMDS and container credential providers against the
// agent and calls iamd with what they got.
func TestSDKProviders(t *testing.T) {
	h, cred := iamd(t)
	a := newAgent(t, h.URL, cred, &clock{t: time.Now()}, nil)
	if err := a.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	for _, tc := range []struct {
		name     string
		provider aws.CredentialsProvider
	}{
		{"imdsv2", ec2rolecreds.New(func(o *ec2rolecreds.Options) {
			o.Client = imds.New(imds.Options{Endpoint: srv.URL, ClientEnableState: imds.ClientEnabled, EnableFallback: aws.FalseTernary})
		})},
		{"container", endpointcreds.New(srv.URL+ContainerPath, func(o *endpointcreds.Options) { o.AuthorizationToken = "container-secret" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := h.Root()
			cfg.Credentials = aws.NewCredentialsCache(tc.provider)
			ctx := context.Background()
			id, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if want := "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0"; aws.ToString(id.Arn) != want {
				t.Errorf("caller %s, want %s", aws.ToString(id.Arn), want)
			}
			if _, err := iamtest.IAM(cfg).ListRoles(ctx, &iamsdk.ListRolesInput{}); err != nil {
				t.Errorf("ListRoles: %v", err)
			}
			if _, err := iamtest.IAM(cfg).ListUsers(ctx, &iamsdk.ListUsersInput{}); err == nil {
				t.Error("ListUsers allowed, want AccessDenied")
			}
		})
	}
	// The metadata the SDK's IMDS client reads.
	c := imds.New(imds.Options{Endpoint: srv.URL})
	reg, err := c.GetRegion(context.Background(), nil)
	if err != nil || reg.Region != "eu-west-1" {
		t.Errorf("region %v %v", reg, err)
	}
	doc, err := c.GetInstanceIdentityDocument(context.Background(), nil)
	if err != nil || doc.InstanceID != "i-0123456789abcdef0" || doc.AccountID != "123456789012" {
		t.Errorf("identity document %+v %v", doc, err)
	}
	info, err := c.GetIAMInfo(context.Background(), nil)
	if err != nil || info.InstanceProfileArn != "arn:aws:iam::123456789012:instance-profile/web" {
		t.Errorf("iam info %+v %v", info, err)
	}
}

// TestRefreshOutageAndRevocation: an unreachable iamd leaves the cached credentials served; a
// revocation drops them at the next refresh.
func TestRefreshOutageAndRevocation(t *testing.T) {
	h, cred := iamd(t)
	sw := &switchable{next: h.Node}
	front := httptest.NewServer(sw)
	defer front.Close()
	// One clock for the agent and iamd: with two, a second boundary falling between them moved
	// the credentials' expiry against the agent's view of it.
	clk := h.Clock
	a := newAgent(t, front.URL, cred, clk, nil)
	ctx := context.Background()
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := a.Current()
	if d := a.nextRefresh(nil, 0); d < 4*time.Hour || d > 5*time.Hour {
		t.Errorf("next refresh in %v, want 5h before the 6h credentials end", d)
	}
	sw.down.Store(true)
	if err := a.Refresh(ctx); err == nil {
		t.Fatal("refresh through a failing proxy succeeded")
	}
	if a.Current() != first {
		t.Fatal("credentials dropped during an outage")
	}
	clk.Advance(5*time.Hour + 30*time.Minute)
	if c := a.Current(); c == nil || c.Expiration.Sub(clk.Now()) < MinServedLifetime {
		t.Fatalf("after 5h30 of outage: %v", c)
	}
	clk.Advance(time.Hour)
	if a.Current() != nil {
		t.Fatal("expired credentials still served")
	}
	sw.down.Store(false)
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var rev map[string]any
	admin(t, h, url.Values{"Action": {"RevokeInstance"}, "InstanceId": {"i-0123456789abcdef0"}}, &rev)
	err := a.Refresh(ctx)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Code != "AccessDenied" {
		t.Fatalf("refresh after revocation: %v", err)
	}
	if a.Current() != nil {
		t.Fatal("credentials still served after revocation")
	}
}

func TestNextRefresh(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name     string
		life     time.Duration
		err      error
		failures int
		want     time.Duration
	}{
		{"six hours", 6 * time.Hour, nil, 0, 5 * time.Hour},
		{"one hour: half way", time.Hour, nil, 0, 30 * time.Minute},
		{"first failure", time.Hour, errors.New("down"), 1, 2 * time.Second},
		{"many failures capped", time.Hour, errors.New("down"), 40, maxRetryDelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAgent(t, "http://x", "c", clk, nil)
			a.creds = &Credentials{Expiration: clk.Now().Add(tc.life)}
			if got := a.nextRefresh(tc.err, tc.failures); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// fixed is an agent serving given credentials, without iamd.
func fixed(t testing.TB, clk *clock, mod func(*Config)) *Agent {
	a := newAgent(t, "http://127.0.0.1:1", "c", clk, mod)
	c := &Credentials{Code: "Success", AccessKeyId: "ASIAEXAMPLE", SecretAccessKey: "secret", Token: "tok",
		Expiration: clk.Now().Add(time.Hour), LastUpdated: clk.Now(), AccountId: "123456789012", RoleName: "web",
		RoleArn: "arn:aws:iam::123456789012:role/web", InstanceId: "i-0123456789abcdef0", Region: "eu-west-1",
		AvailabilityZone: "eu-west-1a", InstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/web"}
	a.creds, a.meta = c, c
	return a
}

func do(a http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	return w
}

func TestIMDSToken(t *testing.T) {
	clk := &clock{t: time.Now()}
	a := fixed(t, clk, nil)
	const ttl = "X-aws-ec2-metadata-token-ttl-seconds"
	for _, tc := range []struct {
		name   string
		method string
		hdr    map[string]string
		status int
	}{
		{"max ttl", "PUT", map[string]string{ttl: "21600"}, 200},
		{"min ttl", "PUT", map[string]string{ttl: "1"}, 200},
		{"missing ttl", "PUT", nil, 400},
		{"zero", "PUT", map[string]string{ttl: "0"}, 400},
		{"too long", "PUT", map[string]string{ttl: "21601"}, 400},
		{"sign", "PUT", map[string]string{ttl: "+60"}, 400},
		{"not a number", "PUT", map[string]string{ttl: "sixty"}, 400},
		{"forwarded", "PUT", map[string]string{ttl: "60", "X-Forwarded-For": "10.0.0.1"}, 403},
		{"get", "GET", map[string]string{ttl: "60"}, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(a, tc.method, tokenPath, tc.hdr)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if w.Code == 200 && w.Header().Get(ttlHeader) != tc.hdr[ttl] {
				t.Errorf("ttl header %q, want %q", w.Header().Get(ttlHeader), tc.hdr[ttl])
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	clk := &clock{t: time.Now()}
	a := fixed(t, clk, nil)
	v1 := fixed(t, clk, func(c *Config) { c.IMDSv1 = true })
	token := do(a, "PUT", tokenPath, map[string]string{ttlHeader: "60"}).Body.String()
	short := do(a, "PUT", tokenPath, map[string]string{ttlHeader: "1"}).Body.String()
	clk.Advance(2 * time.Second) // short has expired
	auth := map[string]string{tokenHeader: token}
	for _, tc := range []struct {
		name   string
		agent  *Agent
		path   string
		hdr    map[string]string
		status int
		body   string // a substring of the body
	}{
		{"no token", a, credsPrefix, nil, 401, ""},
		{"bad token", a, credsPrefix, map[string]string{tokenHeader: "AAAA"}, 401, ""},
		{"expired token", a, credsPrefix, map[string]string{tokenHeader: short}, 401, ""},
		{"other agent's token", v1, credsPrefix, auth, 401, ""},
		{"imdsv1", v1, credsPrefix, nil, 200, "web"},
		{"role list", a, credsPrefix, auth, 200, "web"},
		{"role", a, credsPrefix + "web", auth, 200, `"Type": "AWS-HMAC"`},
		{"expiration format", a, credsPrefix + "web", auth, 200, clk.Now().Add(-2 * time.Second).Add(time.Hour).UTC().Format(`"2006-01-02T15:04:05Z"`)},
		{"other role", a, credsPrefix + "db", auth, 404, ""},
		{"info", a, "/latest/meta-data/iam/info", auth, 200, "instance-profile/web"},
		{"instance id", a, "/latest/meta-data/instance-id", auth, 200, "i-0123456789abcdef0"},
		{"region", a, "/latest/meta-data/placement/region", auth, 200, "eu-west-1"},
		{"az", a, "/latest/meta-data/placement/availability-zone", auth, 200, "eu-west-1a"},
		{"document", a, "/latest/dynamic/instance-identity/document", auth, 200, `"accountId": "123456789012"`},
		{"unknown", a, "/latest/meta-data/ami-id", auth, 404, ""},
		{"container no auth", a, ContainerPath, nil, 401, ""},
		{"container wrong", a, ContainerPath, map[string]string{"Authorization": "nope"}, 403, ""},
		{"container", a, ContainerPath, map[string]string{"Authorization": "container-secret"}, 200, `"Token":"tok"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(tc.agent, "GET", tc.path, tc.hdr)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("%d %q, want %d containing %q", w.Code, w.Body.String(), tc.status, tc.body)
			}
		})
	}
}

func TestLogValueRedacts(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "c", &Credentials{AccessKeyId: "ASIAX", SecretAccessKey: "SECRETVALUE", Token: "TOKENVALUE"})
	if strings.Contains(b.String(), "SECRETVALUE") || strings.Contains(b.String(), "TOKENVALUE") || !strings.Contains(b.String(), "ASIAX") {
		t.Errorf("log: %s", b.String())
	}
}
