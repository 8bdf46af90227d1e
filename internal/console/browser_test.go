package console_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/totp"
)

// TestBrowserRootSignIn: the root user signs in, the dashboard shows, at desktop and phone
// widths; the session cookie is out of the page's reach; sign-out ends the session.
func TestBrowserRootSignIn(t *testing.T) {
	h := newHarness(t)
	c := newChrome(t, h)
	c.open("/console?account=" + iamtest.Account)
	c.shot("signin")
	c.signIn(iamtest.Account, "", rootPassword)
	if c.path() != "/console" || !strings.Contains(c.text("#principal"), "root @ "+iamtest.Account) {
		t.Fatalf("after sign-in: %s %q", c.path(), c.text("#main"))
	}
	c.shot("dashboard")
	if cookies := c.eval(`document.cookie`); strings.Contains(cookies, "iamd-console") {
		t.Errorf("the page can read the session cookie: %s", cookies)
	}
	c.phone(true)
	c.open("/console")
	c.shot("dashboard-phone")
	c.open("/console/users")
	c.shot("users-phone")
	c.phone(false)
	c.click("#signout")
	if !c.has("#signin-form") || c.path() != "/console?account="+iamtest.Account {
		t.Errorf("after sign-out: %s", c.path())
	}
	c.shot("signed-out")
	c.open("/console/users")
	if !c.has("#signin-form") {
		t.Errorf("signed out, /console/users shows %s", c.path())
	}
}

// TestBrowserKeyboardSignIn: the sign-in form works from the keyboard alone.
func TestBrowserKeyboardSignIn(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "kim", "Kims-Passw0rd!", false)
	c := newChrome(t, h)
	c.open("/console")
	c.do(chromedp.Focus(chromedp.ID("account")), chromedp.KeyEvent(iamtest.Account+kb.Tab+"kim"+kb.Tab+"Kims-Passw0rd!"))
	if _, err := chromedp.Run(c.ctx, chromedp.WaitEvent(pageLoad, nil, chromedp.KeyEvent(kb.Enter))); err != nil {
		t.Fatal(err)
	}
	c.do(chromedp.WaitVisible(chromedp.ID("signout")))
	if !strings.Contains(c.text("#principal"), "kim @ ") {
		t.Errorf("keyboard sign-in: %s", c.path())
	}
}

// TestBrowserUserMFAAndNewPassword: a user with an MFA device whose password must be replaced:
// the code, then a new password (one the policy refuses first, shown inline).
func TestBrowserUserMFAAndNewPassword(t *testing.T) {
	h := newHarness(t)
	if _, err := iamtest.IAM(h.Root()).UpdateAccountPasswordPolicy(context.Background(), &iamsdk.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true}); err != nil {
		t.Fatal(err)
	}
	seed := mfaUser(t, h, "alice", "Alice-Passw0rd-1", true)
	h.Clock.Advance(30 * time.Second)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "alice", "Alice-Passw0rd-1")
	if c.path() != "/console/signin/mfa" {
		t.Fatalf("after the password: %s", c.path())
	}
	c.shot("mfa")
	c.fill("#code", totp.Code(seed, totp.Step(h.Clock.Now())))
	c.click("#mfa-submit")
	if c.path() != "/console/signin/password" {
		t.Fatalf("after the code: %s %q", c.path(), c.text("#main"))
	}
	c.shot("new-password")
	c.fill("#new-password", "too-short-1")
	c.fill("#confirm", "too-short-1")
	c.click("#password-submit")
	if msg := c.text("#password-error"); msg != "Password should have a minimum length of 14, Password should have at least one symbol character" &&
		!strings.Contains(msg, "minimum length of 14") {
		t.Errorf("policy violation shown as %q", msg)
	}
	c.shot("new-password-refused")
	c.fill("#new-password", "Alice-New-Passw0rd!")
	c.fill("#confirm", "Alice-New-Passw0rd!")
	c.click("#password-submit")
	if c.path() != "/console" || !strings.Contains(c.text("header"), "MFA") {
		t.Fatalf("after the new password: %s %q", c.path(), c.text("header"))
	}
	c.shot("dashboard-user")
}

