package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// broker is a custom identity broker: an IAM user whose key may assume the role "console-admin"
// (IAM read-only) and get federation tokens.
type broker struct {
	t   *testing.T
	h   *iamtest.Harness
	sts *stssdk.Client
}

func newBroker(t *testing.T, h *iamtest.Harness) *broker {
	t.Helper()
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("broker")}); err != nil {
		t.Fatal(err)
	}
	policy(t, h, "broker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:GetFederationToken"],"Resource":"*"}]}`)
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("broker")})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:user/broker"},"Action":"sts:AssumeRole"}]}`
	for _, name := range []string{"console-admin", "second", "second-gone"} {
		if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("console-admin"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	// console-admin may assume "second" too: role chaining.
	if _, err := root.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("console-admin"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("second"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:role/console-admin"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	return &broker{t: t, h: h, sts: iamtest.STS(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))}
}

// assume gets the role's credentials for a person.
func (b *broker) assume(role, person string, seconds int32) *ststypes.Credentials {
	b.t.Helper()
	out, err := b.sts.AssumeRole(context.Background(), &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/" + role),
		RoleSessionName: aws.String(person), DurationSeconds: aws.Int32(seconds)})
	if err != nil {
		b.t.Fatal(err)
	}
	return out.Credentials
}

// session is the Session parameter of getSigninToken.
func sessionParam(c *ststypes.Credentials) string {
	b, _ := json.Marshal(map[string]string{"sessionId": aws.ToString(c.AccessKeyId), "sessionKey": aws.ToString(c.SecretAccessKey),
		"sessionToken": aws.ToString(c.SessionToken)})
	return string(b)
}

// signinToken asks the federation endpoint for a sign-in token, as AWS's documented broker does
// (a GET); it returns the status and the token.
func (b *broker) signinToken(c *ststypes.Credentials, duration string) (int, string) {
	b.t.Helper()
	q := url.Values{"Action": {"getSigninToken"}, "Session": {sessionParam(c)}}
	if duration != "" {
		q.Set("SessionDuration", duration)
	}
	resp, err := b.h.Client().Get(b.h.URL + "/federation?" + q.Encode())
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ SigninToken string }
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") != "application/json" {
		b.t.Errorf("getSigninToken answered %s", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, out.SigninToken
}

// loginURL is the URL a broker gives the person.
func loginURL(h *iamtest.Harness, token, destination string) string {
	return h.URL + "/federation?" + url.Values{"Action": {"login"}, "Issuer": {"https://sso.example.com/start"},
		"Destination": {destination}, "SigninToken": {token}}.Encode()
}

func TestFederation(t *testing.T) {
	h := newHarness(t)
	br := newBroker(t, h)
	creds := br.assume("console-admin", "jane@example.com", 900)
	status, token := br.signinToken(creds, "7200")
	if status != http.StatusOK || token == "" {
		t.Fatalf("getSigninToken: %d %q", status, token)
	}
	b := newBrowser(t, h)
	req, _ := http.NewRequest(http.MethodGet, loginURL(h, token, h.URL+"/console/roles"), nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site") // from the broker's portal
	p := b.do(req)
	if p.status != http.StatusOK || p.header.Get("Refresh") != "0; url=/console/roles" || p.cookie("iamd-console") == "" {
		t.Fatalf("login: %d %q\n%s", p.status, p.header.Get("Refresh"), p.body)
	}
	checkHeaders(t, "login", p.header)
	checkNoInline(t, "login", p.body)
	roles := b.get("/console/roles")
	if roles.status != http.StatusOK || !strings.Contains(roles.body, "console-admin/jane@example.com @ "+iamtest.Account) ||
		!strings.Contains(roles.body, `href="/console/roles/second"`) {
		t.Fatalf("roles as the federated session: %d %s\n%s", roles.status, roles.errorText(), roles.body)
	}
	// The role's permissions: read-only.
	if p := b.post("/console/users", url.Values{"csrf": {roles.csrf(t)}, "name": {"nope"}}); p.status != http.StatusForbidden ||
		!strings.Contains(p.errorText(), "assumed-role/console-admin/jane@example.com is not authorized to perform: iam:CreateUser") {
		t.Errorf("create user as read-only: %d %q", p.status, p.errorText())
	}
	// SessionDuration outlasts the 15-minute credentials: two hours.
	h.Clock.Advance(time.Hour + 50*time.Minute)
	if p := b.get("/console/roles"); p.status != http.StatusOK {
		t.Errorf("after 1h50: %d %s", p.status, p.errorText())
	}
	h.Clock.Advance(15 * time.Minute)
	if p := b.get("/console/roles"); p.status != http.StatusSeeOther {
		t.Errorf("after 2h05: %d", p.status)
	}
	// The sign-in page then points back to the broker.
	if p := b.get("/console"); !strings.Contains(p.body, `<a href="https://sso.example.com/start">Sign in there again</a>`) {
		t.Errorf("sign-in page after a federated session:\n%s", p.body)
	}
}

func TestFederationRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	br := newBroker(t, h)
	creds := br.assume("console-admin", "jane", 900)
	bad := *creds
	bad.SecretAccessKey = aws.String("x" + aws.ToString(creds.SecretAccessKey)[1:])
	if status, _ := br.signinToken(&bad, ""); status != http.StatusBadRequest {
		t.Errorf("a wrong sessionKey: %d", status)
	}
	for _, d := range []string{"899", "43201", "two"} {
		if status, _ := br.signinToken(creds, d); status != http.StatusBadRequest {
			t.Errorf("SessionDuration %s: %d", d, status)
		}
	}
	// GetFederationToken credentials: without SessionDuration only.
	ft, err := br.sts.GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob"), DurationSeconds: aws.Int32(3600),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := br.signinToken(ft.Credentials, "3600"); status != http.StatusBadRequest {
		t.Errorf("GetFederationToken credentials with SessionDuration: %d", status)
	}
	status, token := br.signinToken(ft.Credentials, "")
	if status != http.StatusOK {
		t.Fatalf("GetFederationToken credentials: %d", status)
	}
	b := newBrowser(t, h)
	if p := b.get(strings.TrimPrefix(loginURL(h, token, "/console"), h.URL)); p.status != http.StatusOK {
		t.Fatalf("login as a federated user: %d", p.status)
	}
	if d := b.get("/console"); !strings.Contains(d.body, "bob @ "+iamtest.Account) {
		t.Errorf("federated user's dashboard:\n%s", d.body)
	}
	// Role chaining: at most an hour.
	client := iamtest.STS(h.Config(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
	chained, err := client.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/second"), RoleSessionName: aws.String("jane")})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := br.signinToken(chained.Credentials, "7200"); status != http.StatusBadRequest {
		t.Errorf("chained credentials for two hours: %d", status)
	}
	if status, _ := br.signinToken(chained.Credentials, "3600"); status != http.StatusOK {
		t.Errorf("chained credentials for an hour: %d", status)
	}
	// Not temporary, or not a role's or federated user's: a long-term key, a GetSessionToken session.
	key, _ := iamtest.IAM(h.Root()).CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("broker")})
	long := &ststypes.Credentials{AccessKeyId: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey, SessionToken: aws.String("")}
	if status, _ := br.signinToken(long, ""); status != http.StatusBadRequest {
		t.Errorf("a long-term key: %d", status)
	}
	st, err := iamtest.STS(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")).GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := br.signinToken(st.Credentials, ""); status != http.StatusBadRequest {
		t.Errorf("GetSessionToken credentials: %d", status)
	}
	// A sign-in token: not forged, not altered, 15 minutes.
	_, token = br.signinToken(creds, "")
	for what, tok := range map[string]string{"forged": "AAAA" + token[4:], "cut": token[:len(token)-3], "empty": ""} {
		if p := newBrowser(t, h).get(strings.TrimPrefix(loginURL(h, tok, "/console"), h.URL)); p.status != http.StatusForbidden || p.cookie("iamd-console") != "" {
			t.Errorf("%s token: %d", what, p.status)
		}
	}
	// Destinations stay on this console.
	for dest, want := range map[string]string{"https://console.aws.amazon.com/iam/home": "/console", "https://evil.example/console": "/console",
		"/console/users?q=a": "/console/users?q=a", "//evil.example/console": "/console", "/console/../federation": "/console", "javascript:alert(1)": "/console",
		h.URL + "/console/roles": "/console/roles"} {
		p := newBrowser(t, h).get(strings.TrimPrefix(loginURL(h, token, dest), h.URL))
		if got := p.header.Get("Refresh"); got != "0; url="+want {
			t.Errorf("Destination %q: Refresh %q, want %q", dest, got, want)
		}
	}
	// The credentials behind a token are checked again at login: once the role is gone, no more.
	_, tokenGone := br.signinToken(br.assume("second-gone", "jane", 900), "")
	if _, err := iamtest.IAM(h.Root()).DeleteRole(ctx, &iamsdk.DeleteRoleInput{RoleName: aws.String("second-gone")}); err != nil {
		t.Fatal(err)
	}
	if p := newBrowser(t, h).get(strings.TrimPrefix(loginURL(h, tokenGone, "/console"), h.URL)); p.status != http.StatusForbidden ||
		!strings.Contains(p.body, "no longer valid") {
		t.Errorf("a deleted role's token: %d", p.status)
	}
	h.Clock.Advance(16 * time.Minute)
	if p := newBrowser(t, h).get(strings.TrimPrefix(loginURL(h, token, "/console"), h.URL)); p.status != http.StatusForbidden {
		t.Errorf("a token 16 minutes old: %d", p.status)
	}
}

