package sts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd/iamd/internal/federation/oidc"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
)

// issuerNode is a node served over loopback TLS whose public URL is that server's, so its
// outbound federation issuers can be fetched and verified as a relying party would.
type issuerNode struct {
	srv   *httptest.Server
	node  *node.Node
	clock *iamtest.Clock
}

func newIssuerNode(t *testing.T) *issuerNode {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	clock := &iamtest.Clock{}
	n, err := node.Open(context.Background(), node.Config{
		DataDir: t.TempDir(), AccountID: iamtest.Account, RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret,
		PublicURL: srv.URL, Logger: slog.New(slog.DiscardHandler), Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = n
	t.Cleanup(func() {
		srv.Close()
		n.Close()
	})
	return &issuerNode{srv: srv, node: n, clock: clock}
}

func (in *issuerNode) config(keyID, secret, token string) aws.Config {
	return aws.Config{Region: iamtest.Region, Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, token),
		BaseEndpoint: aws.String(in.srv.URL), HTTPClient: in.srv.Client(), RetryMaxAttempts: 1}
}

func (in *issuerNode) root() aws.Config { return in.config(iamtest.RootKeyID, iamtest.RootSecret, "") }

// user creates an IAM user with tags, an inline policy (none when "") and an access key.
func (in *issuerNode) user(t *testing.T, name, policy string, tags ...iamtypes.Tag) aws.Config {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(in.root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return in.config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

// get fetches a URL of the node as an unauthenticated relying party.
func (in *issuerNode) get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := in.srv.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// claims is what the tests read back from a token.
type claims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Iat int64           `json:"iat"`
	Exp int64           `json:"exp"`
	Jti string          `json:"jti"`
	AWS struct {
		Account            string            `json:"aws_account"`
		SourceRegion       string            `json:"source_region"`
		PrincipalTags      map[string]string `json:"principal_tags"`
		RequestTags        map[string]string `json:"request_tags"`
		OriginalSessionExp string            `json:"original_session_exp"`
		SourceIdentity     string            `json:"source_identity"`
	} `json:"https://sts.amazonaws.com/"`
}

// verifyAsRelyingParty fetches the issuer's discovery document and the JWKS it names, and
// verifies tok's signature with the key its kid names.
func (in *issuerNode) verifyAsRelyingParty(t *testing.T, issuer, tok string) claims {
	t.Helper()
	status, body := in.get(t, issuer+"/.well-known/openid-configuration")
	if status != http.StatusOK {
		t.Fatalf("discovery: %d %s", status, body)
	}
	var disc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(body, &disc); err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != issuer || disc.JWKSURI != issuer+"/.well-known/jwks.json" || strings.Join(disc.Algs, ",") != "RS256,ES384" {
		t.Fatalf("discovery = %s", body)
	}
	status, body = in.get(t, disc.JWKSURI)
	if status != http.StatusOK {
		t.Fatalf("jwks: %d %s", status, body)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the JWKS", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

const mintPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetWebIdentityToken","sts:TagGetWebIdentityToken","sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`

func TestGetWebIdentityToken(t *testing.T) {
	in := newIssuerNode(t)
	ctx := context.Background()
	minter := in.user(t, "minter", mintPolicy, iamtypes.Tag{Key: aws.String("team"), Value: aws.String("blue")})

	// Before the account enables the feature there is no token.
	_, err := iamtest.STS(minter).GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example"}, SigningAlgorithm: aws.String("RS256")})
	if got := fedCode(err); got != "OutboundWebIdentityFederationDisabledException" {
		t.Fatalf("before enabling: %s", got)
	}
	en, err := iamtest.IAM(in.root()).EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	if !strings.HasPrefix(issuer, in.srv.URL+"/outbound-federation/") {
		t.Fatalf("issuer %q is not below the public URL %s", issuer, in.srv.URL)
	}

	// A role session for the sub and session-duration cases.
	putRole(t, &iamtest.Harness{Node: in.node}, "minting", trustRoot, 3600, mintPolicy)
	as, err := iamtest.STS(minter).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/minting"),
		RoleSessionName: aws.String("job"), DurationSeconds: aws.Int32(900), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}},
		SourceIdentity: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	roleSession := in.config(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))

	tests := []struct {
		name    string
		cfg     aws.Config
		in      stssdk.GetWebIdentityTokenInput
		sub     string
		aud     string // JSON
		seconds int64
		tags    map[string]string
		reqTags map[string]string
		session bool // a role session: original_session_exp and source_identity claims
	}{
		{name: "user RS256 two audiences", cfg: minter,
			in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://a.example", "https://b.example"}, SigningAlgorithm: aws.String("RS256"),
				DurationSeconds: aws.Int32(600), Tags: []ststypes.Tag{{Key: aws.String("job"), Value: aws.String("42")}}},
			sub: "arn:aws:iam::" + iamtest.Account + ":user/minter", aud: `["https://a.example","https://b.example"]`, seconds: 600,
			tags: map[string]string{"team": "blue"}, reqTags: map[string]string{"job": "42"}},
		{name: "user ES384 default duration", cfg: minter,
			in:  stssdk.GetWebIdentityTokenInput{Audience: []string{"https://a.example"}, SigningAlgorithm: aws.String("ES384")},
			sub: "arn:aws:iam::" + iamtest.Account + ":user/minter", aud: `"https://a.example"`, seconds: 300, tags: map[string]string{"team": "blue"}},
		{name: "role session names the role", cfg: roleSession,
			in:  stssdk.GetWebIdentityTokenInput{Audience: []string{"https://a.example"}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(60)},
			sub: "arn:aws:iam::" + iamtest.Account + ":role/minting", aud: `"https://a.example"`, seconds: 60, tags: map[string]string{"team": "red"}, session: true},
		{name: "root", cfg: in.root(),
			in:  stssdk.GetWebIdentityTokenInput{Audience: []string{"https://a.example"}, SigningAlgorithm: aws.String("ES384"), DurationSeconds: aws.Int32(3600)},
			sub: "arn:aws:iam::" + iamtest.Account + ":root", aud: `"https://a.example"`, seconds: 3600},
	}
	jtis := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := iamtest.STS(tc.cfg).GetWebIdentityToken(ctx, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			tok := aws.ToString(out.WebIdentityToken)
			c := in.verifyAsRelyingParty(t, issuer, tok)
			if c.Iss != issuer || c.Sub != tc.sub || string(c.Aud) != tc.aud || c.AWS.Account != iamtest.Account || c.AWS.SourceRegion != iamtest.Region {
				t.Errorf("claims = %+v", c)
			}
			if c.Exp-c.Iat != tc.seconds || c.Exp != out.Expiration.Unix() {
				t.Errorf("iat %d exp %d, Expiration %v: want %d s", c.Iat, c.Exp, out.Expiration, tc.seconds)
			}
			if fmt.Sprint(c.AWS.PrincipalTags) != fmt.Sprint(tc.tags) || fmt.Sprint(c.AWS.RequestTags) != fmt.Sprint(tc.reqTags) {
				t.Errorf("principal tags %v, request tags %v", c.AWS.PrincipalTags, c.AWS.RequestTags)
			}
			wantExp, wantSrc := "", ""
			if tc.session {
				wantExp, wantSrc = as.Credentials.Expiration.UTC().Format(time.RFC3339), "alice"
			}
			if c.AWS.OriginalSessionExp != wantExp || c.AWS.SourceIdentity != wantSrc {
				t.Errorf("original_session_exp %q source_identity %q, want %q %q", c.AWS.OriginalSessionExp, c.AWS.SourceIdentity, wantExp, wantSrc)
			}
			if len(c.Jti) != 36 || jtis[c.Jti] {
				t.Errorf("jti %q missing or repeated", c.Jti)
			}
			jtis[c.Jti] = true
			// iamd's own OIDC verifier, as AssumeRoleWithWebIdentity uses it, accepts the
			// token through the served documents too.
			v := oidc.NewVerifier(oidc.Config{Now: in.clock.Now})
			vc, err := v.Verify(ctx, tok, oidc.Provider{URL: issuer, ClientIDs: tc.in.Audience[:1], Thumbprints: []string{oidc.Thumbprint(in.srv.Certificate())}})
			if err != nil {
				t.Fatalf("oidc verifier: %v", err)
			}
			if vc.Subject != tc.sub {
				t.Errorf("oidc verifier sub = %q", vc.Subject)
			}
		})
	}
}

func TestGetWebIdentityTokenRefusals(t *testing.T) {
	in := newIssuerNode(t)
	ctx := context.Background()
	minter := in.user(t, "minter", mintPolicy)
	nobody := in.user(t, "nobody", "")
	if _, err := iamtest.IAM(in.root()).EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	putRole(t, &iamtest.Harness{Node: in.node}, "minting", trustRoot, 3600, mintPolicy)
	as, err := iamtest.STS(minter).AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/minting"),
		RoleSessionName: aws.String("job"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	roleSession := in.config(aws.ToString(as.Credentials.AccessKeyId), aws.ToString(as.Credentials.SecretAccessKey), aws.ToString(as.Credentials.SessionToken))
	var bigTags []ststypes.Tag
	for i := range 50 {
		bigTags = append(bigTags, ststypes.Tag{Key: aws.String(fmt.Sprintf("k%03d", i) + strings.Repeat("k", 124)), Value: aws.String(strings.Repeat("v", 256))})
	}
	aud := []string{"https://rp.example"}
	tests := []struct {
		name string
		cfg  aws.Config
		in   stssdk.GetWebIdentityTokenInput
		code string
	}{
		{name: "no permission", cfg: nobody, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256")}, code: "AccessDenied"},
		{name: "unsupported algorithm", cfg: minter, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("HS256")}, code: "ValidationError"},
		{name: "duration below 60", cfg: minter, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(59)}, code: "ValidationError"},
		{name: "duration above 3600", cfg: minter, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(3601)}, code: "ValidationError"},
		{name: "outlives the session", cfg: roleSession, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(901)}, code: "SessionDurationEscalationException"},
		{name: "payload too large", cfg: minter, in: stssdk.GetWebIdentityTokenInput{Audience: aud, SigningAlgorithm: aws.String("ES384"), Tags: bigTags}, code: "JWTPayloadSizeExceededException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iamtest.STS(tc.cfg).GetWebIdentityToken(ctx, &tc.in)
			if got := fedCode(err); got != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

// Each account has its own issuer, served within a second of enabling it. Disabling the feature
// stops tokens at once and the issuer's documents within the discovery
// cache's 30 seconds; unknown issuers are 404.
func TestOutboundDisable(t *testing.T) {
	in := newIssuerNode(t)
	ctx := context.Background()
	iamc := iamtest.IAM(in.root())
	en, err := iamc.EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	for _, doc := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		if status, body := in.get(t, issuer+doc); status != http.StatusOK {
			t.Fatalf("%s: %d %s", doc, status, body)
		}
		if status, _ := in.get(t, in.srv.URL+"/outbound-federation/unknown"+doc); status != http.StatusNotFound {
			t.Errorf("unknown issuer %s: %d", doc, status)
		}
	}
	// Another hosted account gets its own issuer, served within a second of enabling it.
	acct, keyID, secret, err := in.node.CreateAccount(ctx, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	other := in.config(keyID, secret, "")
	en2, err := iamtest.IAM(other).EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer2 := aws.ToString(en2.IssuerIdentifier)
	if issuer2 == issuer {
		t.Fatal("two accounts share an issuer")
	}
	in.clock.Advance(2 * time.Second)
	tok, err := iamtest.STS(other).GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: aws.String("ES384")})
	if err != nil {
		t.Fatal(err)
	}
	if c := in.verifyAsRelyingParty(t, issuer2, aws.ToString(tok.WebIdentityToken)); c.Iss != issuer2 || c.AWS.Account != acct {
		t.Errorf("other account's claims = %+v", c)
	}
	if _, err := iamc.DisableOutboundWebIdentityFederation(ctx, &iamsdk.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = iamtest.STS(in.root()).GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{Audience: []string{"x"}, SigningAlgorithm: aws.String("RS256")})
	if got := fedCode(err); got != "OutboundWebIdentityFederationDisabledException" {
		t.Errorf("after disabling: %s", got)
	}
	in.clock.Advance(31 * time.Second)
	if status, _ := in.get(t, issuer+"/.well-known/openid-configuration"); status != http.StatusNotFound {
		t.Errorf("discovery of a disabled issuer: %d", status)
	}
	if status, _ := in.get(t, issuer2+"/.well-known/openid-configuration"); status != http.StatusOK {
		t.Errorf("discovery of the other account's issuer: %d", status)
	}
}

// Policies limit tokens by audience, algorithm and lifetime (sts:IdentityTokenAudience is
// multi-valued: ForAllValues), and request tags need sts:TagGetWebIdentityToken.
func TestGetWebIdentityTokenConditions(t *testing.T) {
	in := newIssuerNode(t)
	ctx := context.Background()
	limited := in.user(t, "limited", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*",
		"Condition":{"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":["https://rp.example","https://rp2.example"]},
		"StringEquals":{"sts:SigningAlgorithm":"ES384"},"NumericLessThanEquals":{"sts:DurationSeconds":"300"}}}]}`)
	if _, err := iamtest.IAM(in.root()).EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	es, rs := aws.String("ES384"), aws.String("RS256")
	tests := []struct {
		name string
		in   stssdk.GetWebIdentityTokenInput
		code string
	}{
		{name: "allowed audience, default lifetime", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example"}, SigningAlgorithm: es}},
		{name: "both allowed audiences, 300 s", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example", "https://rp2.example"}, SigningAlgorithm: es, DurationSeconds: aws.Int32(300)}},
		{name: "other audience", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://evil.example"}, SigningAlgorithm: es}, code: "AccessDenied"},
		{name: "one audience not allowed", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example", "https://evil.example"}, SigningAlgorithm: es}, code: "AccessDenied"},
		{name: "other algorithm", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example"}, SigningAlgorithm: rs}, code: "AccessDenied"},
		{name: "longer lifetime", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example"}, SigningAlgorithm: es, DurationSeconds: aws.Int32(301)}, code: "AccessDenied"},
		{name: "tags without sts:TagGetWebIdentityToken", in: stssdk.GetWebIdentityTokenInput{Audience: []string{"https://rp.example"}, SigningAlgorithm: es,
			Tags: []ststypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, code: "AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iamtest.STS(limited).GetWebIdentityToken(ctx, &tc.in)
			if tc.code == "" && err != nil {
				t.Fatal(err)
			}
			if tc.code != "" && fedCode(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
}
