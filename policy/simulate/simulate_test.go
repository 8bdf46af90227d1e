package simulate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/policy"
)

const simReq = `{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
 "principal":{"arn":"arn:aws:iam::111122223333:user/alice"},
 "context":{"aws:SourceIp":"10.1.2.3","aws:TagKeys":["a","b"],"aws:SecureTransport":true,"s3:max-keys":5},
 "identityPolicies":[{"Version":"2012-10-17","Statement":{"Sid":"S1","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
   "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"},"NumericLessThan":{"s3:max-keys":10},"StringEquals":{"aws:username":"alice"}}}}],
 "permissionsBoundary":{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},
 "scps":[[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}]],
 "rcps":[[{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}]],
 "sessionPolicies":[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"x:missing":"true"},"StringLike":{"x:other":"*"}}}}],
 "resourcePolicy":{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"*"}}}`

func TestRunSingle(t *testing.T) {
	var out bytes.Buffer
	if err := Run(strings.NewReader(simReq), &out, false); err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.Bytes())
	}
	want := Result{
		Decision:  "implicitDeny",
		DecidedBy: "sessionPolicies",
		MatchedStatements: []MatchedStatement{
			{Policy: "identityPolicies[0]", Sid: "S1", Effect: "Allow"},
			{Policy: "resourcePolicy", Effect: "Allow"},
			{Policy: "permissionsBoundary", Effect: "Allow"},
			{Policy: "rcps[0][0]", Effect: "Allow"},
			{Policy: "scps[0][0]", Effect: "Allow"},
		},
		MissingContextKeys: []string{"x:other"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func TestRunBatch(t *testing.T) {
	lines := []string{
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicies":[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]}`,
		``,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","identityPolicies":[{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}]}`,
		`{"action":"s3:GetObject"`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourcePolicy":{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}}`,
		`{"action":"sts:AssumeRole","resource":"arn:aws:iam::111122223333:role/R","principal":{"arn":"arn:aws:iam::111122223333:user/a"},"resourcePolicy":{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"sts:AssumeRole"}}}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","unknown":1}`,
		`{"action":"","resource":"x"}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"k:a":{"x":1}}}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"k:a":[null]}}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"k:a":false}}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","permissionsBoundary":{"Statement":[]}}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","sessionPolicies":[{"Statement":[]}]}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","scps":[[{"Statement":[]}]]}`,
		`{"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourcePolicy":{"Statement":[]}}`,
	}
	var out bytes.Buffer
	if err := Run(strings.NewReader(strings.Join(lines, "\n")), &out, true); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`"decision":"allowed"`,
		`{"error":"Policy document should not specify a principal."}`,
		`{"error":"simulate: reading the request`,
		`"decision":"explicitDeny"`,
		`"decision":"allowed"`,
		`unknown field`,
		`needs an action and a resource`,
		`unsupported value`,
		`unsupported value`,
		`"decision":"implicitDeny"`,
		`Syntax errors in policy.`,
		`Syntax errors in policy.`,
		`Syntax errors in policy.`,
		`Syntax errors in policy.`,
	}
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d:\n%s", len(got), len(want), out.String())
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("line %d: %s, want it to contain %s", i, got[i], want[i])
		}
	}
}

func TestRunSingleErrors(t *testing.T) {
	tests := []struct {
		name, in string
		wantErr  bool
		out      string
	}{
		{"bad json", `{`, true, ""},
		{"bad policy", `{"action":"a:b","resource":"*","identityPolicies":[{"Statement":{"Effect":"Allow","Action":"x","Resource":"*"}}]}`, false, `{"error":"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."}` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(strings.NewReader(tc.in), &out, false)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if out.String() != tc.out {
				t.Fatalf("out %q, want %q", out.String(), tc.out)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	if err := Validate([]byte(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), policy.KindIdentity); err != nil {
		t.Fatal(err)
	}
	err := Validate([]byte(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), policy.KindResource)
	if err == nil || err.Error() != "Missing required field Principal" {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkBatch measures the JSON-lines simulator end to end (decode, parse, evaluate, encode).
func BenchmarkBatch(b *testing.B) {
	line := strings.ReplaceAll(simReq, "\n", "") + "\n"
	in := strings.Repeat(line, 100)
	b.ReportAllocs()
	for b.Loop() {
		if err := Run(strings.NewReader(in), ioDiscard{}, true); err != nil {
			b.Fatal(err)
		}
	}
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }
