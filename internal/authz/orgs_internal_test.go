package authz

import "testing"

// RCPs govern the resources of the services AWS lists, and of STS only a role's assumption and
// what goes with it, never a caller's own token requests.
func TestRCPApplies(t *testing.T) {
	for action, want := range map[string]bool{
		"s3:GetObject": true, "S3:PutObject": true, "sts:AssumeRole": true, "sts:AssumeRoleWithWebIdentity": true,
		"sts:TagSession": true, "STS:SetSourceIdentity": true, "kms:Decrypt": true, "sqs:SendMessage": true,
		"sts:GetFederationToken": false, "sts:GetWebIdentityToken": false, "sts:AssumeRoot": false,
		"iam:CreateUser": false, "s3tables:GetTable": true, "organizations:ListAccounts": false, "ec2:RunInstances": false,
	} {
		if got := rcpApplies(action); got != want {
			t.Errorf("rcpApplies(%s) = %v, want %v", action, got, want)
		}
	}
}
