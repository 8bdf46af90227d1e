package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/totp"
)

// The sign-in page's one answer to every wrong account, user name or password.
const msgFailed = "Your authentication information is incorrect. Please try again."

func TestRootSignIn(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	form := b.get("/console")
	if form.status != http.StatusOK || !strings.Contains(form.body, `id="signin-form"`) {
		t.Fatalf("GET /console: %d\n%s", form.status, form.body)
	}
	p := b.signIn(iamtest.Account, "", rootPassword)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("root sign-in: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	ck := p.cookie("iamd-console")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/console"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("session cookie %q is Secure on plain HTTP", ck)
	}
	d := b.follow(p)
	for _, want := range []string{"root @ " + iamtest.Account, `id="account-id">` + iamtest.Account, "arn:aws:iam::" + iamtest.Account + ":root"} {
		if !strings.Contains(d.body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, d.body)
		}
	}
	// By alias, AWS's sign-in URL shape.
	if _, err := iamtest.IAM(h.Root()).CreateAccountAlias(context.Background(), &iamsdk.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}); err != nil {
		t.Fatal(err)
	}
	b2 := newBrowser(t, h)
	form = b2.get("/console?account=example-corp")
	if !strings.Contains(form.body, `value="example-corp"`) {
		t.Errorf("the sign-in URL's account is not filled in:\n%s", form.body)
	}
	d = b2.signedIn("example-corp", "", rootPassword)
	if !strings.Contains(d.body, "/console?account=example-corp") {
		t.Errorf("dashboard's sign-in URL does not use the alias:\n%s", d.body)
	}
}

// TestRootPasswordAtFirstStart: IAMD_ROOT_PASSWORD (node.Config.RootPassword) gives the root user
// its password at the first start only; a weak one is refused before anything is created.
func TestRootPasswordAtFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := iamtest.NodeConfig(dir)
	cfg.RootPassword = "short"
	if _, err := node.Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "Password should have a minimum length of 8") {
		t.Fatalf("weak root password: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused start left %s behind (%v)", dir, err)
	}
	cfg.RootPassword = "First-Start-Passw0rd"
	n := iamtest.OpenNode(t, cfg)
	h := iamtest.Serve(t, n, nil)
	newBrowser(t, h).signedIn(iamtest.Account, "", "First-Start-Passw0rd")
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	// A later start does not change it.
	cfg.RootPassword = "Second-Start-Passw0rd"
	h = iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if p := newBrowser(t, h).signIn(iamtest.Account, "", "Second-Start-Passw0rd"); p.status != http.StatusUnauthorized {
		t.Errorf("a later start's root password was set: %d", p.status)
	}
	newBrowser(t, h).signedIn(iamtest.Account, "", "First-Start-Passw0rd")
	// set-root-password's call replaces it.
	if err := h.Node.SetRootPassword(context.Background(), "", "Third-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if p := newBrowser(t, h).signIn(iamtest.Account, "", "First-Start-Passw0rd"); p.status != http.StatusUnauthorized {
		t.Errorf("the replaced root password still signs in: %d", p.status)
	}
	newBrowser(t, h).signedIn(iamtest.Account, "", "Third-Passw0rd!")
	if err := h.Node.SetRootPassword(context.Background(), "", "alllowercase"); err == nil || !strings.Contains(err.Error(), "Password should meet") {
		t.Errorf("weak root password: %v", err)
	}
}

