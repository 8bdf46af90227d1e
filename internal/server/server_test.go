package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/iamtest"
)

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ReqID   string   `xml:"RequestId"`
}

// send posts form to the harness, signed with the root key for service when service != "".
func send(t testing.TB, h *iamtest.Harness, service string, form string, mutate func(*http.Request)) (int, []byte) {
	t.Helper()
	return sendAs(t, h, aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}, service, form, mutate)
}

// sendAs posts form to the harness, signed with creds for service when service != "".
func sendAs(t testing.TB, h *iamtest.Harness, creds aws.Credentials, service string, form string, mutate func(*http.Request)) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.URL+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if service != "" {
		sum := sha256.Sum256([]byte(form))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, iamtest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func parseError(t testing.TB, body []byte) errorResponse {
	t.Helper()
	var e errorResponse
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an ErrorResponse: %v\n%s", err, body)
	}
	return e
}

type op struct {
	service, version, name string
	unsigned               bool
}

func allOperations() []op {
	var ops []op
	for name := range iamapi.Operations {
		ops = append(ops, op{"iam", iamapi.Version, name, false})
	}
	for name := range stsapi.Operations {
		d, _ := authz.DeclOf("sts", name)
		ops = append(ops, op{"sts", stsapi.Version, name, d.Auth == authz.Unsigned})
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].service+ops[i].name < ops[j].service+ops[j].name })
	return ops
}

// Every operation but AssumeRoleWithWebIdentity and AssumeRoleWithSAML refuses unsigned and
// badly signed requests: the table fails closed.
func TestEveryOperationRequiresASignature(t *testing.T) {
	h := iamtest.New(t)
	ops := allOperations()
	if len(ops) != 187 {
		t.Fatalf("%d operations, want 176 IAM + 11 STS", len(ops))
	}
	unsigned := 0
	for _, o := range ops {
		form := "Action=" + o.name + "&Version=" + o.version
		status, body := send(t, h, "", form, nil)
		if o.unsigned {
			unsigned++
			if status == http.StatusForbidden {
				t.Errorf("%s: unsigned call refused: %s", o.name, body)
			}
			continue
		}
		if e := parseError(t, body); status != http.StatusForbidden || e.Code != "MissingAuthenticationToken" {
			t.Errorf("%s unsigned: %d %s, want 403 MissingAuthenticationToken", o.name, status, e.Code)
		}
		status, body = send(t, h, o.service, form, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			// Flip the last hex digit of the signature.
			last := a[len(a)-1]
			flipped := byte('0')
			if last == '0' {
				flipped = '1'
			}
			r.Header.Set("Authorization", a[:len(a)-1]+string(flipped))
		})
		if e := parseError(t, body); status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" {
			t.Errorf("%s badly signed: %d %s, want 403 SignatureDoesNotMatch", o.name, status, e.Code)
		}
	}
	if unsigned != 2 {
		t.Errorf("%d unsigned operations, want 2", unsigned)
	}
}

// A request signed for sts cannot call IAM, and the other way round.
func TestScopeServiceMustMatch(t *testing.T) {
	h := iamtest.New(t)
	status, body := send(t, h, "sts", "Action=ListUsers&Version=2010-05-08", nil)
	if e := parseError(t, body); status != http.StatusForbidden || e.Code != "SignatureDoesNotMatch" {
		t.Errorf("IAM call signed for sts: %d %s", status, e.Code)
	}
}

