package sts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestDenialWording holds STS's AccessDenied messages to AWS's, as recorded in the wild: a role
// whose trust policy refuses the caller is named without a reason ("User: … is not authorized
// to perform: sts:AssumeRole on resource: …"); a refusal by the caller's own policies gives the
// reason as IAM words it ("… because no identity-based policy allows the sts:AssumeRole action",
// "… with an explicit deny in an identity-based policy"); and an operation on no resource names
// none ("User: … is not authorized to perform: sts:DecodeAuthorizationMessage because no
// identity-based policy allows the sts:DecodeAuthorizationMessage action", AWS's answer to a
// user without permissions, likewise GetAccessKeyInfo's).
func TestDenialWording(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	const acct = iamtest.Account
	role := func(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
	user := func(name string) string { return "arn:aws:iam::" + acct + ":user/" + name }
	// "open" trusts the account: the caller's identity policies must allow too. "ec2" trusts
	// EC2 alone.
	putRole(t, h, "open", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole"}]}`, 3600)
	putRole(t, h, "ec2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, 3600)

	bare := iamtest.STS(newUser(t, h, "bare", ""))
	denied := iamtest.STS(newUser(t, h, "denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`))
	admin := iamtest.STS(newUser(t, h, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))

	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"trust refuses", func() error {
			_, err := admin.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(role("ec2")), RoleSessionName: aws.String("s1")})
			return err
		}, "User: " + user("admin") + " is not authorized to perform: sts:AssumeRole on resource: " + role("ec2")},
		{"trust and identity refuse", func() error {
			_, err := bare.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(role("ec2")), RoleSessionName: aws.String("s1")})
			return err
		}, "User: " + user("bare") + " is not authorized to perform: sts:AssumeRole on resource: " + role("ec2")},
		{"identity does not allow", func() error {
			_, err := bare.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(role("open")), RoleSessionName: aws.String("s1")})
			return err
		}, "User: " + user("bare") + " is not authorized to perform: sts:AssumeRole on resource: " + role("open") +
			" because no identity-based policy allows the sts:AssumeRole action"},
		{"identity denies", func() error {
			_, err := denied.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: aws.String(role("open")), RoleSessionName: aws.String("s1")})
			return err
		}, "User: " + user("denied") + " is not authorized to perform: sts:AssumeRole on resource: " + role("open") +
			" with an explicit deny in an identity-based policy"},
		{"federation token", func() error {
			_, err := bare.GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("fed")})
			return err
		}, "User: " + user("bare") + " is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::" + acct +
			":federated-user/fed because no identity-based policy allows the sts:GetFederationToken action"},
		{"decode without a resource", func() error {
			_, err := bare.DecodeAuthorizationMessage(ctx, &stssdk.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("x")})
			return err
		}, "User: " + user("bare") + " is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action"},
		{"access key info without a resource", func() error {
			_, err := bare.GetAccessKeyInfo(ctx, &stssdk.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
			return err
		}, "User: " + user("bare") + " is not authorized to perform: sts:GetAccessKeyInfo because no identity-based policy allows the sts:GetAccessKeyInfo action"},
		{"explicit deny without a resource", func() error {
			_, err := denied.GetAccessKeyInfo(ctx, &stssdk.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
			return err
		}, "User: " + user("denied") + " is not authorized to perform: sts:GetAccessKeyInfo with an explicit deny in an identity-based policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ae smithy.APIError
			if err := tc.call(); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != tc.want {
				t.Errorf("got %v\nwant AccessDenied: %s", err, tc.want)
			}
		})
	}
}
