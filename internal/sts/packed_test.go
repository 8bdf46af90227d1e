package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

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

// TestPackedPolicySizeOfAWSExamples holds PackedPolicySize to the two values AWS documents with
// their inputs (the STS model's examples, "to assume a role" and "to get temporary credentials
// for a role by using GetFederationToken"): the same session policy with three tags, and with
// two, both pack to 8.
func TestPackedPolicySizeOfAWSExamples(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	const policy = `{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	putRole(t, h, "demo", trustRoot, 3600)
	ar, err := assume(t, operator(t, h), &stssdk.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + iamtest.Account + ":role/demo"), RoleSessionName: aws.String("testAssumeRoleSession"),
		ExternalId: aws.String("123ABC"), Policy: aws.String(policy),
		Tags: []ststypes.Tag{
			{Key: aws.String("Project"), Value: aws.String("Unicorn")},
			{Key: aws.String("Team"), Value: aws.String("Automation")},
			{Key: aws.String("Cost-Center"), Value: aws.String("12345")},
		},
		TransitiveTagKeys: []string{"Project", "Cost-Center"},
	})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 AWS still answers PackedPolicySize, and its example documents the value
	if pps := aws.ToInt32(ar.PackedPolicySize); pps != 8 {
		t.Errorf("AssumeRole's PackedPolicySize = %d, AWS's example answers 8", pps)
	}
	fed, err := iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{
		Name: aws.String("testFedUserSession"), DurationSeconds: aws.Int32(3600), Policy: aws.String(policy),
		Tags: []ststypes.Tag{
			{Key: aws.String("Project"), Value: aws.String("Pegasus")},
			{Key: aws.String("Cost-Center"), Value: aws.String("98765")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 PackedPolicySize is the field iamd's (and botocore's) model serves
	if pps := aws.ToInt32(fed.PackedPolicySize); pps != 8 {
		t.Errorf("GetFederationToken's PackedPolicySize = %d, AWS's example answers 8", pps)
	}
}
