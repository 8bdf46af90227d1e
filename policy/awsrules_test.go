package policy

import (
	"fmt"
	"testing"
)

// TestAWSValidationRules holds IAM's answers, for each kind of document, to the documents that
// iamd once judged differently: each want is AWS's exact MalformedPolicyDocument reason ("" when
// IAM accepts the document). Sources: the IAM User Guide (Version, Condition, Resource element
// pages, policy grammar) for the rules; for the texts, IAM's answers as users report them from
// CreatePolicy, PutRolePolicy and CreateRole.
func TestAWSValidationRules(t *testing.T) {
	stmt := func(extra string) string {
		return `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"` + extra + `}`
	}
	trust := func(extra string) string {
		return `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"` + extra + `}`
	}
	doc := func(version string, stmts ...string) string {
		v := ""
		if version != "" {
			v = `"Version":"` + version + `",`
		}
		s := ""
		for i, st := range stmts {
			if i > 0 {
				s += ","
			}
			s += st
		}
		return `{` + v + `"Statement":[` + s + `]}`
	}
	res := func(r string) string {
		return `{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + r + `"}`
	}
	const v12, v08 = "2012-10-17", "2008-10-17"
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string
	}{
		// Version: a managed policy must be 2012-10-17; inline, boundary, session and trust
		// policies may be 2008-10-17 or leave Version out.
		{"managed without version", KindManaged, doc("", stmt("")), msgVersion},
		{"managed 2008", KindManaged, doc(v08, stmt("")), msgVersion},
		{"managed 2012", KindManaged, doc(v12, stmt("")), ""},
		{"managed bad version is syntax", KindManaged, doc("2012-10-18", stmt("")), msgSyntax},
		{"managed syntax before version", KindManaged, doc("", stmt(`,"Foo":1`)), msgSyntax},
		{"managed version before legacy", KindManaged, doc("", `{"Effect":"allow","Action":"s3:*","Resource":"*"}`), msgVersion},
		{"managed version before sids", KindManaged, doc(v08, stmt(`,"Sid":"A"`), stmt(`,"Sid":"A"`)), msgVersion},
		{"inline without version", KindIdentity, doc("", stmt("")), ""},
		{"inline 2008", KindIdentity, doc(v08, stmt("")), ""},
		{"boundary without version", KindBoundary, doc("", stmt("")), ""},
		{"session 2008", KindSession, doc(v08, stmt("")), ""},
		{"trust without version", KindTrust, doc("", trust("")), ""},
		{"trust 2008", KindTrust, doc(v08, trust("")), ""},

		// Condition keys need no vendor; an unknown operator is a syntax error unless it tests
		// no key.
		{"condition key without vendor", KindIdentity, doc(v12, stmt(`,"Condition":{"StringEquals":{"team":"blue"}}`)), ""},
		{"trust condition key without vendor", KindTrust, doc(v12, trust(`,"Condition":{"StringEquals":{"externalid":"x"}}`)), ""},
		{"unknown operator", KindIdentity, doc(v12, stmt(`,"Condition":{"StringEqualz":{"aws:username":"a"}}`)), msgSyntax},
		{"unknown operator in trust", KindTrust, doc(v12, trust(`,"Condition":{"StringEqualz":{"sts:ExternalId":"a"}}`)), msgSyntax},
		{"unknown operator in session", KindSession, doc(v12, stmt(`,"Condition":{"Foo":{"aws:username":"a"}}`)), msgSyntax},
		{"unknown set qualifier", KindManaged, doc(v12, stmt(`,"Condition":{"ForAnyValue::StringEquals":{"aws:TagKeys":"a"}}`)), msgSyntax},
		{"unknown operator testing nothing", KindIdentity, doc(v12, stmt(`,"Condition":{"StringEqualz":{}}`)), ""},

		// Resources: regional ARNs (S3 access points included) are valid.
		{"s3 access point", KindManaged, doc(v12, res("arn:aws:s3:us-west-2:111122223333:accesspoint/ap")), ""},
		{"s3 access point object", KindIdentity, doc(v12, res("arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/k*")), ""},
		{"s3 batch job", KindIdentity, doc(v12, res("arn:aws:s3:us-east-1:111122223333:job/*")), ""},
		{"s3 object lambda", KindIdentity, doc(v12, res("arn:aws:s3-object-lambda:us-west-2:111122223333:accesspoint/ol")), ""},
		{"dynamodb table", KindIdentity, doc(v12, res("arn:aws:dynamodb:eu-west-1:111122223333:table/T")), ""},
		{"s3 bucket with region", KindIdentity, doc(v12, res("arn:aws:s3:us-west-2::b")), "Resource arn:aws:s3:us-west-2::b can not contain region information."},
		{"iam with region", KindIdentity, doc(v12, res("arn:aws:iam:us-east-1:111122223333:user/a")), "IAM resource arn:aws:iam:us-east-1:111122223333:user/a cannot contain region information."},
		{"iam resource path", KindIdentity, doc(v12, res("arn:aws:iam:::x")), msgIAMPath},
		{"iam resource path in a boundary", KindBoundary, doc(v12, res("arn:aws:iam::111122223333:roles/x")), msgIAMPath},
		{"iam root", KindIdentity, doc(v12, res("arn:aws:iam::111122223333:root")), ""},
		{"iam star", KindIdentity, doc(v12, res("arn:aws:iam::111122223333:*")), ""},
		{"iam variable account", KindIdentity, doc(v12, res("arn:aws:iam::${aws:PrincipalAccount}:user/*")), ""},
		{"short arn partition", KindIdentity, doc(v12, res("a:b:c")), `Partition "b" is not valid for resource "arn:b:c:*:*:*".`},
		{"two sections partition", KindIdentity, doc(v12, res("a:b")), `Partition "b" is not valid for resource "arn:b:*:*:*:*".`},
		{"long arn partition", KindIdentity, doc(v12, res("arn:b:s3:r:a:x:y")), `Partition "b" is not valid for resource "arn:b:s3:r:a:x:y".`},
		{"too few sections", KindIdentity, doc(v12, res("arn:aws:s3::b")), msgLegacy},
		{"too few sections in a session policy", KindSession, doc(v12, res("arn:aws:ec2::i-1")), msgLegacy},
		{"no colon", KindIdentity, doc(v12, res("bucket")), `Resource bucket must be in ARN format or "*".`},
		{"no service", KindIdentity, doc(v12, res("arn:aws")), msgResVendor},
		{"wildcard service", KindIdentity, doc(v12, res("arn:aws:s*:::b")), msgResVendor},
		{"empty service", KindIdentity, doc(v12, res("arn:aws::::b")), msgLegacy},
		{"empty service, four sections", KindIdentity, doc(v12, res("arn:aws::b")), msgLegacy},
		{"three sections", KindIdentity, doc(v12, res("arn:aws:fdsasf")), ""},
		{"unknown service", KindIdentity, doc(v12, res("arn:aws:invalid-service:us-east-1::b")), ""},
		{"partition of a resource without arn", KindIdentity, doc(v12, res("aws:s3:::b")), `Partition "s3" is not valid for resource "arn:s3:::b:*".`},
		{"partition of a long resource", KindIdentity, doc(v12, res("a:b:c:d:e:f:g:h")), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
		{"iam arn of five sections", KindIdentity, doc(v12, res("arn:aws:iam::123456789012")), msgIAMPath},
		{"iam user", KindIdentity, doc(v12, res("arn:aws:iam:::user/b")), ""},
		{"iam region before path", KindIdentity, doc(v12, res("arn:aws:iam:us-east-1::b")), "IAM resource arn:aws:iam:us-east-1::b cannot contain region information."},
		{"action with spaces after the vendor", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}`), ""},

		// The legacy parser: Effect's case, date values.
		{"effect lower case", KindIdentity, doc(v12, `{"Effect":"deny","Action":"s3:*","Resource":"*"}`), msgLegacy},
		{"effect lower case in trust", KindTrust, doc(v12, `{"Effect":"allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), msgLegacy},
		{"effect unknown", KindIdentity, doc(v12, `{"Effect":"Permit","Action":"s3:*","Resource":"*"}`), msgSyntax},
		{"date not a date", KindIdentity, doc(v12, stmt(`,"Condition":{"DateGreaterThan":{"aws:CurrentTime":"sdfdsf"}}`)), msgLegacy},
		{"date month 13", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThan":{"aws:CurrentTime":"2020-13-01T00:00:00Z"}}`)), msgLegacy},
		{"date IfExists not a date", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThanIfExists":{"aws:CurrentTime":["2020-01-01","x"]}}`)), msgLegacy},
		{"date forms", KindIdentity, doc(v12, stmt(`,"Condition":{"DateGreaterThan":{"aws:CurrentTime":["2020","2020-01","2020-01-02","2020-01-02T10:00Z","2020-01-02T10:00:00.123+01:00","2020-01-02T10:00:00-05:00"]},"DateLessThan":{"aws:EpochTime":[1700000000,"1700000000"]}}`)), ""},
		{"date month 13, no day", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThanEquals":{"a":"234-13"}}`)), msgLegacy},
		{"date zone of one digit", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}`)), msgLegacy},
		{"date fraction of ten digits", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}`)), msgLegacy},
		{"date epoch past int64", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThan":{"a":"9223372036854775808"}}`)), msgLegacy},
		{"date lower-case t, hour of one digit", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThan":{"a":"2016-12-13t2:00:00.593194+10:59"}}`)), ""},
		{"date variable", KindIdentity, doc(v12, stmt(`,"Condition":{"DateLessThan":{"aws:CurrentTime":"${aws:TokenIssueTime}"}}`)), ""},

		// Sids, and the order of checks.
		{"duplicate sids", KindIdentity, doc(v12, stmt(`,"Sid":"A"`), stmt(`,"Sid":"A"`)), msgSidUnique},
		{"duplicate sids in trust", KindTrust, doc(v12, trust(`,"Sid":"A"`), trust(`,"Sid":"A"`)), msgSidUnique},
		{"legacy after sids in reading order", KindIdentity, doc(v12, stmt(`,"Sid":"A"`), stmt(`,"Sid":"A"`), res("arn:aws:s3::b")), msgLegacy},
		{"sids before missing actions", KindIdentity, doc(v12, `{"Effect":"Allow","Resource":"*"}`, stmt(`,"Sid":"A"`), stmt(`,"Sid":"A"`)), msgSidUnique},
		{"actions before resource format", KindIdentity, doc(v12, res("bucket"), `{"Effect":"Allow","Resource":"*"}`), msgNoActions},
		{"resource format before vendor", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"GetObject","Resource":"*"}`, res("bucket")), `Resource bucket must be in ARN format or "*".`},
		{"missing resources before vendor", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"x","Resource":"*"}`, `{"Effect":"Allow","Action":"s3:x"}`), msgNoResources},
		{"missing resources before vendor, one statement", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"invalid"}`), msgNoResources},
		{"missing resources before resource format", KindIdentity, doc(v12, res("bucket"), `{"Effect":"Allow","Action":"s3:x"}`), msgNoResources},
		{"missing actions before missing resources", KindIdentity, doc(v12, `{"Effect":"Deny"}`, stmt("")), msgNoActions},
		{"legacy before missing actions", KindIdentity, doc(v12, `{"Effect":"Allow","Resource":"arn:aws:s3::b"}`), msgLegacy},
		{"legacy effect before a region", KindIdentity, doc(v12, `{"Effect":"allow","Resource":"arn:aws:s3:us-east-1::b"}`), msgLegacy},
		{"legacy date before missing actions", KindIdentity, doc(v12, `{"Effect":"Allow","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), msgLegacy},
		{"legacy date before a partition", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"s3:x","Resource":"arn:error:s3:::b","Condition":{"DateGreaterThan":{"a":"x"}}}`), msgLegacy},
		{"legacy effect before duplicate sids", KindIdentity, doc(v12, `{"Sid":"s","Effect":"aLLow","Action":"s3:x","Resource":"*"}`, `{"Sid":"s","Effect":"Allow"}`), msgLegacy},
		{"syntax before missing actions", KindIdentity, doc(v12, `{"Effect":"Allow","Resource":"*","Condition":{"DateGreaterThan":{"a":{}}}}`), msgSyntax},
		{"missing effect", KindIdentity, doc(v12, `{"Action":"s3:x","Resource":"*"}`), msgSyntax},
		{"a partition refused before the legacy check of the next", KindIdentity, doc(v12, `{"Effect":"Allow","Action":"s3:x","Resource":["arn:error:s3:::b","arn:error:s3::b"]}`), `Partition "error" is not valid for resource "arn:error:s3:::b".`},
		{"a refused format stops the legacy check", KindIdentity, doc(v12, res("bucket"), res("arn:aws:s3::b")), `Resource bucket must be in ARN format or "*".`},
		{"syntax anywhere first", KindIdentity, doc(v12, res("bucket"), stmt(`,"Foo":1`)), msgSyntax},

		// Trust policies.
		{"trust not json", KindTrust, `{"Statement":[`, msgTrustJSON},
		{"managed not json", KindManaged, `{"Statement":[`, msgSyntax},
		{"session not json", KindSession, `nope`, msgSyntax},
		{"trust non-sts action", KindTrust, doc(v12, `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}`), msgTrustActions},
		{"trust sts actions", KindTrust, doc(v12, `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}`), ""},
		{"trust sids before actions", KindTrust, doc(v12, `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}`, trust(`,"Sid":"A"`), trust(`,"Sid":"A"`)), msgSidUnique},
		{"trust with resource", KindTrust, doc(v12, trust(`,"Resource":"*"`)), msgProhibitedRes},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.kind, tc.name), func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), tc.kind)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Parse(%s)\n got %q\nwant %q", tc.doc, got, tc.want)
			}
		})
	}
}