func TestUserSignInWithMFA(t *testing.T) {
	h := newHarness(t)
	seed := mfaUser(t, h, "alice", "Alice-Passw0rd", false)
	// alice may list users only with MFA.
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	b := newBrowser(t, h)
	p := b.signIn(iamtest.Account, "alice", "Alice-Passw0rd")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin/mfa" {
		t.Fatalf("password step: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	// Nothing but the MFA step is reachable yet.
	if p := b.get("/console/users"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Errorf("a pending sign-in reached /console/users: %d %q", p.status, p.header.Get("Location"))
	}
	if p := b.get("/console"); p.header.Get("Location") != "/console/signin/mfa" {
		t.Errorf("a pending sign-in at /console: %d %q", p.status, p.header.Get("Location"))
	}
	form := b.get("/console/signin/mfa")
	if !strings.Contains(form.body, "arn:aws:iam::"+iamtest.Account+":mfa/alice") {
		t.Errorf("MFA form does not name the device:\n%s", form.body)
	}
	h.Clock.Advance(30 * time.Second) // past the codes that enabled the device
	step := totp.Step(h.Clock.Now())
	wrong := b.post("/console/signin/mfa", url.Values{"csrf": {form.csrf(t)}, "code": {totp.Code(seed, step+10)}})
	if wrong.status != http.StatusUnauthorized || wrong.errorText() != "The MFA code is not valid. Please try again." {
		t.Errorf("wrong code: %d %q", wrong.status, wrong.errorText())
	}
	code := totp.Code(seed, step)
	ok := b.post("/console/signin/mfa", url.Values{"csrf": {form.csrf(t)}, "code": {code}})
	if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/console" {
		t.Fatalf("right code: %d %q\n%s", ok.status, ok.header.Get("Location"), ok.body)
	}
	if ok.cookie("iamd-console") == "" {
		t.Error("the signed-in session did not get a new cookie")
	}
	d := b.follow(ok)
	if !strings.Contains(d.body, "alice @ "+iamtest.Account) || !strings.Contains(d.body, `class="badge">MFA`) {
		t.Errorf("dashboard:\n%s", d.body)
	}
	// The console session carries the MFA: the MFA-conditioned Allow applies.
	if u := b.get("/console/users"); u.status != http.StatusOK || !strings.Contains(u.body, `href="/console/users/alice"`) {
		t.Errorf("users with MFA: %d %s\n%s", u.status, u.errorText(), u.body)
	}
	// GetUser shows the sign-in.
	out, err := iamtest.IAM(h.Root()).GetUser(context.Background(), &iamsdk.GetUserInput{UserName: aws.String("alice")})
	if err != nil || out.User.PasswordLastUsed == nil {
		t.Errorf("PasswordLastUsed not recorded: %v", err)
	}

	// The same code again is a replay.
	b2 := newBrowser(t, h)
	b2.signIn(iamtest.Account, "alice", "Alice-Passw0rd")
	form = b2.get("/console/signin/mfa")
	if p := b2.post("/console/signin/mfa", url.Values{"csrf": {form.csrf(t)}, "code": {code}}); p.status != http.StatusUnauthorized {
		t.Errorf("replayed code: %d", p.status)
	}

	// Without MFA the same policy denies, in AWS's words.
	consoleUser(t, h, "carol", "Carol-Passw0rd", false)
	policy(t, h, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
		"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	b3 := newBrowser(t, h)
	b3.signedIn(iamtest.Account, "carol", "Carol-Passw0rd")
	u := b3.get("/console/users")
	if u.status != http.StatusForbidden || !strings.Contains(u.errorText(), "User: arn:aws:iam::"+iamtest.Account+":user/carol is not authorized to perform: iam:ListUsers") {
		t.Errorf("users without MFA: %d %q", u.status, u.errorText())
	}
}

// TestMFATries: wrong codes send the sign-in back to the password after five.
func TestMFATries(t *testing.T) {
	h := newHarness(t)
	seed := mfaUser(t, h, "alice", "Alice-Passw0rd", false)
	b := newBrowser(t, h)
	b.signIn(iamtest.Account, "alice", "Alice-Passw0rd")
	form := b.get("/console/signin/mfa")
	step := totp.Step(h.Clock.Now())
	var p page
	for i := range 5 {
		p = b.post("/console/signin/mfa", url.Values{"csrf": {form.csrf(t)}, "code": {totp.Code(seed, step+10+int64(i))}})
	}
	if p.status != http.StatusUnauthorized || p.errorText() != msgFailed || !strings.Contains(p.body, `id="signin-form"`) {
		t.Errorf("fifth wrong code: %d %q", p.status, p.errorText())
	}
	if c := p.cookie("iamd-console"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("the pending session's cookie was not cleared: %q", c)
	}
	if p := b.get("/console/signin/mfa"); p.status != http.StatusSeeOther {
		t.Errorf("the pending sign-in survived: %d", p.status)
	}
}

func TestPasswordResetRequired(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &iamsdk.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(12),
		RequireSymbols: true, RequireNumbers: true, PasswordReusePrevention: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	consoleUser(t, h, "dave", "Initial-Passw0rd", true)
	b := newBrowser(t, h)
	p := b.signIn(iamtest.Account, "dave", "Initial-Passw0rd")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/signin/password" {
		t.Fatalf("sign-in: %d %q", p.status, p.header.Get("Location"))
	}
	form := b.get("/console/signin/password")
	if !strings.Contains(form.body, "Your administrator requires a new password.") {
		t.Errorf("password form:\n%s", form.body)
	}
	if p := b.get("/console/users"); p.status != http.StatusSeeOther {
		t.Errorf("a sign-in owing a new password reached /console/users: %d", p.status)
	}
	set := func(pw, confirm string) page {
		return b.post("/console/signin/password", url.Values{"csrf": {form.csrf(t)}, "password": {pw}, "confirm": {confirm}})
	}
	for _, c := range []struct{ pw, confirm, want string }{
		{"Another-Passw0rd", "Another-Passw0rd!", "The passwords do not match."},
		{"short1!", "short1!", "Password should have a minimum length of 12"},
		{"no-numbers-here!", "no-numbers-here!", "Password should have at least one number"},
		{"Initial-Passw0rd", "Initial-Passw0rd", "Password should not be one of your previous passwords."},
	} {
		if p := set(c.pw, c.confirm); p.status != http.StatusBadRequest || p.errorText() != c.want {
			t.Errorf("new password %q: %d %q, want %q", c.pw, p.status, p.errorText(), c.want)
		}
	}
	p = set("Chosen-Passw0rd!", "Chosen-Passw0rd!")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("good password: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	b.follow(p)
	lp, err := root.GetLoginProfile(ctx, &iamsdk.GetLoginProfileInput{UserName: aws.String("dave")})
	if err != nil || lp.LoginProfile.PasswordResetRequired {
		t.Errorf("reset still required: %v", err)
	}
	if p := newBrowser(t, h).signIn(iamtest.Account, "dave", "Initial-Passw0rd"); p.status != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", p.status)
	}
	newBrowser(t, h).signedIn(iamtest.Account, "dave", "Chosen-Passw0rd!")

	// With MFA: the code first, then the new password.
	seed := mfaUser(t, h, "erin", "Initial-Passw0rd", true)
	h.Clock.Advance(30 * time.Second)
	b = newBrowser(t, h)
	if p := b.signIn(iamtest.Account, "erin", "Initial-Passw0rd"); p.header.Get("Location") != "/console/signin/mfa" {
		t.Fatalf("erin: %d %q", p.status, p.header.Get("Location"))
	}
	form = b.get("/console/signin/mfa")
	p = b.post("/console/signin/mfa", url.Values{"csrf": {form.csrf(t)}, "code": {totp.Code(seed, totp.Step(h.Clock.Now()))}})
	if p.header.Get("Location") != "/console/signin/password" {
		t.Fatalf("after the code: %d %q", p.status, p.header.Get("Location"))
	}
	form = b.get("/console/signin/password")
	p = set("Erins-New-Passw0rd", "Erins-New-Passw0rd")
	if p.header.Get("Location") != "/console" {
		t.Fatalf("erin's new password: %d %q", p.status, p.header.Get("Location"))
	}
	if d := b.follow(p); !strings.Contains(d.body, `class="badge">MFA`) {
		t.Errorf("erin's session lost its MFA:\n%s", d.body)
	}
}

