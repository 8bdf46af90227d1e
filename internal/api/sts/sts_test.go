package sts_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/awsquery"
)

// The model of botocore 1.43.11 holds 11 STS operations. (How each is authenticated is
// declared in internal/authz, whose tests hold the declarations to the model.)
func TestOperationTable(t *testing.T) {
	if got := len(sts.Operations); got != 11 {
		t.Errorf("len(Operations) = %d, want 11", got)
	}
	for name, op := range sts.Operations {
		if op.Name != name || op.Decode == nil || op.Invoke == nil || op.NewInput == nil {
			t.Errorf("%s: incomplete entry %+v", name, op)
		}
	}
}

// A body as boto3 (botocore 1.43.11) sends it.
func TestDecodeBoto3AssumeRole(t *testing.T) {
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&Tags.member.1.Key=k&Tags.member.1.Value=v&TransitiveTagKeys.member.1=k"
	p, err := awsquery.ParseParams("", []byte(body), "application/x-www-form-urlencoded; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	got, err := sts.Operations["AssumeRole"].Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	d := int32(900)
	want := &sts.AssumeRoleInput{
		RoleArn: "arn:aws:iam::123456789012:role/r", RoleSessionName: "s1", DurationSeconds: &d,
		PolicyArns:        []sts.PolicyDescriptorType{{Arn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
		Tags:              []sts.Tag{{Key: "k", Value: "v"}},
		TransitiveTagKeys: []string{"k"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

// STS's validation messages echo the value, as AWS's do ("Value 's' at 'roleSessionName'"),
// unlike IAM's.
func TestValidationMessageEchoesValue(t *testing.T) {
	body := "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s"
	p, err := awsquery.ParseParams("", []byte(body), "application/x-www-form-urlencoded; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sts.Operations["AssumeRole"].Decode(p)
	want := "ValidationError: 1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
	if err == nil || err.Error() != want {
		t.Errorf("Decode error = %v, want %s", err, want)
	}
}

// aws-sdk-go-v2's STS client must parse what the encoder writes.
func TestSDKParsesAssumeRole(t *testing.T) {
	exp := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	size := int32(6)
	out := &sts.AssumeRoleOutput{
		Credentials:      &sts.Credentials{AccessKeyId: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "s<e>c&r\"et", SessionToken: "tok", Expiration: exp},
		AssumedRoleUser:  &sts.AssumedRoleUser{AssumedRoleId: "AROAEXAMPLE:s1", Arn: "arn:aws:sts::123456789012:assumed-role/r/s1"},
		PackedPolicySize: &size, SourceIdentity: "me",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		awsquery.WriteResponse(&b, sts.Namespace, "AssumeRole", out, "req-1")
		w.Header().Set("Content-Type", "text/xml")
		w.Write(b.Bytes())
	}))
	defer srv.Close()
	c := awssts.New(awssts.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	got, err := c.AssumeRole(context.Background(), &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 PackedPolicySize is the field iamd's (and botocore's) model serves
	pps := got.PackedPolicySize
	if aws.ToString(got.Credentials.SecretAccessKey) != "s<e>c&r\"et" || !got.Credentials.Expiration.Equal(exp) ||
		aws.ToString(got.AssumedRoleUser.Arn) != out.AssumedRoleUser.Arn || aws.ToInt32(pps) != 6 ||
		aws.ToString(got.SourceIdentity) != "me" {
		t.Errorf("SDK parsed %+v %+v", got.Credentials, got.AssumedRoleUser)
	}
}

// FuzzDecode feeds random bodies to ParseParams and every operation's Decode: never a panic.
func FuzzDecode(f *testing.F) {
	f.Add("RoleArn=arn&RoleSessionName=s&DurationSeconds=900&Tags.member.1.Key=k&PolicyArns.member.2.arn=x")
	f.Fuzz(func(t *testing.T, body string) {
		p, err := awsquery.ParseParams("", []byte(body), "application/x-www-form-urlencoded")
		if err != nil {
			return
		}
		for name, op := range sts.Operations {
			if in, err := op.Decode(p); err == nil && in == nil {
				t.Fatalf("%s: nil input without error", name)
			}
		}
	})
}

func BenchmarkDecodeAssumeRole(b *testing.B) {
	body := []byte("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=900&Tags.member.1.Key=k&Tags.member.1.Value=v")
	b.ReportAllocs()
	for b.Loop() {
		p, _ := awsquery.ParseParams("", body, "application/x-www-form-urlencoded")
		if _, err := sts.Operations["AssumeRole"].Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeAssumeRole(b *testing.B) {
	out := &sts.AssumeRoleOutput{
		Credentials:     &sts.Credentials{AccessKeyId: "ASIAEXAMPLEEXAMPLE01", SecretAccessKey: "secret", SessionToken: "tok", Expiration: time.Now()},
		AssumedRoleUser: &sts.AssumedRoleUser{AssumedRoleId: "AROAEXAMPLE:s1", Arn: "arn:aws:sts::123456789012:assumed-role/r/s1"},
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		awsquery.WriteResponse(&buf, sts.Namespace, "AssumeRole", out, "req-1")
	}
}
