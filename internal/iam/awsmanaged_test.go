package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
)

// The ReadOnlyAccess document was transcribed from AWS's published v87 and checked against the
// source: 1,321 actions, the source file's exact length and its page boundaries. These pins make
// any later edit of the data file (a dropped line, a typo) fail here instead of granting
// something else silently.
const (
	readOnlyActions = 1321
	readOnlySHA256  = "2a15b9a27cc463500ebaa7200ca0d67dd84e32367b099ed8248067f29b755ac8" // of the compact document
)

func awsManaged(tb testing.TB, name string) AWSManagedPolicy {
	tb.Helper()
	for _, m := range AWSManagedPolicies() {
		if m.Name == name {
			return m
		}
	}
	tb.Fatalf("%s is not shipped", name)
	return AWSManagedPolicy{}
}

func TestAWSManagedPoliciesWellFormed(t *testing.T) {
	names, ids := map[string]bool{}, map[string]bool{}
	for _, m := range AWSManagedPolicies() {
		t.Run(m.Name, func(t *testing.T) {
			if names[m.Name] || ids[m.ID] {
				t.Errorf("duplicate name or id %s", m.ID)
			}
			names[m.Name], ids[m.ID] = true, true
			if !strings.HasPrefix(m.ID, "ANPA") || len(m.ID) != 21 {
				t.Errorf("id %q is not a managed policy id", m.ID)
			}
			if m.Updated.Before(m.Created) || !strings.HasPrefix(m.DefaultVersion, "v") || m.Description == "" {
				t.Errorf("metadata: created %v updated %v version %q description %q", m.Created, m.Updated, m.DefaultVersion, m.Description)
			}
			if _, err := policy.Parse([]byte(m.Document), policy.KindIdentity); err != nil {
				t.Errorf("policy.Parse: %v", err)
			}
			if !json.Valid([]byte(m.Document)) || strings.ContainsAny(m.Document, " \n\t") {
				t.Errorf("document is not compact JSON")
			}
			p := m.Policy()
			if p.Arn != "arn:aws:iam::aws:policy/"+m.Name || p.Account != AWSManagedAccount || !p.IsAttachable {
				t.Errorf("Policy() = %+v", p)
			}
		})
	}
}

func TestReadOnlyAccessDocument(t *testing.T) {
	m := awsManaged(t, "ReadOnlyAccess")
	if m.ID != "ANPAILL3HVNFSB6DCOWYQ" || m.DefaultVersion != "v87" || m.Path != "/" ||
		m.Description != "Provides read-only access to AWS services and resources." {
		t.Errorf("metadata = %+v", m)
	}
	if got, want := m.Updated.Format("2006-01-02T15:04"), "2022-05-23T20:16"; got != want {
		t.Errorf("Updated = %s, want %s (v87)", got, want)
	}
	if got, want := m.Created.Format("2006-01-02T15:04"), "2015-02-06T18:39"; got != want {
		t.Errorf("Created = %s, want %s", got, want)
	}

	sum := sha256.Sum256([]byte(m.Document))
	if got := hex.EncodeToString(sum[:]); got != readOnlySHA256 {
		t.Errorf("document SHA-256 = %s, want %s", got, readOnlySHA256)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(m.Document), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Resource != "*" {
		t.Fatalf("document shape: %+v", doc)
	}
	acts := doc.Statement[0].Action
	if len(acts) != readOnlyActions {
		t.Errorf("%d actions, want %d", len(acts), readOnlyActions)
	}
	if acts[0] != "a4b:Get*" || acts[len(acts)-1] != "xray:Get*" {
		t.Errorf("first, last action = %q, %q", acts[0], acts[len(acts)-1])
	}
	seen := map[string]bool{}
	for _, a := range acts {
		svc, name, ok := strings.Cut(a, ":")
		if !ok || svc == "" || name == "" || strings.ContainsAny(a, " \"") || seen[a] {
			t.Errorf("action %q malformed or repeated", a)
		}
		seen[a] = true
	}
	// AWS managed policies are not bound by the customer managed policy quota; this one is far
	// above it, which is why seeding must not apply that quota.
	if n := PolicySize(m.Document); n <= MaxManagedPolicyChars {
		t.Errorf("PolicySize = %d, expected above the customer quota %d", n, MaxManagedPolicyChars)
	}
}

func TestReadOnlyAccessDecisions(t *testing.T) {
	p, err := policy.Parse([]byte(awsManaged(t, "ReadOnlyAccess").Document), policy.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	sets := &policy.Sets{Identity: []*policy.Policy{p}}
	tests := []struct {
		name, action, resource string
		want                   policy.Decision
	}{
		{"iam list", "iam:ListUsers", "*", policy.Allowed},
		{"iam get", "iam:GetUser", "arn:aws:iam::123456789012:user/ann", policy.Allowed},
		{"iam simulate", "iam:SimulatePrincipalPolicy", "arn:aws:iam::123456789012:user/ann", policy.Allowed},
		{"iam create", "iam:CreateUser", "arn:aws:iam::123456789012:user/bob", policy.ImplicitDeny},
		{"iam pass role", "iam:PassRole", "arn:aws:iam::123456789012:role/r", policy.ImplicitDeny},
		{"s3 read", "s3:GetObject", "arn:aws:s3:::bucket/key", policy.Allowed},
		{"s3 write", "s3:PutObject", "arn:aws:s3:::bucket/key", policy.ImplicitDeny},
		{"action case ignored", "codestar-notifications:ListEventTypes", "*", policy.Allowed},
		{"sts caller identity", "sts:GetCallerIdentity", "*", policy.Allowed},
		{"sts assume role", "sts:AssumeRole", "arn:aws:iam::123456789012:role/r", policy.ImplicitDeny},
		{"first action", "a4b:GetDevice", "*", policy.Allowed},
		{"last action", "xray:GetTraceSummaries", "*", policy.Allowed},
		{"ec2 terminate", "ec2:TerminateInstances", "*", policy.ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &policy.Request{Action: tc.action, Resource: tc.resource}
			if got := policy.Evaluate(sets, r).Decision; got != tc.want {
				t.Errorf("%s on %s = %v, want %v", tc.action, tc.resource, got, tc.want)
			}
		})
	}
}

// BenchmarkReadOnlyAccessParse measures compiling the largest shipped document, which the
// authorizer does when it loads a principal's policies.
func BenchmarkReadOnlyAccessParse(b *testing.B) {
	doc := []byte(awsManaged(b, "ReadOnlyAccess").Document)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := policy.Parse(doc, policy.KindIdentity); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadOnlyAccessEvaluate measures a decision against it: a write action, which must be
// compared with every pattern before it is denied (the worst case).
func BenchmarkReadOnlyAccessEvaluate(b *testing.B) {
	p, err := policy.Parse([]byte(awsManaged(b, "ReadOnlyAccess").Document), policy.KindIdentity)
	if err != nil {
		b.Fatal(err)
	}
	sets := &policy.Sets{Identity: []*policy.Policy{p}}
	r := &policy.Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/bob"}
	var res policy.Result
	b.ReportAllocs()
	for b.Loop() {
		policy.EvaluateInto(&res, sets, r)
	}
}
