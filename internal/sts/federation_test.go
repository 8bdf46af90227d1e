package sts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/idp"
)

// devIssuer serves the development IdP on loopback TLS; iamd trusts it by thumbprint only.
func devIssuer(t *testing.T) (*idp.IdP, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p, err := idp.New(idp.Config{Issuer: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	return p, oidc.Thumbprint(srv.Certificate())
}

func fedCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// notJWT is AWS's answer to a web identity token that is no JWT (an access token, say), as AWS
// STS's answers are recorded in the wild (EKS pods' logs, Cognito's documentation).
const notJWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	p, thumb := devIssuer(t)
	prov, err := iamtest.IAM(h.Root()).CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String(p.Issuer()), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{thumb}})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(p.Issuer(), "https://")
	provARN := aws.ToString(prov.OpenIDConnectProviderArn)
	putRole(t, h, "web", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},
		"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],
		"Condition":{"StringEquals":{%q:"sts.amazonaws.com",%q:"system:serviceaccount:ci:deployer"},"ForAnyValue:StringEquals":{%q:"mfa"}}}]}`,
		provARN, host+":aud", host+":sub", host+":amr"), 7200)
	roleARN := "arn:aws:iam::" + iamtest.Account + ":role/web"
	anon := iamtest.STS(h.Config("", "", ""))

	mint := func(mod func(*idp.TokenRequest)) string {
		r := idp.TokenRequest{Subject: "system:serviceaccount:ci:deployer", Audience: []string{"sts.amazonaws.com"}, AMR: []string{"pwd", "mfa"}}
		if mod != nil {
			mod(&r)
		}
		tok, err := p.Token(r)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name  string
		token string
		role  string
		dur   int32
		code  string
		msg   string // checked when set
	}{
		{name: "allowed", token: mint(nil)},
		{name: "session tags", token: mint(func(r *idp.TokenRequest) { r.Tags = map[string]string{"team": "blue"} })},
		{name: "sub not trusted", token: mint(func(r *idp.TokenRequest) { r.Subject = "system:serviceaccount:ci:other" }), code: "AccessDenied"},
		{name: "amr without mfa", token: mint(func(r *idp.TokenRequest) { r.AMR = []string{"pwd"} }), code: "AccessDenied"},
		{name: "aud not a client id", token: mint(func(r *idp.TokenRequest) { r.Audience = []string{"other"} }), code: "InvalidIdentityToken"},
		{name: "expired", token: mint(func(r *idp.TokenRequest) { r.TTL = -time.Hour }), code: "ExpiredTokenException"},
		{name: "issuer without provider", token: mint(func(r *idp.TokenRequest) { r.Extra = map[string]any{"iss": "https://elsewhere.example"} }), code: "InvalidIdentityToken"},
		{name: "no such role", token: mint(nil), role: "arn:aws:iam::" + iamtest.Account + ":role/none", code: "AccessDenied"},
		{name: "duration over the role's maximum", token: mint(nil), dur: 7201, code: "ValidationError"},
		{name: "not a JWT", token: strings.Repeat(".", 5000), code: "InvalidIdentityToken", msg: notJWT},
		{name: "an opaque access token", token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", code: "InvalidIdentityToken", msg: notJWT},
		{name: "three parts, no JSON", token: "abc.def.ghi", code: "InvalidIdentityToken", msg: notJWT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &stssdk.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("ci-run"), WebIdentityToken: aws.String(tc.token)}
			if tc.role != "" {
				in.RoleArn = aws.String(tc.role)
			}
			if tc.dur != 0 {
				in.DurationSeconds = aws.Int32(tc.dur)
			}
			out, err := anon.AssumeRoleWithWebIdentity(ctx, in)
			if tc.code != "" {
				if fedCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				var ae smithy.APIError
				if tc.msg != "" && (!errors.As(err, &ae) || ae.ErrorMessage() != tc.msg) {
					t.Fatalf("err = %v, want the message %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Provider) != provARN || aws.ToString(out.Audience) != "sts.amazonaws.com" ||
				aws.ToString(out.SubjectFromWebIdentityToken) != "system:serviceaccount:ci:deployer" {
				t.Errorf("output = %+v", out)
			}
			c := out.Credentials
			id, err := iamtest.STS(h.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))).GetCallerIdentity(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := "arn:aws:sts::" + iamtest.Account + ":assumed-role/web/ci-run"; aws.ToString(id.Arn) != want {
				t.Errorf("Arn = %s, want %s", aws.ToString(id.Arn), want)
			}
		})
	}
}

// TestWebIdentityIssuerDown: an issuer whose discovery endpoint cannot be reached, with no key
// set cached, is IDPCommunicationError.
func TestWebIdentityIssuerDown(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "https://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	if _, err := iamtest.IAM(h.Root()).CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
		Url: aws.String(down), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("0", 40)}}); err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Config{Issuer: down})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Token(idp.TokenRequest{Subject: "s", Audience: []string{"sts.amazonaws.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = iamtest.STS(h.Config("", "", "")).AssumeRoleWithWebIdentity(ctx, &stssdk.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/any"), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)})
	if fedCode(err) != "IDPCommunicationError" {
		t.Fatalf("err = %v, want IDPCommunicationError", err)
	}
}

func TestAssumeRoleWithSAML(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	p, err := idp.New(idp.Config{Issuer: "https://idp.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := iamtest.IAM(h.Root()).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{
		Name: aws.String("DevIdP"), SAMLMetadataDocument: aws.String(string(p.Metadata()))})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.SAMLProviderArn)
	putRole(t, h, "saml", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},
		"Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"saml:aud":"https://signin.aws.amazon.com/saml","saml:sub_type":"persistent"}}}]}`, provARN), 0)
	putRole(t, h, "other", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithSAML"}]}`, provARN), 0)
	roleARN := "arn:aws:iam::" + iamtest.Account + ":role/saml"
	anon := iamtest.STS(h.Config("", "", ""))

	mint := func(mod func(*idp.SAMLRequest)) string {
		r := idp.SAMLRequest{NameID: "alice", RoleSessionName: "alice", Roles: []string{roleARN + "," + provARN},
			Tags: map[string]string{"dept": "eng"}, SourceIdentity: "alice"}
		if mod != nil {
			mod(&r)
		}
		s, err := p.SAMLResponse(r)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	replayed := mint(nil)
	if _, err := anon.AssumeRoleWithSAML(ctx, &stssdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(replayed)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		assertion string
		role      string
		principal string
		code      string
		msg       string // a pattern the message must match, when set
		maxLeft   time.Duration
	}{
		{name: "allowed", assertion: mint(nil), maxLeft: time.Hour},
		{name: "SessionNotOnOrAfter ends the session early", assertion: mint(func(r *idp.SAMLRequest) { r.SessionNotOnOrAfter = time.Now().Add(20 * time.Minute) }), maxLeft: 20 * time.Minute},
		{name: "replayed", assertion: replayed, code: "InvalidIdentityToken"},
		{name: "role not in the Role attribute", assertion: mint(nil), role: "arn:aws:iam::" + iamtest.Account + ":role/other", code: "AccessDenied"},
		{name: "transient subject not trusted", assertion: mint(func(r *idp.SAMLRequest) { r.NameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient" }), code: "AccessDenied"},
		{name: "wrong recipient", assertion: mint(func(r *idp.SAMLRequest) { r.Recipient = "https://sp.example/acs" }), code: "InvalidIdentityToken"},
		// AWS relays its SAML service's refusal with the service call's details in the AWS SDK
		// for Java's form, as its answers are recorded ("… (Service: AWSOpenIdDiscoveryService;
		// Status Code: 400; Error Code: AuthSamlManifestNotFoundException; Request ID: …;
		// Proxy: null)").
		{name: "no such provider", assertion: mint(nil), principal: "arn:aws:iam::" + iamtest.Account + ":saml-provider/Nope", code: "InvalidIdentityToken",
			msg: `^Specified provider doesn't exist \(Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: AuthSamlManifestNotFoundException; Request ID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}; Proxy: null\)$`},
		{name: "not base64", assertion: "not*base64!", code: "InvalidIdentityToken",
			msg: `^Invalid base64 SAMLResponse \(Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: AuthSamlInvalidSamlResponseException; Request ID: [0-9a-f-]{36}; Proxy: null\)$`},
		{name: "signed by another IdP", assertion: func() string {
			other, _ := idp.New(idp.Config{Issuer: "https://idp.example.test"})
			s, _ := other.SAMLResponse(idp.SAMLRequest{NameID: "alice", RoleSessionName: "alice", Roles: []string{roleARN + "," + provARN}})
			return s
		}(), code: "InvalidIdentityToken", msg: `^(Response signature invalid|Issuer not present in specified provider \(Service: AWSOpenIdDiscoveryService; .*\))$`},
		// The words of AWS's SAML troubleshooting guide.
		{name: "no RoleSessionName", assertion: mint(func(r *idp.SAMLRequest) { r.RoleSessionName = "" }), code: "InvalidIdentityToken",
			msg: `^RoleSessionName is required in AuthnResponse$`},
		{name: "RoleSessionName too short", assertion: mint(func(r *idp.SAMLRequest) { r.RoleSessionName = "a" }), code: "InvalidIdentityToken",
			msg: `^RoleSessionName in AuthnResponse must match \[a-zA-Z_0-9\+=,\.@-\]\{2,64\}$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &stssdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(tc.assertion)}
			if tc.role != "" {
				in.RoleArn = aws.String(tc.role)
			}
			if tc.principal != "" {
				in.PrincipalArn = aws.String(tc.principal)
			}
			out, err := anon.AssumeRoleWithSAML(ctx, in)
			if tc.code != "" {
				if fedCode(err) != tc.code {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
				var ae smithy.APIError
				if tc.msg != "" && (!errors.As(err, &ae) || !regexp.MustCompile(tc.msg).MatchString(ae.ErrorMessage())) {
					t.Fatalf("err = %v, want a message matching %s", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Subject) != "alice" || aws.ToString(out.SubjectType) != "persistent" || aws.ToString(out.Issuer) != p.EntityID() ||
				aws.ToString(out.SourceIdentity) != "alice" || aws.ToString(out.NameQualifier) == "" {
				t.Errorf("output = %+v", out)
			}
			if left := time.Until(aws.ToTime(out.Credentials.Expiration)); left > tc.maxLeft+time.Second || left < tc.maxLeft-time.Minute {
				t.Errorf("session lasts %v, want about %v", left, tc.maxLeft)
			}
		})
	}
}

// TestAssumeRoleWithSAMLEncrypted: a provider that requires encryption decrypts with its sealed
// private key (AddPrivateKey) and refuses plain assertions.
func TestAssumeRoleWithSAMLEncrypted(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	p, err := idp.New(idp.Config{Issuer: "https://idp.example.test"})
	if err != nil {
		t.Fatal(err)
	}
	spKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	prov, err := iamtest.IAM(h.Root()).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{
		Name: aws.String("Enc"), SAMLMetadataDocument: aws.String(string(p.Metadata())),
		AddPrivateKey: aws.String(string(idp.KeyPEM(spKey))), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeRequired})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.SAMLProviderArn)
	putRole(t, h, "enc", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithSAML"}]}`, provARN), 0)
	roleARN := "arn:aws:iam::" + iamtest.Account + ":role/enc"
	anon := iamtest.STS(h.Config("", "", ""))
	for _, tc := range []struct {
		name string
		to   *rsa.PublicKey
		code string
	}{
		{name: "encrypted to the provider's key", to: &spKey.PublicKey},
		{name: "plain", code: "InvalidIdentityToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := p.SAMLResponse(idp.SAMLRequest{NameID: "bob", RoleSessionName: "bob", Roles: []string{roleARN + "," + provARN}, EncryptTo: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			_, err = anon.AssumeRoleWithSAML(ctx, &stssdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(a)})
			if tc.code == "" && err != nil {
				t.Fatal(err)
			}
			if tc.code != "" && fedCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}
