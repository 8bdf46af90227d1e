package sts_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/internal/iamtest"
)

// code is the RFC 6238 TOTP code (SHA-1, 30 s, 6 digits) of seed at t, written independently of
// the server's implementation.
func code(seed []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// A user with a virtual MFA device gets MFA-marked sessions from GetSessionToken and AssumeRole
// when it gives a valid code; a trust policy can require MFA; wrong and replayed codes are refused.
func TestMFASessions(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	root := iamtest.IAM(h.Root())
	if _, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("mfa-user")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("mfa-user"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:ListUsers"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("mfa-user")})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := root.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mfa-user")})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(string(dev.VirtualMFADevice.Base32StringSeed), "="))
	if err != nil {
		t.Fatal(err)
	}
	serial := dev.VirtualMFADevice.SerialNumber
	now := h.Clock.Now()
	if _, err := root.EnableMFADevice(ctx, &iamsdk.EnableMFADeviceInput{UserName: aws.String("mfa-user"), SerialNumber: serial,
		AuthenticationCode1: aws.String(code(seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(code(seed, now))}); err != nil {
		t.Fatal(err)
	}
	user := h.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	c := iamtest.STS(user)

	// Without MFA, session-token credentials cannot call IAM; with MFA they can.
	plain, err := c.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.IAM(sessionConfig(h, plain.Credentials)).ListUsers(ctx, &iamsdk.ListUsersInput{}); apiCode(t, err) != "InvalidClientTokenId" {
		t.Errorf("IAM with a session token without MFA: %v", err)
	}
	// AWS's words, as its answers are recorded in the wild: a wrong code (the sentence ends in a
	// space), and a device that is not the caller's (two spaces between the sentences).
	_, err = c.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{SerialNumber: serial, TokenCode: aws.String("000000")})
	wantDenied(t, err, "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	_, err = c.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/nobody"), TokenCode: aws.String("123456")})
	wantDenied(t, err, "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
	h.Clock.Advance(30 * time.Second)
	good := code(seed, h.Clock.Now())
	withMFA, err := c.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{SerialNumber: serial, TokenCode: aws.String(good)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.IAM(sessionConfig(h, withMFA.Credentials)).ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil {
		t.Errorf("IAM with an MFA session token: %v", err)
	}
	if _, err := c.GetSessionToken(ctx, &stssdk.GetSessionTokenInput{SerialNumber: serial, TokenCode: aws.String(good)}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("replayed code: %v", err)
	}

	// A trust policy that requires MFA.
	putRole(t, h, "needs-mfa", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, 3600)
	arn := aws.String("arn:aws:iam::123456789012:role/needs-mfa")
	if _, err := c.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("AssumeRole without MFA: %v", err)
	}
	h.Clock.Advance(30 * time.Second)
	if _, err := c.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: arn, RoleSessionName: aws.String("s1"),
		SerialNumber: serial, TokenCode: aws.String(code(seed, h.Clock.Now()))}); err != nil {
		t.Errorf("AssumeRole with MFA: %v", err)
	}
}

// wantDenied checks that err is AccessDenied with exactly msg.
func wantDenied(t *testing.T, err error, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != msg {
		t.Errorf("got %v, want AccessDenied: %q", err, msg)
	}
}
