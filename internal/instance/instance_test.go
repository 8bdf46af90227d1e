package instance_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/instance"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// call makes one of iamd's own operations, signed with cfg's credentials, and decodes the JSON
// answer into out; it returns the error code of a refusal.
func call(t *testing.T, h *iamtest.Harness, cfg aws.Config, form url.Values, out any) (status int, code string) {
	t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return do(t, req, out)
}

func fetch(t *testing.T, h *iamtest.Harness, credential string, out any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/instance-credentials", nil)
	req.Header.Set("Authorization", "Bearer "+credential)
	return do(t, req, out)
}

func do(t *testing.T, req *http.Request, out any) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(buf.Bytes(), &e)
		if e.Error.Code == "" {
			t.Fatalf("status %d without an error code: %s", resp.StatusCode, buf.String())
		}
		return resp.StatusCode, e.Error.Code
	}
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		t.Fatalf("decode %s: %v", buf.String(), err)
	}
	return resp.StatusCode, ""
}

// setup creates role "web" (trust: trust) allowed iam:ListRoles, and profile "web" holding it.
func setup(t *testing.T, h *iamtest.Harness, trust string) {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"StringLike":{"ec2:SourceInstanceARN":"arn:aws:ec2:eu-west-1:123456789012:instance/i-*"}}}]}`
	if _, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("p"), PolicyDocument: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &iamsdk.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
}

func enroll(t *testing.T, h *iamtest.Harness, id string) instance.EnrollOutput {
	t.Helper()
	var out instance.EnrollOutput
	if _, code := call(t, h, h.Root(), url.Values{"Action": {"EnrollInstance"}, "InstanceId": {id}, "InstanceProfileName": {"web"}, "Region": {"eu-west-1"}}, &out); code != "" {
		t.Fatalf("EnrollInstance: %s", code)
	}
	return out
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestInstanceCredentials(t *testing.T) {
	h := iamtest.New(t)
	setup(t, h, ec2Trust)
	en := enroll(t, h, "i-0123456789abcdef0")
	if en.Instance.InstanceArn != "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0" || en.Instance.Status != "Active" {
		t.Fatalf("enrolment %+v", en.Instance)
	}
	var creds instance.Credentials
	if _, code := fetch(t, h, en.Credential, &creds); code != "" {
		t.Fatalf("fetch: %s", code)
	}
	if left := time.Until(creds.Expiration); left < 5*time.Hour {
		t.Errorf("credentials expire in %v, want about %v", left, instance.DefaultDuration)
	}
	cfg := h.Config(creds.AccessKeyId, creds.SecretAccessKey, creds.Token)
	ctx := context.Background()
	id, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0"; aws.ToString(id.Arn) != want {
		t.Errorf("caller %s, want %s", aws.ToString(id.Arn), want)
	}
	c := iamtest.IAM(cfg)
	if _, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles: %v", err)
	}
	// Allowed only through the ec2:SourceInstanceARN condition.
	if _, err := c.ListGroups(ctx, &iamsdk.ListGroupsInput{}); err != nil {
		t.Errorf("ListGroups (SourceInstanceARN condition): %v", err)
	}
	if _, err := c.ListUsers(ctx, &iamsdk.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Errorf("ListUsers: %v, want AccessDenied", err)
	}
	// The instance credential is not an AWS credential: used as a bearer token for anything
	// but the credential fetch, or as a secret, it opens nothing.
	var sink map[string]any
	if _, code := fetch(t, h, en.Credential+"x", &sink); code != "InvalidClientTokenId" {
		t.Errorf("tampered credential: %q, want InvalidClientTokenId", code)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		trust  string
		change func(t *testing.T, h *iamtest.Harness, cred string) string // returns the credential to present
		status int
		code   string
	}{
		{"malformed", ec2Trust, func(*testing.T, *iamtest.Harness, string) string { return "iamdi1.nope" }, 403, "InvalidClientTokenId"},
		{"wrong secret", ec2Trust, func(_ *testing.T, _ *iamtest.Harness, c string) string {
			return c[:strings.LastIndexByte(c, '.')+1] + strings.Repeat("A", 43)
		}, 403, "InvalidClientTokenId"},
		{"other instance", ec2Trust, func(_ *testing.T, _ *iamtest.Harness, c string) string {
			return strings.Replace(c, "i-0123456789abcdef0", "i-0123456789abcdef1", 1)
		}, 403, "InvalidClientTokenId"},
		{"trust without ec2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`,
			func(_ *testing.T, _ *iamtest.Harness, c string) string { return c }, 403, "AccessDenied"},
		{"revoked", ec2Trust, func(t *testing.T, h *iamtest.Harness, c string) string {
			var out instance.Instance
			if _, code := call(t, h, h.Root(), url.Values{"Action": {"RevokeInstance"}, "InstanceId": {"i-0123456789abcdef0"}}, &out); code != "" || out.Status != "Revoked" {
				t.Fatalf("revoke: %q %+v", code, out)
			}
			return c
		}, 403, "AccessDenied"},
		{"role removed", ec2Trust, func(t *testing.T, h *iamtest.Harness, c string) string {
			_, err := iamtest.IAM(h.Root()).RemoveRoleFromInstanceProfile(ctx, &iamsdk.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web")})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}, 404, "NoSuchEntity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := iamtest.New(t)
			setup(t, h, tc.trust)
			en := enroll(t, h, "i-0123456789abcdef0")
			cred := tc.change(t, h, en.Credential)
			var out instance.Credentials
			status, code := fetch(t, h, cred, &out)
			if status != tc.status || code != tc.code {
				t.Errorf("fetch: %d %q, want %d %q", status, code, tc.status, tc.code)
			}
		})
	}
}