// TestPasswordExpired: MaxPasswordAge asks for a new password at sign-in, or, under HardExpiry,
// refuses it.
func TestPasswordExpired(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "frank", "Franks-Passw0rd", false)
	if _, err := root.UpdateAccountPasswordPolicy(ctx, &iamsdk.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(49 * time.Hour)
	b := newBrowser(t, h)
	if p := b.signIn(iamtest.Account, "frank", "Franks-Passw0rd"); p.header.Get("Location") != "/console/signin/password" {
		t.Fatalf("expired password: %d %q", p.status, p.header.Get("Location"))
	}
	form := b.get("/console/signin/password")
	if !strings.Contains(form.body, "Your password has expired.") {
		t.Errorf("form:\n%s", form.body)
	}
	p := b.post("/console/signin/password", url.Values{"csrf": {form.csrf(t)}, "password": {"Franks-New-Passw0rd"}, "confirm": {"Franks-New-Passw0rd"}})
	if p.header.Get("Location") != "/console" {
		t.Fatalf("new password: %d %s", p.status, p.errorText())
	}
	if d := b.follow(p); !strings.Contains(d.body, "frank @ ") {
		t.Errorf("dashboard after the new password (clock moved: the signature must use the node's clock):\n%s", d.body)
	}
	// Under HardExpiry only an administrator can set a new one.
	h = newHarness(t)
	consoleUser(t, h, "frank", "Franks-Passw0rd", false)
	if _, err := iamtest.IAM(h.Root()).UpdateAccountPasswordPolicy(ctx, &iamsdk.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1), HardExpiry: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(49 * time.Hour)
	p = newBrowser(t, h).signIn(iamtest.Account, "frank", "Franks-Passw0rd")
	if p.status != http.StatusUnauthorized || p.errorText() != "Your password has expired and can only be reset by your administrator." {
		t.Errorf("hard expiry: %d %q", p.status, p.errorText())
	}
}