func TestBadInput(t *testing.T) {
	h := iamtest.New(t)
	const awsFault = "http://webservices.amazon.com/AWSFault/2005-15-09" // AWS's common fault namespace
	cases := []struct {
		name, service, form string
		status              int
		code, ns            string
	}{
		{"unknownAction", "iam", "Action=Nope&Version=2010-05-08", 400, "InvalidAction", awsFault},
		{"unknownStsAction", "sts", "Action=Nope&Version=2011-06-15", 400, "InvalidAction", awsFault},
		{"wrongVersion", "iam", "Action=ListUsers&Version=2099-01-01", 400, "InvalidAction", awsFault},
		{"noVersion", "iam", "Action=ListUsers", 400, "MissingParameter", iamapi.Namespace},
		{"noAction", "iam", "Version=2010-05-08", 400, "MissingAction", iamapi.Namespace},
		{"duplicate", "iam", "Action=GetUser&Version=2010-05-08&UserName=a&UserName=b", 400, "MalformedQueryString", iamapi.Namespace},
		{"badEscape", "iam", "Action=GetUser&Version=2010-05-08&UserName=%zz", 400, "MalformedQueryString", iamapi.Namespace},
		{"invalidUTF8", "iam", "Action=GetUser&Version=2010-05-08&UserName=%ff%fe", 400, "MalformedQueryString", iamapi.Namespace},
		{"badName", "iam", "Action=CreateUser&Version=2010-05-08&UserName=a%20b", 400, "ValidationError", iamapi.Namespace},
		{"missingRequired", "iam", "Action=CreateUser&Version=2010-05-08", 400, "ValidationError", iamapi.Namespace},
		{"badNumber", "sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=s&DurationSeconds=abc", 400, "ValidationError", stsapi.Namespace},
		{"oversized", "iam", "Action=ListUsers&Version=2010-05-08&X=" + strings.Repeat("a", 300<<10), 413, "RequestEntityTooLarge", iamapi.Namespace},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, h, c.service, c.form, nil)
			e := parseError(t, body)
			if status != c.status || e.Code != c.code || e.Xmlns != c.ns || e.ReqID == "" {
				t.Errorf("got %d %s (ns %s), want %d %s (ns %s)\n%s", status, e.Code, e.Xmlns, c.status, c.code, c.ns, body)
			}
		})
	}
}

// The Query protocol works as a GET with the parameters in the query string, signed in the
// query string (presigned): the form identity proofs use.
func TestPresignedGet(t *testing.T) {
	h := iamtest.New(t)
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, v4EmptyHash, "sts", iamtest.Region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<Arn>arn:aws:iam::123456789012:root</Arn>")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	u, _ := url.Parse(signed)
	if u.Query().Get("X-Amz-Signature") == "" {
		t.Fatal("not presigned")
	}
}

const v4EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestHealthz(t *testing.T) {
	h := iamtest.New(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(h.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

// FuzzHandler sends random bodies, signed with the root key, through the whole handler: every
// answer is a well-formed AWS response and never a server fault.
func FuzzHandler(f *testing.F) {
	h := iamtest.New(f)
	for _, s := range []string{
		"Action=CreateUser&Version=2010-05-08&UserName=fuzz",
		"Action=ListUsers&Version=2010-05-08&MaxItems=1",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/x&RoleSessionName=s",
		"Action=PutUserPolicy&Version=2010-05-08&UserName=u&PolicyName=p&PolicyDocument=%7B%7D",
		"Action=GetCallerIdentity&Version=2011-06-15",
		"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=x&Tags.member.1.Key=k",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, form string) {
		service := "iam"
		if strings.Contains(form, "2011-06-15") {
			service = "sts"
		}
		status, body := send(t, h, service, form, nil)
		if status >= 500 && status != http.StatusNotImplemented {
			t.Fatalf("status %d for %q: %s", status, form, body)
		}
		if status != 200 {
			parseError(t, body)
		}
	})
}

// The identity proof of Kubernetes aws-iam-authenticator (EKS tokens) and Vault: a presigned
// GetCallerIdentity GET with an extra signed header and a short X-Amz-Expires, replayed by the
// verifier with that header.
func TestPresignedGetWithSignedHeader(t *testing.T) {
	h := iamtest.New(t)
	req, _ := http.NewRequest(http.MethodGet, h.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	req.Header.Set("x-k8s-aws-id", "my-cluster")
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, v4EmptyHash, "sts", iamtest.Region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(signed, "x-k8s-aws-id") {
		t.Fatalf("header not signed: %s", signed)
	}
	get := func(withHeader bool) (int, []byte) {
		r, _ := http.NewRequest(http.MethodGet, signed, nil)
		if withHeader {
			for k, v := range hdr {
				r.Header[k] = v
			}
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if status, body := get(true); status != 200 || !bytes.Contains(body, []byte("<Account>123456789012</Account>")) {
		t.Fatalf("with the signed header: %d %s", status, body)
	}
	if status, body := get(false); status != http.StatusForbidden {
		t.Fatalf("without the signed header: %d %s", status, body)
	}
}
