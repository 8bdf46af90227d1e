package iamsvc_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/iamtest"
)

// model is the part of the committed AWS service model the coverage test reads.
type model struct {
	Operations map[string]struct {
		Input *struct{ Shape string } `json:"input"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

type shape struct {
	Type     string
	Required []string
	Members  map[string]struct{ Shape string }
	Member   *struct{ Shape string }
	Min      *float64
	Enum     []string
	Pattern  string
}

// Values for members whose names say what they hold, so that the request passes the model's
// patterns and reaches the operation.
var known = map[string]string{
	"PolicyDocument": allowAll, "AssumeRolePolicyDocument": allowAll, "PermissionsPolicy": allowAll,
	"AccessKeyId": "AKIACOVERAGEEXAMPLE1", "SerialNumber": "arn:aws:iam::123456789012:mfa/cov",
	"AuthenticationCode1": "123456", "AuthenticationCode2": "654321", "AccountAlias": "cov-alias",
	"Url": "https://example.com", "AWSServiceName": "elasticbeanstalk.amazonaws.com", "ServiceName": "codecommit.amazonaws.com",
	"Path": "/", "PathPrefix": "/", "NewPath": "/", "ServiceNamespace": "iam", "ServiceNamespaces": "iam",
	"EmailAddress": "cov@example.com", "AccountName": "cov", "Thumbprint": strings.Repeat("a", 40),
	"ThumbprintList": strings.Repeat("a", 40), "ClientID": "cov", "VersionId": "v1", "Password": "Cov-pass-1",
	"OldPassword": "Cov-pass-1", "NewPassword": "Cov-pass-2", "Status": "Active", "EntityPath": "cov", "Marker": "",
}

// params builds the required parameters of a shape: known values by member name, else the
// shortest value the constraints allow.
func params(m *model, p url.Values, prefix, name, shapeName string) {
	sh := m.Shapes[shapeName]
	key := strings.TrimPrefix(prefix+"."+name, ".")
	switch sh.Type {
	case "structure":
		for _, r := range sh.Required {
			params(m, p, key, r, sh.Members[r].Shape)
		}
		if prefix == "" && name == "" {
			return
		}
	case "list":
		params(m, p, key+".member", "1", sh.Member.Shape)
	case "map":
		p.Set(key+".entry.1.key", "k")
		p.Set(key+".entry.1.value", "v")
	case "integer", "long":
		n := 1
		if sh.Min != nil {
			n = int(*sh.Min)
		}
		p.Set(key, strconv.Itoa(n))
	case "boolean":
		p.Set(key, "false")
	case "timestamp":
		p.Set(key, "2026-01-01T00:00:00Z")
	default:
		base := name
		if i := strings.LastIndex(key, ".member"); i >= 0 {
			base = key[:i]
			base = base[strings.LastIndex(base, ".")+1:]
		}
		if v, ok := known[base]; ok {
			p.Set(key, v)
			return
		}
		if len(sh.Enum) > 0 {
			p.Set(key, sh.Enum[0])
			return
		}
		n := 3
		if sh.Min != nil && int(*sh.Min) > n {
			n = int(*sh.Min)
		}
		p.Set(key, strings.Repeat("a", n))
	}
}

type errorResponse struct {
	Error struct{ Code, Message string }
}

// TestOperationCoverage calls every IAM operation of the model through a signed request as the
// root user, with the minimal required parameters: each must be answered, and none with a
// server fault.
func TestOperationCoverage(t *testing.T) {
	raw, err := os.ReadFile("../api/models/iam.json")
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	h := iamtest.New(t)
	signer := v4.NewSigner()
	creds := h.Root().Credentials
	answered := 0
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		p := url.Values{"Action": {name}, "Version": {"2010-05-08"}}
		if op.Input != nil {
			params(&m, p, "", "", op.Input.Shape)
		}
		body := p.Encode()
		req, _ := http.NewRequest(http.MethodPost, h.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		c, err := creds.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := signer.SignHTTP(context.Background(), c, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e errorResponse
		code := ""
		if resp.StatusCode >= 300 {
			if xml.Unmarshal(out, &e) != nil {
				t.Fatalf("%s: status %d, body %s", name, resp.StatusCode, out)
			}
			code = e.Error.Code
		}
		if os.Getenv("COV_DEBUG") != "" {
			t.Logf("%s: %d %s %s", name, resp.StatusCode, code, e.Error.Message)
		}
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s %s", name, resp.StatusCode, code, e.Error.Message)
		}
		answered++
	}
	// The compiler holds iamsvc to every operation of the model (iamapi.Service); this holds the
	// server to answering each, with the model's table complete.
	if answered != len(iamapi.Operations) || len(m.Operations) != len(iamapi.Operations) {
		t.Errorf("answered %d operations; the model has %d, the generated table %d", answered, len(m.Operations), len(iamapi.Operations))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