// TestEnrolmentAuthorization checks iamd:EnrollInstance and the iam:PassRole it needs, the
// listing, re-enrolment after revocation and the refusal of a second active enrolment.
func TestEnrolmentAuthorization(t *testing.T) {
	h := iamtest.New(t)
	setup(t, h, ec2Trust)
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	user := func(name, pol string) aws.Config {
		if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
		k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	enrollOnly := user("enroller", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iamd:EnrollInstance","Resource":"arn:aws:iam::123456789012:instance-profile/web"}]}`)
	full := user("admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iamd:*","iam:PassRole"],"Resource":"*"}]}`)
	nothing := user("nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	form := func(action string, kv ...string) url.Values {
		v := url.Values{"Action": {action}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	var any map[string]any
	for _, tc := range []struct {
		name string
		cfg  aws.Config
		form url.Values
		code string
	}{
		{"no permission", nothing, form("EnrollInstance", "InstanceId", "i-00000001", "InstanceProfileName", "web"), "AccessDenied"},
		{"without PassRole", enrollOnly, form("EnrollInstance", "InstanceId", "i-00000001", "InstanceProfileName", "web"), "AccessDenied"},
		{"enrol", full, form("EnrollInstance", "InstanceId", "i-00000001", "InstanceProfileName", "web"), ""},
		{"enrol twice", full, form("EnrollInstance", "InstanceId", "i-00000001", "InstanceProfileName", "web"), "EntityAlreadyExists"},
		{"bad id", full, form("EnrollInstance", "InstanceId", "web-1", "InstanceProfileName", "web"), "ValidationError"},
		{"no profile", full, form("EnrollInstance", "InstanceProfileName", "nope"), "NoSuchEntity"},
		{"missing profile parameter", full, form("EnrollInstance"), "MissingParameter"},
		{"revoke unknown", full, form("RevokeInstance", "InstanceId", "i-00000002"), "NoSuchEntity"},
		{"list denied", nothing, form("ListInstances"), "AccessDenied"},
		{"revoke", full, form("RevokeInstance", "InstanceId", "i-00000001"), ""},
		{"re-enrol after revoke", full, form("EnrollInstance", "InstanceId", "i-00000001", "InstanceProfileName", "web"), ""},
		{"generated id", full, form("EnrollInstance", "InstanceProfileName", "web"), ""},
		{"unknown action", full, form("DeleteEverything"), "InvalidAction"},
		{"a parameter twice", full, url.Values{"Action": {"ListInstances"}, "MaxItems": {"1", "2"}}, "MalformedQueryString"},
		{"unsigned", aws.Config{Credentials: aws.AnonymousCredentials{}}, form("ListInstances"), "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.code == "x" {
				req, _ := http.NewRequest(http.MethodPost, h.URL+"/iamd/v1/", strings.NewReader(tc.form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if _, code := do(t, req, &any); code != "MissingAuthenticationToken" {
					t.Errorf("unsigned: %q", code)
				}
				return
			}
			if _, code := call(t, h, tc.cfg, tc.form, &any); code != tc.code {
				t.Errorf("code %q, want %q", code, tc.code)
			}
		})
	}
	var list instance.ListOutput
	if _, code := call(t, h, full, form("ListInstances", "MaxItems", "1"), &list); code != "" || len(list.Instances) != 1 || !list.IsTruncated {
		t.Fatalf("ListInstances page 1: %q %+v", code, list)
	}
	var page2 instance.ListOutput
	if _, code := call(t, h, full, form("ListInstances", "Marker", list.Marker), &page2); code != "" || len(page2.Instances) != 1 || page2.IsTruncated {
		t.Fatalf("ListInstances page 2: %q %+v", code, page2)
	}
	if list.Instances[0].InstanceId != "i-00000001" || list.Instances[0].Status != "Active" {
		t.Errorf("first instance %+v", list.Instances[0])
	}
}