// TestFederationPOST: both actions by POST (form bodies) at /console/federation; sign-out
// leads to the Issuer.
func TestFederationPOST(t *testing.T) {
	h := newHarness(t)
	br := newBroker(t, h)
	creds := br.assume("console-admin", "jane", 900)
	resp, err := h.Client().PostForm(h.URL+"/console/federation", url.Values{"Action": {"getSigninToken"}, "Session": {sessionParam(creds)}})
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ SigninToken string }
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || out.SigninToken == "" {
		t.Fatalf("POST getSigninToken: %d", resp.StatusCode)
	}
	b := newBrowser(t, h)
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/console/federation", strings.NewReader(url.Values{"Action": {"login"},
		"SigninToken": {out.SigninToken}, "Issuer": {"https://sso.example.com/"}, "Destination": {"/console/users"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://sso.example.com")
	if p := b.do(req); p.status != http.StatusOK || p.header.Get("Refresh") != "0; url=/console/users" {
		t.Fatalf("POST login: %d %q\n%s", p.status, p.header.Get("Refresh"), p.body)
	}
	d := b.get("/console")
	if p := b.post("/console/signout", url.Values{"csrf": {d.csrf(t)}}); p.status != http.StatusOK || p.header.Get("Refresh") != "0; url=https://sso.example.com/" ||
		!strings.Contains(p.cookie("iamd-console"), "Max-Age=0") {
		t.Errorf("sign-out: %d %q", p.status, p.header.Get("Refresh"))
	}
	// Switching role from a federated role session is role chaining: one hour.
	_, token := br.signinToken(br.assume("console-admin", "jane", 900), "")
	b = newBrowser(t, h)
	b.get(strings.TrimPrefix(loginURL(h, token, "/console"), h.URL))
	tok := b.get("/console").csrf(t)
	if p := b.post("/console/switchrole", url.Values{"csrf": {tok}, "account": {iamtest.Account}, "roleName": {"second"}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch from a federated session: %d %s", p.status, p.errorText())
	}
	if d := b.get("/console"); !strings.Contains(d.body, "assumed-role/second/jane") {
		t.Errorf("switched:\n%s", d.body)
	}
}