// TestBrowserCreateUserAttachPolicy: root creates a user with a console password and an access
// key (the secret shown once, the CSV downloaded), attaches a policy to it, and deletes a key
// (console.js asks first).
func TestBrowserCreateUserAttachPolicy(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := newChrome(t, h)
	c.acceptDialogs()
	c.signIn(iamtest.Account, "", rootPassword)
	c.click(`nav a[href="/console/users"]`)
	c.shot("users")
	c.click("#create-user")
	c.fill("#name", "newbie")
	c.fill("#password", "Newbie-Passw0rd!")
	c.do(chromedp.Click(chromedp.ID("key")))
	c.shot("create-user")
	c.click("#create-submit")
	if c.path() != "/console/users/~created" {
		t.Fatalf("after create: %s %q", c.path(), c.text("#main"))
	}
	keyID, secret := c.text("#created-key-id"), c.text("#created-secret")
	c.shot("user-created")
	rows, err := csv.NewReader(strings.NewReader(c.download("#download-csv", "newbie_credentials.csv"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][2] != keyID || rows[1][3] != secret || rows[1][1] != "Newbie-Passw0rd!" {
		t.Errorf("CSV: %v %q", err, rows)
	}
	if id, err := iamtest.STS(h.Config(keyID, secret, "")).GetCallerIdentity(ctx, nil); err != nil || !strings.HasSuffix(aws.ToString(id.Arn), ":user/newbie") {
		t.Errorf("the key shown does not work: %v", err)
	}
	c.click("#created-done")
	if c.path() != "/console/users/newbie" {
		t.Fatalf("after done: %s", c.path())
	}
	if strings.Contains(c.text("#main"), secret) {
		t.Error("the secret is still shown")
	}
	c.fill("#attach-policy", "ReadOnlyAccess")
	c.click("#attach-submit")
	if !strings.Contains(c.text("#attached"), "ReadOnlyAccess") {
		t.Errorf("attached: %q", c.text("#attached"))
	}
	c.shot("user-policy-attached")
	att, err := iamtest.IAM(h.Root()).ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("newbie")})
	if err != nil || len(att.AttachedPolicies) != 1 {
		t.Errorf("attached policies: %v %+v", err, att)
	}
	c.click(".key-delete")
	if !strings.Contains(c.text("#keys"), "No access keys.") {
		t.Errorf("key not deleted: %q", c.text("#keys"))
	}
}

// TestBrowserDenied: a user without permissions sees the denial, in AWS's words, and why.
func TestBrowserDenied(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "bob", "Bobs-Passw0rd!", false)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "bob", "Bobs-Passw0rd!")
	c.shot("dashboard-denied")
	c.open("/console/users")
	msg := squash(c.text("#api-error"))
	if !strings.HasPrefix(msg, "AccessDenied: User: arn:aws:iam::"+iamtest.Account+":user/bob is not authorized to perform: iam:ListUsers") ||
		!strings.Contains(msg, "Decided by: no Allow in identityPolicies") {
		t.Errorf("denial shown as %q", msg)
	}
	c.shot("users-denied")
}

// TestBrowserSwitchRole: alice switches to a role of another hosted account, shown in the header
// in its colour, acts there, and switches back.
func TestBrowserSwitchRole(t *testing.T) {
	h := newHarness(t)
	switchSetup(t, h)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "alice", "Alice-Passw0rd")
	c.click("#switch-role-link")
	c.fill("#sr-account", "other-corp")
	c.fill("#sr-role", "Admin")
	c.fill("#sr-display", "Production")
	c.do(chromedp.Click(chromedp.ID("sr-color-green")))
	c.shot("switch-role-form")
	c.click("#switchrole-submit")
	if got := c.text("#role"); got != "Production" {
		t.Fatalf("header role: %q (at %s: %q)", got, c.path(), c.text("#main"))
	}
	if bg := c.eval(`getComputedStyle(document.getElementById("role")).backgroundColor`); bg != `"rgb(183, 202, 157)"` {
		t.Errorf("role colour %s", bg)
	}
	if c.text("#account-id") != otherAccount {
		t.Errorf("dashboard account %q", c.text("#account-id"))
	}
	c.shot("dashboard-as-role")
	c.click(`nav a[href="/console/users"]`)
	if !strings.Contains(c.text("#users"), "b-user") {
		t.Errorf("users as the role: %q", c.text("#main"))
	}
	c.shot("users-as-role")
	c.phone(true)
	c.open("/console")
	c.shot("dashboard-as-role-phone")
	c.phone(false)
	c.click("#switch-back")
	if c.has("#role") || c.text("#account-id") != iamtest.Account {
		t.Errorf("after switching back: %q", c.text("header"))
	}
	c.click("#switch-role-link")
	c.shot("switch-role-history")
	if !strings.Contains(c.text("#recent-roles"), "Production") {
		t.Errorf("role history: %q", c.text("#main"))
	}
}

