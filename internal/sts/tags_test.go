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

func tag(k, v string) ststypes.Tag { return ststypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

// Session tags become aws:PrincipalTag/*; transitive ones carry through role chaining and cannot
// be overridden; a source identity, once set, cannot change along the chain; both need their own
// permission in the trust policy.
func TestSessionTagsAndSourceIdentity(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	// first may assume second; second may list users only for sessions tagged team=blue.
	putRole(t, h, "first", trustRoot, 3600, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	putRole(t, h, "second", trustRoot, 3600, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)
	putRole(t, h, "untagging", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`, 3600)
	op := operator(t, h)
	arn := func(name string) *string { return aws.String("arn:aws:iam::123456789012:role/" + name) }

	// Tags need sts:TagSession in the trust policy.
	if _, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: arn("untagging"), RoleSessionName: aws.String("t1"), Tags: []ststypes.Tag{tag("team", "blue")}}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("tags without sts:TagSession: %v", err)
	}
	// A source identity needs sts:SetSourceIdentity.
	if _, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: arn("untagging"), RoleSessionName: aws.String("t1"), SourceIdentity: aws.String("alice")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("source identity without sts:SetSourceIdentity: %v", err)
	}
	// A transitive key must be one of the tags.
	if _, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: arn("first"), RoleSessionName: aws.String("t1"), Tags: []ststypes.Tag{tag("team", "blue")}, TransitiveTagKeys: []string{"other"}}); apiCode(t, err) != "InvalidInput" {
		t.Errorf("transitive key not among the tags: %v", err)
	}

	out, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: arn("first"), RoleSessionName: aws.String("t1"),
		Tags: []ststypes.Tag{tag("team", "blue"), tag("cost", "42")}, TransitiveTagKeys: []string{"team"}, SourceIdentity: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("SourceIdentity = %q", aws.ToString(out.SourceIdentity))
	}
	firstCfg := sessionConfig(h, out.Credentials)

	// The transitive tag cannot be overridden by the next hop.
	if _, err := assume(t, firstCfg, &stssdk.AssumeRoleInput{RoleArn: arn("second"), RoleSessionName: aws.String("t2"), Tags: []ststypes.Tag{tag("team", "red")}}); apiCode(t, err) != "InvalidInput" {
		t.Errorf("overriding a transitive tag: %v", err)
	}
	// Nor can the source identity change.
	if _, err := assume(t, firstCfg, &stssdk.AssumeRoleInput{RoleArn: arn("second"), RoleSessionName: aws.String("t2"), SourceIdentity: aws.String("mallory")}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("changing the source identity: %v", err)
	}
	// Chained without tags: team=blue came along, so the tag condition of second's policy holds.
	out2, err := assume(t, firstCfg, &stssdk.AssumeRoleInput{RoleArn: arn("second"), RoleSessionName: aws.String("t2")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out2.SourceIdentity) != "alice" {
		t.Errorf("chained SourceIdentity = %q, want alice", aws.ToString(out2.SourceIdentity))
	}
	if _, err := iamtest.IAM(sessionConfig(h, out2.Credentials)).ListUsers(ctx, &iamsdk.ListUsersInput{}); err != nil {
		t.Errorf("transitive tag as aws:PrincipalTag: %v", err)
	}
	// The non-transitive tag did not come along: a session of second tagged cost only is refused.
	out3, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: arn("first"), RoleSessionName: aws.String("t3"), Tags: []ststypes.Tag{tag("team", "blue")}})
	if err != nil {
		t.Fatal(err)
	}
	out4, err := assume(t, sessionConfig(h, out3.Credentials), &stssdk.AssumeRoleInput{RoleArn: arn("second"), RoleSessionName: aws.String("t4")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamtest.IAM(sessionConfig(h, out4.Credentials)).ListUsers(ctx, &iamsdk.ListUsersInput{}); apiCode(t, err) != "AccessDenied" {
		t.Errorf("a non-transitive tag carried through the chain: %v", err)
	}
}

// TestReservedSessionTags checks that session tags follow IAM's tag naming rules on the reserved
// prefix: a key or value beginning with aws:, in any case, is refused by AssumeRole and
// GetFederationToken alike.
func TestReservedSessionTags(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	putRole(t, h, "tagged", trustRoot, 3600)
	op := operator(t, h)
	const rest = "tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use."
	tests := []struct {
		name    string
		tags    []ststypes.Tag
		wantMsg string // "" means accepted
	}{
		{"ordinary", []ststypes.Tag{tag("team", "blue")}, ""},
		{"looks reserved but is not", []ststypes.Tag{tag("aws", "awsblue"), tag("team:aws:x", "x:aws:y")}, ""},
		{"reserved key", []ststypes.Tag{tag("aws:team", "blue")}, "Tag key 'aws:team' is invalid: " + rest},
		{"reserved key in upper case", []ststypes.Tag{tag("team", "blue"), tag("AWS:PrincipalTag", "x")}, "Tag key 'AWS:PrincipalTag' is invalid: " + rest},
		{"reserved value", []ststypes.Tag{tag("team", "Aws:blue")}, "Tag value 'Aws:blue' of key 'team' is invalid: " + rest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(op string, err error) {
				t.Helper()
				if tc.wantMsg == "" {
					if err != nil {
						t.Errorf("%s: %v", op, err)
					}
					return
				}
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInput" || ae.ErrorMessage() != tc.wantMsg {
					t.Errorf("%s: err = %v, want InvalidInput %q", op, err, tc.wantMsg)
				}
			}
			_, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tagged"),
				RoleSessionName: aws.String("s1"), Tags: tc.tags})
			check("AssumeRole", err)
			_, err = iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob"), Tags: tc.tags})
			check("GetFederationToken", err)
		})
	}
}

// TestDuplicateSessionTagKeys checks STS's answer to a tag key given twice, in any case:
// InvalidParameterValue, STS's code for a bad parameter, where IAM answers InvalidInput.
func TestDuplicateSessionTagKeys(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	putRole(t, h, "tagged", trustRoot, 3600)
	op := operator(t, h)
	tags := []ststypes.Tag{tag("team", "blue"), tag("Team", "red")}
	const want = "Duplicate tag keys found. Please note that Tag keys are case insensitive."
	check := func(name string, err error) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" || ae.ErrorMessage() != want {
			t.Errorf("%s: err = %v, want InvalidParameterValue %q", name, err, want)
		}
	}
	_, err := assume(t, op, &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tagged"),
		RoleSessionName: aws.String("s1"), Tags: tags})
	check("AssumeRole", err)
	_, err = iamtest.STS(h.Root()).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("bob"), Tags: tags})
	check("GetFederationToken", err)
}
