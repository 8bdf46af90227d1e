package policy

import (
	"errors"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		kind      Kind
		doc       string
		reason    string
		line, col int
	}{
		{"not json", KindIdentity, `{"Version":`, msgSyntax, 1, 12},
		{"trailing garbage", KindIdentity, `{"Statement":[]} x`, msgSyntax, 1, 18},
		{"array root", KindIdentity, `[]`, msgSyntax, 1, 1},
		{"unknown top element", KindIdentity, `{"Statement":[],"Foo":1}`, msgSyntax, 1, 17},
		{"duplicate top element", KindIdentity, `{"Statement":[],"Statement":[]}`, msgSyntax, 1, 17},
		{"bad version", KindIdentity, `{"Version":"2012-10-18","Statement":[]}`, msgSyntax, 1, 12},
		{"version not string", KindIdentity, `{"Version":2012,"Statement":[]}`, msgSyntax, 1, 12},
		{"id not string", KindIdentity, `{"Id":1,"Statement":[]}`, msgSyntax, 1, 7},
		{"no statement", KindIdentity, `{"Version":"2012-10-17"}`, msgSyntax, 1, 1},
		{"statement string", KindIdentity, `{"Statement":"x"}`, msgSyntax, 1, 14},
		{"statement entry not object", KindIdentity, `{"Statement":["x"]}`, msgSyntax, 1, 15},
		{"missing effect", KindIdentity, "{\"Statement\":\n  {\"Action\":\"s3:*\",\"Resource\":\"*\"}}", msgSyntax, 2, 3},
		{"missing effect in a resource policy", KindResource, "{\"Statement\":\n  {\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", msgMissingEffect, 2, 3},
		{"bad effect", KindIdentity, `{"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 24},
		{"effect in the wrong case", KindIdentity, `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, msgLegacy, 1, 24},
		{"principal in identity", KindIdentity, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, msgPrincipal, 1, 44},
		{"notprincipal in boundary", KindBoundary, `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}`, msgPrincipal, 1, 47},
		{"principal in scp", KindSCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, msgPrincipal, 1, 43},
		{"resource policy without principal", KindResource, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, msgMissingPrinc, 1, 14},
		{"no action", KindIdentity, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, msgNoActions, 1, 14},
		{"empty action list", KindIdentity, `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, msgNoActions, 1, 41},
		{"action without vendor", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, msgVendor, 1, 41},
		{"action two colons", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:a:b","Resource":"*"}}`, msgOneColon, 1, 41},
		{"action not string", KindIdentity, `{"Statement":{"Effect":"Allow","Action":[1],"Resource":"*"}}`, msgSyntax, 1, 42},
		{"action and notaction", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"}}`, msgSyntax, 1, 14},
		{"no resource", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, msgNoResources, 1, 14},
		{"empty resource list", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":[]}}`, msgNoResources, 1, 59},
		{"resource not arn", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, `Resource bucket must be in ARN format or "*".`, 1, 59},
		{"trust with resource", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Resource":"*"}}`, msgProhibitedRes, 1, 104},
		{"trust without principal", KindTrust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, msgMissingPrinc, 1, 14},
		{"duplicate sid", KindIdentity, `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSidUnique, 1, 75},
		{"sid not alnum in iam policy", KindIdentity, `{"Statement":{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, msgSidAlnum, 1, 21},
		{"sid not string", KindResource, `{"Statement":{"Sid":1,"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 21},
		{"unknown statement element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}}`, msgSyntax, 1, 63},
		{"duplicate statement element", KindIdentity, `{"Statement":{"Effect":"Allow","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 32},
		{"bad condition operator", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEq":{"aws:x":"y"}}}}`, msgSyntax, 1, 76},
		{"bad condition operator in a resource policy", KindResource, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEq":{"aws:x":"y"}}}}`, "Invalid Condition type : StringEq", 1, 92},
		{"condition not object", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":[]}}`, msgSyntax, 1, 75},
		{"condition operator body not object", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":1}}}`, msgSyntax, 1, 83},
		{"condition value object", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:x":{}}}}}`, msgSyntax, 1, 92},
		{"principal bad string", KindResource, `{"Statement":{"Effect":"Allow","Principal":"me","Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 44},
		{"principal empty object", KindResource, `{"Statement":{"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 44},
		{"principal number", KindResource, `{"Statement":{"Effect":"Allow","Principal":1,"Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 44},
		{"principal unknown type", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"Foo":"x"},"Action":"s3:*","Resource":"*"}}`, msgSyntax, 1, 45},
		{"principal bad aws", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"alice"`, 1, 51},
		{"principal wildcard arn", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"`, 1, 51},
		{"principal wildcard service", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "Service":"*.amazonaws.com"`, 1, 55},
		// IAM names a trust policy's principal type in capitals ("SERVICE", as every recorded
		// answer of AWS's shows it), and refuses a service principal outside AWS's service
		// domains: "ec2", or "eks.amazonaws.com.cn" in the aws partition (a recorded answer).
		{"principal empty federated", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"Federated":""},"Action":"sts:AssumeRoleWithWebIdentity"}}`, `Invalid principal in policy: "FEDERATED":""`, 1, 57},
		{"trust service without domain", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "SERVICE":"ec2"`, 1, 55},
		{"trust service of another partition", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","eks.amazonaws.com.cn"]},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "SERVICE":"eks.amazonaws.com.cn"`, 1, 76},
		{"trust service wildcard", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "SERVICE":"*.amazonaws.com"`, 1, 55},
		{"principal empty canonical", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"CanonicalUser":""},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "CanonicalUser":""`, 1, 61},
		{"bad kind", Kind(99), `{}`, msgSyntax, 1, 1},
		{"deep nesting", KindIdentity, `{"Statement":` + deep(100) + `}`, msgSyntax, 1, 77},
		{"bad escape", KindIdentity, `{"Id":"\q","Statement":[]}`, msgSyntax, 1, 9},
		{"control char", KindIdentity, "{\"Id\":\"a\x01\",\"Statement\":[]}", msgSyntax, 1, 9},
		{"invalid utf8", KindIdentity, "{\"Id\":\"\xff\",\"Statement\":[]}", msgSyntax, 1, 8},
		{"bad number", KindIdentity, `{"Id":-,"Statement":[]}`, msgSyntax, 1, 8},
		{"bad literal", KindIdentity, `{"Id":tru,"Statement":[]}`, msgSyntax, 1, 7},
		{"missing colon", KindIdentity, `{"Id" "x"}`, msgSyntax, 1, 7},
		{"unterminated string", KindIdentity, `{"Id":"abc`, msgSyntax, 1, 11},
		{"bad unicode escape", KindIdentity, `{"Id":"\u12G4","Statement":[]}`, msgSyntax, 1, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc), tc.kind)
			if err == nil {
				t.Fatalf("Parse accepted the document: %+v", p)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if se.Error() != tc.reason {
				t.Errorf("reason %q, want %q", se.Error(), tc.reason)
			}
			if se.Line != tc.line || se.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d", se.Line, se.Column, tc.line, tc.col)
			}
		})
	}
}

func deep(n int) string {
	s := ""
	for range n {
		s += "["
	}
	return s
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		sids []string
	}{
		{"statement object", KindIdentity, `{"Version":"2012-10-17","Statement":{"Sid":"S1","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, []string{"S1"}},
		{"legacy version", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*"}]}`, []string{""}},
		{"no version, id, bom", KindIdentity, "\xEF\xBB\xBF{\"Id\":\"x\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}", []string{""}},
		{"resource policy principals", KindResource, `{"Statement":[{"Sid":"any text allowed","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a","*"],"Service":"ec2.amazonaws.com","Federated":"accounts.google.com","CanonicalUser":["abc","*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, []string{"any text allowed"}},
		{"trust policy", KindTrust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"example.com:aud":"app"}}}}`, []string{""}},
		{"scp without resource", KindSCP, `{"Statement":{"Effect":"Deny","Action":"*"}}`, []string{""}},
		{"rcp", KindRCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, []string{""}},
		{"all operators", KindSession, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
			"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]},"NumericLessThan":{"s3:max-keys":10},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},
			"Bool":{"aws:SecureTransport":true},"BinaryEquals":{"x:b":"QUJD"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"},"Null":{"aws:TokenIssueTime":"true"}}}}`, []string{""}},
		{"escapes", KindIdentity, `{"Id":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, []string{""}},
		{"numbers", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"a:b":[0,-1.5e3,2E+2,1.0]}}}}`, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc), tc.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Kind() != tc.kind {
				t.Errorf("Kind %v, want %v", p.Kind(), tc.kind)
			}
			infos := p.Statements()
			if len(infos) != len(tc.sids) {
				t.Fatalf("%d statements, want %d", len(infos), len(tc.sids))
			}
			for i, in := range infos {
				if in.Sid != tc.sids[i] || in.Index != i || in.Line < 1 {
					t.Errorf("statement %d: %+v, want sid %q", i, in, tc.sids[i])
				}
			}
		})
	}
}

func TestPolicyAccessors(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Id":"doc","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`), KindBoundary)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version() != "2012-10-17" || p.ID() != "doc" || p.Kind() != KindBoundary || p.Statements()[0].Effect != Deny {
		t.Fatalf("accessors: %q %q %v %+v", p.Version(), p.ID(), p.Kind(), p.Statements())
	}
	for k := KindIdentity; k <= KindRCP; k++ {
		got, ok := ParseKind(k.String())
		if !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if _, ok := ParseKind("nope"); ok || Kind(42).String() != "unknown" {
		t.Error("unknown kinds")
	}
	if Allow.String() != "Allow" || Deny.String() != "Deny" {
		t.Error("Effect.String")
	}
}
