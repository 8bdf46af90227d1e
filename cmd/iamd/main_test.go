package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI with args and stdin, returning stdout and the error.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestVersion(t *testing.T) {
	out, err := run(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "iamd ") {
		t.Fatalf("%q %v", out, err)
	}
}

func TestPolicyValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), 0o600)
	os.WriteFile(bad, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`), 0o600)

	out, err := run(t, "", "policy", "validate", good)
	if err != nil || !strings.Contains(out, "good.json: valid") {
		t.Errorf("good: %q %v", out, err)
	}
	out, err = run(t, "", "policy", "validate", good, bad)
	if code, ok := err.(exitCode); !ok || code != 1 {
		t.Errorf("bad: exit %v, want 1", err)
	}
	if !strings.Contains(out, "MalformedPolicyDocument: Policy document should not specify a principal.") {
		t.Errorf("bad: %q", out)
	}
	// The same document is fine as a resource policy.
	if out, err := run(t, "", "policy", "validate", "--kind", "resource", bad); err != nil {
		t.Errorf("resource kind: %q %v", out, err)
	}
	if _, err := run(t, "", "policy", "validate", "--kind", "nope", good); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestPolicySimulate(t *testing.T) {
	req := `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
	  "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Sid":"R","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}]}`
	out, err := run(t, req, "policy", "simulate")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Decision          string `json:"decision"`
		MatchedStatements []struct{ Sid string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Decision != "allowed" || len(res.MatchedStatements) != 1 || res.MatchedStatements[0].Sid != "R" {
		t.Errorf("%+v", res)
	}
	batch := strings.ReplaceAll(req, "\n", "") + "\n" + strings.ReplaceAll(strings.Replace(req, "s3:GetObject", "s3:PutObject", 1), "\n", "") + "\n"
	out, err = run(t, batch, "policy", "simulate", "--batch")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"allowed"`) || !strings.Contains(lines[1], `"implicitDeny"`) {
		t.Errorf("batch: %q", out)
	}
}

func TestEnvSetsFlags(t *testing.T) {
	t.Setenv("IAMD_ADDR", "127.0.0.1:1")
	cmd := newServe()
	if err := envDefault(cmd); err != nil {
		t.Fatal(err)
	}
	if got := cmd.Flags().Lookup("addr").Value.String(); got != "127.0.0.1:1" {
		t.Errorf("addr = %s", got)
	}
}

func TestAccountCreate(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "", "account", "create", "--data", dir, "--id", "210987654321")
	if err != nil || !strings.Contains(out, "Created account 210987654321.") || !strings.Contains(out, "AWS_ACCESS_KEY_ID=AKIA") {
		t.Fatalf("%q %v", out, err)
	}
	if _, err := run(t, "", "account", "create", "--data", dir, "--id", "210987654321"); err == nil {
		t.Error("the same account created twice")
	}
	if _, err := run(t, "", "account", "create", "--data", dir, "--id", "12"); err == nil {
		t.Error("a bad account id accepted")
	}
}
