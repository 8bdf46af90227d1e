package console_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamd/iamd/internal/iamtest"
)

var (
	keyIDRE  = regexp.MustCompile(`id="created-key-id">([A-Z0-9]+)<`)
	secretRE = regexp.MustCompile(`id="created-secret">([^<]+)<`)
)

// TestCreateUser: a user with a console password and an access key; the secret is shown once
// and downloadable as CSV, then forgotten.
func TestCreateUser(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	form := b.get("/console/users/~new")
	if form.status != http.StatusOK {
		t.Fatalf("new user form: %d", form.status)
	}
	// A password the policy refuses is IAM's error, and the user stays for its page to finish.
	p := b.post("/console/users", url.Values{"csrf": {form.csrf(t)}, "name": {"weak"}, "console": {"1"}, "password": {"short"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "PasswordPolicyViolation") ||
		!strings.Contains(p.body, `href="/console/users/weak"`) {
		t.Errorf("weak password: %d %q", p.status, p.errorText())
	}
	p = b.post("/console/users", url.Values{"csrf": {form.csrf(t)}, "name": {"newbie"}, "console": {"1"},
		"password": {"Newbie-Passw0rd"}, "reset": {"1"}, "key": {"1"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/users/~created" {
		t.Fatalf("create: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	created := b.follow(p)
	keyID, secret := keyIDRE.FindStringSubmatch(created.body), secretRE.FindStringSubmatch(created.body)
	if keyID == nil || secret == nil {
		t.Fatalf("created page:\n%s", created.body)
	}
	secret[1] = html.UnescapeString(secret[1])
	// The key works.
	id, err := iamtest.STS(h.Config(keyID[1], secret[1], "")).GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+iamtest.Account+":user/newbie" {
		t.Fatalf("the new key: %v", err)
	}
	// The CSV download.
	dl := b.post("/console/users/~created/csv", url.Values{"csrf": {created.csrf(t)}})
	if dl.status != http.StatusOK || dl.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		dl.header.Get("Content-Disposition") != `attachment; filename="newbie_credentials.csv"` {
		t.Fatalf("CSV: %d %v", dl.status, dl.header)
	}
	rows, err := csv.NewReader(strings.NewReader(dl.body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][3] != "Secret access key" || rows[1][0] != "newbie" || rows[1][1] != "Newbie-Passw0rd" ||
		rows[1][2] != keyID[1] || rows[1][3] != secret[1] || rows[1][4] != h.URL+"/console?account="+iamtest.Account {
		t.Errorf("CSV: %v %q", err, rows)
	}
	// Reloading the page shows it again; any other page forgets it.
	if p := b.get("/console/users/~created"); !strings.Contains(html.UnescapeString(p.body), secret[1]) {
		t.Error("reload lost the secret")
	}
	b.get("/console/users")
	if p := b.get("/console/users/~created"); p.status != http.StatusSeeOther || strings.Contains(html.UnescapeString(p.body), secret[1]) {
		t.Errorf("the secret is still shown after another page: %d", p.status)
	}
	if p := b.post("/console/users/~created/csv", url.Values{"csrf": {created.csrf(t)}}); strings.Contains(p.body, secret[1]) {
		t.Error("the secret is still downloadable")
	}
	// The new user must choose a password at first sign-in.
	if p := newBrowser(t, h).signIn(iamtest.Account, "newbie", "Newbie-Passw0rd"); p.header.Get("Location") != "/console/signin/password" {
		t.Errorf("newbie's first sign-in: %d %q", p.status, p.header.Get("Location"))
	}
	// Done leads to the user's page.
	p = b.post("/console/users", url.Values{"csrf": {form.csrf(t)}, "name": {"keyonly"}, "key": {"1"}})
	created = b.follow(p)
	if strings.Contains(created.body, "Console sign-in URL") {
		t.Error("a user without console access shows a sign-in URL")
	}
	p = b.post("/console/users/~created/done", url.Values{"csrf": {created.csrf(t)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/users/keyonly" {
		t.Errorf("done: %d %q", p.status, p.header.Get("Location"))
	}
}

// TestUserPage: a user's page, its keys deactivated and deleted, the user deleted.
func TestUserPage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "alice", "Alice-Passw0rd", true)
	attach(t, h, "alice", "ReadOnlyAccess")
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	if _, err := root.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(key.AccessKey.AccessKeyId)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	p := b.get("/console/users/alice")
	for _, want := range []string{"arn:aws:iam::" + iamtest.Account + ":user/alice", "devs", "ReadOnlyAccess", ">inline<", keyID,
		"yes, a new password is due at next sign-in"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("user page lacks %q", want)
		}
	}
	token := p.csrf(t)
	if p := b.post("/console/users/alice/keys/"+keyID+"/status", url.Values{"csrf": {token}, "status": {"Inactive"}}); p.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d %s", p.status, p.errorText())
	}
	keys, _ := root.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("alice")})
	if keys.AccessKeyMetadata[0].Status != "Inactive" {
		t.Errorf("key status %s", keys.AccessKeyMetadata[0].Status)
	}
	if p := b.post("/console/users/alice/keys/"+keyID+"/delete", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete key: %d %s", p.status, p.errorText())
	}
	if p := b.post("/console/users/alice/keys/AKIANOSUCHKEY0000000/delete", url.Values{"csrf": {token}}); p.status != http.StatusNotFound ||
		!strings.Contains(p.errorText(), "NoSuchEntity") {
		t.Errorf("delete a missing key: %d %q", p.status, p.errorText())
	}
	if p := b.post("/console/users/alice/delete", url.Values{"csrf": {token}, "confirm": {"bob"}}); p.status != http.StatusBadRequest {
		t.Errorf("delete without confirming: %d", p.status)
	}
	if p := b.post("/console/users/alice/delete", url.Values{"csrf": {token}, "confirm": {"alice"}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete user: %d %s", p.status, p.errorText())
	}
	if _, err := root.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("alice")}); err == nil {
		t.Error("alice still exists")
	}
	if p := b.get("/console/users/alice"); p.status != http.StatusNotFound || !strings.Contains(p.errorText(), "NoSuchEntity") {
		t.Errorf("deleted user's page: %d %q", p.status, p.errorText())
	}
}

// TestUsersPaging: the users list is paged by the API's markers, and searched.
func TestUsersPaging(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	for i := range 120 {
		if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	rowRE := regexp.MustCompile(`<tr><td><a href="/console/users/(u\d+)">`)
	nextRE := regexp.MustCompile(`href="(/console/users\?[^"]*marker=[^"]+)" id="next-page"`)
	var seen []string
	path := "/console/users"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		p := b.get(path)
		rows := rowRE.FindAllStringSubmatch(p.body, -1)
		if len(rows) > 50 {
			t.Errorf("%d rows on a page", len(rows))
		}
		for _, r := range rows {
			seen = append(seen, r[1])
		}
		path = ""
		if m := nextRE.FindStringSubmatch(p.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != 120 || seen[0] != "u000" || seen[119] != "u119" {
		t.Errorf("paged through %d users: %v", len(seen), seen)
	}
	p := b.get("/console/users?q=U11")
	if rows := rowRE.FindAllStringSubmatch(p.body, -1); len(rows) != 10 || rows[0][1] != "u110" {
		t.Errorf("search: %d rows", len(rows))
	}
	if p := b.get("/console/users?q=zzz"); !strings.Contains(p.body, "No users match") {
		t.Error("empty search")
	}
}

// TestConsolePathAndS3: a signed request to /console is S3's (a bucket named console); only
// unsigned ones are the console's. --console=false serves no console.
func TestConsolePathAndS3(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	s3c := iamtest.S3(h.Root())
	if _, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("console")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String("console"), Key: aws.String("signin"),
		Body: strings.NewReader("an object")}); err != nil {
		t.Fatal(err)
	}
	out, err := s3c.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String("console"), Key: aws.String("signin")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != "an object" {
		t.Errorf("object: %q", body)
	}
	if p := newBrowser(t, h).get("/console/signin"); p.status == http.StatusOK && strings.Contains(p.body, "an object") {
		t.Error("an unsigned request got the object")
	}

	cfg := iamtest.NodeConfig(filepath.Join(t.TempDir(), "data"))
	cfg.NoConsole = true
	off := iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if p := newBrowser(t, off).get("/console"); strings.Contains(p.body, "signin-form") || p.header.Get("Content-Security-Policy") != "" {
		t.Errorf("console off: %d\n%s", p.status, p.body)
	}
}

// TestUserActions: what a user's page changes, each through the API.
func TestUserActions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	if _, err := root.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("Mine"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	token := b.get("/console/users/alice").csrf(t)
	do := func(path string, v url.Values) page {
		t.Helper()
		v.Set("csrf", token)
		p := b.post("/console/users/alice/"+path, v)
		if p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", path, p.status, p.errorText())
		}
		return p
	}
	// Policies: an AWS managed one by name, the account's by name, and by ARN; detach.
	do("policies/attach", url.Values{"policy": {"ReadOnlyAccess"}})
	do("policies/attach", url.Values{"policy": {"Mine"}})
	do("policies/attach", url.Values{"policy": {"arn:aws:iam::aws:policy/IAMUserChangePassword"}})
	att, _ := root.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	var arns []string
	for _, a := range att.AttachedPolicies {
		arns = append(arns, aws.ToString(a.PolicyArn))
	}
	if len(arns) != 3 || !contains(arns, "arn:aws:iam::aws:policy/ReadOnlyAccess") || !contains(arns, "arn:aws:iam::"+iamtest.Account+":policy/Mine") {
		t.Errorf("attached: %v", arns)
	}
	if p := b.post("/console/users/alice/policies/attach", url.Values{"csrf": {token}, "policy": {"NoSuchPolicy"}}); p.status != http.StatusNotFound ||
		!strings.Contains(p.errorText(), "NoSuchEntity") {
		t.Errorf("attach a missing policy: %d %q", p.status, p.errorText())
	}
	do("policies/detach", url.Values{"policy": {"arn:aws:iam::aws:policy/IAMUserChangePassword"}})
	// Groups.
	do("groups/add", url.Values{"group": {"devs"}})
	if g, _ := root.ListGroupsForUser(ctx, &iamsdk.ListGroupsForUserInput{UserName: aws.String("alice")}); len(g.Groups) != 1 {
		t.Errorf("groups: %+v", g.Groups)
	}
	do("groups/remove", url.Values{"group": {"devs"}})
	// Inline policies: shown, deleted.
	ip := b.get("/console/users/alice/inline/inline")
	if ip.status != http.StatusOK || !strings.Contains(ip.body, "s3:ListAllMyBuckets") || !strings.Contains(ip.body, "\n  &#34;Version&#34;") {
		t.Errorf("inline policy page: %d\n%s", ip.status, ip.body)
	}
	do("inline/inline/delete", url.Values{})
	if in, _ := root.ListUserPolicies(ctx, &iamsdk.ListUserPoliciesInput{UserName: aws.String("alice")}); len(in.PolicyNames) != 0 {
		t.Errorf("inline policies: %v", in.PolicyNames)
	}
	// Tags.
	do("tags", url.Values{"key": {"team"}, "value": {"blue"}})
	if p := b.get("/console/users/alice"); !strings.Contains(p.body, "<code>team</code> = <code>blue</code>") {
		t.Errorf("tag not shown")
	}
	do("tags/remove", url.Values{"key": {"team"}})
	if tags, _ := root.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: aws.String("alice")}); len(tags.Tags) != 0 {
		t.Errorf("tags: %+v", tags.Tags)
	}
	// A new key for the user: shown once.
	p := do("keys", url.Values{})
	if p.header.Get("Location") != "/console/users/~created" {
		t.Fatalf("new key: %q", p.header.Get("Location"))
	}
	created := b.follow(p)
	if !strings.Contains(created.body, "Access key created for alice") || secretRE.FindStringSubmatch(created.body) == nil {
		t.Errorf("new key page:\n%s", created.body)
	}
	// Console access: reset, disable, enable.
	do("login", url.Values{"password": {"Reset-Passw0rd"}, "reset": {"1"}})
	if p := newBrowser(t, h).signIn(iamtest.Account, "alice", "Reset-Passw0rd"); p.header.Get("Location") != "/console/signin/password" {
		t.Errorf("after a reset: %d %q", p.status, p.header.Get("Location"))
	}
	do("login/delete", url.Values{})
	if _, err := root.GetLoginProfile(ctx, &iamsdk.GetLoginProfileInput{UserName: aws.String("alice")}); err == nil {
		t.Error("console access not disabled")
	}
	do("login", url.Values{"password": {"Enable-Passw0rd"}})
	newBrowser(t, h).signedIn(iamtest.Account, "alice", "Enable-Passw0rd")
	if p := b.post("/console/users/alice/login", url.Values{"csrf": {token}, "password": {"weak"}}); p.status != http.StatusBadRequest ||
		!strings.Contains(p.errorText(), "PasswordPolicyViolation") {
		t.Errorf("weak password: %d %q", p.status, p.errorText())
	}
}

