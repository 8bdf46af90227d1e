package sts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

// A session policy is validated as IAM validates an inline policy: Version may be absent, keys
// need no vendor, regional ARNs are valid, and what IAM's parsers refuse is refused in IAM's
// words. That STS words its refusals as IAM does is by inference: the STS API reference lists
// MalformedPolicyDocument without the reasons.
func TestSessionPolicyValidation(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	op := operator(t, h)
	tests := []struct {
		name, doc, msg string
	}{
		{"no version", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, ""},
		{"version 2008", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, ""},
		{"key without vendor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"team":"a"}}}]}`, ""},
		{"access point", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/ap"}]}`, ""},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}]}`, "Syntax errors in policy."},
		{"effect case", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, "The policy failed legacy parsing"},
		{"bad date", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}]}`, "The policy failed legacy parsing"},
		{"duplicate sids", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"iam path", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:users/a"}]}`,
			`IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"),
				RoleSessionName: aws.String("s1"), Policy: aws.String(tc.doc)})
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("AssumeRole: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || ae.ErrorMessage() != tc.msg {
				t.Fatalf("AssumeRole: %v, want MalformedPolicyDocument: %s", err, tc.msg)
			}
		})
	}
}

// TestSessionPolicyARNsMustExist: a managed session policy must be a policy of the role's
// account or an AWS managed one. AWS answers any other ARN InvalidParameterValue, "At least one
// Policy ARN in the PolicyArns parameter does not match an existing IAM Managed Policy ARN." (its
// production answer, as recorded by a client that retries on it).
func TestSessionPolicyARNsMustExist(t *testing.T) {
	h := iamtest.New(t)
	putRole(t, h, "demo", trustRoot, 3600)
	op := operator(t, h)
	ctx := context.Background()
	own, err := iamtest.IAM(h.Root()).CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("scope"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		arns []string
		ok   bool
	}{
		{"the account's", []string{aws.ToString(own.Policy.Arn)}, true},
		{"AWS managed", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}, true},
		{"missing", []string{aws.ToString(own.Policy.Arn), "arn:aws:iam::123456789012:policy/nope"}, false},
		{"AWS managed, missing", []string{"arn:aws:iam::aws:policy/NoSuchPolicy"}, false},
		{"another account's", []string{"arn:aws:iam::111122223333:policy/scope"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pd []ststypes.PolicyDescriptorType
			for _, a := range tc.arns {
				pd = append(pd, ststypes.PolicyDescriptorType{Arn: aws.String(a)})
			}
			_, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/demo"),
				RoleSessionName: aws.String("s1"), PolicyArns: pd})
			if tc.ok {
				if err != nil {
					t.Fatalf("AssumeRole: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" ||
				ae.ErrorMessage() != "At least one Policy ARN in the PolicyArns parameter does not match an existing IAM Managed Policy ARN." {
				t.Fatalf("AssumeRole: %v", err)
			}
		})
	}
}