// TestBrowserPolicyEditor: the policy editor is CodeMirror, validating as one types (the fault's
// message and position, a marker on its line); the simulator beside it; a saved policy, a new
// version, the diff.
func TestBrowserPolicyEditor(t *testing.T) {
	h := newHarness(t)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "", rootPassword)
	c.click(`nav a[href="/console/policies"]`)
	c.click("#create-policy")
	c.do(chromedp.WaitVisible(chromedp.CSS(".CodeMirror")))
	if c.eval(`document.getElementById("document").style.display`) != `"none"` {
		t.Error("the textarea was not replaced by the editor")
	}
	setDoc := func(doc string) {
		c.t.Helper()
		js, _ := json.Marshal(doc)
		c.eval(`document.querySelector(".CodeMirror").CodeMirror.setValue(` + string(js) + `)`)
	}
	c.fill("#policy-name", "Reader")
	setDoc(badDoc)
	c.do(chromedp.WaitVisible(chromedp.CSS(".CodeMirror-lint-marker-error")))
	c.waitText("#validation", "Line 5, column 17: MalformedPolicyDocument: Syntax errors in policy.")
	// The marker is on the fault's line.
	if line := c.eval(`document.querySelector(".CodeMirror-lint-marker-error").closest(".CodeMirror-gutter-wrapper").parentNode.querySelector(".CodeMirror-linenumber").textContent`); line != `"5"` {
		t.Errorf("marker on line %s", line)
	}
	c.shot("editor-invalid")
	// Typing fixes it: the "l" Effect lacks.
	c.eval(`(function(){var cm=document.querySelector(".CodeMirror").CodeMirror; cm.focus(); cm.setCursor({line: 4, ch: 19});})()`)
	c.do(chromedp.KeyEvent("l"))
	c.waitText("#validation", "The document is valid.")
	if c.has(".CodeMirror-lint-marker-error") {
		t.Error("the marker stayed")
	}
	setDoc(simDoc)
	c.fill("#sim-actions", "s3:GetObject, s3:PutObject")
	c.fill("#sim-resources", "arn:aws:s3:::b/report.pdf\narn:aws:s3:::b/secret-plan")
	c.click("#editor-simulate")
	res := c.text("#sim-results")
	for _, want := range []string{"allowed", "explicitDeny", "implicitDeny", "statement at line 5"} {
		if !strings.Contains(res, want) {
			t.Errorf("simulation lacks %q: %q", want, res)
		}
	}
	if got := c.eval(`document.querySelector(".CodeMirror").CodeMirror.getValue()`); !strings.Contains(got, "NoSecrets") {
		t.Errorf("the document after simulating: %s", got)
	}
	c.shot("editor-simulated")
	c.click("#editor-save")
	if !strings.HasPrefix(c.path(), "/console/policy?arn=") || c.text("#default-version") != "v1" {
		t.Fatalf("after save: %s %q", c.path(), c.text("#main"))
	}
	c.shot("policy")
	c.click("#edit-policy")
	c.do(chromedp.WaitVisible(chromedp.CSS(".CodeMirror")))
	setDoc(strings.Replace(simDoc, "secret*", "private/*", 1))
	c.click("#editor-save")
	c.click("#compare-versions")
	if !strings.Contains(c.text("#diff"), "private/*") {
		t.Errorf("diff: %q", c.text("#main"))
	}
	c.shot("policy-diff")
	c.phone(true)
	c.open(c.path())
	c.shot("policy-diff-phone")
	c.phone(false)
}

// TestBrowserEditorWithoutJavaScript: with scripts off the editor is a form that validates on
// the server.
func TestBrowserEditorWithoutJavaScript(t *testing.T) {
	h := newHarness(t)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "", rootPassword)
	c.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	c.open("/console/policies/new")
	if c.has(".CodeMirror") {
		t.Fatal("CodeMirror with scripts off")
	}
	js, _ := json.Marshal(badDoc)
	c.eval(`document.getElementById("document").value = ` + string(js))
	c.click("#editor-validate")
	if got := c.text("#validation"); got != "Line 5, column 17: MalformedPolicyDocument: Syntax errors in policy." {
		t.Errorf("server-side validation: %q", got)
	}
	c.shot("editor-no-js")
}