// TestAssignMFA: a virtual MFA device assigned from the user's page (QR code, secret, two codes),
// then asked at sign-in; removed again.
func TestAssignMFA(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	token := b.get("/console/users/alice").csrf(t)
	// An abandoned setup leaves an unassigned device behind; a second one replaces it.
	b.post("/console/users/alice/mfa", url.Values{"csrf": {token}})
	b.get("/console/users")
	p := b.post("/console/users/alice/mfa", url.Values{"csrf": {token}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/users/alice/mfa" {
		t.Fatalf("start: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	setup := b.follow(p)
	if !strings.Contains(setup.body, `src="data:image/png;base64,iVBOR`) {
		t.Errorf("no QR code:\n%s", setup.body)
	}
	m := regexp.MustCompile(`id="mfa-seed">([A-Z2-7]+)<`).FindStringSubmatch(setup.body)
	if m == nil {
		t.Fatalf("no seed:\n%s", setup.body)
	}
	seed := decodeSeed(t, m[1])
	step := totpStep(h)
	if p := b.post("/console/users/alice/mfa/enable", url.Values{"csrf": {token}, "code1": {"000000"}, "code2": {"111111"}}); p.status == http.StatusSeeOther {
		t.Error("wrong codes enabled the device")
	}
	p = b.post("/console/users/alice/mfa/enable", url.Values{"csrf": {token}, "code1": {totpCode(seed, step-1)}, "code2": {totpCode(seed, step)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/users/alice" {
		t.Fatalf("enable: %d %s", p.status, p.errorText())
	}
	dev, err := iamtest.IAM(h.Root()).ListMFADevices(ctx, &iamsdk.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(dev.MFADevices) != 1 {
		t.Fatalf("devices: %v %+v", err, dev)
	}
	if p := newBrowser(t, h).signIn(iamtest.Account, "alice", "Alice-Passw0rd"); p.header.Get("Location") != "/console/signin/mfa" {
		t.Errorf("sign-in after MFA assigned: %q", p.header.Get("Location"))
	}
	if p := b.get("/console/users/alice/mfa"); p.status != http.StatusSeeOther {
		t.Errorf("the setup page outlived its device: %d", p.status)
	}
	p = b.post("/console/users/alice/mfa/remove", url.Values{"csrf": {token}, "serial": {aws.ToString(dev.MFADevices[0].SerialNumber)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", p.status, p.errorText())
	}
	newBrowser(t, h).signedIn(iamtest.Account, "alice", "Alice-Passw0rd")
}

// TestCredentialReport: the dashboard reads the report (GET changes nothing) and offers to
// generate it; the report page downloads it.
func TestCredentialReport(t *testing.T) {
	h := newHarness(t)
	consoleUser(t, h, "nomfa", "Nomfa-Passw0rd", false)
	b := newBrowser(t, h)
	d := b.signedIn(iamtest.Account, "", rootPassword)
	if !strings.Contains(d.body, `id="generate-report"`) {
		t.Fatalf("dashboard without a report:\n%s", d.body)
	}
	if p := b.get("/console/credential-report"); !strings.Contains(p.body, "There is no current report.") {
		t.Errorf("report page:\n%s", p.body)
	}
	p := b.post("/console/credential-report", url.Values{"csrf": {d.csrf(t)}, "back": {"dashboard"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		t.Fatalf("generate: %d %q", p.status, p.header.Get("Location"))
	}
	d = b.follow(p)
	if !strings.Contains(d.body, `<a href="/console/users/nomfa">nomfa</a>`) {
		t.Errorf("dashboard does not list the user without MFA:\n%s", d.body)
	}
	dl := b.get("/console/credential-report/csv")
	if dl.status != http.StatusOK || !strings.HasPrefix(dl.body, "user,arn,user_creation_time") || !strings.Contains(dl.body, "\nnomfa,") {
		t.Errorf("download: %d %q", dl.status, dl.body)
	}
}

// TestEntitiesNamedAsPages: IAM names may be "new" or "created"; the console's own forms are at
// paths no IAM name can take (~new, ~created), so such users, groups and roles have their pages.
func TestEntitiesNamedAsPages(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	iamc := iamtest.IAM(h.Root())
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"sts:AssumeRole"}]}`)
	for _, name := range []string{"new", "created"} {
		if _, err := iamc.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iamc.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: trust}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	for _, kind := range []string{"users", "groups", "roles"} {
		for _, name := range []string{"new", "created"} {
			p := b.get("/console/" + kind + "/" + name)
			arn := "arn:aws:iam::" + iamtest.Account + ":" + strings.TrimSuffix(kind, "s") + "/" + name
			if p.status != http.StatusOK || !strings.Contains(p.body, arn) {
				t.Errorf("%s %s: %d, the page does not show %s", kind, name, p.status, arn)
			}
		}
	}
}

// TestSignInURLUsesPublicURL: behind a proxy the URLs a page shows are the public URL's, not
// the plain-HTTP host the node was reached on.
func TestSignInURLUsesPublicURL(t *testing.T) {
	cfg := iamtest.NodeConfig(t.TempDir())
	cfg.PublicURL = "https://iam.example.com"
	h := iamtest.Serve(t, iamtest.OpenNode(t, cfg), nil)
	if err := h.Node.SetRootPassword(context.Background(), "", rootPassword); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h)
	d := b.signedIn(iamtest.Account, "", rootPassword)
	if want := "https://iam.example.com/console?account=" + iamtest.Account; !strings.Contains(d.body, want) {
		t.Errorf("the dashboard does not show %s", want)
	}
}
