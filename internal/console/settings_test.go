package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestAccountSettings: the alias created, replaced and deleted; the password policy saved,
// refused in IAM's words, and deleted; a user without the permissions sees AccessDenied.
func TestAccountSettings(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	p := b.get("/console/settings")
	if p.status != http.StatusOK || !strings.Contains(p.body, "has no password policy") || !strings.Contains(p.body, "?account="+iamtest.Account) {
		t.Fatalf("settings: %d %s", p.status, p.errorText())
	}
	aliases := func() []string {
		out, err := root.ListAccountAliases(ctx, &iamsdk.ListAccountAliasesInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.AccountAliases
	}
	for _, alias := range []string{"acme-corp", "acme-two"} {
		if p := b.post("/console/settings/alias", url.Values{"csrf": {token}, "alias": {alias}}); p.status != http.StatusSeeOther {
			t.Fatalf("alias %s: %d %s", alias, p.status, p.errorText())
		}
		if a := aliases(); len(a) != 1 || a[0] != alias {
			t.Errorf("aliases after %s: %v", alias, a)
		}
	}
	if p := b.get("/console/settings"); !strings.Contains(p.body, `<dd id="alias">acme-two</dd>`) || !strings.Contains(p.body, "?account=acme-two") {
		t.Error("the page does not show the alias")
	}
	if p := b.post("/console/settings/alias", url.Values{"csrf": {token}, "alias": {"Bad_Alias"}}); p.status != http.StatusBadRequest || p.errorText() == "" {
		t.Errorf("bad alias: %d %q", p.status, p.errorText())
	}
	if p := b.post("/console/settings/alias/delete", url.Values{"csrf": {token}, "alias": {"acme-two"}}); p.status != http.StatusSeeOther || len(aliases()) != 0 {
		t.Errorf("delete alias: %d %s %v", p.status, p.errorText(), aliases())
	}

	p = b.post("/console/settings/password-policy", url.Values{"csrf": {token}, "minLength": {"14"}, "upper": {"1"}, "numbers": {"1"},
		"change": {"1"}, "maxAge": {"90"}, "reuse": {"5"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("password policy: %d %s", p.status, p.errorText())
	}
	out, err := root.GetAccountPasswordPolicy(ctx, &iamsdk.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	pp := out.PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 14 || !pp.RequireUppercaseCharacters || !pp.RequireNumbers || pp.RequireSymbols ||
		!pp.AllowUsersToChangePassword || aws.ToInt32(pp.MaxPasswordAge) != 90 || aws.ToInt32(pp.PasswordReusePrevention) != 5 {
		t.Errorf("stored policy: %+v", pp)
	}
	if p := b.get("/console/settings"); !strings.Contains(p.body, `id="pw-min" name="minLength" value="14"`) || !strings.Contains(p.body, `id="pw-reuse" name="reuse" value="5"`) {
		t.Error("the form does not show the policy")
	}
	if p := b.post("/console/settings/password-policy", url.Values{"csrf": {token}, "minLength": {"200"}}); p.status != http.StatusBadRequest ||
		!strings.Contains(p.errorText(), "minimumPasswordLength") {
		t.Errorf("length 200: %d %q", p.status, p.errorText())
	}
	if p := b.post("/console/settings/password-policy/delete", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Errorf("delete policy: %d %s", p.status, p.errorText())
	}
	if _, err := root.GetAccountPasswordPolicy(ctx, &iamsdk.GetAccountPasswordPolicyInput{}); err == nil {
		t.Error("the policy is still there")
	}

	consoleUser(t, h, "carol", "Carol-Passw0rd!", false)
	c := newBrowser(t, h)
	ct := c.signedIn(iamtest.Account, "carol", "Carol-Passw0rd!").csrf(t)
	if p := c.post("/console/settings/alias", url.Values{"csrf": {ct}, "alias": {"carols"}}); p.status != http.StatusForbidden ||
		!strings.Contains(p.errorText(), "AccessDenied") || !strings.Contains(p.errorText(), "iam:ListAccountAliases") {
		t.Errorf("carol sets the alias: %d %q", p.status, p.errorText())
	}
}
