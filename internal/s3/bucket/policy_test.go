package bucket

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

func stmtPolicy(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestBucketPolicy(t *testing.T) {
	e := newEnv(t, "")
	a, b := e.client(acctA, "us-east-1"), e.client(acctB, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("pol")})
	must(t, "CreateBucket", err)
	put := func(doc string) error {
		_, err := a.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("pol"), Policy: aws.String(doc)})
		return err
	}
	get := func() string {
		t.Helper()
		out, err := a.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
		must(t, "GetBucketPolicy", err)
		return aws.ToString(out.Policy)
	}
	_, err = a.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
	wantMessage(t, "no policy", err, "NoSuchBucketPolicy", "The bucket policy does not exist")
	_, err = a.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol")})
	wantCode(t, "status without policy", err, "NoSuchBucketPolicy", 404)

	grant := `{"Effect":"Allow","Principal":{"AWS":"` + e.user.Arn + `"},"Action":["s3:GetObject","s3:List*"],"Resource":["arn:aws:s3:::pol","arn:aws:s3:::pol/*"]}`
	doc := stmtPolicy(grant)
	must(t, "PutBucketPolicy", put(doc))
	if got := get(); got != doc {
		t.Errorf("GetBucketPolicy = %s", got)
	}
	st, err := a.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol")})
	must(t, "GetBucketPolicyStatus", err)
	if aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Error("a policy granting one user is public")
	}

	// Bound principals: a renamed user shows its new ARN, a deleted one its unique id, as IAM
	// shows a trust policy's.
	renamed := e.user
	renamed.UserName, renamed.Arn = "alicia", iam.UserARN(acctA, "/", "alicia")
	must(t, "rename", e.st.Write(bg, func(tx store.Tx) error { return tx.UpdateUser(bg, renamed) }))
	if got := get(); !strings.Contains(got, `"AWS":"`+renamed.Arn+`"`) {
		t.Errorf("after rename: %s", got)
	}
	must(t, "delete user", e.st.Write(bg, func(tx store.Tx) error { return tx.DeleteUser(bg, acctA, "alicia") }))
	if got := get(); !strings.Contains(got, `"AWS":"`+e.user.UserID+`"`) {
		t.Errorf("after delete: %s", got)
	}
	if p, _ := e.reg.Policy(bg, "pol"); !strings.Contains(p, e.user.UserID) {
		t.Errorf("Policy for the authorizer: %s", p)
	}

	// Only the owner's account may use the policy operations (405 for others).
	_, err = b.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
	wantCode(t, "other account", err, "MethodNotAllowed", 405)

	big := stmtPolicy(`{"Sid":"` + strings.Repeat("a", 21000) + `","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`)
	for _, tc := range []struct{ doc, msg string }{
		{"", "Policies must be valid JSON and the first byte must be '{'"},
		{"[1]", "Policies must be valid JSON and the first byte must be '{'"},
		{"{", "This policy contains invalid Json"},
		{big, "Policy exceeds the maximum allowed document size."},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"iam:GetUser","Resource":"arn:aws:s3:::pol/*"}`), "Policy has invalid action"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}`), "Policy has invalid resource"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:iam::111111111111:user/x"}`), "Policy has invalid resource"},
		{stmtPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid principal in policy"},
		{stmtPolicy(`{"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid principal in policy"},
		{stmtPolicy(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Missing required field Principal"},
		// S3's own checks, in its words, before the grammar's.
		{stmtPolicy(`{"Effect":"Alow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid effect: Alow"},
		{stmtPolicy(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid principal in policy"},
		{stmtPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid principal in policy"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"someone","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`), "Invalid principal in policy"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[]}`), "Policy has invalid resource"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":""}`), "Policy has invalid resource"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::/pol/*"}`), "Policy has invalid resource"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol"}`), "Action does not apply to any resource(s) in statement"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::pol/*"}`), "Action does not apply to any resource(s) in statement"},
		{stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*","Condition":{"StringLike":{"s3:prefix":"a/*"}}}`), "Conditions do not apply to combination of actions and resources in statement"},
		{stmtPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*","Condition":{"NotIpAddress":{"aws:SourceIp":"300.0.0.1/8"}}}`), "Invalid IP address in Conditions"},
		{stmtPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*","Condition":{"NoSuchOperator":{"aws:SourceIp":"10.0.0.1"}}}`), "Invalid Condition type : NoSuchOperator"},
	} {
		wantMessage(t, "policy "+tc.msg, put(tc.doc), "MalformedPolicy", tc.msg)
	}
	// Each action applies to one of the resources; list keys with a list action.
	must(t, "bucket and object actions", put(stmtPolicy(`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::pol","arn:aws:s3:::pol/*"],"Condition":{"StringNotLike":{"s3:prefix":"home/*"}}}`)))
	// A wildcard matching the bucket, and "*", are this bucket's resources.
	must(t, "wildcard resource", put(stmtPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::po*","*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)))

	// A public policy is refused while BlockPublicPolicy is on (the default).
	public := stmtPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}`)
	wantCode(t, "public policy blocked", put(public), "AccessDenied", 403)
	_, err = a.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pol"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}})
	must(t, "PutPublicAccessBlock", err)
	must(t, "public policy allowed", put(public))
	st, err = a.GetBucketPolicyStatus(bg, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("pol")})
	must(t, "GetBucketPolicyStatus", err)
	if !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Error("public policy not public")
	}
	// RestrictPublicBuckets: a public policy grants nothing outside the owner's account.
	bk, _ := e.reg.Get(bg, "pol")
	if got := e.reg.EffectivePolicy(bk, acctA, false); got != public {
		t.Errorf("EffectivePolicy for the owner's account = %q", got)
	}
	if got := e.reg.EffectivePolicy(bk, acctB, false); got != "" {
		t.Errorf("EffectivePolicy for another account = %q", got)
	}
	if got := e.reg.EffectivePolicy(bk, "", true); got != "" {
		t.Errorf("EffectivePolicy for an anonymous caller = %q", got)
	}
	if !bk.PublicAccess().RestrictPublicBuckets || bk.PublicAccess().BlockPublicPolicy {
		t.Errorf("PublicAccess = %+v", bk.PublicAccess())
	}

	_, err = a.DeleteBucketPolicy(bg, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pol")})
	must(t, "DeleteBucketPolicy", err)
	_, err = a.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
	wantCode(t, "deleted", err, "NoSuchBucketPolicy", 404)
}

// TestIsPublic: the cases of S3's "The meaning of 'public'" and of its
// PublicAccessBlockConfiguration reference.
func TestIsPublic(t *testing.T) {
	allow := func(principal, action, cond string) string {
		s := `{"Effect":"Allow","Principal":` + principal + `,"Action":` + action + `,"Resource":"arn:aws:s3:::b/*"`
		if cond != "" {
			s += `,"Condition":` + cond
		}
		return stmtPolicy(s + `}`)
	}
	for _, tc := range []struct {
		name, doc string
		public    bool
	}{
		{"everyone", allow(`"*"`, `"s3:PutObject"`, ""), true},
		{"AWS *", allow(`{"AWS":"*"}`, `"s3:GetObject"`, ""), true},
		{"wildcard vpc", allow(`"*"`, `"s3:PutObject"`, `{"StringLike":{"aws:SourceVpc":"vpc-*"}}`), true},
		{"fixed vpc", allow(`"*"`, `"s3:PutObject"`, `{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}`), false},
		{"fixed vpce", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:sourceVpce":["vpce-1a2b3c4d"]}}`), false},
		{"fixed org", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}`), false},
		{"fixed account", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:SourceAccount":"111111111111"}}`), false},
		{"source arn wildcard account", allow(`"*"`, `"s3:GetObject"`, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:*:alarm:*"}}`), true},
		{"source arn fixed", allow(`"*"`, `"s3:GetObject"`, `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111111111111:topic"}}`), false},
		{"narrow cidr", allow(`"*"`, `"s3:GetObject"`, `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/48"]}}`), false},
		{"wide cidr", allow(`"*"`, `"s3:GetObject"`, `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`), true},
		{"not ip", allow(`"*"`, `"s3:GetObject"`, `{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`), true},
		{"userid role pattern", allow(`"*"`, `"s3:GetObject"`, `{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}`), true},
		{"userid fixed", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:userid":"AIDAEXAMPLEID"}}`), false},
		{"policy variable", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}`), true},
		{"if exists", allow(`"*"`, `"s3:GetObject"`, `{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}`), true},
		{"other key", allow(`"*"`, `"s3:GetObject"`, `{"StringEquals":{"aws:Referer":"https://example.com/"}}`), true},
		{"access point any name, fixed account", allow(`"*"`, `"s3:GetObject"`, `{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:111111111111:accesspoint/*"}}`), false},
		{"fixed principal", allow(`{"AWS":"arn:aws:iam::111111111111:root"}`, `"s3:GetObject"`, ""), false},
		{"account id", allow(`{"AWS":"111111111111"}`, `"s3:*"`, ""), false},
		{"service", allow(`{"Service":"logging.s3.amazonaws.com"}`, `"s3:PutObject"`, ""), false},
		{"not a bad action", allow(`"*"`, `"s3:CreateBucket"`, ""), false},
		{"all s3", allow(`"*"`, `"s3:*"`, ""), true},
		{"wildcard action", allow(`"*"`, `"s3:Get*"`, ""), true},
		{"not action", stmtPolicy(`{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}`), true},
		{"not principal", stmtPolicy(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), true},
		{"deny everyone", stmtPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`), false},
		{"one public statement of two", stmtPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`,
			`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}`), true},
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, true},
		{"not json", `nope`, false},
	} {
		if got := IsPublic(tc.doc); got != tc.public {
			t.Errorf("%s: IsPublic = %v, want %v (%s)", tc.name, got, tc.public, tc.doc)
		}
	}
}

// The store keeps the document as given (bound), and the policy rendered for Get.
func TestPolicyStoredAsBound(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("bound")})
	must(t, "CreateBucket", err)
	doc := stmtPolicy(`{"Effect":"Allow","Principal":{"AWS":["` + e.user.Arn + `","arn:aws:iam::999999999999:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bound/*"}`)
	_, err = a.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String("bound"), Policy: aws.String(doc)})
	must(t, "PutBucketPolicy", err)
	var sb store.Bucket
	must(t, "read", e.st.Read(bg, func(tx store.Tx) error { var err error; sb, err = tx.Bucket(bg, "bound"); return err }))
	want, _ := json.Marshal([]iam.PrincipalID{{ARN: e.user.Arn, ID: e.user.UserID}})
	got, _ := json.Marshal(sb.PolicyPrincipals)
	if sb.Policy != doc || string(got) != string(want) {
		t.Errorf("stored %s %s", sb.Policy, got)
	}
}
