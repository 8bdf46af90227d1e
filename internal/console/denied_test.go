package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestWhyDenied: a plain AccessDenied is parsed and simulated again, naming the deciding
// statement; an encoded message is opened with DecodeAuthorizationMessage; other text is said
// to be neither.
func TestWhyDenied(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	consoleUser(t, h, "bob", "Bob-Passw0rd!!", false)
	policy(t, h, "bob", `{"Version":"2012-10-17","Statement":[
{"Sid":"Explain","Effect":"Allow","Action":["iam:SimulatePrincipalPolicy","iam:GetRole","iam:ListUsers","sts:DecodeAuthorizationMessage"],"Resource":"*"},
{"Sid":"NoCreate","Effect":"Deny","Action":["iam:CreateUser","iamd:EnrollInstance"],"Resource":"*"}]}`)
	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "bob", "Bob-Passw0rd!!").csrf(t)
	if p := b.get("/console/denied"); p.status != http.StatusOK || !strings.Contains(p.body, `id="denied-message"`) {
		t.Fatalf("form: %d", p.status)
	}

	// The denial as the users page shows it, pasted whole.
	denial := b.post("/console/users", url.Values{"csrf": {token}, "name": {"mallory"}})
	if denial.status != http.StatusForbidden {
		t.Fatalf("create user: %d %s", denial.status, denial.errorText())
	}
	p := b.post("/console/denied", url.Values{"csrf": {token}, "message": {denial.errorText()}})
	if p.status != http.StatusOK {
		t.Fatalf("explain: %d %s", p.status, p.errorText())
	}
	for _, want := range []string{`<dd id="denied-principal"><code>arn:aws:iam::` + iamtest.Account + `:user/bob</code>`,
		`<dd id="denied-action"><code>iam:CreateUser</code>`, "with an explicit deny in an identity-based policy",
		`<strong class="decision">explicitDeny</strong>`, "Decided by inline", "line 3"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("explanation lacks %q:\n%s", want, p.body)
		}
	}

	// An encoded message, from a denied iamd instance operation, opened for bob.
	key, err := iamtest.IAM(h.Root()).CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	msg := enrolDenial(t, h, h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	if !strings.Contains(msg, "Encoded authorization failure message: ") {
		t.Fatalf("EnrollInstance: %q", msg)
	}
	// The console's own session is an IAM user's session: STS refuses it the call, as AWS does
	// GetSessionToken credentials, and the page says what to do.
	p = b.post("/console/denied", url.Values{"csrf": {token}, "message": {msg}})
	if p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "session credentials") || !strings.Contains(p.body, `id="denied-session"`) {
		t.Errorf("decode as bob's session: %d %q", p.status, p.errorText())
	}
	// A role allowed to decode opens it.
	root := iamtest.IAM(h.Root())
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("decoder"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + iamtest.Account + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("decoder"), PolicyName: aws.String("decode"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if p := b.post("/console/switchrole", url.Values{"csrf": {token}, "account": {iamtest.Account}, "roleName": {"decoder"}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch to decoder: %d %s", p.status, p.errorText())
	}
	p = b.post("/console/denied", url.Values{"csrf": {token}, "message": {msg}})
	for _, want := range []string{`id="decoded-decision">Denied by an explicit Deny`, `<dd id="decoded-action"><code>iamd:EnrollInstance</code>`,
		"DENY statement NoCreate", `id="decoded-json"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("decoded lacks %q (%d %s)", want, p.status, p.errorText())
		}
	}

	// Someone else gets STS's AccessDenied.
	consoleUser(t, h, "eve", "Eve-Passw0rd!!", false)
	e := newBrowser(t, h)
	et := e.signedIn(iamtest.Account, "eve", "Eve-Passw0rd!!").csrf(t)
	if p := e.post("/console/denied", url.Values{"csrf": {et}, "message": {msg}}); p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "AccessDenied") {
		t.Errorf("eve decodes: %d %q", p.status, p.errorText())
	}
	if p := b.post("/console/denied", url.Values{"csrf": {token}, "message": {"Access Denied"}}); !strings.Contains(p.body, `id="denied-unreadable"`) {
		t.Errorf("S3's bare Access Denied: %d", p.status)
	}
}

// enrolDenial calls iamd's EnrollInstance with cfg's credentials and returns the AccessDenied
// message, which carries an encoded authorization message.
func enrolDenial(t *testing.T, h *iamtest.Harness, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	body := url.Values{"Action": {"EnrollInstance"}, "InstanceProfileName": {"web"}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Error.Code != "AccessDenied" {
		t.Fatalf("EnrollInstance: %d %+v %v", resp.StatusCode, out, err)
	}
	return out.Error.Message
}
