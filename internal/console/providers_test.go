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
	"github.com/iamd/iamd/internal/idp"
)

// TestIdentityProviders: OIDC and SAML providers added, shown, refused in IAM's words, deleted.
func TestIdentityProviders(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)

	p := b.post("/console/providers/oidc", url.Values{"csrf": {token}, "url": {"https://token.example.com/tenant"}, "clientIds": {"app-1, app-2"}})
	oidcARN := "arn:aws:iam::" + iamtest.Account + ":oidc-provider/token.example.com/tenant"
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/provider?arn="+url.QueryEscape(oidcARN) {
		t.Fatalf("add OIDC: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	d := b.follow(p)
	if d.status != http.StatusOK || !strings.Contains(d.body, `token.example.com/tenant</dd>`) || !strings.Contains(d.body, "<code>app-2</code>") {
		t.Errorf("OIDC provider page: %d %s\n%s", d.status, d.errorText(), d.body)
	}
	if p := b.post("/console/providers/oidc", url.Values{"csrf": {token}, "url": {"http://plain.example.com"}, "clientIds": {"x"}}); p.status != http.StatusBadRequest ||
		p.errorText() == "" || !strings.Contains(p.body, `value="http://plain.example.com"`) {
		t.Errorf("OIDC over http: %d %q", p.status, p.errorText())
	}

	dev, err := idp.New(idp.Config{Issuer: "https://idp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	p = b.post("/console/providers/saml", url.Values{"csrf": {token}, "name": {"Corp"}, "metadata": {string(dev.Metadata())}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add SAML: %d %s", p.status, p.errorText())
	}
	if d := b.follow(p); !strings.Contains(d.body, "SAML provider Corp") || !strings.Contains(d.body, `id="provider-metadata"`) {
		t.Errorf("SAML provider page: %d %s", d.status, d.errorText())
	}
	if p := b.post("/console/providers/saml", url.Values{"csrf": {token}, "name": {"Bad"}, "metadata": {"<nope/>"}}); p.status != http.StatusBadRequest || p.errorText() == "" {
		t.Errorf("bad metadata: %d %q", p.status, p.errorText())
	}
	list := b.get("/console/providers")
	for _, want := range []string{">token.example.com/tenant</a></td><td>OpenID Connect", ">Corp</a></td><td>SAML"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("providers lack %q", want)
		}
	}
	samlARN := "arn:aws:iam::" + iamtest.Account + ":saml-provider/Corp"
	for _, arn := range []string{oidcARN, samlARN} {
		if p := b.post("/console/provider/delete", url.Values{"csrf": {token}, "arn": {arn}}); p.status != http.StatusSeeOther {
			t.Errorf("delete %s: %d %s", arn, p.status, p.errorText())
		}
	}
	if out, _ := root.ListSAMLProviders(ctx, &iamsdk.ListSAMLProvidersInput{}); len(out.SAMLProviderList) != 0 {
		t.Error("the SAML provider is still there")
	}
	if p := b.get("/console/provider?arn=" + url.QueryEscape(oidcARN)); p.status != http.StatusNotFound || !strings.Contains(p.errorText(), "NoSuchEntity") {
		t.Errorf("deleted provider: %d %q", p.status, p.errorText())
	}
}

// TestInstanceProfiles: created, given a role (one only, as IAM allows), refused deletion
// while it has one, emptied and deleted.
func TestInstanceProfiles(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	for _, name := range []string{"web", "batch"} {
		if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	p := b.post("/console/instance-profiles", url.Values{"csrf": {token}, "name": {"web-profile"}, "path": {"/app/"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/instance-profiles/web-profile" {
		t.Fatalf("create: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	if p := b.post("/console/instance-profiles", url.Values{"csrf": {token}, "name": {"web-profile"}}); p.status != http.StatusConflict || !strings.Contains(p.errorText(), "EntityAlreadyExists") {
		t.Errorf("create twice: %d %q", p.status, p.errorText())
	}
	base := "/console/instance-profiles/web-profile"
	if p := b.post(base+"/roles/add", url.Values{"csrf": {token}, "role": {"web"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add role: %d %s", p.status, p.errorText())
	}
	if p := b.post(base+"/roles/add", url.Values{"csrf": {token}, "role": {"batch"}}); p.status != http.StatusConflict || !strings.Contains(p.errorText(), "LimitExceeded") {
		t.Errorf("a second role: %d %q", p.status, p.errorText())
	}
	if p := b.get(base); !strings.Contains(p.body, `<a href="/console/roles/web">web</a>`) || !strings.Contains(p.body, ":instance-profile/app/web-profile") {
		t.Errorf("profile page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/console/instance-profiles"); !strings.Contains(p.body, `<a href="/console/instance-profiles/web-profile">web-profile</a></td><td>/app/</td>`) {
		t.Errorf("list: %d\n%s", p.status, p.body)
	}
	if p := b.post(base+"/delete", url.Values{"csrf": {token}}); p.status != http.StatusConflict || !strings.Contains(p.errorText(), "DeleteConflict") {
		t.Errorf("delete with a role: %d %q", p.status, p.errorText())
	}
	if p := b.post(base+"/roles/remove", url.Values{"csrf": {token}, "role": {"web"}}); p.status != http.StatusSeeOther {
		t.Errorf("remove role: %d %s", p.status, p.errorText())
	}
	if p := b.post(base+"/delete", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/instance-profiles" {
		t.Errorf("delete: %d %q", p.status, p.errorText())
	}
	if _, err := root.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err == nil {
		t.Error("the profile is still there")
	}
}
