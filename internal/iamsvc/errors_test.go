package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// TestErrorsInAWSWords holds the answers whose code or wording AWS's differ from what a
// straightforward implementation gives: each case names its source.
func TestErrorsInAWSWords(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}))(t)

	// A policy ARN that is no ARN is invalid input, not a policy that is missing (the
	// operations model InvalidInput; "ARN x is not valid." is AWS's recorded answer).
	const notARN = "not-an-arn-but-long-enough"
	_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(notARN)})
	wantErr(t, err, "InvalidInput", "ARN "+notARN+" is not valid.")
	_, err = c.DetachUserPolicy(ctx, &iamsdk.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(notARN)})
	wantErr(t, err, "InvalidInput", "ARN "+notARN+" is not valid.")
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(notARN)})
	wantErr(t, err, "InvalidInput", "ARN "+notARN+" is not valid.")
	_, err = c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(notARN)})
	wantErr(t, err, "InvalidInput", "ARN "+notARN+" is not valid.")
	_, err = c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("carol"), PermissionsBoundary: aws.String(notARN)})
	wantErr(t, err, "InvalidInput", "ARN "+notARN+" is not valid.")

	// Removing a user from a group it is not in succeeds, as on AWS.
	must(c.RemoveUserFromGroup(ctx, &iamsdk.RemoveUserFromGroupInput{UserName: aws.String("bob"), GroupName: aws.String("devs")}))(t)

	// GetAccessKeyLastUsed models no NoSuchEntity: a key not in the account is a denial.
	_, err = c.GetAccessKeyLastUsed(ctx, &iamsdk.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAI44QH8DHBEXAMPLE")})
	wantErr(t, err, "AccessDenied", "User: arn:aws:iam::"+iamtest.Account+":root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAI44QH8DHBEXAMPLE.")

	// A service without service-specific credentials is an entity that does not exist.
	_, err = c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("bob"), ServiceName: aws.String("nope.amazonaws.com")})
	wantErr(t, err, "NoSuchEntity", "No such service nope.amazonaws.com is supported for Service Specific Credentials")

	// The account password policy: Delete words its absence unlike Get (AWS's documentation
	// quotes Delete's).
	_, err = c.DeleteAccountPasswordPolicy(ctx, &iamsdk.DeleteAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")

	// OpenID Connect providers: a URL that is no URL fails validation; one of another scheme,
	// or with a query, is invalid input.
	tp := []string{"0123456789012345678901234567890123456789"}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("example.com"), ThumbprintList: tp})
	wantErr(t, err, "ValidationError", "Invalid Open ID Connect Provider URL")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("http://example.com"), ThumbprintList: tp})
	wantErr(t, err, "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com/?a=b"), ThumbprintList: tp})
	wantErr(t, err, "InvalidInput", "Invalid Open ID Connect Provider URL.")
}

// TestVirtualMFAPathAndName checks that a virtual MFA device is identified by its path and
// name together, as its serial number (arn:aws:iam::ACCOUNT:mfa/PATH/NAME) is: the same name
// under two paths is two devices, and only the same path and name is a duplicate.
func TestVirtualMFAPathAndName(t *testing.T) {
	_, c := newClient(t)
	create := func(path string) (string, error) {
		out, err := c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("dev"), Path: aws.String(path)})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.VirtualMFADevice.SerialNumber), nil
	}
	a := must(create("/a/"))(t)
	b := must(create("/b/"))(t)
	root := must(create("/"))(t)
	_, err := create("/a/")
	wantErr(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	must(c.TagMFADevice(ctx, &iamsdk.TagMFADeviceInput{SerialNumber: aws.String(b), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	tags := must(c.ListMFADeviceTags(ctx, &iamsdk.ListMFADeviceTagsInput{SerialNumber: aws.String(a)}))(t)
	if len(tags.Tags) != 0 {
		t.Errorf("device %s has the tags of %s: %v", a, b, tags.Tags)
	}
	for _, serial := range []string{a, b, root} {
		must(c.DeleteVirtualMFADevice(ctx, &iamsdk.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))(t)
	}
	_, err = c.DeleteVirtualMFADevice(ctx, &iamsdk.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(a)})
	wantErr(t, err, "NoSuchEntity", "MFA Device with serial number "+a+" does not exist.")
}
