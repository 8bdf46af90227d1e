package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	jose "github.com/go-jose/go-jose/v4"
)

// getJSON fetches url unauthenticated and decodes its JSON body into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestOutboundFederation runs `iamd serve` as users do: the issuer is made below the public URL
// (IAMD_PUBLIC_URL; unset, the unreachable https://iamd.invalid), its documents are served by
// iamd itself whatever host the issuer names, and the signing keys survive a restart (sealed in
// the store), so earlier tokens still verify.
func TestOutboundFederation(t *testing.T) {
	tests := []struct {
		name, publicURL string
	}{
		{name: "no public URL"},
		{name: "IAMD_PUBLIC_URL", publicURL: "https://iamd.example.com/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			env := fixedIdentity()
			if tc.publicURL != "" {
				env = append(env, "IAMD_PUBLIC_URL="+tc.publicURL)
			}
			s := start(t, dir, env...)
			root := sdkConfig(s.URL, rootKeyID, rootSecret, "")
			en, err := iamsdk.NewFromConfig(root).EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
			if err != nil {
				t.Fatal(err)
			}
			issuer := aws.ToString(en.IssuerIdentifier)
			base := "https://iamd.invalid"
			if tc.publicURL != "" {
				base = strings.TrimSuffix(tc.publicURL, "/")
			}
			if !strings.HasPrefix(issuer, base+"/outbound-federation/") {
				t.Fatalf("issuer %q is not below %s", issuer, base)
			}

			out, err := stssdk.NewFromConfig(root).GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{
				Audience: []string{"https://rp.example"}, SigningAlgorithm: aws.String("ES384")})
			if err != nil {
				t.Fatal(err)
			}
			tok := aws.ToString(out.WebIdentityToken)
			s.stop(t)
			s = start(t, dir, env...)
			// The documents are fetched from this process whatever host the issuer names.
			local := s.URL + strings.TrimPrefix(issuer, base)

			var disc struct {
				Issuer  string `json:"issuer"`
				JWKSURI string `json:"jwks_uri"`
			}
			getJSON(t, local+"/.well-known/openid-configuration", &disc)
			if disc.Issuer != issuer || disc.JWKSURI != issuer+"/.well-known/jwks.json" {
				t.Fatalf("discovery: %+v", disc)
			}
			var set jose.JSONWebKeySet
			getJSON(t, local+"/.well-known/jwks.json", &set)
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES384})
			if err != nil {
				t.Fatal(err)
			}
			keys := set.Key(jws.Signatures[0].Header.KeyID)
			if len(keys) != 1 {
				t.Fatalf("the token's key is not in the JWKS after a restart")
			}
			payload, err := jws.Verify(keys[0])
			if err != nil {
				t.Fatal(err)
			}
			var c struct{ Iss, Sub, Aud string }
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			if c.Iss != issuer || c.Sub != "arn:aws:iam::"+account+":root" || c.Aud != "https://rp.example" {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}
