package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// otherAccount is a second hosted account, as `iamd account create` makes one.
const otherAccount = "210987654321"

// switchSetup makes alice (who may assume any role), a role "reader" in her account, and in
// another account (alias other-corp) a role "Admin" trusting her account for two hours, and a
// user there.
func switchSetup(t *testing.T, h *iamtest.Harness) {
	t.Helper()
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	trust := func(account string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`)
	}
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: trust(iamtest.Account)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	_, keyID, secret, err := h.Node.CreateAccount(ctx, otherAccount, "", "")
	if err != nil {
		t.Fatal(err)
	}
	other := iamtest.IAM(h.Config(keyID, secret, ""))
	if _, err := other.CreateAccountAlias(ctx, &iamsdk.CreateAccountAliasInput{AccountAlias: aws.String("other-corp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("Admin"), AssumeRolePolicyDocument: trust(iamtest.Account),
		MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("Admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("b-user")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("untrusting"), AssumeRolePolicyDocument: trust(otherAccount)}); err != nil {
		t.Fatal(err)
	}
}

func TestSwitchRole(t *testing.T) {
	h := newHarness(t)
	switchSetup(t, h)
	b := newBrowser(t, h)
	d := b.signedIn(iamtest.Account, "alice", "Alice-Passw0rd")
	token := d.csrf(t)
	// AWS's switch-role link fills in the form.
	form := b.get("/console/switchrole?account=other-corp&roleName=Admin&displayName=Prod+admin&color=red")
	for _, want := range []string{`name="account" value="other-corp"`, `name="roleName" value="Admin"`, `value="Prod admin"`, `value="red" id="sr-color-red" checked`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("switch-role form lacks %s", want)
		}
	}
	sw := func(account, role, display, color string) page {
		return b.post("/console/switchrole", url.Values{"csrf": {token}, "account": {account}, "roleName": {role}, "displayName": {display}, "color": {color}})
	}
	p := sw("other-corp", "Admin", "Prod admin", "red")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("switch: %d %s", p.status, p.errorText())
	}
	d = b.follow(p)
	for _, want := range []string{`class="role role-red" id="role"`, ">Prod admin</span>", `id="account-id">` + otherAccount,
		"arn:aws:sts::" + otherAccount + ":assumed-role/Admin/alice", "alice @ " + iamtest.Account} {
		if !strings.Contains(d.body, want) {
			t.Errorf("dashboard as the role lacks %q", want)
		}
	}
	// The role's permissions, in its account.
	if u := b.get("/console/users"); u.status != http.StatusOK || !strings.Contains(u.body, `href="/console/users/b-user"`) || strings.Contains(u.body, `href="/console/users/alice"`) {
		t.Errorf("users as the role: %d %s", u.status, u.errorText())
	}
	p = b.post("/console/users", url.Values{"csrf": {token}, "name": {"made-by-role"}})
	if p.status != http.StatusSeeOther {
		t.Errorf("create user as the role: %d %s", p.status, p.errorText())
	}
	// The session lasts the role's MaxSessionDuration (two hours), then the console is alice's again.
	h.Clock.Advance(time.Hour + 59*time.Minute)
	if p := b.get("/console"); !strings.Contains(p.body, `id="role"`) {
		t.Error("role session ended before its two hours")
	}
	h.Clock.Advance(2 * time.Minute)
	p = b.get("/console/users")
	if strings.Contains(p.body, `id="role"`) || !strings.Contains(p.body, "Your session as Prod admin ended") || p.status != http.StatusForbidden {
		t.Errorf("after the role session: %d %q\n%s", p.status, p.errorText(), p.body)
	}
	// History, and a switch from it; then back.
	if f := b.get("/console/switchrole"); !strings.Contains(f.body, `id="recent-roles"`) || !strings.Contains(f.body, "Prod admin") {
		t.Error("no role history")
	}
	if p := sw(iamtest.Account, "reader", "", "blue"); p.status != http.StatusSeeOther {
		t.Fatalf("switch to reader: %d %s", p.status, p.errorText())
	}
	if d := b.get("/console"); !strings.Contains(d.body, ">reader @ "+iamtest.Account+"</span>") {
		t.Errorf("default display name:\n%s", d.body)
	}
	if p := b.post("/console/switchrole/back", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch back: %d", p.status)
	}
	if d := b.get("/console"); strings.Contains(d.body, `id="role"`) || !strings.Contains(d.body, `id="account-id">`+iamtest.Account) {
		t.Error("switch back did not")
	}
	// Refusals: a trust policy that does not name alice's account, an account that does not exist.
	p = sw(iamtest.Account, "untrusting", "", "")
	if p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+iamtest.Account+":role/untrusting") {
		t.Errorf("untrusting role: %d %q", p.status, p.errorText())
	}
	if p := sw("no-such-alias", "Admin", "", ""); p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "Invalid information in one or more fields") {
		t.Errorf("unknown account: %d %q", p.status, p.errorText())
	}
	// The root user cannot switch roles, as on AWS.
	rb := newBrowser(t, h)
	rt := rb.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	p = rb.post("/console/switchrole", url.Values{"csrf": {rt}, "account": {iamtest.Account}, "roleName": {"reader"}})
	if p.status == http.StatusSeeOther || !strings.Contains(p.errorText(), "Roles may not be assumed by root accounts") {
		t.Errorf("root switching: %d %q", p.status, p.errorText())
	}
}
