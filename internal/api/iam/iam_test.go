package iam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
)

// The model of botocore 1.43.11 holds 176 IAM operations. (How each is authenticated is
// declared in internal/authz, whose tests hold the declarations to the model.)
func TestOperationTable(t *testing.T) {
	if got := len(iam.Operations); got != 176 {
		t.Errorf("len(Operations) = %d, want 176", got)
	}
	for name, op := range iam.Operations {
		if op.Name != name || op.Decode == nil || op.Invoke == nil || op.NewInput == nil {
			t.Errorf("%s: incomplete entry %+v", name, op)
		}
	}
}

func decode(t *testing.T, body string) (any, error) {
	t.Helper()
	p, err := awsquery.ParseParams("", []byte(body), "application/x-www-form-urlencoded; charset=utf-8")
	if err != nil {
		t.Fatalf("ParseParams: %v", err)
	}
	action, _ := p.Get("Action")
	op, ok := iam.Operations[action]
	if !ok {
		t.Fatalf("no operation %q", action)
	}
	return op.Decode(p)
}

func ptr[T any](v T) *T { return &v }

// Bodies as boto3 (botocore 1.43.11) sends them, captured with its query serializer.
func TestDecodeBoto3Requests(t *testing.T) {
	tests := []struct {
		name, body string
		want       any
	}{
		{
			name: "CreateUser with tags",
			body: "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Feng%2F&Tags.member.1.Key=team&Tags.member.1.Value=a+b%2Bc&Tags.member.2.Key=cost&Tags.member.2.Value=42",
			want: &iam.CreateUserInput{UserName: "alice", Path: "/eng/", Tags: []iam.Tag{{Key: "team", Value: "a b+c"}, {Key: "cost", Value: "42"}}},
		},
		{
			name: "UpdateAccountPasswordPolicy numbers and booleans",
			body: "Action=UpdateAccountPasswordPolicy&Version=2010-05-08&MinimumPasswordLength=12&RequireSymbols=true&MaxPasswordAge=90",
			want: &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: ptr(int32(12)), RequireSymbols: ptr(true), MaxPasswordAge: ptr(int32(90))},
		},
		{
			name: "CreateOpenIDConnectProvider string lists",
			body: "Action=CreateOpenIDConnectProvider&Version=2010-05-08&Url=https%3A%2F%2Fexample.com&ClientIDList.member.1=a&ClientIDList.member.2=b&ThumbprintList.member.1=0000000000000000000000000000000000000000",
			want: &iam.CreateOpenIDConnectProviderInput{Url: "https://example.com", ClientIDList: []string{"a", "b"}, ThumbprintList: []string{"0000000000000000000000000000000000000000"}},
		},
		{
			name: "list members out of order and with a gap",
			body: "Action=CreateOpenIDConnectProvider&Version=2010-05-08&Url=https%3A%2F%2Fexample.com&ClientIDList.member.10=c&ClientIDList.member.2=b&ClientIDList.member.1=a",
			want: &iam.CreateOpenIDConnectProviderInput{Url: "https://example.com", ClientIDList: []string{"a", "b", "c"}},
		},
		{
			name: "operation without input",
			body: "Action=GetAccountSummary&Version=2010-05-08",
			want: &iam.GetAccountSummaryInput{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode(t, tt.body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

// IAM's validation messages name the member but never echo its value, unlike STS's (see
// internal/api/sts); "Value null" for an absent member is the same in both.
func TestValidationMessages(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{
			name: "pattern of a name IAM words itself",
			body: "Action=CreateUser&UserName=x+y",
			want: "The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
		},
		{
			name: "role name given as an ARN",
			body: "Action=AttachRolePolicy&RoleName=arn:aws:iam::123456789012:role/r&PolicyArn=arn:aws:iam::aws:policy/ReadOnlyAccess",
			want: "The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
		},
		{
			// IAM's sentence is the whole answer even when the model's constraints fail too: a
			// role ARN of 81 characters (over roleName's 64) given with an instance profile name
			// its pattern refuses got this sentence alone from AWS (a recorded answer to
			// AddRoleToInstanceProfile in a Karpenter controller's log).
			name: "own sentence before the model's constraints",
			body: "Action=AddRoleToInstanceProfile&RoleName=arn:aws:iam::992382792232:role/karpenter-eks-node-group-20240708111044279600000003&InstanceProfileName=my-cluster*11693340466802365569",
			want: "The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
		},
		{
			name: "path",
			body: "Action=CreateRole&RoleName=r&Path=a&AssumeRolePolicyDocument=x",
			want: "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
		},
		{
			name: "pattern",
			body: "Action=CreateGroup&GroupName=x+y",
			want: `1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`,
		},
		{
			name: "missing",
			body: "Action=CreateUser",
			want: "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "too long",
			body: "Action=CreateUser&UserName=" + string(make64()) + "x",
			want: "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
		},
		{
			name: "empty: length and pattern",
			body: "Action=CreateGroup&GroupName=",
			want: `2 validation errors detected: Value at 'groupName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`,
		},
		{
			name: "enum",
			body: "Action=UpdateAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=On",
			want: "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
		},
		{
			name: "number range",
			body: "Action=UpdateRole&RoleName=r&MaxSessionDuration=43201",
			want: "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
		},
		{
			name: "nested list member",
			body: "Action=CreateUser&UserName=a&Tags.member.1.Value=v",
			want: "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "list member value",
			body: "Action=CreateUser&UserName=a&Tags.member.1.Key=a%23b&Tags.member.1.Value=v",
			want: `1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`,
		},
		{
			name: "sensitive value not echoed",
			body: "Action=CreateLoginProfile&UserName=a&Password=",
			want: `2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`,
		},
		{
			name: "not a number",
			body: "Action=ListUsers&MaxItems=ten",
			want: "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must be an integer between -2147483648 and 2147483647",
		},
		{
			name: "not a boolean",
			body: "Action=UpdateAccountPasswordPolicy&RequireSymbols=yes",
			want: "1 validation error detected: Value at 'requireSymbols' failed to satisfy constraint: Member must be a boolean (true or false)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(t, tt.body)
			e, ok := awserr.As(err)
			if !ok {
				t.Fatalf("Decode error = %v, want an AWS ValidationError", err)
			}
			if e.Code != "ValidationError" || e.Status != 400 || e.Message != tt.want {
				t.Errorf("got %s %d %q\nwant ValidationError 400 %q", e.Code, e.Status, e.Message, tt.want)
			}
		})
	}
}

func make64() []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

// svc implements GetUser; the embedded nil Service stands for the other operations, which the
// test does not call.
type svc struct{ iam.Service }

func (svc) GetUser(_ context.Context, in *iam.GetUserInput) (*iam.GetUserOutput, error) {
	return &iam.GetUserOutput{User: &iam.User{UserName: in.UserName}}, nil
}

func TestInvoke(t *testing.T) {
	ctx := context.Background()
	res, err := iam.Operations["GetUser"].Invoke(ctx, svc{}, &iam.GetUserInput{UserName: "bob"})
	if err != nil || res.(*iam.GetUserOutput).User.UserName != "bob" {
		t.Errorf("GetUser = %v, %v", res, err)
	}
	_, err = iam.Operations["GetUser"].Invoke(ctx, svc{}, &iam.DeleteUserInput{})
	if e, ok := awserr.As(err); !ok || e.Code != "ServiceFailure" || !errors.Is(err, e) {
		t.Errorf("Invoke with the wrong input = %v, want ServiceFailure", err)
	}
}

// FuzzDecode feeds random bodies to ParseParams and every operation's Decode: bad input must
// give an AWS error, never a panic.
func FuzzDecode(f *testing.F) {
	f.Add("UserName=alice&Tags.member.1.Key=k&Tags.member.1.Value=v&MaxItems=5")
	f.Add("ClientIDList.member.2=a&ClientIDList=&PolicyArns.member.1.arn=x&SAMLMetadataDocument=" + string(make64()))
	f.Add("ContextEntries.member.1.ContextKeyValues.member.1=a&ContextEntries.member.1.ContextKeyType=string&ActionNames.member.1=iam:Get")
	f.Fuzz(func(t *testing.T, body string) {
		p, err := awsquery.ParseParams("", []byte(body), "application/x-www-form-urlencoded")
		if err != nil {
			return
		}
		for name, op := range iam.Operations {
			in, err := op.Decode(p)
			if err != nil {
				if _, ok := awserr.As(err); !ok {
					t.Fatalf("%s: non-AWS error %v", name, err)
				}
				continue
			}
			if in == nil {
				t.Fatalf("%s: nil input without error", name)
			}
		}
	})
}