// TestSignInRevealsNothing: a wrong password, a user who does not exist or has no console
// password, an account that does not exist: one answer.
func TestSignInRevealsNothing(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	if _, err := iamtest.IAM(h.Root()).CreateUser(context.Background(), &iamsdk.CreateUserInput{UserName: aws.String("nologin")}); err != nil {
		t.Fatal(err)
	}
	other, _, _, err := h.Node.CreateAccount(context.Background(), "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, account, user, password string }{
		{"wrong password", iamtest.Account, "alice", "Wrong-Passw0rd"},
		{"no such user", iamtest.Account, "nobody", "Wrong-Passw0rd"},
		{"no console password", iamtest.Account, "nologin", "Wrong-Passw0rd"},
		{"no such account", "999999999999", "alice", "Alice-Passw0rd"},
		{"no such alias", "no-such-alias", "alice", "Alice-Passw0rd"},
		{"root, wrong password", iamtest.Account, "", "Wrong-Passw0rd"},
		{"root without a password", other, "", "Wrong-Passw0rd"},
		{"empty password", iamtest.Account, "alice", ""},
	}
	var bodies []string
	for _, c := range cases {
		b := newBrowser(t, h)
		p := b.signIn(c.account, c.user, c.password)
		if p.status != http.StatusUnauthorized || p.errorText() != msgFailed {
			t.Errorf("%s: %d %q", c.name, p.status, p.errorText())
		}
		if p.cookie("iamd-console") != "" {
			t.Errorf("%s: a session cookie was set", c.name)
		}
		// The page is the same but for what the form echoes back and its token.
		body := strings.ReplaceAll(p.body, `value="`+c.account+`"`, "")
		body = strings.ReplaceAll(body, `value="`+c.user+`"`, "")
		body = csrfRE.ReplaceAllString(body, "")
		body = strings.Join(strings.Fields(strings.ReplaceAll(body, " checked", "")), " ") // which radio button is checked
		bodies = append(bodies, body)
	}
	for i := range bodies {
		if bodies[i] != bodies[0] {
			t.Errorf("%s answers another page than %s:\n%s\n---\n%s", cases[i].name, cases[0].name, bodies[i], bodies[0])
		}
	}
	// A missing user costs a password hash as a wrong password does. The fastest of several
	// tries each, interleaved, is compared (other load only slows tries down); the bound is
	// loose: it catches an answer without the hash, tens of milliseconds faster.
	h.Clock.Advance(time.Hour) // refill the limiters
	try := func(user string) time.Duration {
		h.Clock.Advance(time.Minute) // no try is rate-limited (a refusal is fast)
		b := newBrowser(t, h)
		b.get("/console")
		start := time.Now()
		if p := b.signIn(iamtest.Account, user, "Wrong-Passw0rd"); p.status != http.StatusUnauthorized {
			t.Fatalf("%s: %d", user, p.status)
		}
		return time.Since(start)
	}
	wrong, missing := time.Hour, time.Hour
	for range 7 {
		wrong, missing = min(wrong, try("alice")), min(missing, try("nobody"))
	}
	if missing*3 < wrong {
		t.Errorf("a missing user answers in %v, a wrong password in %v", missing, wrong)
	}
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t)
	h.Clock.Freeze() // the limits refill with time: only Advance may move it here
	consoleUser(t, h, "eve", "Eves-Passw0rd", false)
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	b := newBrowser(t, h)
	for i := range 5 {
		if p := b.signIn(iamtest.Account, "eve", "Wrong-Passw0rd"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.status)
		}
	}
	p := b.signIn(iamtest.Account, "eve", "Wrong-Passw0rd")
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" ||
		!strings.HasPrefix(p.errorText(), "Too many failed sign-in attempts. Wait ") {
		t.Errorf("sixth attempt: %d %q (Retry-After %q)", p.status, p.errorText(), p.header.Get("Retry-After"))
	}
	// The right password waits too: the limit is on the name, not on guesses that fail.
	if p := b.signIn(iamtest.Account, "eve", "Eves-Passw0rd"); p.status != http.StatusTooManyRequests {
		t.Errorf("right password while limited: %d", p.status)
	}
	// A name's limit is its own (and a user who does not exist is limited as one who does).
	newBrowser(t, h).signedIn(iamtest.Account, "alice", "Alice-Passw0rd")
	h.Clock.Advance(11 * time.Second)
	newBrowser(t, h).signedIn(iamtest.Account, "eve", "Eves-Passw0rd")

	// Per client address: 20 failures over as many names, then a wait.
	h = newHarness(t)
	h.Clock.Freeze()
	b = newBrowser(t, h)
	for i := range 20 {
		if p := b.signIn(iamtest.Account, "nobody"+string(rune('a'+i)), "Wrong-Passw0rd"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, p.status)
		}
	}
	if p := b.signIn(iamtest.Account, "", rootPassword); p.status != http.StatusTooManyRequests {
		t.Errorf("21st attempt from one address: %d", p.status)
	}
	h.Clock.Advance(4 * time.Second)
	b.signedIn(iamtest.Account, "", rootPassword)
}

