package sts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// iamd's own outbound tokens are refused by AssumeRoleWithWebIdentity even when an account
// registers the issuer as an OIDC provider and a role trusts it, as AWS documents for its tokens.
func TestOwnOutboundTokensCannotFederate(t *testing.T) {
	in := newIssuerNode(t)
	ctx := context.Background()
	minter := in.user(t, "minter", mintPolicy)
	root := iamtest.IAM(in.root())
	en, err := root.EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	issuer := aws.ToString(en.IssuerIdentifier)
	tok, err := iamtest.STS(minter).GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{Audience: []string{"sts.amazonaws.com"}, SigningAlgorithm: aws.String("RS256")})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := root.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com"}})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	if _, err := root.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("loop"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	anon := in.config("", "", "")
	anon.Credentials = aws.AnonymousCredentials{}
	_, err = iamtest.STS(anon).AssumeRoleWithWebIdentity(ctx, &stssdk.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/loop"), RoleSessionName: aws.String("loop"),
		WebIdentityToken: tok.WebIdentityToken})
	if got := fedCode(err); got != "InvalidIdentityToken" || !strings.Contains(err.Error(), "cannot be used with AssumeRoleWithWebIdentity") {
		t.Errorf("own outbound token: %v", err)
	}
}
