package iam

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/policy"
)

// ReadOnlyAccess is the largest document most users meet; these pins, checked against the source
// package with a separate tool, make a regeneration that loses or alters data fail here rather
// than grant something else silently.
const (
	readOnlyVersion = "v188"
	readOnlyActions = 1510 + 1403 + 1                                                    // per statement
	readOnlySHA256  = "fa3331379f2a617fa1bd2d56da7c36d74fc54806449780cde815cd4170ca49e5" // of the compact document
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

func TestAWSManagedCatalogue(t *testing.T) {
	all := AWSManagedPolicies()
	if len(all) <= 1500 || len(all) != awsManagedCatalogueSize {
		t.Fatalf("%d policies shipped (generated size %d), want more than 1,500", len(all), awsManagedCatalogueSize)
	}
	arns, ids, paths := map[string]bool{}, map[string]bool{}, map[string]int{}
	for i, m := range all {
		p := m.Policy()
		if arns[p.Arn] || ids[m.ID] {
			t.Errorf("%s: duplicate ARN or id %s", p.Arn, m.ID)
		}
		arns[p.Arn], ids[m.ID] = true, true
		paths[m.Path]++
		if i > 0 && strings.ToLower(all[i-1].Name) > strings.ToLower(m.Name) {
			t.Errorf("%s listed after %s: not in name order", m.Name, all[i-1].Name)
		}
		if !strings.HasPrefix(m.ID, PrefixPolicy) || len(m.ID) != 21 || strings.Trim(m.ID, base32Alphabet) != "" {
			t.Errorf("%s: id %q is not a managed policy id", p.Arn, m.ID)
		}
		if m.Created.IsZero() || m.Updated.Before(m.Created) || !strings.HasPrefix(m.DefaultVersion, "v") {
			t.Errorf("%s: created %v updated %v version %q", p.Arn, m.Created, m.Updated, m.DefaultVersion)
		}
		if !json.Valid([]byte(m.Document)) || strings.HasPrefix(m.Document, "{ ") || strings.Contains(m.Document, "\n") {
			t.Errorf("%s: document is not compact JSON", p.Arn)
		}
		if got, ok := AWSManagedPolicyByARN(p.Arn); !ok || got.ID != m.ID {
			t.Errorf("AWSManagedPolicyByARN(%s) = %v, %v", p.Arn, got.ID, ok)
		}
	}
	for _, path := range []string{"/", "/service-role/", "/job-function/", "/aws-service-role/"} {
		if paths[path] == 0 {
			t.Errorf("no policy under %s", path)
		}
	}
	if _, ok := AWSManagedPolicyByARN("arn:aws:iam::aws:policy/NoSuchPolicy"); ok {
		t.Error("AWSManagedPolicyByARN found an absent policy")
	}
}

// TestAWSManagedPoliciesParse parses every shipped document as an identity policy, as the
// authorizer will when one is attached. Only the ones iamd long shipped and the usual picks are
// listed by name; the loop covers the rest.
func TestAWSManagedPoliciesParse(t *testing.T) {
	named := []struct{ name, path, version string }{
		{"AdministratorAccess", "/", "v1"},
		{"PowerUserAccess", "/", "v12"},
		{"ReadOnlyAccess", "/", readOnlyVersion},
		{"IAMFullAccess", "/", "v2"},
		{"IAMReadOnlyAccess", "/", "v4"},
		{"IAMUserChangePassword", "/", "v5"},
		{"AWSLambdaBasicExecutionRole", "/service-role/", "v1"},
		{"ViewOnlyAccess", "/job-function/", ""},
	}
	for _, n := range named {
		m := awsManaged(t, n.name)
		if m.Path != n.path || n.version != "" && m.DefaultVersion != n.version {
			t.Errorf("%s: path %s version %s, want %s %s", n.name, m.Path, m.DefaultVersion, n.path, n.version)
		}
		if _, ok := AWSManagedPolicyByARN("arn:aws:iam::aws:policy" + n.path + n.name); !ok {
			t.Errorf("%s not found by ARN", n.name)
		}
	}
	failed := 0
	for _, m := range AWSManagedPolicies() {
		if _, err := policy.Parse([]byte(m.Document), policy.KindIdentity); err != nil {
			failed++
			t.Errorf("%s%s: policy.Parse: %v", m.Path, m.Name, err)
		}
	}
	if failed > 0 {
		t.Logf("%d documents fail to parse", failed)
	}
}

// TestAWSManagedKnownIDs checks that the policies iamd shipped before the catalogue keep AWS's
// ids and descriptions, so stored attachments and clients that recorded them see no change.
func TestAWSManagedKnownIDs(t *testing.T) {
	for name, id := range map[string]string{
		"AdministratorAccess": "ANPAIWMBCKSKIEE64ZLYK", "PowerUserAccess": "ANPAJYRXTHIB4FOVS3ZXS",
		"ReadOnlyAccess": "ANPAILL3HVNFSB6DCOWYQ", "IAMFullAccess": "ANPAI7XKCFMBPM3QQRRVQ",
		"IAMReadOnlyAccess": "ANPAJKSO7NDY4T57MWDSQ", "IAMUserChangePassword": "ANPAJ4L4MM2A7QIEB56MS",
	} {
		if m := awsManaged(t, name); m.ID != id || m.Description == "" {
			t.Errorf("%s: id %s description %q, want %s", name, m.ID, m.Description, id)
		}
	}
}

func TestReadOnlyAccessDocument(t *testing.T) {
	m := awsManaged(t, "ReadOnlyAccess")
	if m.ID != "ANPAILL3HVNFSB6DCOWYQ" || m.DefaultVersion != readOnlyVersion || m.Path != "/" ||
		m.Description != "Provides read-only access to AWS services and resources." {
		t.Errorf("metadata = %+v", m)
	}
	if got, want := m.Created.Format(time.RFC3339), "2015-02-06T18:39:48Z"; got != want {
		t.Errorf("Created = %s, want %s", got, want)
	}
	if got, want := m.Updated.Format(time.RFC3339), "2026-07-21T18:42:30Z"; got != want {
		t.Errorf("Updated = %s, want %s (%s)", got, want, readOnlyVersion)
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
	if doc.Version != "2012-10-17" || len(doc.Statement) != 3 {
		t.Fatalf("document shape: %+v", doc)
	}
	var acts []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || s.Resource != "*" {
			t.Errorf("statement %+v: want Allow on *", s)
		}
		acts = append(acts, s.Action...)
	}
	if len(acts) != readOnlyActions {
		t.Errorf("%d actions, want %d", len(acts), readOnlyActions)
	}
	if acts[0] != "a4b:Get*" {
		t.Errorf("first action = %q", acts[0])
	}
	// AWS's v188 lists two resiliencehub actions twice; the count above includes the repeats,
	// and any other repeat means the data changed.
	seen, repeats := map[string]bool{}, 0
	for _, a := range acts {
		svc, name, ok := strings.Cut(a, ":")
		if !ok || svc == "" || name == "" || strings.ContainsAny(a, " \"") {
			t.Errorf("action %q malformed", a)
		}
		if seen[a] {
			repeats++
		}
		seen[a] = true
	}
	if repeats != 2 || !seen["resiliencehub:ListServiceEvents"] {
		t.Errorf("%d repeated actions, want AWS's 2", repeats)
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
		{"second statement", "xray:GetTraceSummaries", "*", policy.Allowed},
		{"third statement needs ReadOnly session mode", "s3express:CreateSession", "arn:aws:s3express:us-east-1:123456789012:bucket/b--use1-az4--x-s3", policy.ImplicitDeny},
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
