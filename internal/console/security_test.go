package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/console"
	"github.com/iamd/iamd/internal/iamtest"
)

// checkHeaders checks the headers every console answer carries.
func checkHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[f[0]] = strings.Join(f[1:], " ")
		}
	}
	for name, want := range map[string]string{"default-src": "'none'", "script-src": "'self'", "style-src": "'self'",
		"connect-src": "'self'", "frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'none'"} {
		if directives[name] != want {
			t.Errorf("%s: CSP %s is %q, want %q (CSP %q)", what, name, directives[name], want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("%s: CSP allows something unsafe: %q", what, csp)
	}
	cache := "no-store" // pages hold secrets and tokens
	if strings.Contains(what, "/console/static/") {
		cache = "no-cache" // assets: kept, revalidated by their ETag
		if h.Get("ETag") == "" {
			t.Errorf("%s: no ETag", what)
		}
	}
	for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
		"Cache-Control": cache, "Referrer-Policy": "no-referrer"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s is %q, want %q", what, name, got, want)
		}
	}
}

var (
	scriptTagRE  = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	handlerRE    = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleRE      = regexp.MustCompile(`(?i)(\sstyle\s*=|<style\b)`)
	javascriptRE = regexp.MustCompile(`(?i)javascript:`)
)

// checkNoInline checks a page has no inline script or style, which the CSP would block anyway.
func checkNoInline(t *testing.T, what, body string) {
	t.Helper()
	for _, tag := range scriptTagRE.FindAllString(body, -1) {
		if !strings.Contains(tag, ` src="/console/static/`) {
			t.Errorf("%s: inline script %s", what, tag)
		}
	}
	for _, re := range []*regexp.Regexp{handlerRE, styleRE, javascriptRE} {
		if m := re.FindString(body); m != "" {
			t.Errorf("%s: inline %q", what, m)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	signIn := b.get("/console")
	pre := signIn.cookie("iamd-console-signin")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/console"} {
		if !strings.Contains(pre, want) {
			t.Errorf("sign-in form's cookie %q lacks %s", pre, want)
		}
	}
	d := b.signedIn(iamtest.Account, "", rootPassword)
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	b.post("/console/users/alice/mfa", url.Values{"csrf": {d.csrf(t)}})
	if p := b.get("/console/users/alice/mfa"); p.status != http.StatusOK || !strings.Contains(p.body, "data:image/png") {
		t.Errorf("MFA setup page: %d", p.status)
	} else {
		checkHeaders(t, "MFA setup", p.header)
		checkNoInline(t, "MFA setup", p.body)
	}
	for _, path := range []string{"/console", "/console/users", "/console/users/~new", "/console/users/alice",
		"/console/users/alice/inline/inline", "/console/groups", "/console/roles",
		"/console/policies", "/console/policies?scope=AWS", "/console/policies/new", "/console/policy?arn=arn:aws:iam::aws:policy/ReadOnlyAccess",
		"/console/policy/diff?arn=arn:aws:iam::aws:policy/ReadOnlyAccess", "/console/users/alice/inline-edit?policy=inline",
		"/console/static/console.css", "/console/static/console.js", "/console/static/codemirror/codemirror.js", "/console/no-such-page"} {
		p := b.get(path)
		checkHeaders(t, path, p.header)
		if strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
			checkNoInline(t, path, p.body)
		}
	}
	signedOut := newBrowser(t, h)
	for _, path := range []string{"/console", "/console?account=123456789012", "/console/users"} {
		checkHeaders(t, "signed out "+path, signedOut.get(path).header)
	}
	refused := signedOut.post("/console/signin", url.Values{})
	checkHeaders(t, "refused sign-in", refused.header)
	checkNoInline(t, "refused sign-in", refused.body)
	checkNoInline(t, "sign-in", signIn.body)
	// Input is escaped where it is echoed.
	p := newBrowser(t, h).get("/console?account=" + url.QueryEscape(`"><script>alert(1)</script>`))
	checkNoInline(t, "echoed account", p.body)
	if strings.Contains(p.body, "<script>alert") {
		t.Errorf("the account parameter is not escaped:\n%s", p.body)
	}
}

