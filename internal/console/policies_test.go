package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

const (
	badDoc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Alow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	// simDoc allows reading a bucket's objects but its secrets.
	simDoc = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/secret*"}
  ]
}`
)

var simRowRE = regexp.MustCompile(`(?s)<tr class="decision-(\w+)"><td><code>([^<]+)</code></td><td><code>([^<]+)</code></td>(.*?)</tr>`)

// simResults reads a simulation's rows: action and resource to decision, and its text.
func simResults(body string) map[string]string {
	out := map[string]string{}
	for _, m := range simRowRE.FindAllStringSubmatch(body, -1) {
		out[m[2]+" "+html.UnescapeString(m[3])] = m[1] + " " + html.UnescapeString(tagRE.ReplaceAllString(m[4], " "))
	}
	return out
}

func TestPolicyList(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	p := b.get("/console/policies?scope=AWS")
	rows := strings.Count(p.body, `<tr><td><a href="/console/policy?arn=`)
	if p.status != http.StatusOK || rows != 50 || !strings.Contains(p.body, `id="next-page"`) {
		t.Errorf("AWS managed policies: %d, %d rows", p.status, rows)
	}
	// A search scans within its time and goes on with the next page.
	found := 0
	path := "/console/policies?scope=AWS&q=iamreadonly"
	for range 40 {
		p = b.get(path)
		found += strings.Count(p.body, `href="/console/policy?arn=arn%3aaws%3aiam%3a%3aaws%3apolicy%2fIAMReadOnlyAccess">IAMReadOnlyAccess</a>`)
		m := regexp.MustCompile(`href="(/console/policies\?[^"]*marker=[^"]+)" id="next-page"`).FindStringSubmatch(p.body)
		if m == nil {
			break
		}
		path = html.UnescapeString(m[1])
	}
	if found != 1 {
		t.Errorf("search found IAMReadOnlyAccess %d times", found)
	}
	if p := b.get("/console/policies"); !strings.Contains(p.body, "No policies.") {
		t.Error("customer managed policies of a new account")
	}
	// An AWS managed policy's page: its document and versions, nothing to edit or delete.
	p = b.get("/console/policy?arn=" + url.QueryEscape("arn:aws:iam::aws:policy/ReadOnlyAccess"))
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="policy-document"`) || strings.Contains(p.body, `id="edit-policy"`) ||
		strings.Contains(p.body, `id="delete-policy"`) || !strings.Contains(p.body, "AWS managed") {
		t.Errorf("AWS managed policy page: %d\n%s", p.status, p.body)
	}
	if p := b.get("/console/policy?arn=" + url.QueryEscape("arn:aws:iam::aws:policy/NoSuchPolicy")); p.status != http.StatusNotFound {
		t.Errorf("missing policy: %d", p.status)
	}
}

// TestPolicyEditor: validation (the validator's message and position), simulation (allowed,
// explicit and implicit deny, the deciding statement), creation, new versions, set-default,
// the diff, deletion.
func TestPolicyEditor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	policy(t, h, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	form := b.get("/console/policies/new")
	if !strings.Contains(form.body, `<textarea id="document" name="document"`) || !strings.Contains(form.body, "codemirror.js") {
		t.Fatalf("editor:\n%s", form.body)
	}
	token := form.csrf(t)
	post := func(v url.Values) page {
		v.Set("csrf", token)
		return b.post("/console/policies/new", v)
	}
	// Validate: IAM's message, at the fault's line and column.
	p := post(url.Values{"do": {"validate"}, "name": {"Reader"}, "document": {badDoc}})
	if !strings.Contains(p.body, "Line 5, column 17: MalformedPolicyDocument: Syntax errors in policy.") {
		t.Errorf("validation:\n%s", p.body)
	}
	// Saving it is the API's MalformedPolicyDocument, with the validator's position beside it.
	p = post(url.Values{"do": {"save"}, "name": {"Reader"}, "document": {badDoc}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.errorText(), "MalformedPolicyDocument") || !strings.Contains(p.body, "Line 5, column 17") {
		t.Errorf("save invalid: %d %q", p.status, p.errorText())
	}
	if !strings.Contains(html.UnescapeString(p.body), `"Effect": "Alow"`) {
		t.Error("the document typed was lost")
	}
	// Simulate.
	p = post(url.Values{"do": {"simulate"}, "name": {"Reader"}, "document": {simDoc}, "simActions": {"s3:GetObject, s3:PutObject"},
		"simResources": {"arn:aws:s3:::b/report.pdf\narn:aws:s3:::b/secret-plan"}})
	res := simResults(p.body)
	for k, want := range map[string]string{
		"s3:GetObject arn:aws:s3:::b/report.pdf":  "allowed allowed Allowed Decided by this document, the statement at line 4, column 6",
		"s3:GetObject arn:aws:s3:::b/secret-plan": "explicitDeny explicitDeny Denied by an explicit Deny Decided by this document, the statement at line 5, column 6",
		"s3:PutObject arn:aws:s3:::b/report.pdf":  "implicitDeny implicitDeny Denied: no statement allows it",
	} {
		if got := squash(res[k]); !strings.HasPrefix(got, want) {
			t.Errorf("simulation %s: %q, want %q", k, got, want)
		}
	}
	if len(res) != 4 {
		t.Errorf("simulation rows: %v\n%s", res, p.body)
	}
	// As alice, whose own policy allows PutObject.
	p = post(url.Values{"do": {"simulate"}, "name": {"Reader"}, "document": {simDoc}, "simActions": {"s3:PutObject"},
		"simResources": {"arn:aws:s3:::b/x"}, "simPrincipal": {"arn:aws:iam::" + iamtest.Account + ":user/alice"}})
	if got := squash(simResults(p.body)["s3:PutObject arn:aws:s3:::b/x"]); !strings.HasPrefix(got, "allowed") || !strings.Contains(got, "inline (IAM Policy)") {
		t.Errorf("simulation as alice: %q", got)
	}
	if p := post(url.Values{"do": {"simulate"}, "document": {simDoc}}); !strings.Contains(p.body, `id="sim-error"`) {
		t.Error("a simulation without actions")
	}
	// Save.
	p = post(url.Values{"do": {"save"}, "name": {"Reader"}, "description": {"reads b"}, "document": {simDoc}})
	arn := "arn:aws:iam::" + iamtest.Account + ":policy/Reader"
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/policy?arn="+url.QueryEscape(arn) {
		t.Fatalf("save: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	page1 := b.follow(p)
	if !strings.Contains(page1.body, `id="default-version">v1<`) || !strings.Contains(html.UnescapeString(page1.body), `"Sid": "NoSecrets"`) {
		t.Errorf("policy page:\n%s", page1.body)
	}
	// A new version, not the default; then made the default; compared; the old one deleted.
	edit := b.get("/console/policy/edit?arn=" + url.QueryEscape(arn))
	if !strings.Contains(html.UnescapeString(edit.body), `"Sid": "NoSecrets"`) {
		t.Errorf("edit form does not hold the default version:\n%s", edit.body)
	}
	v2 := strings.Replace(simDoc, "secret*", "private/*", 1)
	p = b.post("/console/policy/edit?arn="+url.QueryEscape(arn), url.Values{"csrf": {token}, "do": {"save"}, "document": {v2}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("new version: %d %s", p.status, p.errorText())
	}
	if pg := b.follow(p); !strings.Contains(pg.body, `id="default-version">v1<`) || !strings.Contains(pg.body, `id="set-default-v2"`) {
		t.Errorf("v2 made the default though unchecked:\n%s", pg.body)
	}
	if p := b.post("/console/policy/default", url.Values{"csrf": {token}, "arn": {arn}, "version": {"v2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("set default: %d %s", p.status, p.errorText())
	}
	out, err := iamtest.IAM(h.Root()).GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(out.Policy.DefaultVersionId) != "v2" {
		t.Errorf("default version: %v", err)
	}
	diff := b.get("/console/policy/diff?arn=" + url.QueryEscape(arn) + "&from=v1&to=v2")
	plain := html.UnescapeString(diff.body)
	del := `<div class="dl ddel" role="row"><span class="ln" role="cell">14</span><span class="ln" role="cell"></span><span class="op" role="cell">-</span><code role="cell">      "Resource": "arn:aws:s3:::b/secret*"</code></div>`
	add := `<div class="dl dadd" role="row"><span class="ln" role="cell"></span><span class="ln" role="cell">14</span><span class="op" role="cell">+</span><code role="cell">      "Resource": "arn:aws:s3:::b/private/*"</code></div>`
	if !strings.Contains(plain, del+"\n"+add) || strings.Count(plain, "dl dsame") != 16 {
		t.Errorf("diff:\n%s", diff.body)
	}
	if p := b.post("/console/policy/versions/delete", url.Values{"csrf": {token}, "arn": {arn}, "version": {"v2"}}); p.status != http.StatusConflict ||
		!strings.Contains(p.errorText(), "DeleteConflict") {
		t.Errorf("delete the default version: %d %q", p.status, p.errorText())
	}
	if p := b.post("/console/policy/versions/delete", url.Values{"csrf": {token}, "arn": {arn}, "version": {"v1"}}); p.status != http.StatusSeeOther {
		t.Errorf("delete v1: %d %s", p.status, p.errorText())
	}
	// Deleting it detaches it first.
	if _, err := iamtest.IAM(h.Root()).AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if pg := b.get("/console/policy?arn=" + url.QueryEscape(arn)); !strings.Contains(pg.body, `User <a href="/console/users/alice">alice</a>`) {
		t.Errorf("usage:\n%s", pg.body)
	}
	if p := b.post("/console/policy/delete", url.Values{"csrf": {token}, "arn": {arn}, "confirm": {"Reader"}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", p.status, p.errorText())
	}
	if _, err := iamtest.IAM(h.Root()).GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}); err == nil {
		t.Error("policy still exists")
	}
}

// TestValidateAPI: the editor's live validation, a signed-in session's with its token.
func TestValidateAPI(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	call := func(b *browser, token, doc, kind string) page {
		body, _ := json.Marshal(map[string]string{"document": doc, "kind": kind})
		req, _ := http.NewRequest(http.MethodPost, b.base+"/console/api/validate", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		return b.do(req)
	}
	p := call(b, token, badDoc, "managed")
	if p.status != http.StatusOK || strings.TrimSpace(p.body) != `{"valid":false,"message":"Syntax errors in policy.","line":5,"column":17,"kind":"managed"}` {
		t.Errorf("invalid: %d %s", p.status, p.body)
	}
	if p := call(b, token, simDoc, "managed"); strings.TrimSpace(p.body) != `{"valid":true,"kind":"managed"}` {
		t.Errorf("valid: %s", p.body)
	}
	// A trust policy needs a principal; an identity policy may not have one.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`
	if p := call(b, token, trust, "trust"); !strings.Contains(p.body, `"valid":false`) {
		t.Errorf("trust policy without a principal: %s", p.body)
	}
	if p := call(b, "", simDoc, "managed"); p.status != http.StatusForbidden {
		t.Errorf("without the token: %d", p.status)
	}
	if p := call(newBrowser(t, h), token, simDoc, "managed"); p.status != http.StatusForbidden {
		t.Errorf("not signed in: %d", p.status)
	}
}