// TestBrowserRolesAndGroups: a role made from the "another account" template (its trust policy
// validated live as a trust policy), its page; a group with a member.
func TestBrowserRolesAndGroups(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	c := newChrome(t, h)
	c.signIn(iamtest.Account, "", rootPassword)
	c.click(`nav a[href="/console/roles"]`)
	c.click("#create-role")
	c.do(chromedp.Click(chromedp.ID("tpl-other-account")))
	c.fill("#other-account", otherAccount)
	c.do(chromedp.Click(chromedp.ID("require-mfa")))
	c.shot("new-role")
	c.click("#new-role-next")
	c.do(chromedp.WaitVisible(chromedp.CSS(".CodeMirror")))
	doc := c.eval(`document.querySelector(".CodeMirror").CodeMirror.getValue()`)
	if !strings.Contains(doc, otherAccount) || !strings.Contains(doc, "aws:MultiFactorAuthPresent") {
		t.Errorf("trust policy: %s", doc)
	}
	// Without a principal a trust policy is invalid; the editor says so as one types.
	c.eval(`document.querySelector(".CodeMirror").CodeMirror.setValue('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}')`)
	c.do(chromedp.WaitVisible(chromedp.CSS(".CodeMirror-lint-marker-error")))
	c.waitText("#validation", "Line 1, column 38: MalformedPolicyDocument: Missing required field Principal")
	c.shot("trust-invalid")
	js, _ := json.Marshal(doc)
	c.eval(`document.querySelector(".CodeMirror").CodeMirror.setValue(JSON.parse(` + string(js) + `))`)
	c.waitText("#validation", "The document is valid.")
	c.fill("#policy-name", "partner-access")
	c.do(chromedp.SetValue(chromedp.ID("max-session"), "14400"))
	c.fill("#attach-role-policy", "ReadOnlyAccess")
	c.shot("new-role-trust")
	c.click("#editor-save")
	if c.path() != "/console/roles/partner-access" || c.text("#role-max-session") != "4 hours" || !strings.Contains(c.text("#attached"), "ReadOnlyAccess") {
		t.Fatalf("role page: %s %q", c.path(), c.text("#main"))
	}
	c.shot("role")
	c.click(`nav a[href="/console/groups"]`)
	c.click("#create-group")
	c.fill("#group-name", "devs")
	c.click("#create-group-submit")
	c.fill("#add-user", "alice")
	c.click("#add-user-submit")
	if !strings.Contains(c.text("#members"), "alice") {
		t.Errorf("members: %q", c.text("#main"))
	}
	c.shot("group")
}

// TestBrowserFederation: an SSO portal on another site links to the login URL its broker made;
// the person lands on the console page it names, signed in as the role session (the session
// cookie is SameSite=Strict: the login page loads the destination itself); sign-out leads back
// to the portal.
func TestBrowserFederation(t *testing.T) {
	h := newHarness(t)
	br := newBroker(t, h)
	_, token := br.signinToken(br.assume("console-admin", "jane@example.com", 900), "3600")
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/signed-out" {
			w.Write([]byte(`<!doctype html><title>Portal</title><h1 id="portal-out">Signed out of the console</h1>`))
			return
		}
		login := loginURL(h, token, "/console/roles")
		login = strings.Replace(login, url.QueryEscape("https://sso.example.com/start"), url.QueryEscape("http://localhost:"+r.Host[strings.LastIndexByte(r.Host, ':')+1:]+"/signed-out"), 1)
		w.Write([]byte(`<!doctype html><title>Portal</title><h1>SSO portal</h1><a id="open-console" href="` + html.EscapeString(login) + `">AWS console</a>`))
	}))
	defer portal.Close()
	// The portal is another site than iamd's 127.0.0.1: localhost.
	portalURL := strings.Replace(portal.URL, "127.0.0.1", "localhost", 1)
	c := newChrome(t, h)
	c.do(chromedp.Navigate(portalURL), chromedp.WaitVisible(chromedp.ID("open-console")))
	if _, err := chromedp.Run(c.ctx, chromedp.WaitEvent(pageLoad, nil, chromedp.Click(chromedp.ID("open-console")))); err != nil {
		t.Fatal(err)
	}
	c.do(chromedp.WaitVisible(chromedp.ID("roles")))
	if c.path() != "/console/roles" || !strings.Contains(c.text("#principal"), "console-admin/jane@example.com @ "+iamtest.Account) {
		t.Fatalf("after the login link: %s %q", c.path(), c.text("header"))
	}
	c.shot("federated-roles")
	c.do(chromedp.Click(chromedp.ID("signout")))
	c.do(chromedp.WaitVisible(chromedp.ID("portal-out")))
}
