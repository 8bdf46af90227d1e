package authz_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// A policy can cap the lifetime of the API keys users create for themselves, with
// iam:ServiceSpecificCredentialAgeDays as AWS documents.
func TestServiceSpecificCredentialAgeDays(t *testing.T) {
	h := iamtest.New(t)
	cfg := newUser(t, h, "keymaker", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceSpecificCredential","Resource":"*",
	  "Condition":{"StringEquals":{"iam:ServiceSpecificCredentialServiceName":"bedrock.amazonaws.com"},"NumericLessThanEquals":{"iam:ServiceSpecificCredentialAgeDays":"90"}}}]}`)
	c := iamtest.IAM(cfg)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		days *int32
		code string
	}{
		{"within the cap", aws.Int32(30), ""},
		{"over the cap", aws.Int32(365), "AccessDenied"},
		{"no expiry", nil, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{
				UserName: aws.String("keymaker"), ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: tc.days})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("allowed case: %v", err)
				}
				return
			}
			if code, _ := apiErr(t, err); code != tc.code {
				t.Errorf("code = %s, want %s", code, tc.code)
			}
		})
	}
}
