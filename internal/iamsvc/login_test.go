package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

func TestLoginProfilesAndPasswordPolicy(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)

	create := func(pw string) error {
		_, err := c.CreateLoginProfile(ctx, &iamsdk.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(pw)})
		return err
	}
	// AWS's default policy: 8 characters and three of the four classes.
	wantErr(t, create("short1A"), "PasswordPolicyViolation", "Password should have a minimum length of 8")
	wantErr(t, create("alllowercase1"), "PasswordPolicyViolation",
		"Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol")
	if err := create("Valid-pass1"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, create("Valid-pass2"), "EntityAlreadyExists", "Login Profile for user bob already exists.")
	got := must(c.GetLoginProfile(ctx, &iamsdk.GetLoginProfileInput{UserName: aws.String("BOB")}))(t)
	if aws.ToString(got.LoginProfile.UserName) != "bob" || got.LoginProfile.CreateDate == nil {
		t.Errorf("GetLoginProfile = %+v", got.LoginProfile)
	}
	_, err := c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("bob")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must delete login profile first.")

	// A custom policy: every rule enforced, leftovers at AWS's defaults.
	must(c.UpdateAccountPasswordPolicy(ctx, &iamsdk.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		AllowUsersToChangePassword: true, PasswordReusePrevention: aws.Int32(2), MaxPasswordAge: aws.Int32(90),
	}))(t)
	pol := must(c.GetAccountPasswordPolicy(ctx, &iamsdk.GetAccountPasswordPolicyInput{}))(t).PasswordPolicy
	if aws.ToInt32(pol.MinimumPasswordLength) != 12 || !pol.ExpirePasswords || aws.ToInt32(pol.MaxPasswordAge) != 90 || aws.ToInt32(pol.PasswordReusePrevention) != 2 {
		t.Errorf("policy = %+v", pol)
	}

	update := func(pw string) error {
		_, err := c.UpdateLoginProfile(ctx, &iamsdk.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(pw)})
		return err
	}
	tests := []struct {
		name, password, msg string
	}{
		{"too short", "Aa1!short", "Password should have a minimum length of 12"},
		{"no symbol", "Abcdefghijk1", "Password should have at least one symbol"},
		{"no number or upper", "abcdefghijk!", "Password should have at least one uppercase letter, Password should have at least one number"},
		{"reused", "Valid-pass1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "reused" {
				// Valid-pass1 fails the length rule first; reuse is checked on a compliant one.
				if err := update("Compliant-pass1"); err != nil {
					t.Fatal(err)
				}
				wantErr(t, update("Compliant-pass1"), "PasswordPolicyViolation", "")
				return
			}
			wantErr(t, update(tc.password), "PasswordPolicyViolation", tc.msg)
		})
	}

	// The user changes their own password with the old one.
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
	bob := iamtest.IAM(h.Config(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("pw"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"*"}]}`)}))(t)
	_, err = bob.ChangePassword(ctx, &iamsdk.ChangePasswordInput{OldPassword: aws.String("wrong-Password1"), NewPassword: aws.String("Another-pass1")})
	wantErr(t, err, "AccessDenied", "The old password is incorrect.")
	must(bob.ChangePassword(ctx, &iamsdk.ChangePasswordInput{OldPassword: aws.String("Compliant-pass1"), NewPassword: aws.String("Another-pass1")}))(t)
	_, err = c.ChangePassword(ctx, &iamsdk.ChangePasswordInput{OldPassword: aws.String("x"), NewPassword: aws.String("y")})
	wantErr(t, err, "InvalidUserType", "")

	must(c.DeleteAccountPasswordPolicy(ctx, &iamsdk.DeleteAccountPasswordPolicyInput{}))(t)
	_, err = c.GetAccountPasswordPolicy(ctx, &iamsdk.GetAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", "The Password Policy with domain name "+iamtest.Account+" cannot be found.")
	_, err = c.DeleteAccountPasswordPolicy(ctx, &iamsdk.DeleteAccountPasswordPolicyInput{})
	wantErr(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")
	must(c.DeleteLoginProfile(ctx, &iamsdk.DeleteLoginProfileInput{UserName: aws.String("bob")}))(t)
	_, err = c.GetLoginProfile(ctx, &iamsdk.GetLoginProfileInput{UserName: aws.String("bob")})
	wantErr(t, err, "NoSuchEntity", "Login Profile for User bob cannot be found.")
}
