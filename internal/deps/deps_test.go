package deps

import (
	"encoding/json"
	"io"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/iamd/iamd"

// allowed lists, for each package of the module, the module packages and third-party modules it
// may import (tests excluded). The standard library is allowed everywhere except where noIO says.
// Data flows one way: leaves ← domain ← store ← {authn} ← {authz, services} ← server ← node ← cmd.
var allowed = map[string][]string{
	"arn":                         {},
	"policy":                      {"arn"},
	"policy/simulate":             {"policy", "arn"},
	"sigv4":                       {},
	"sigv2":                       {"sigv4"}, // S3's Signature Version 2
	"internal/awserr":             {},
	"internal/awsquery":           {"internal/awserr"},
	"internal/api/iam":            {"internal/awsquery", "internal/awserr"},
	"internal/api/sts":            {"internal/awsquery", "internal/awserr"},
	"internal/api/protocoltest":   {"internal/awsquery", "internal/awserr"},
	"internal/api/gen":            {},
	"internal/iam/awsmanaged":     {},                          // the AWS managed policy catalogue's format
	"internal/iam/awsmanaged/gen": {"internal/iam/awsmanaged"}, // the generator of that catalogue
	"internal/seal":               {},
	"internal/session":            {"internal/seal"},
	"internal/iam":                {"internal/awserr", "internal/iam/awsmanaged", "arn", "golang.org/x/crypto"}, // argon2id password hashes
	"internal/store":              {"internal/iam"},
	"internal/store/storetest":    {"internal/store", "internal/iam", "github.com/google/go-cmp"},
	"internal/store/sqlstore":     {"internal/store", "internal/iam", "modernc.org/sqlite", "github.com/jackc/pgx/v5"},
	// pgtest starts a throwaway PostgreSQL for tests; only test code imports it.
	"internal/store/sqlstore/pgtest": {"github.com/jackc/pgx/v5"},
	"internal/gencache":              {},
	"internal/metrics":               {"internal/gencache", "internal/iam", "internal/store", "github.com/prometheus/client_golang"}, // Prometheus instruments
	"internal/usage":                 {},
	"internal/fulldisk":              {}, // tests of a full disk
	"internal/qr":                    {},
	"internal/totp":                  {},
	"internal/authn":                 {"sigv4", "sigv2", "internal/gencache", "internal/usage", "internal/iam", "internal/seal", "internal/session", "internal/store", "internal/awserr"},
	"internal/principals":            {"policy", "arn", "internal/iam", "internal/store", "internal/awserr"},
	"internal/authz":                 {"policy", "arn", "internal/gencache", "internal/iam", "internal/store", "internal/authn", "internal/session", "internal/awserr", "internal/principals", "internal/api/iam", "internal/api/sts"},
	"internal/iamsvc":                {"internal/api/iam", "internal/authn", "internal/authz", "internal/awserr", "internal/iam", "internal/store", "internal/seal", "internal/session", "internal/principals", "internal/usage", "internal/qr", "internal/totp", "policy", "arn", "golang.org/x/crypto"},
	"internal/sts":                   {"internal/api/sts", "internal/authn", "internal/authz", "internal/awserr", "internal/iam", "internal/store", "internal/seal", "internal/session", "internal/principals", "internal/gencache", "internal/usage", "policy", "arn", "internal/federation/oidc", "internal/federation/saml", "internal/jwtissuer"},
	"internal/server":                {"internal/api/iam", "internal/api/sts", "internal/authn", "internal/authz", "internal/awserr", "internal/awsquery", "internal/trail", "sigv4", "internal/s3/bucket", "internal/s3/chunked", "internal/s3/s3err", "internal/s3/s3op"},
	"internal/trail":                 {"internal/authn", "internal/awserr", "internal/store"},
	// orgs: AWS Organizations over the hosted accounts; authz reads its memberships through Config.Organization.
	"internal/orgs": {"internal/authn", "internal/authz", "internal/awserr", "internal/iam", "internal/store", "internal/principals", "policy"},
	"internal/node": {"internal/*"},
	// instance: enrolment of machines and the credential fetch of their agents.
	"internal/instance": {"internal/authn", "internal/authz", "internal/instancecred", "internal/awserr", "internal/iam", "internal/store", "internal/sts"},
	// agent: the on-machine metadata and container credential endpoints; it talks to iamd over HTTP only.
	"internal/agent":        {"internal/instancecred"},
	"internal/instancecred": {},
	"internal/iamtest":      {"internal/node", "internal/leanhttp", "github.com/aws/aws-sdk-go-v2"},
	"internal/console":      {"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go", "policy"}, // the web console: a client of the API (SDK-signed, in process); the pure policy validator for its editor
	// leanhttp: the HTTP/1.1 front (a fast path, net/http for the rest); it knows nothing of iamd.
	"internal/leanhttp":        {},
	"internal/loadgen":         {},
	"internal/tlsreload":       {}, // the TLS certificate, reloaded when its files change
	"internal/s3/chunked":      {}, // the aws-chunked decoder of S3 uploads (issue 18)
	"internal/s3/bucket":       {"internal/store", "internal/iam", "internal/gencache", "internal/principals", "policy", "arn", "internal/s3/s3err"},
	"internal/s3/local":        {"internal/s3/s3err", "modernc.org/sqlite"},
	"internal/s3/s3err":        {}, // S3's error answer, shared by the S3 front, the gateway and the backends
	"internal/s3/s3op":         {"internal/s3/s3err"},
	"internal/s3/upstream":     {"internal/s3/s3err", "github.com/aws/aws-sdk-go-v2"},
	"internal/vgw":             {"internal/authn", "internal/authz", "internal/store", "internal/iam", "policy", "sigv4"}, // versitygw's private IAM protocol
	"internal/federation/oidc": {"github.com/go-jose/go-jose/v4"},
	"internal/jwtissuer":       {"internal/seal", "internal/store", "github.com/go-jose/go-jose/v4"},
	"internal/federation/saml": {"github.com/beevik/etree", "github.com/russellhaering/goxmldsig"},
	// idp is the development identity provider (iamd idp); nothing on the request path imports it.
	"internal/idp":  {"github.com/go-jose/go-jose/v4", "github.com/beevik/etree", "github.com/russellhaering/goxmldsig"},
	"internal/deps": {},
	"cmd/iamd":      {"*"},
	"e2e":           {"*"},
}

// noIO packages are pure: no network, files, processes or databases.
var noIO = map[string]bool{"arn": true, "policy": true, "internal/iam": true, "internal/session": true}

var ioPackages = []string{"net", "os", "os/exec", "database/sql", "syscall"}

// wireFree packages know nothing of HTTP at all (the domain packages may name HTTP status codes
// for the AWS errors they return).
var wireFree = map[string]bool{"arn": true, "policy": true, "internal/session": true}

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		rules, ok := allowed[rel]
		if !ok {
			t.Errorf("package %s has no entry in the dependency rules: add one", rel)
			continue
		}
		seen++
		for _, imp := range p.Imports {
			if isStd(imp) {
				if noIO[rel] && contains(ioPackages, imp) || wireFree[rel] && strings.HasPrefix(imp, "net/http") {
					t.Errorf("%s is pure but imports %s", rel, imp)
				}
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if !permitted(rules, target, imp) {
				t.Errorf("%s may not import %s", rel, imp)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no packages checked")
	}
}

func permitted(rules []string, rel, full string) bool {
	for _, r := range rules {
		if r == "*" || r == rel || strings.HasPrefix(full, r+"/") || full == r {
			return true
		}
		if strings.HasSuffix(r, "/*") {
			if ok, _ := path.Match(r, rel); ok || strings.HasPrefix(rel, strings.TrimSuffix(r, "*")) {
				return true
			}
		}
	}
	return false
}

func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