// TestSecureCookies: cookies are Secure under TLS, and when iamd is told its public URL is https.
func TestSecureCookies(t *testing.T) {
	h := newHarness(t)
	ts := httptest.NewTLSServer(h.Node)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := ts.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b := &browser{t: t, base: ts.URL, c: c}
	if pre := b.get("/console").cookie("iamd-console-signin"); !strings.Contains(pre, "Secure") {
		t.Errorf("sign-in form's cookie under TLS: %q", pre)
	}
	p := b.signIn(iamtest.Account, "", rootPassword)
	if ck := p.cookie("iamd-console"); p.status != http.StatusSeeOther || !strings.Contains(ck, "Secure") {
		t.Errorf("session cookie under TLS: %d %q", p.status, ck)
	}

	cfg := iamtest.NodeConfig(filepath.Join(t.TempDir(), "data"))
	cfg.SecureCookies, cfg.RootPassword = true, rootPassword
	h = iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if pre := newBrowser(t, h).get("/console").cookie("iamd-console-signin"); !strings.Contains(pre, "Secure") {
		t.Errorf("sign-in form's cookie behind a TLS proxy: %q", pre)
	}
}

// TestCSRF: every state change is refused without its form token, with another session's, and
// from another site with the right one.
func TestCSRF(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(key.AccessKey.AccessKeyId)
	mfaUser(t, h, "mfa-user", "Mfa-User-Passw0rd", false)
	consoleUser(t, h, "reset-user", "Reset-User-Passw0rd", true)

	signedIn := newBrowser(t, h)
	dashboard := signedIn.signedIn(iamtest.Account, "", rootPassword)
	token := dashboard.csrf(t)
	other := newBrowser(t, h)
	otherToken := other.signedIn(iamtest.Account, "", rootPassword).csrf(t)

	// A browser at each stage of a sign-in, with the token of its page.
	stage := func(path string) (*browser, string) {
		switch path {
		case "/console/signin":
			b := newBrowser(t, h)
			return b, b.get("/console").csrf(t)
		case "/console/signin/mfa":
			b := newBrowser(t, h)
			b.signIn(iamtest.Account, "mfa-user", "Mfa-User-Passw0rd")
			return b, b.get(path).csrf(t)
		case "/console/signin/password":
			b := newBrowser(t, h)
			b.signIn(iamtest.Account, "reset-user", "Reset-User-Passw0rd")
			return b, b.get(path).csrf(t)
		}
		return signedIn, token
	}
	patterns := console.PostPatterns()
	if len(patterns) < 10 || !contains(patterns, "/console/signout") {
		t.Fatalf("state-changing routes: %v", patterns)
	}
	fill := strings.NewReplacer("{name}", "alice", "{id}", keyID, "{policy}", "inline")
	for _, pattern := range patterns {
		path := fill.Replace(pattern)
		b, good := stage(pattern)
		form := func(token string) url.Values {
			return url.Values{"csrf": {token}, "confirm": {"alice"}, "status": {"Inactive"}, "name": {"csrf-made"},
				"account": {iamtest.Account}, "kind": {"root"}, "password": {rootPassword}, "code": {"123456"},
				"document": {`{"Version":"2012-10-17","Statement":[]}`}}
		}
		for what, v := range map[string]url.Values{"no token": form(""), "wrong token": form("x" + good[1:]), "another session's token": form(otherToken)} {
			if pattern == "/console/signin" && what == "another session's token" {
				continue // the sign-in form's token is bound to its own cookie; no session yet
			}
			p := b.post(path, v)
			if p.status != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403\n%s", path, what, p.status, p.body)
			}
			checkHeaders(t, "refused "+path, p.header)
		}
		for what, hdr := range map[string][2]string{"cross-site fetch": {"Sec-Fetch-Site", "cross-site"},
			"same-site fetch": {"Sec-Fetch-Site", "same-site"}, "foreign origin": {"Origin", "https://evil.example"}} {
			req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form(good).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(hdr[0], hdr[1])
			if p := b.do(req); p.status != http.StatusForbidden {
				t.Errorf("POST %s from a %s with the right token: %d, want 403", path, what, p.status)
			}
		}
	}
	// Nothing changed: alice, her key, the sessions.
	keys, err := root.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Active" {
		t.Errorf("alice's key changed: %v %+v", err, keys)
	}
	if _, err := root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("csrf-made")}); err == nil {
		t.Error("a refused request created a user")
	}
	if p := signedIn.get("/console/users"); p.status != http.StatusOK {
		t.Errorf("session after refused requests: %d", p.status)
	}
	// And with the token, from the same origin, a state change works.
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/console/users/alice/keys/"+keyID+"/status",
		strings.NewReader(url.Values{"csrf": {token}, "status": {"Inactive"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", h.URL)
	if p := signedIn.do(req); p.status != http.StatusSeeOther {
		t.Errorf("deactivating with the token: %d %s", p.status, p.errorText())
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDenied: a user without permissions sees AWS's AccessDenied, and what decided it.
func TestDenied(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "bob", "Bobs-Passw0rd", false)
	b := newBrowser(t, h)
	d := b.signedIn(iamtest.Account, "bob", "Bobs-Passw0rd")
	if !strings.Contains(d.body, "AccessDenied") {
		t.Errorf("dashboard of a user without permissions:\n%s", d.body)
	}
	p := b.get("/console/users")
	want := "AccessDenied: User: arn:aws:iam::" + iamtest.Account + ":user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::" +
		iamtest.Account + ":user/ because no identity-based policy allows the iam:ListUsers action"
	if p.status != http.StatusForbidden || !strings.HasPrefix(p.errorText(), want) {
		t.Errorf("users page: %d %q\nwant %q", p.status, p.errorText(), want)
	}
	if !strings.Contains(p.errorText(), "Decided by: no Allow in identityPolicies") {
		t.Errorf("the denial does not say what decided it: %q", p.errorText())
	}
	// An explicit deny names its statement.
	policy(t, h, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Sid":"NoUserLists","Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`)
	p = b.get("/console/users")
	if p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "iam:ListUsers on resource: arn:aws:iam::"+iamtest.Account+":user/ with an explicit deny in an identity-based policy") ||
		!strings.Contains(p.errorText(), "Sid=NoUserLists") {
		t.Errorf("explicit deny: %d %q", p.status, p.errorText())
	}
	if p := b.get("/console/roles"); p.status != http.StatusOK {
		t.Errorf("roles (allowed): %d %s", p.status, p.errorText())
	}
	// Clients of the API are answered as AWS answers them: no explanation header.
	key, err := iamtest.IAM(h.Root()).CreateAccessKey(context.Background(), &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = iamtest.IAM(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")).
		ListUsers(context.Background(), &iamsdk.ListUsersInput{}, func(o *iamsdk.Options) {
			o.HTTPClient = headerCheck{t: t, c: h.Client()}
		})
	if err == nil {
		t.Error("ListUsers allowed")
	}
}

// headerCheck fails the test when an API answer carries the console's explanation header.
type headerCheck struct {
	t *testing.T
	c *http.Client
}

func (h headerCheck) Do(r *http.Request) (*http.Response, error) {
	resp, err := h.c.Do(r)
	if err == nil && resp.Header.Get(console.DecidedByHeader) != "" {
		h.t.Errorf("a client's answer explains its denial: %q", resp.Header.Get(console.DecidedByHeader))
	}
	return resp, err
}
