package iam

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"sync"
	"time"
)

// AWSManagedAccount is the account field of AWS managed policies: their ARNs read
// arn:aws:iam::aws:policy/NAME.
const AWSManagedAccount = "aws"

// AWSManagedPolicy is an AWS managed policy as iamd ships it: its metadata as AWS publishes it
// (name, id, path, description, creation and last edit time, default version) and the document of
// that default version. Earlier versions are not shipped.
type AWSManagedPolicy struct {
	Name, ID, Path, Description string
	DefaultVersion              string
	Created, Updated            time.Time
	Document                    string
}

// Policy is the managed policy record of p.
func (p AWSManagedPolicy) Policy() ManagedPolicy {
	return ManagedPolicy{Account: AWSManagedAccount, PolicyID: p.ID, PolicyName: p.Name, Path: p.Path,
		Arn: PolicyARN(AWSManagedAccount, p.Path, p.Name), DefaultVersionID: p.DefaultVersion,
		IsAttachable: true, Description: p.Description, CreateDate: p.Created, UpdateDate: p.Updated}
}

func utcMinute(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// readOnlyAccessJSON is AWS's document of ReadOnlyAccess v87 (1,321 actions), kept as a data
// file, one action a line, so that a change to it reads as a diff of actions.
//
//go:embed awsmanaged/ReadOnlyAccess.json
var readOnlyAccessJSON []byte

// readOnlyAccess is that document without whitespace, as the other shipped documents are
// written; compacted once, on first use.
var readOnlyAccess = sync.OnceValue(func() string {
	var b bytes.Buffer
	if err := json.Compact(&b, readOnlyAccessJSON); err != nil {
		// The file is part of the binary and a test parses it: this is a build defect, not input.
		panic("iam: embedded awsmanaged/ReadOnlyAccess.json: " + err.Error())
	}
	return b.String()
})

// AWSManagedPolicies lists the AWS managed policies iamd ships. Ids, versions, dates and
// documents are AWS's as published in the AWS Managed Policy Reference Guide (dates to the
// minute, as the guide gives them). Documents may exceed the customer managed policy quota
// (ReadOnlyAccess is about 37,000 characters without whitespace): that quota binds
// CreatePolicy, not AWS's own policies, and seeding does not apply it.
func AWSManagedPolicies() []AWSManagedPolicy {
	return []AWSManagedPolicy{
		{
			Name: "AdministratorAccess", ID: "ANPAIWMBCKSKIEE64ZLYK", Path: "/",
			Description:    "Provides full access to AWS services and resources.",
			DefaultVersion: "v1", Created: utcMinute(2015, 2, 6, 18, 39), Updated: utcMinute(2015, 2, 6, 18, 39),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		},
		{
			Name: "PowerUserAccess", ID: "ANPAJYRXTHIB4FOVS3ZXS", Path: "/",
			Description:    "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			DefaultVersion: "v12", Created: utcMinute(2015, 2, 6, 18, 39), Updated: utcMinute(2026, 2, 12, 17, 59),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail",` +
				`"account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles",` +
				`"organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`,
		},
		{
			// Version v87, created 2022-05-23T20:16:18Z.
			Name: "ReadOnlyAccess", ID: "ANPAILL3HVNFSB6DCOWYQ", Path: "/",
			Description:    "Provides read-only access to AWS services and resources.",
			DefaultVersion: "v87", Created: utcMinute(2015, 2, 6, 18, 39), Updated: utcMinute(2022, 5, 23, 20, 16),
			Document: readOnlyAccess(),
		},
		{
			Name: "IAMFullAccess", ID: "ANPAI7XKCFMBPM3QQRRVQ", Path: "/",
			Description:    "Provides full access to IAM via the AWS Management Console.",
			DefaultVersion: "v2", Created: utcMinute(2015, 2, 6, 18, 40), Updated: utcMinute(2019, 6, 21, 19, 40),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount",` +
				`"organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy",` +
				`"organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots",` +
				`"organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`,
		},
		{
			Name: "IAMReadOnlyAccess", ID: "ANPAJKSO7NDY4T57MWDSQ", Path: "/",
			Description:    "Provides read only access to IAM via the AWS Management Console.",
			DefaultVersion: "v4", Created: utcMinute(2015, 2, 6, 18, 40), Updated: utcMinute(2018, 1, 25, 19, 11),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport",` +
				`"iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`,
		},
		{
			Name: "IAMUserChangePassword", ID: "ANPAJ4L4MM2A7QIEB56MS", Path: "/",
			Description:    "Provides the ability for an IAM user to change their own password.",
			DefaultVersion: "v3", Created: utcMinute(2016, 11, 15, 0, 25), Updated: utcMinute(2025, 5, 29, 21, 52),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],` +
				`"Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/*/${aws:username}"]},` +
				`{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}`,
		},
	}
}
