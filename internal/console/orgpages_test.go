package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestOrganizationPage: the management account's root sees the tree, with the SCPs and RCPs
// attached to each node; a user without Organizations permissions sees its refusal.
func TestOrganizationPage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	if p := b.get("/console/organization"); p.status != http.StatusOK || !strings.Contains(p.body, `id="org-not-in-use"`) {
		t.Errorf("no organization: %d %s", p.status, p.errorText())
	}

	org := orgsdk.NewFromConfig(h.Root())
	if _, err := org.CreateOrganization(ctx, &orgsdk.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &orgsdk.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := roots.Roots[0].Id
	for _, pt := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		if _, err := org.EnablePolicyType(ctx, &orgsdk.EnablePolicyTypeInput{RootId: root, PolicyType: pt}); err != nil {
			t.Fatal(err)
		}
	}
	prod, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("Prod")})
	if err != nil {
		t.Fatal(err)
	}
	web, err := org.CreateOrganizationalUnit(ctx, &orgsdk.CreateOrganizationalUnitInput{ParentId: prod.OrganizationalUnit.Id, Name: aws.String("Web")})
	if err != nil {
		t.Fatal(err)
	}
	scp, err := org.CreatePolicy(ctx, &orgsdk.CreatePolicyInput{Name: aws.String("no-leave"), Description: aws.String("x"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &orgsdk.AttachPolicyInput{PolicyId: scp.Policy.PolicySummary.Id, TargetId: web.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	p := b.get("/console/organization")
	if p.status != http.StatusOK {
		t.Fatalf("organization: %d %s", p.status, p.errorText())
	}
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(p.body, " ")
	for _, want := range []string{`id="org-management">` + iamtest.Account + ` (this account)`, `<strong>Root</strong> Root`,
		`<strong>Account</strong>`, `<strong>OU</strong> Prod`, `<strong>OU</strong> Web`, "SCP no-leave", "SCP FullAWSAccess", "RCP RCPFullAWSAccess"} {
		if !strings.Contains(flat, want) {
			t.Errorf("tree lacks %q:\n%s", want, flat)
		}
	}
	// Web is inside Prod, and no-leave is Web's alone.
	webAt, prodAt := strings.Index(flat, "<strong>OU</strong> Web"), strings.Index(flat, "<strong>OU</strong> Prod")
	if webAt < prodAt || strings.Count(flat, "no-leave") != 1 || strings.Index(flat, "no-leave") < webAt {
		t.Errorf("tree shape:\n%s", flat)
	}

	consoleUser(t, h, "dan", "Dan-Passw0rd!!", false)
	d := newBrowser(t, h)
	d.signedIn(iamtest.Account, "dan", "Dan-Passw0rd!!")
	if p := d.get("/console/organization"); p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "organizations:DescribeOrganization") {
		t.Errorf("dan: %d %q", p.status, p.errorText())
	}
}
