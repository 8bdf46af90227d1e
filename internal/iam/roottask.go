package iam

// RootTaskPolicyPrefix begins the ARNs of the AWS managed policies that scope a session of
// sts:AssumeRoot to one privileged task in a member account.
const RootTaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

// RootTaskPolicies are the five root-task policies AWS documents for AssumeRoot, by ARN. They
// are not attachable managed policies (nothing lists or attaches them): each is the session
// policy of the root session AssumeRoot issues.
var RootTaskPolicies = map[string]string{
	RootTaskPolicyPrefix + "IAMAuditRootUserCredentials": `{"Version":"2012-10-17","Statement":[{"Sid":"AuditRootUserCredentials","Effect":"Allow",` +
		`"Action":["iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}`,
	RootTaskPolicyPrefix + "IAMCreateRootUserPassword": `{"Version":"2012-10-17","Statement":[{"Sid":"CreateRootUserPassword","Effect":"Allow",` +
		`"Action":["iam:CreateLoginProfile","iam:GetLoginProfile","iam:GetUser"],"Resource":"*"}]}`,
	RootTaskPolicyPrefix + "IAMDeleteRootUserCredentials": `{"Version":"2012-10-17","Statement":[{"Sid":"DeleteRootUserCredentials","Effect":"Allow",` +
		`"Action":["iam:DeactivateMFADevice","iam:DeleteAccessKey","iam:DeleteLoginProfile","iam:DeleteSigningCertificate","iam:DeleteVirtualMFADevice",` +
		`"iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}`,
	RootTaskPolicyPrefix + "S3UnlockBucketPolicy": `{"Version":"2012-10-17","Statement":[{"Sid":"UnlockBucketPolicy","Effect":"Allow",` +
		`"Action":["s3:DeleteBucketPolicy","s3:GetBucketPolicy","s3:ListAllMyBuckets","s3:PutBucketPolicy"],"Resource":"*"}]}`,
	RootTaskPolicyPrefix + "SQSUnlockQueuePolicy": `{"Version":"2012-10-17","Statement":[{"Sid":"UnlockQueuePolicy","Effect":"Allow",` +
		`"Action":["sqs:GetQueueAttributes","sqs:ListQueues","sqs:SetQueueAttributes"],"Resource":"*"}]}`,
}
