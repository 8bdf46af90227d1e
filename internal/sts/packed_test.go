package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// GetFederationToken always reports PackedPolicySize, 0 when no policy or tag was passed (the
// SDK tells an absent element, nil, from 0); a policy takes a share of the packed limit.
func TestFederationPackedPolicySize(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	out, err := iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 PackedPolicySize is the field iamd's (and botocore's) model serves
	if pps := out.PackedPolicySize; pps == nil || *pps != 0 {
		t.Errorf("PackedPolicySize without a policy = %v, want 0", pps)
	}
	out, err = iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 PackedPolicySize is the field iamd's (and botocore's) model serves
	if pps := out.PackedPolicySize; pps == nil || *pps <= 0 || *pps > 100 {
		t.Errorf("PackedPolicySize with a policy = %v", pps)
	}
}
