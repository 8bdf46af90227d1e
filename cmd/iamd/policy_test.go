package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate --kind managed checks a document as CreatePolicy does; the default, identity, as an
// inline policy.
func TestPolicyValidateManaged(t *testing.T) {
	f := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(f, []byte(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), 0o600)
	if out, err := run(t, "", "policy", "validate", f); err != nil {
		t.Errorf("inline: %q %v", out, err)
	}
	out, err := run(t, "", "policy", "validate", "--kind", "managed", f)
	if code, ok := err.(exitCode); !ok || code != 1 || !strings.Contains(out, "p.json:1:1: MalformedPolicyDocument: Policy document must be version 2012-10-17 or greater.") {
		t.Errorf("managed: %q %v", out, err)
	}
}

// policy simulate applies the trust policy's own rule, as the server does: a same-account
// caller whose identity policy allows sts:AssumeRole may not assume a role whose trust policy
// does not name it or its account.
func TestPolicySimulateTrust(t *testing.T) {
	req := `{"action":"sts:AssumeRole","resource":"arn:aws:iam::111122223333:role/r","principal":{"arn":"arn:aws:iam::111122223333:user/alice"},
	  "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}],
	  "resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}}`
	out, err := run(t, req, "policy", "simulate")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Decision  string `json:"decision"`
		DecidedBy string `json:"decidedBy"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Decision != "implicitDeny" || res.DecidedBy != "resourcePolicy" {
		t.Errorf("%+v", res)
	}
}
