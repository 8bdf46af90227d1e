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

// TestEnrolledInstances: an instance enrolled with iamd's EnrollInstance is listed, revoked
// from the console, and shown revoked; a user without iamd:ListInstances sees the denial.
func TestEnrolledInstances(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	id := enrol(t, h, "web")

	b := newBrowser(t, h)
	token := b.signedIn(iamtest.Account, "", rootPassword).csrf(t)
	p := b.get("/console/instances")
	if p.status != http.StatusOK || !strings.Contains(p.body, "<code>"+id+"</code>") || !strings.Contains(p.body, `<td class="status">Active</td>`) {
		t.Fatalf("instances: %d %s\n%s", p.status, p.errorText(), p.body)
	}
	if p := b.post("/console/instances/revoke", url.Values{"csrf": {token}, "instance": {id}}); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", p.status, p.errorText())
	}
	if p := b.get("/console/instances"); !strings.Contains(p.body, `<td class="status">Revoked</td>`) {
		t.Errorf("after revoke:\n%s", p.body)
	}
	if p := b.post("/console/instances/revoke", url.Values{"csrf": {token}, "instance": {"i-0123456789abcdef0"}}); p.status != http.StatusNotFound || p.errorText() == "" {
		t.Errorf("revoke an unknown instance: %d %q", p.status, p.errorText())
	}

	consoleUser(t, h, "fay", "Fay-Passw0rd!!", false)
	f := newBrowser(t, h)
	f.signedIn(iamtest.Account, "fay", "Fay-Passw0rd!!")
	if p := f.get("/console/instances"); p.status != http.StatusForbidden || !strings.Contains(p.errorText(), "iamd:ListInstances") {
		t.Errorf("fay: %d %q", p.status, p.errorText())
	}
}

// enrol enrols an instance in a profile with the root user's keys (iamd's EnrollInstance) and
// returns its id.
func enrol(t *testing.T, h *iamtest.Harness, profile string) string {
	t.Helper()
	ctx := context.Background()
	body := url.Values{"Action": {"EnrollInstance"}, "InstanceProfileName": {profile}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds, err := h.Root().Credentials.Retrieve(ctx)
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
	var out struct{ Instance struct{ InstanceId string } }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Instance.InstanceId == "" {
		t.Fatalf("EnrollInstance: %d %+v %v", resp.StatusCode, out, err)
	}
	return out.Instance.InstanceId
}
