package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/idp"
)

var trustRE = regexp.MustCompile(`(?s)<textarea id="document" name="document"[^>]*>(.*?)</textarea>`)

// trustOf is the trust policy the editor holds, unescaped.
func trustOf(t *testing.T, p page) string {
	t.Helper()
	m := trustRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no editor (status %d): %s\n%s", p.status, p.errorText(), p.body)
	}
	return html.UnescapeString(m[1])
}

// TestCreateRoleTemplates: each trusted entity template gives AWS's trust policy; the role is
// made with its settings, its policy, and for EC2 its instance profile.
func TestCreateRoleTemplates(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	if p := b.get("/console/roles/~new"); p.status != http.StatusOK || !strings.Contains(p.body, `id="tpl-saml"`) {
		t.Fatalf("new role form: %d", p.status)
	}
	next := func(v url.Values) page {
		v.Set("csrf", token)
		return b.post("/console/roles/~new", v)
	}
	doc := trustOf(t, next(url.Values{"template": {"account"}, "requireMFA": {"1"}, "externalId": {"x-123"}}))
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::` + iamtest.Account + `:root"
      },
      "Action": "sts:AssumeRole",
      "Condition": {
        "Bool": {
          "aws:MultiFactorAuthPresent": "true"
        },
        "StringEquals": {
          "sts:ExternalId": "x-123"
        }
      }
    }
  ]
}`
	if doc != want {
		t.Errorf("this account's trust policy:\n%s", doc)
	}
	if p := next(url.Values{"template": {"other-account"}, "otherAccount": {"1234"}}); p.status != http.StatusBadRequest ||
		!strings.Contains(p.errorText(), "12 digits") {
		t.Errorf("another account, bad id: %d %q", p.status, p.errorText())
	}
	if doc := trustOf(t, next(url.Values{"template": {"other-account"}, "otherAccount": {otherAccount}})); !strings.Contains(doc, `"AWS": "arn:aws:iam::`+otherAccount+`:root"`) {
		t.Errorf("another account:\n%s", doc)
	}
	if doc := trustOf(t, next(url.Values{"template": {"ec2"}})); !strings.Contains(doc, `"Service": "ec2.amazonaws.com"`) {
		t.Errorf("EC2:\n%s", doc)
	}
	// Web identity and SAML name the account's providers.
	if p := next(url.Values{"template": {"web-identity"}}); p.status != http.StatusBadRequest {
		t.Errorf("web identity without a provider: %d", p.status)
	}
	oidc, err := root.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.com"),
		ClientIDList: []string{"my-app"}, ThumbprintList: []string{"0123456789012345678901234567890123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get("/console/roles/~new"); !strings.Contains(p.body, aws.ToString(oidc.OpenIDConnectProviderArn)) {
		t.Error("the OIDC provider is not offered")
	}
	doc = trustOf(t, next(url.Values{"template": {"web-identity"}, "provider": {aws.ToString(oidc.OpenIDConnectProviderArn)}, "audience": {"my-app"}}))
	if !strings.Contains(doc, `"Federated": "arn:aws:iam::`+iamtest.Account+`:oidc-provider/token.example.com"`) ||
		!strings.Contains(doc, `"Action": "sts:AssumeRoleWithWebIdentity"`) || !strings.Contains(doc, `"token.example.com:aud": "my-app"`) {
		t.Errorf("web identity:\n%s", doc)
	}
	dev, err := idp.New(idp.Config{Issuer: "https://idp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	saml, err := root.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(string(dev.Metadata()))})
	if err != nil {
		t.Fatal(err)
	}
	doc = trustOf(t, next(url.Values{"template": {"saml"}, "samlProvider": {aws.ToString(saml.SAMLProviderArn)}}))
	if !strings.Contains(doc, `"Federated": "arn:aws:iam::`+iamtest.Account+`:saml-provider/Corp"`) || !strings.Contains(doc, `"Action": "sts:AssumeRoleWithSAML"`) ||
		!strings.Contains(doc, `"SAML:aud": "https://signin.aws.amazon.com/saml"`) {
		t.Errorf("SAML:\n%s", doc)
	}
	// Create: the EC2 template, with a policy, two hours.
	p := b.post("/console/roles/create", url.Values{"csrf": {token}, "do": {"save"}, "name": {"web-server"}, "description": {"serves"},
		"maxSession": {"7200"}, "attachPolicy": {"ReadOnlyAccess"}, "template": {"ec2"}, "back": {"/console/roles"},
		"document": {trustOf(t, next(url.Values{"template": {"ec2"}}))}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/roles/web-server" {
		t.Fatalf("create: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	role, err := root.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("web-server")})
	if err != nil || aws.ToInt32(role.Role.MaxSessionDuration) != 7200 || aws.ToString(role.Role.Description) != "serves" {
		t.Fatalf("role: %v %+v", err, role)
	}
	ip, err := root.ListInstanceProfilesForRole(ctx, &iamsdk.ListInstanceProfilesForRoleInput{RoleName: aws.String("web-server")})
	if err != nil || len(ip.InstanceProfiles) != 1 || aws.ToString(ip.InstanceProfiles[0].InstanceProfileName) != "web-server" {
		t.Errorf("instance profile: %v %+v", err, ip)
	}
	rp := b.follow(p)
	for _, want := range []string{"ReadOnlyAccess", `<ul class="rows" id="profiles"><li>web-server</li>`, `id="role-max-session">2 hours`,
		"/console/switchrole?account=" + iamtest.Account + "&amp;roleName=web-server"} {
		if !strings.Contains(rp.body, want) {
			t.Errorf("role page lacks %q", want)
		}
	}
	// A trust policy the validator refuses, and one the API refuses (a principal that does not
	// exist), each shown in the editor.
	p = b.post("/console/roles/create", url.Values{"csrf": {token}, "do": {"save"}, "name": {"bad"}, "template": {"account"},
		"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "MalformedPolicyDocument") {
		t.Errorf("trust without a principal: %d %q", p.status, p.errorText())
	}
	p = b.post("/console/roles/create", url.Values{"csrf": {token}, "do": {"save"}, "name": {"bad"}, "template": {"account"},
		"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:user/nobody"},"Action":"sts:AssumeRole"}]}`}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "Invalid principal in policy") {
		t.Errorf("trust naming no one: %d %q", p.status, p.errorText())
	}
}

