package iamsvc_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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

// TestServiceRolePolicyNotAttachable: an AWS managed policy at /aws-service-role/ is its
// service-linked role's alone. AWS answers PolicyNotAttachable (400) to attaching one elsewhere,
// or using one as a boundary (the operations list it; the role's wording is AWS's recorded
// answer), before it looks for the policy's attachments.
func TestServiceRolePolicyNotAttachable(t *testing.T) {
	_, c := newClient(t)
	const slrPolicy = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("devs")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))(t)

	_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.")
	wantStatus(t, err, 400)
	_, err = c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a User.")
	_, err = c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Group.")
	_, err = c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "")
	_, err = c.PutRolePermissionsBoundary(ctx, &iamsdk.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "")
	_, err = c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("carol"), PermissionsBoundary: aws.String(slrPolicy)})
	wantErr(t, err, "PolicyNotAttachable", "")

	// Nothing was attached; other AWS managed policies still attach, and the service-linked
	// role gets its own policy.
	got := must(c.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("bob")}))(t)
	if len(got.AttachedPolicies) != 0 {
		t.Fatalf("attached: %+v", got.AttachedPolicies)
	}
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}))(t)
	slr := must(c.CreateServiceLinkedRole(ctx, &iamsdk.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("support.amazonaws.com")}))(t)
	att := must(c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: slr.Role.RoleName}))(t)
	if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != slrPolicy {
		t.Fatalf("service-linked role's policies: %+v", att.AttachedPolicies)
	}
}

// wantStatus checks the HTTP status an error came with.
func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("error %v: want HTTP status %d", err, status)
	}
}
