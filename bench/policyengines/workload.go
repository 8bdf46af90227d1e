package policyengines

import "github.com/iamd/iamd/policy"

// Identity is the workload's identity policy, attached to the user alice: five statements with
// wildcards in actions and resources, one IpAddress and one StringLike condition. It is the same
// document as benchIdentity in iamd's policy/bench_test.go (issue 2's workload).
const Identity = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadBuckets", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
     "Resource": ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"]},
    {"Sid": "WriteFromOffice", "Effect": "Allow", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::data-*/uploads/*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}},
    {"Sid": "OwnPrefix", "Effect": "Allow", "Action": "s3:DeleteObject",
     "Resource": "arn:aws:s3:::data-*/*",
     "Condition": {"StringLike": {"s3:prefix": ["home/alice/*", "shared/*"]}}},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*",
     "Resource": "arn:aws:s3:::data-*/secret/*"},
    {"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*"], "Resource": "*"}
  ]
}`

// Caller is the principal the identity policy is attached to.
const (
	CallerARN     = "arn:aws:iam::111122223333:user/alice"
	CallerAccount = "111122223333"
	CallerName    = "alice"
)

// Request is one engine-neutral request of the workload. The two context keys the policy
// tests are fields; an empty field means the key is absent from the request.
type Request struct {
	Name     string
	Action   string
	Resource string // an ARN
	SourceIP string // aws:SourceIp
	Prefix   string // s3:prefix
	Want     policy.Decision
}

// Mix is the four-way decision mix the evaluation speed target is measured on (allow, explicit
// deny, implicit deny, a condition that fails), the requests policy.BenchmarkEvaluate runs, in
// the same order.
func Mix() []Request {
	return []Request{
		{Name: "allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-lake/reports/q1.csv", SourceIP: "10.1.2.3", Want: policy.Allowed},
		{Name: "explicitDeny", Action: "s3:GetObject", Resource: "arn:aws:s3:::data-lake/secret/key.pem", SourceIP: "10.1.2.3", Want: policy.ExplicitDeny},
		{Name: "implicitDeny", Action: "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/bob", SourceIP: "10.1.2.3", Want: policy.ImplicitDeny},
		{Name: "conditionFails", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/uploads/x", SourceIP: "203.0.113.9", Want: policy.ImplicitDeny},
	}
}

// More are further requests that exercise every statement and each condition both ways.
func More() []Request {
	return []Request{
		{Name: "listBucket", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data-lake", Want: policy.Allowed},
		{Name: "otherBucket", Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/a.txt", Want: policy.ImplicitDeny},
		{Name: "putFromOffice", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/uploads/x", SourceIP: "192.0.2.77", Want: policy.Allowed},
		{Name: "putNoSourceIp", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/uploads/x", Want: policy.ImplicitDeny},
		{Name: "putBadSourceIp", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/uploads/x", SourceIP: "not-an-ip", Want: policy.ImplicitDeny},
		{Name: "putOutsideUploads", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/reports/x", SourceIP: "10.9.9.9", Want: policy.ImplicitDeny},
		{Name: "putSecretFromOffice", Action: "s3:PutObject", Resource: "arn:aws:s3:::data-lake/secret/uploads/x", SourceIP: "10.1.1.1", Want: policy.ExplicitDeny},
		{Name: "deleteOwnPrefix", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-lake/home/alice/a", Prefix: "home/alice/notes", Want: policy.Allowed},
		{Name: "deleteShared", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-x/shared/a", Prefix: "shared/", Want: policy.Allowed},
		{Name: "deleteOtherPrefix", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-lake/home/bob/a", Prefix: "home/bob/a", Want: policy.ImplicitDeny},
		{Name: "deleteNoPrefix", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-lake/home/alice/a", Want: policy.ImplicitDeny},
		{Name: "deleteSecretOwnPrefix", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::data-lake/secret/a", Prefix: "home/alice/x", Want: policy.ExplicitDeny},
		{Name: "describeInstances", Action: "ec2:DescribeInstances", Resource: "*", Want: policy.Allowed},
		{Name: "cloudwatchOnAnyArn", Action: "cloudwatch:GetMetricData", Resource: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:x", Want: policy.Allowed},
		{Name: "ec2NotDescribe", Action: "ec2:RunInstances", Resource: "*", Want: policy.ImplicitDeny},
	}
}