// TestInlinePolicyEditor: a user's inline policy written and rewritten in the editor.
func TestInlinePolicyEditor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	consoleUser(t, h, "alice", "Alice-Passw0rd", false)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	form := b.get("/console/users/alice/inline-edit")
	p := b.post("/console/users/alice/inline-edit", url.Values{"csrf": {form.csrf(t)}, "do": {"save"}, "name": {"reads"}, "document": {simDoc}, "back": {"/console/users/alice"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console/users/alice" {
		t.Fatalf("save: %d %q %s", p.status, p.header.Get("Location"), p.errorText())
	}
	edit := b.get("/console/users/alice/inline-edit?policy=reads")
	if !strings.Contains(html.UnescapeString(edit.body), `"Sid": "NoSecrets"`) || !strings.Contains(edit.body, `value="reads"`) {
		t.Errorf("edit form:\n%s", edit.body)
	}
	out, err := iamtest.IAM(h.Root()).GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("reads")})
	if err != nil || !strings.Contains(aws.ToString(out.PolicyDocument), "NoSecrets") {
		t.Errorf("inline policy: %v", err)
	}
}

// TestAWSManagedVersions: an AWS managed policy's many versions are paged, and compared.
func TestAWSManagedVersions(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h)
	b.signedIn(iamtest.Account, "", rootPassword)
	arn := url.QueryEscape("arn:aws:iam::aws:policy/ReadOnlyAccess")
	p := b.get("/console/policy?arn=" + arn)
	rows := strings.Count(p.body, `<tr><td><a href="/console/policy?arn=`)
	if p.status != http.StatusOK || rows != 20 || !strings.Contains(p.body, `id="older-versions"`) {
		t.Fatalf("versions: %d, %d rows", p.status, rows)
	}
	m := regexp.MustCompile(`href="([^"]+)" id="older-versions"`).FindStringSubmatch(p.body)
	older := b.get(html.UnescapeString(m[1]))
	if rows := strings.Count(older.body, `<tr><td><a href="/console/policy?arn=`); older.status != http.StatusOK || rows != 20 {
		t.Errorf("older versions: %d, %d rows", older.status, rows)
	}
	diff := b.get("/console/policy/diff?arn=" + arn)
	if diff.status != http.StatusOK || !strings.Contains(diff.body, `id="diff"`) {
		t.Errorf("diff of an AWS managed policy: %d %s", diff.status, diff.errorText())
	}
}
