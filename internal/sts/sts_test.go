package sts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
)

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode()
}

func TestRootCallerIdentity(t *testing.T) {
	h := iamtest.New(t)
	out, err := iamtest.STS(h.Root()).GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::123456789012:root"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if aws.ToString(out.Account) != iamtest.Account || aws.ToString(out.UserId) != iamtest.Account {
		t.Errorf("Account/UserId = %q/%q", aws.ToString(out.Account), aws.ToString(out.UserId))
	}
}

func TestBadCredentials(t *testing.T) {
	h := iamtest.New(t)
	for name, c := range map[string]struct{ id, secret, token, code string }{
		"unknownKey":   {"AKIAUNKNOWNUNKNOWN00", "x", "", "InvalidClientTokenId"},
		"wrongSecret":  {iamtest.RootKeyID, "wrong", "", "SignatureDoesNotMatch"},
		"garbageToken": {"ASIAUNKNOWNUNKNOWN00", "x", "garbage", "InvalidClientTokenId"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := iamtest.STS(h.Config(c.id, c.secret, c.token)).GetCallerIdentity(context.Background(), &stssdk.GetCallerIdentityInput{})
			if got := apiCode(t, err); got != c.code {
				t.Errorf("code = %s, want %s", got, c.code)
			}
		})
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	h := iamtest.New(t)
	// A key of another account: the answer comes from the id alone.
	const other = "210987654321"
	id, err := iam.NewAccessKeyID("AKIA", other)
	if err != nil {
		t.Fatal(err)
	}
	out, err := iamtest.STS(h.Root()).GetAccessKeyInfo(context.Background(), &stssdk.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != other {
		t.Errorf("Account = %q, want %q", got, other)
	}
}

// Operations that cannot apply to a self-hosted account answer AWS's error for that situation.
func TestUnavailableFeatures(t *testing.T) {
	h := iamtest.New(t)
	c := iamtest.STS(h.Root())
	ctx := context.Background()
	_, err := c.GetWebIdentityToken(ctx, &stssdk.GetWebIdentityTokenInput{Audience: []string{"https://example.com"}, SigningAlgorithm: aws.String("RS256")})
	if got := apiCode(t, err); got != "OutboundWebIdentityFederationDisabledException" {
		t.Errorf("GetWebIdentityToken: %s", got)
	}
	_, err = c.GetDelegatedAccessToken(ctx, &stssdk.GetDelegatedAccessTokenInput{TradeInToken: aws.String("token-that-iamd-never-issued")})
	if got := apiCode(t, err); got != "ExpiredTradeInTokenException" {
		t.Errorf("GetDelegatedAccessToken: %s", got)
	}
}