// TestRolePage: settings, the trust editor, last use, inline policies, deletion.
func TestRolePage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	switchSetup(t, h)
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	if p := b.get("/console/roles"); !strings.Contains(p.body, `<a href="/console/roles/reader">reader</a>`) || !strings.Contains(p.body, "<td>1 hour</td>") {
		t.Errorf("roles:\n%s", p.body)
	}
	// Settings.
	if p := b.post("/console/roles/reader/settings", url.Values{"csrf": {token}, "description": {"reads IAM"}, "maxSession": {"14400"}}); p.status != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", p.status, p.errorText())
	}
	out, _ := root.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("reader")})
	if aws.ToInt32(out.Role.MaxSessionDuration) != 14400 || aws.ToString(out.Role.Description) != "reads IAM" {
		t.Errorf("settings not saved: %+v", out.Role)
	}
	// The trust editor: the current policy, validated, saved.
	edit := b.get("/console/roles/reader/trust")
	if doc := trustOf(t, edit); !strings.Contains(doc, `"AWS": "arn:aws:iam::`+iamtest.Account+`:root"`) {
		t.Errorf("trust editor:\n%s", doc)
	}
	p := b.post("/console/roles/reader/trust", url.Values{"csrf": {token}, "do": {"validate"},
		"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`}})
	if !strings.Contains(p.body, "MalformedPolicyDocument") {
		t.Errorf("trust validation:\n%s", p.body)
	}
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:user/alice"},"Action":"sts:AssumeRole"}]}`
	if p := b.post("/console/roles/reader/trust", url.Values{"csrf": {token}, "do": {"save"}, "document": {newTrust}}); p.status != http.StatusSeeOther {
		t.Fatalf("trust save: %d %s", p.status, p.errorText())
	}
	// Last use: alice assumes it.
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.STS(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")).AssumeRole(ctx,
		&stssdk.AssumeRoleInput{RoleArn: out.Role.Arn, RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := b.get("/console/roles/reader")
		if !strings.Contains(p.body, `id="role-last-used">—`) {
			if !strings.Contains(p.body, "(us-east-1)") {
				t.Errorf("last use without its region:\n%s", p.body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the role's last use never shows")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// An inline policy through the editor; then the role deleted, policies and all.
	ed := b.get("/console/roles/reader/inline-edit")
	if p := b.post("/console/roles/reader/inline-edit", url.Values{"csrf": {ed.csrf(t)}, "do": {"save"}, "name": {"extra"}, "document": {simDoc}}); p.status != http.StatusSeeOther {
		t.Fatalf("inline: %d %s", p.status, p.errorText())
	}
	if p := b.get("/console/roles/reader/inline/extra"); !strings.Contains(html.UnescapeString(p.body), "NoSecrets") {
		t.Error("inline policy page")
	}
	if p := b.post("/console/roles/reader/delete", url.Values{"csrf": {token}, "confirm": {"reader"}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", p.status, p.errorText())
	}
	if _, err := root.GetRole(ctx, &iamsdk.GetRoleInput{RoleName: aws.String("reader")}); err == nil {
		t.Error("role still exists")
	}
}

func TestGroups(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	if p := b.get("/console/groups/~new"); p.status != http.StatusOK {
		t.Fatalf("new group form: %d", p.status)
	}
	p := b.post("/console/groups", url.Values{"csrf": {token}, "name": {"devs"}, "path": {"/eng/"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/groups/devs" {
		t.Fatalf("create: %d %s", p.status, p.errorText())
	}
	if p := b.post("/console/groups", url.Values{"csrf": {token}, "name": {"devs"}}); p.status != http.StatusConflict || !strings.Contains(p.errorText(), "EntityAlreadyExists") {
		t.Errorf("again: %d %q", p.status, p.errorText())
	}
	do := func(path string, v url.Values) {
		t.Helper()
		v.Set("csrf", token)
		if p := b.post("/console/groups/devs/"+path, v); p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", path, p.status, p.errorText())
		}
	}
	do("users/add", url.Values{"user": {"alice"}})
	do("policies/attach", url.Values{"policy": {"IAMReadOnlyAccess"}})
	ed := b.get("/console/groups/devs/inline-edit")
	if p := b.post("/console/groups/devs/inline-edit", url.Values{"csrf": {ed.csrf(t)}, "do": {"save"}, "name": {"g-inline"}, "document": {simDoc}}); p.status != http.StatusSeeOther {
		t.Fatalf("inline: %d %s", p.status, p.errorText())
	}
	g := b.get("/console/groups/devs")
	for _, want := range []string{`<a href="/console/users/alice">alice</a>`, "IAMReadOnlyAccess", ">g-inline</a>", "arn:aws:iam::" + iamtest.Account + ":group/eng/devs"} {
		if !strings.Contains(g.body, want) {
			t.Errorf("group page lacks %q", want)
		}
	}
	if p := b.get("/console/groups"); !strings.Contains(p.body, `<a href="/console/groups/devs">devs</a>`) {
		t.Error("groups list")
	}
	// alice gets the group's permissions: the users page.
	ab := newBrowser(t, h)
	ab.signedIn(iamtest.Account, "alice", "Alice-Passw0rd")
	if p := ab.get("/console/users"); p.status != http.StatusOK {
		t.Errorf("alice through the group: %d %s", p.status, p.errorText())
	}
	do("users/remove", url.Values{"user": {"alice"}})
	if p := ab.get("/console/users"); p.status != http.StatusForbidden {
		t.Errorf("alice out of the group: %d", p.status)
	}
	do("users/add", url.Values{"user": {"alice"}})
	if p := b.post("/console/groups/devs/delete", url.Values{"csrf": {token}, "confirm": {"devs"}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", p.status, p.errorText())
	}
	if _, err := root.GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("devs")}); err == nil {
		t.Error("group still exists")
	}
}
