package policy

import "testing"

// benchIdentity is a realistic identity policy set: five statements with wildcards, one
// IpAddress and one StringLike condition, the shape the evaluation speed target names.
const benchIdentity = `{
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

type benchCase struct {
	name string
	req  Request
	want Decision
}

func benchCases() []benchCase {
	alice := Principal{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"}
	mk := func(action, resource string, kv ...string) Request {
		r := Request{Action: action, Resource: resource, Principal: alice}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Context.Set(kv[i], kv[i+1])
		}
		return r
	}
	return []benchCase{
		{"allow", mk("s3:GetObject", "arn:aws:s3:::data-lake/reports/q1.csv", "aws:SourceIp", "10.1.2.3"), Allowed},
		{"explicitDeny", mk("s3:GetObject", "arn:aws:s3:::data-lake/secret/key.pem", "aws:SourceIp", "10.1.2.3"), ExplicitDeny},
		{"implicitDeny", mk("iam:CreateUser", "arn:aws:iam::111122223333:user/bob", "aws:SourceIp", "10.1.2.3"), ImplicitDeny},
		{"conditionFails", mk("s3:PutObject", "arn:aws:s3:::data-lake/uploads/x", "aws:SourceIp", "203.0.113.9"), ImplicitDeny},
	}
}

// BenchmarkEvaluate measures one decision of the four-way mix, compiled policies given and the
// Result reused, as the server does per request.
func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse([]byte(benchIdentity), KindIdentity)
	if err != nil {
		b.Fatal(err)
	}
	sets := &Sets{Identity: []*Policy{p}}
	cases := benchCases()
	var res Result
	for _, c := range cases {
		EvaluateInto(&res, sets, &c.req)
		if res.Decision != c.want {
			b.Fatalf("%s: got %v, want %v", c.name, res.Decision, c.want)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		EvaluateInto(&res, sets, &cases[i&3].req)
		i++
	}
}

func BenchmarkEvaluateEach(b *testing.B) {
	p, err := Parse([]byte(benchIdentity), KindIdentity)
	if err != nil {
		b.Fatal(err)
	}
	sets := &Sets{Identity: []*Policy{p}}
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			var res Result
			b.ReportAllocs()
			for b.Loop() {
				EvaluateInto(&res, sets, &c.req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchIdentity)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, KindIdentity); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateSCPChain measures what an organization's SCP chain adds to a decision: the
// four-way mix above alone, and under four levels (root, two OUs, the account), each with
// FullAWSAccess and a Deny of another action, as a member account's requests are evaluated.
func BenchmarkEvaluateSCPChain(b *testing.B) {
	p, err := Parse([]byte(benchIdentity), KindIdentity)
	if err != nil {
		b.Fatal(err)
	}
	full := mustParse(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, KindSCP)
	deny := mustParse(b, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["ec2:RunInstances","iam:CreateUser"],"Resource":"*"}]}`, KindSCP)
	level := []*Policy{full, deny}
	for _, bc := range []struct {
		name string
		sets *Sets
	}{
		{"none", &Sets{Identity: []*Policy{p}}},
		{"4-levels", &Sets{Identity: []*Policy{p}, SCPs: [][]*Policy{level, level, level, level}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cases := benchCases()
			var res Result
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				EvaluateInto(&res, bc.sets, &cases[i&3].req)
				i++
			}
		})
	}
}