func TestSignOut(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	d := b.signedIn(iamtest.Account, "", rootPassword)
	u, _ := url.Parse(h.URL + "/console")
	var value string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "iamd-console" {
			value = c.Value
		}
	}
	if value == "" {
		t.Fatal("no session cookie")
	}
	// Without the form's token, nothing happens.
	if p := b.post("/console/signout", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("sign-out without its token: %d", p.status)
	}
	if p := b.get("/console/users"); p.status != http.StatusOK {
		t.Errorf("session ended by a refused sign-out: %d", p.status)
	}
	p := b.post("/console/signout", url.Values{"csrf": {d.csrf(t)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console?account="+iamtest.Account {
		t.Errorf("sign-out: %d %q", p.status, p.header.Get("Location"))
	}
	if c := p.cookie("iamd-console"); !strings.Contains(c, "Max-Age=0") {
		t.Errorf("sign-out did not clear the cookie: %q", c)
	}
	// The old cookie, replayed, is worth nothing: the session is gone from the server.
	thief := newBrowser(t, h)
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: "iamd-console", Value: value, Path: "/console"}})
	if p := thief.get("/console/users"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Errorf("replayed cookie after sign-out: %d %q", p.status, p.header.Get("Location"))
	}
	if p := thief.get("/console"); !strings.Contains(p.body, `id="signin-form"`) {
		t.Errorf("replayed cookie after sign-out is signed in:\n%s", p.body)
	}
}

// TestSessionLength: a console session lasts 12 hours.
func TestSessionLength(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	h.Clock.Advance(11*time.Hour + 50*time.Minute)
	if p := b.get("/console/users"); p.status != http.StatusOK {
		t.Errorf("after 11h50: %d %s", p.status, p.errorText())
	}
	h.Clock.Advance(11 * time.Minute)
	if p := b.get("/console/users"); p.status != http.StatusSeeOther {
		t.Errorf("after 12h01: %d", p.status)
	}
}
