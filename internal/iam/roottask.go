package iam

import "strings"

// RootTaskPolicyPrefix begins the ARNs of the AWS managed policies that scope a session of
// sts:AssumeRoot to one privileged task in a member account.
const RootTaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

// The features of IAM's centralized root access, as ListOrganizationsFeatures names them.
const (
	RootCredentialsManagement = "RootCredentialsManagement"
	RootSessions              = "RootSessions"
)

// RootTaskPolicy is the document of the root-task policy with that ARN, "" for an ARN that names
// none. The documents are AWS's own, the AWS managed policies under /root-task/ of the shipped
// catalogue (IAMAuditRootUserCredentials, IAMCreateRootUserPassword,
// IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy). Each holds only
// Deny statements: the root session AssumeRoot issues may do anything its task's policy does not
// deny (policy.Evaluate applies a root session's policies by their denies alone).
func RootTaskPolicy(arn string) string {
	if !strings.HasPrefix(arn, RootTaskPolicyPrefix) {
		return ""
	}
	p, ok := AWSManagedPolicyByARN(arn)
	if !ok {
		return ""
	}
	return p.Document
}
