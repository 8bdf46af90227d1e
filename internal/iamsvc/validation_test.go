package iamsvc_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
)

// The policy documents IAM refuses, and those it takes, as each operation validates them:
// CreatePolicy and CreatePolicyVersion as managed policies (Version 2012-10-17 only),
// Put*Policy as inline policies, CreateRole and UpdateAssumeRolePolicy as trust policies. The
// messages are IAM's, as users report them from these operations.

const (
	iamPathMsg = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
	legacyMsg  = "The policy failed legacy parsing"
	versionMsg = "Policy document must be version 2012-10-17 or greater."
)

func identityDoc(version, stmt string) string {
	v := ""
	if version != "" {
		v = `"Version":"` + version + `",`
	}
	return `{` + v + `"Statement":[` + stmt + `]}`
}

// identityCases are documents with IAM's answer as a managed and as an inline policy ("": accepted).
var identityCases = []struct {
	name            string
	doc             string
	managed, inline string
}{
	{"no version", identityDoc("", `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), versionMsg, ""},
	{"version 2008", identityDoc("2008-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`), versionMsg, ""},
	{"condition key without vendor", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"team":"blue"}}}`), "", ""},
	{"unknown operator", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}`), "Syntax errors in policy.", "Syntax errors in policy."},
	{"s3 access point", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/*"}`), "", ""},
	{"regional arn", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/T"}`), "", ""},
	{"too few sections", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::b"}`), legacyMsg, legacyMsg},
	{"bad date", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"sdfdsf"}}}`), legacyMsg, legacyMsg},
	{"effect case", identityDoc("2012-10-17", `{"Effect":"allow","Action":"s3:*","Resource":"*"}`), legacyMsg, legacyMsg},
	{"iam path", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::x"}`), iamPathMsg, iamPathMsg},
	{"partition", identityDoc("2012-10-17", `{"Effect":"Allow","Action":"s3:*","Resource":"a:b:c"}`), `Partition "b" is not valid for resource "arn:b:c:*:*:*".`, `Partition "b" is not valid for resource "arn:b:c:*:*:*".`},
	{"duplicate sids", identityDoc("2012-10-17", `{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}`), "Statement IDs (SID) in a single policy must be unique.", "Statement IDs (SID) in a single policy must be unique."},
	{"version before legacy", identityDoc("", `{"Effect":"allow","Action":"s3:*","Resource":"*"}`), versionMsg, legacyMsg},
}

func TestManagedPolicyValidation(t *testing.T) {
	_, c := newClient(t)
	arn := createPolicy(t, c, "base", allowAll)
	for _, tc := range identityCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			v, verr := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(tc.doc)})
			if tc.managed == "" {
				if err != nil || verr != nil {
					t.Fatalf("CreatePolicy: %v; CreatePolicyVersion: %v", err, verr)
				}
				must(c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/p")}))(t)
				must(c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: v.PolicyVersion.VersionId}))(t)
				return
			}
			wantErr(t, err, "MalformedPolicyDocument", tc.managed)
			wantErr(t, verr, "MalformedPolicyDocument", tc.managed)
		})
	}
}

func TestInlinePolicyValidation(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	for _, tc := range identityCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			_, rerr := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			if tc.inline == "" {
				if err != nil || rerr != nil {
					t.Fatalf("PutUserPolicy: %v; PutRolePolicy: %v", err, rerr)
				}
				return
			}
			wantErr(t, err, "MalformedPolicyDocument", tc.inline)
			wantErr(t, rerr, "MalformedPolicyDocument", tc.inline)
		})
	}
}

func TestTrustPolicyValidation(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("base"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	tests := []struct {
		name, doc, msg string
	}{
		{"no version", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
		{"version 2008", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
		{"condition key without vendor", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"team":"x"}}}]}`, ""},
		{"invalid json", `{"Version":"2012-10-17","Statement":[`, "This policy contains invalid Json"},
		{"not json at all", `assume-role-policy.json`, "This policy contains invalid Json"},
		{"non-sts action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"duplicate sids", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"A","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:TagSession"}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"effect case", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, legacyMsg},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := aws.String("r" + string(rune('a'+i)))
			_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(tc.doc)})
			_, uerr := c.UpdateAssumeRolePolicy(ctx, &iamsdk.UpdateAssumeRolePolicyInput{RoleName: aws.String("base"), PolicyDocument: aws.String(tc.doc)})
			if tc.msg == "" {
				if err != nil || uerr != nil {
					t.Fatalf("CreateRole: %v; UpdateAssumeRolePolicy: %v", err, uerr)
				}
				return
			}
			wantErr(t, err, "MalformedPolicyDocument", tc.msg)
			wantErr(t, uerr, "MalformedPolicyDocument", tc.msg)
		})
	}
}
