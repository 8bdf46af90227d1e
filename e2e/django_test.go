package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// debianPython is the interpreter of Debian's python3-django, python3-django-storages and
// python3-boto3 (the pyenv python3 of the client suite has boto3 but not Django).
const debianPython = "/usr/bin/python3"

// TestDjangoPrivateMedia runs a Django site whose private media live in S3 through iamd
// (django-storages' S3Storage), with the credentials of a role session: an upload, a presigned
// URL that works anonymously until it expires, and a plain URL that is refused.
func TestDjangoPrivateMedia(t *testing.T) {
	if out, err := exec.Command(debianPython, "-c", "import django, storages, boto3").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Debian's python3 lacks Django, django-storages or boto3 (apt-get install python3-django python3-django-storages python3-boto3): %v: %s", err, out)
		}
		t.Skipf("Debian's python3 lacks Django, django-storages or boto3: %s", out)
	}
	h := iamtest.New(t)
	ctx := context.Background()
	iamc, s3c := iamtest.IAM(h.Root()), iamtest.S3(h.Root())
	const bucket, user, role = "django-media", "web", "media-site"
	if _, err := s3c.CreateBucket(ctx, &s3sdk.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	u, err := iamc.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	// The web server's user may do nothing but assume the site's role. The role may list the
	// bucket (Django's storage asks whether a name exists before saving, and S3 answers a
	// missing key with 403 rather than 404 to a caller who may not list) and use media/.
	if _, err := iamc.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := iamc.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(role),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aws.ToString(u.User.Arn) + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("media"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `"},
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::` + bucket + `/media/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	web := iamtest.STS(h.Config(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	out, err := web.AssumeRole(ctx, &stssdk.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("django")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, filepath.Join("django", "media_site.py"))
	cmd.Env = append(cleanEnv(), "AWS_ENDPOINT_URL="+h.URL, "IAMD_BUCKET="+bucket,
		"AWS_ACCESS_KEY_ID="+aws.ToString(c.AccessKeyId), "AWS_SECRET_ACCESS_KEY="+aws.ToString(c.SecretAccessKey),
		"AWS_SESSION_TOKEN="+aws.ToString(c.SessionToken))
	got, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(got), "OK") {
		t.Fatalf("the Django site failed: %v\n%s", err, got)
	}
}
