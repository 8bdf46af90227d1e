package vgw_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/vgw"
)

// gateway is a test's view of the protocol: iamd's handler on a unix socket, and a client that
// signs as a gateway does.
type gateway struct {
	t      *testing.T
	h      *iamtest.Harness
	client *http.Client
	sock   string
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	h := iamtest.New(t)
	handler, err := h.Node.Versitygw(context.Background(), "", "iamd test", nil)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(shortTempDir(t), "vgw.sock")
	ln, err := vgw.ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
		if _, err := os.Stat(sock); err == nil {
			t.Errorf("socket %s left behind", sock)
		}
	})
	return &gateway{t: t, h: h, client: client, sock: sock}
}

// shortTempDir is a temporary directory with a path short enough for a unix socket.
func shortTempDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "vgw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// call posts body to path signed with keyID/secret (no signature when keyID is ""), with the
// protocol header unless version is "", and returns the status and the decoded answer.
func (g *gateway) call(path string, body any, keyID, secret, version string, out any) (int, map[string]string) {
	g.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		g.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://unix"+path, bytes.NewReader(b))
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if version != "" {
		req.Header.Set(vgw.ProtocolHeader, version)
	}
	if keyID != "" {
		sum := sha256.Sum256(b)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
			req, hash, "iam", "us-east-1", time.Now())
		if err != nil {
			g.t.Fatal(err)
		}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if got := resp.Header.Get(vgw.ProtocolHeader); got != "1" {
		g.t.Errorf("%s: %s = %q, want 1", path, vgw.ProtocolHeader, got)
	}
	if resp.StatusCode != http.StatusOK {
		var e map[string]string
		if err := json.Unmarshal(raw, &e); err != nil {
			g.t.Fatalf("%s: %d with a body that is not JSON: %q", path, resp.StatusCode, raw)
		}
		return resp.StatusCode, e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			g.t.Fatalf("%s: %v in %q", path, err, raw)
		}
	}
	return resp.StatusCode, nil
}

// root calls as the gateway: signed by the account's root key, protocol 1.
func (g *gateway) root(path string, body, out any) (int, map[string]string) {
	return g.call(path, body, iamtest.RootKeyID, iamtest.RootSecret, "1", out)
}

// user makes an IAM user with inline policy doc (none when "") and returns its ARN and key.
func (g *gateway) user(name, path, doc string) (arn, keyID, secret string) {
	g.t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(g.h.Root())
	u, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)})
	if err != nil {
		g.t.Fatal(err)
	}
	if doc != "" {
		if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			g.t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		g.t.Fatal(err)
	}
	return aws.ToString(u.User.Arn), aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

const bucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::photos/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos"},
 {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/locked/*"},
 {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::office/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
 {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/*","Condition":{"StringEquals":{"aws:username":"someone-else"}}}]}`

func TestAuthentication(t *testing.T) {
	g := newGateway(t)
	_, userKey, userSecret := g.user("alice", "/", "")

	var v vgw.VersionResponse
	if st, e := g.root(vgw.PathVersion, struct{}{}, &v); st != 200 {
		t.Fatalf("version: %d %v", st, e)
	}
	if v.Protocol != 1 || v.MinClient != 1 || v.AccountID != iamtest.Account || v.ServerVersion != "iamd test" {
		t.Errorf("version = %+v", v)
	}
	// The version endpoint answers without the protocol header; the others refuse.
	if st, e := g.call(vgw.PathVersion, struct{}{}, iamtest.RootKeyID, iamtest.RootSecret, "", &v); st != 200 {
		t.Errorf("version without the header: %d %v", st, e)
	}
	for _, ver := range []string{"", "0", "x", "+1", "12345"} {
		st, e := g.call(vgw.PathResolveIdentity, vgw.ResolveIdentityRequest{}, iamtest.RootKeyID, iamtest.RootSecret, ver, nil)
		if st != 400 || e["code"] != vgw.CodeProtocolMismatch {
			t.Errorf("protocol %q: %d %v", ver, st, e)
		}
	}
	if st, _ := g.call(vgw.PathResolveIdentity, vgw.ResolveIdentityRequest{}, iamtest.RootKeyID, iamtest.RootSecret, "2", nil); st != 200 {
		t.Errorf("a newer gateway: %d", st)
	}
	for name, c := range map[string][2]string{
		"unsigned":     {"", ""},
		"wrong secret": {iamtest.RootKeyID, "x" + iamtest.RootSecret[1:]},
		"a user's key": {userKey, userSecret},
		"unknown key":  {"AKIAXXXXXXXXXXXXXXXX", iamtest.RootSecret},
	} {
		st, e := g.call(vgw.PathVersion, struct{}{}, c[0], c[1], "1", nil)
		if st != 403 || e["code"] == "" {
			t.Errorf("%s: %d %v", name, st, e)
		}
	}
	// Not a POST, and not an endpoint.
	resp, err := g.client.Get("http://unix" + vgw.PathVersion)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if st, _ := g.root("/private/nothing", struct{}{}, nil); st != 404 {
		t.Errorf("unknown path: %d", st)
	}
	if st, e := g.call(vgw.PathDeriveSigningKey, "{", iamtest.RootKeyID, iamtest.RootSecret, "1", nil); st != 400 || e["code"] != vgw.CodeBadRequest {
		t.Errorf("bad body: %d %v", st, e)
	}
}

func TestDeriveSigningKey(t *testing.T) {
	g := newGateway(t)
	arn, key, secret := g.user("bob", "/team/", "")
	var d vgw.DeriveResponse
	if st, e := g.root(vgw.PathDeriveSigningKey, vgw.DeriveRequest{AccessKeyID: key, Date: "20260102", Region: "us-east-1", Service: "s3"}, &d); st != 200 {
		t.Fatalf("derive: %d %v", st, e)
	}
	if !bytes.Equal(d.DerivedKey, vgw.SigningKey(secret, "20260102", "us-east-1", "s3")) || d.PrincipalArn != arn || d.RoleArn != "" {
		t.Errorf("derive = %+v", d)
	}
	// The key is SigV4's: the AWS documentation's example (Signature Version 4, "derive a
	// signing key").
	if got := hex.EncodeToString(vgw.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
		t.Errorf("signing key of AWS's example = %s", got)
	}

	for name, c := range map[string]struct {
		req  vgw.DeriveRequest
		code string
	}{
		"unknown key":         {vgw.DeriveRequest{AccessKeyID: "AKIAXXXXXXXXXXXXXXXX", Date: "20260102", Region: "r", Service: "s3"}, vgw.CodeNoSuchIdentity},
		"token with a key":    {vgw.DeriveRequest{AccessKeyID: key, SessionToken: "x", Date: "20260102", Region: "r", Service: "s3"}, vgw.CodeInvalidToken},
		"session, no token":   {vgw.DeriveRequest{AccessKeyID: "ASIAXXXXXXXXXXXXXXXX", Date: "20260102", Region: "r", Service: "s3"}, vgw.CodeInvalidToken},
		"session, bad token":  {vgw.DeriveRequest{AccessKeyID: "ASIAXXXXXXXXXXXXXXXX", SessionToken: "bad", Date: "20260102", Region: "r", Service: "s3"}, vgw.CodeInvalidToken},
		"bad date":            {vgw.DeriveRequest{AccessKeyID: key, Date: "2026-01-02", Region: "r", Service: "s3"}, vgw.CodeBadRequest},
		"no service":          {vgw.DeriveRequest{AccessKeyID: key, Date: "20260102", Region: "r"}, vgw.CodeBadRequest},
		"slash in the region": {vgw.DeriveRequest{AccessKeyID: key, Date: "20260102", Region: "a/b", Service: "s3"}, vgw.CodeBadRequest},
	} {
		if st, e := g.root(vgw.PathDeriveSigningKey, c.req, nil); st == 200 || e["code"] != c.code {
			t.Errorf("%s: %d %v, want %s", name, st, e, c.code)
		}
	}

	// A deactivated key no longer resolves.
	ctx := context.Background()
	if _, err := iamtest.IAM(g.h.Root()).UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(key), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	if st, e := g.root(vgw.PathDeriveSigningKey, vgw.DeriveRequest{AccessKeyID: key, Date: "20260102", Region: "us-east-1", Service: "s3"}, nil); st != 403 || e["code"] != vgw.CodeNoSuchIdentity {
		t.Errorf("inactive key: %d %v", st, e)
	}
}

// role makes a role that the account may assume with identity policy doc, and returns
// credentials of a session of it with session policy sessionPolicy (none when "").
func (g *gateway) role(name, doc, sessionPolicy string) (roleARN string, creds aws.Credentials) {
	g.t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(g.h.Root())
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"sts:AssumeRole"}]}`
	r, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		g.t.Fatal(err)
	}
	if _, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		g.t.Fatal(err)
	}
	// A user (the root user cannot assume roles) whose policy allows assuming it.
	_, key, secret := g.user(name+"-assumer", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	in := &stssdk.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("sess1")}
	if sessionPolicy != "" {
		in.Policy = aws.String(sessionPolicy)
	}
	out, err := iamtest.STS(g.h.Config(key, secret, "")).AssumeRole(ctx, in)
	if err != nil {
		g.t.Fatal(err)
	}
	return aws.ToString(r.Role.Arn), aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
}

func TestEvaluatePolicy(t *testing.T) {
	g := newGateway(t)
	arn, key, _ := g.user("carol", "/", bucketPolicy)
	actions := []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	resources := []string{"arn:aws:s3:::photos/a.jpg", "arn:aws:s3:::photos/locked/b", "arn:aws:s3:::other/c"}
	var ev vgw.EvaluateResponse
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: actions, Resources: resources, Region: "us-east-1", Service: "s3"}, &ev); st != 200 {
		t.Fatalf("evaluate: %d %v", st, e)
	}
	want := [][]string{
		{"allow", "allow", "no_match"},
		{"allow", "deny", "no_match"},
		{"no_match", "no_match", "no_match"},
	}
	if !equal(ev.Decisions, want) || ev.HasSessionPolicy || ev.SessionDecisions != nil || ev.PrincipalArn != arn {
		t.Errorf("evaluate = %+v, want decisions %v", ev, want)
	}

	// Conditions: the request's keys come from the gateway, the caller's from iamd alone.
	for _, c := range []struct {
		resource string
		cond     map[string][]string
		want     string
	}{
		{"arn:aws:s3:::office/x", map[string][]string{"aws:SourceIp": {"10.1.2.3"}}, "allow"},
		{"arn:aws:s3:::office/x", map[string][]string{"aws:SourceIp": {"192.0.2.1"}}, "no_match"},
		{"arn:aws:s3:::office/x", nil, "no_match"},
		{"arn:aws:s3:::home/x", map[string][]string{"aws:username": {"someone-else"}}, "no_match"},
		{"arn:aws:s3:::home/x", map[string][]string{"AWS:UserName": {"someone-else"}}, "no_match"},
	} {
		var ev vgw.EvaluateResponse
		if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: []string{"s3:GetObject"}, Resources: []string{c.resource}, Condition: c.cond}, &ev); st != 200 {
			t.Fatalf("evaluate: %d %v", st, e)
		}
		if got := ev.Decisions[0][0]; got != c.want {
			t.Errorf("%s with %v: %s, want %s", c.resource, c.cond, got, c.want)
		}
	}

	// Bounds and errors.
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: actions}, nil); st != 400 {
		t.Errorf("no resources: %d %v", st, e)
	}
	many := make([]string, vgw.MaxCells/2+1)
	for i := range many {
		many[i] = "arn:aws:s3:::b/k"
	}
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: many}, nil); st != 400 {
		t.Errorf("too many cells: %d %v", st, e)
	}
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: "AKIAXXXXXXXXXXXXXXXX", Actions: actions, Resources: resources}, nil); st != 403 || e["code"] != vgw.CodeNoSuchIdentity {
		t.Errorf("unknown key: %d %v", st, e)
	}
}

func TestEvaluatePolicyBoundary(t *testing.T) {
	g := newGateway(t)
	_, key, _ := g.user("dave", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	ctx := context.Background()
	c := iamtest.IAM(g.h.Root())
	p, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("boundary"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("dave"), PermissionsBoundary: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	var ev vgw.EvaluateResponse
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::b/k"}}, &ev); st != 200 {
		t.Fatalf("evaluate: %d %v", st, e)
	}
	// Outside the boundary is no match (a bucket policy naming the user may still grant); the
	// boundary's Deny is a deny.
	if want := [][]string{{"allow", "no_match", "deny"}}; !equal(ev.Decisions, want) {
		t.Errorf("decisions %v, want %v", ev.Decisions, want)
	}
}

func TestEvaluatePolicySession(t *testing.T) {
	g := newGateway(t)
	roleARN, creds := g.role("reader",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`)
	sessionARN := "arn:aws:sts::" + iamtest.Account + ":assumed-role/reader/sess1"

	var d vgw.DeriveResponse
	if st, e := g.root(vgw.PathDeriveSigningKey, vgw.DeriveRequest{AccessKeyID: creds.AccessKeyID, SessionToken: creds.SessionToken, Date: "20260102", Region: "us-east-1", Service: "s3"}, &d); st != 200 {
		t.Fatalf("derive: %d %v", st, e)
	}
	if !bytes.Equal(d.DerivedKey, vgw.SigningKey(creds.SecretAccessKey, "20260102", "us-east-1", "s3")) || d.PrincipalArn != sessionARN || d.RoleArn != roleARN {
		t.Errorf("derive = %+v", d)
	}
	// The token must be the key's.
	// Another key id with the session's token: its last character changed (to one it is not).
	last := "Q"
	if strings.HasSuffix(creds.AccessKeyID, last) {
		last = "R"
	}
	if st, e := g.root(vgw.PathDeriveSigningKey, vgw.DeriveRequest{AccessKeyID: "ASIA" + creds.AccessKeyID[4:len(creds.AccessKeyID)-1] + last, SessionToken: creds.SessionToken, Date: "20260102", Region: "us-east-1", Service: "s3"}, nil); st != 403 || e["code"] != vgw.CodeInvalidToken {
		t.Errorf("another key id: %d %v", st, e)
	}

	var ev vgw.EvaluateResponse
	req := vgw.EvaluateRequest{AccessKeyID: creds.AccessKeyID, SessionToken: creds.SessionToken,
		Actions: []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::b/k"}}
	if st, e := g.root(vgw.PathEvaluatePolicy, req, &ev); st != 200 {
		t.Fatalf("evaluate: %d %v", st, e)
	}
	if want := [][]string{{"allow", "allow", "no_match", "no_match"}}; !equal(ev.Decisions, want) {
		t.Errorf("decisions %v, want %v", ev.Decisions, want)
	}
	if want := [][]string{{"allow", "no_match", "allow", "deny"}}; !ev.HasSessionPolicy || !equal(ev.SessionDecisions, want) {
		t.Errorf("session decisions %v (has %v), want %v", ev.SessionDecisions, ev.HasSessionPolicy, want)
	}
	if ev.PrincipalArn != sessionARN {
		t.Errorf("principal %s", ev.PrincipalArn)
	}

	// Without the token, or with the key id alone, nothing.
	req.SessionToken = ""
	if st, e := g.root(vgw.PathEvaluatePolicy, req, nil); st != 403 || e["code"] != vgw.CodeInvalidToken {
		t.Errorf("no token: %d %v", st, e)
	}
	var ri vgw.ResolveIdentityResponse
	if st, _ := g.root(vgw.PathResolveIdentity, vgw.ResolveIdentityRequest{AccessKeyIDs: []string{creds.AccessKeyID}}, &ri); st != 200 || len(ri.Identities) != 1 || ri.Identities[0].Found {
		t.Errorf("resolve a session's key: %d %+v", st, ri)
	}
}

func TestResolveIdentity(t *testing.T) {
	g := newGateway(t)
	arn, key, _ := g.user("erin", "/", "")
	var ri vgw.ResolveIdentityResponse
	ids := []string{key, "AKIAXXXXXXXXXXXXXXXX", "", iamtest.RootKeyID, "ASIAXXXXXXXXXXXXXXXX"}
	if st, e := g.root(vgw.PathResolveIdentity, vgw.ResolveIdentityRequest{AccessKeyIDs: ids}, &ri); st != 200 {
		t.Fatalf("resolve: %d %v", st, e)
	}
	want := []vgw.ResolvedIdentity{
		{Found: true, Kind: "user", PrincipalArn: arn}, {}, {},
		{Found: true, Kind: "user", PrincipalArn: "arn:aws:iam::" + iamtest.Account + ":root"}, {},
	}
	if len(ri.Identities) != len(want) {
		t.Fatalf("identities %+v", ri.Identities)
	}
	for i := range want {
		if ri.Identities[i] != want[i] {
			t.Errorf("%s: %+v, want %+v", ids[i], ri.Identities[i], want[i])
		}
	}
}

func TestResolvePrincipals(t *testing.T) {
	g := newGateway(t)
	userARN, _, _ := g.user("frank", "/team/", "")
	roleARN, _ := g.role("writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "")
	acct := iamtest.Account
	valid := []string{"*", acct, "arn:aws:iam::" + acct + ":root", userARN, roleARN,
		"arn:aws:sts::" + acct + ":assumed-role/writer/any-session", "arn:aws:sts::" + acct + ":federated-user/bob"}
	invalid := []string{"", "AKIAXXXXXXXXXXXXXXXX", "frank", "arn:aws:iam::" + acct + ":user/frank",
		"arn:aws:iam::" + acct + ":user/team/nobody", "arn:aws:iam::" + acct + ":role/nobody",
		"arn:aws:sts::" + acct + ":assumed-role/nobody/s1", "arn:aws:sts::" + acct + ":assumed-role/writer",
		"arn:aws:sts::" + acct + ":assumed-role/writer/*", "arn:aws:sts::" + acct + ":assumed-role/writer/s",
		"arn:aws:sts::" + acct + ":assumed-role/writer/a b", "arn:aws:sts::" + acct + ":assumed-role/WRITER/s1",
		"arn:aws:sts::" + acct + ":assumed-role/writer/" + strings.Repeat("s", 65),
		"arn:aws:iam::" + acct + ":user/team/*", "arn:aws:iam::*:user/team/frank", "arn:aws:iam::" + acct + ":USER/team/frank",
		userARN + "/", " " + userARN, userARN + " ", "arn:aws:iam::111111111111:root", "111111111111",
		"arn:aws:iam:us-east-1:" + acct + ":root", "arn:aws-cn:iam::" + acct + ":root", "arn:aws:iam::" + acct + ":group/admins",
		"arn:aws:s3:::bucket", "not-an-arn", strings.ToUpper(userARN)}
	var rp vgw.ResolvePrincipalsResponse
	if st, e := g.root(vgw.PathResolvePrincipals, vgw.ResolvePrincipalsRequest{Principals: append(append([]string{}, valid...), invalid...)}, &rp); st != 200 {
		t.Fatalf("resolve: %d %v", st, e)
	}
	if strings.Join(rp.Invalid, "\n") != strings.Join(invalid, "\n") {
		t.Errorf("invalid:\n%s\nwant:\n%s", strings.Join(rp.Invalid, "\n"), strings.Join(invalid, "\n"))
	}
	// All valid: an empty list, not null.
	if st, _ := g.root(vgw.PathResolvePrincipals, vgw.ResolvePrincipalsRequest{Principals: valid}, &rp); st != 200 || rp.Invalid == nil || len(rp.Invalid) != 0 {
		t.Errorf("valid: %d %+v", st, rp)
	}
}

func TestAccessKeyLastUsed(t *testing.T) {
	g := newGateway(t)
	_, key, _ := g.user("gina", "/", bucketPolicy)
	if st, e := g.root(vgw.PathEvaluatePolicy, vgw.EvaluateRequest{AccessKeyID: key, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::photos/a"}, Region: "eu-west-3", Service: "s3"}, nil); st != 200 {
		t.Fatalf("evaluate: %d %v", st, e)
	}
	// Written before the answer: a client reads it right after its S3 call.
	out, err := iamtest.IAM(g.h.Root()).GetAccessKeyLastUsed(context.Background(), &iamsdk.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if lu := out.AccessKeyLastUsed; aws.ToString(lu.ServiceName) != "s3" || aws.ToString(lu.Region) != "eu-west-3" || lu.LastUsedDate == nil {
		t.Errorf("last used: %+v", lu)
	}
}

func TestListenUnix(t *testing.T) {
	dir := shortTempDir(t)
	sock := filepath.Join(dir, "s")
	ln, err := vgw.ListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if _, err := vgw.ListenUnix(sock); err == nil {
		t.Error("a socket in use was replaced")
	}
	ln.Close()
	if _, err := os.Stat(sock); err == nil {
		t.Error("socket left behind")
	}
	// A stale socket (its listener gone without removing it) is replaced; a file is not.
	l2, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l2.(*net.UnixListener).SetUnlinkOnClose(false)
	l2.Close()
	ln, err = vgw.ListenUnix(sock)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	ln.Close()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	if _, err := vgw.ListenUnix(file); err == nil {
		t.Error("a file was replaced")
	}
}

func equal(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], ",") != strings.Join(b[i], ",") {
			return false
		}
	}
	return true
}
