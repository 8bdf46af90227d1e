package authn_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// GetAccessKeyLastUsed reflects real use: the date, the service and the region of a request
// signed with the key.
func TestAccessKeyLastUsed(t *testing.T) {
	h := iamtest.New(t)
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("worker")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("worker")})
	if err != nil {
		t.Fatal(err)
	}
	id := k.AccessKey.AccessKeyId
	before, err := c.GetAccessKeyLastUsed(ctx, &iamsdk.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	if before.AccessKeyLastUsed.LastUsedDate != nil {
		t.Fatalf("unused key has a last-used date: %v", before.AccessKeyLastUsed.LastUsedDate)
	}
	cfg := h.Config(aws.ToString(id), aws.ToString(k.AccessKey.SecretAccessKey), "")
	cfg.Region = "eu-west-3"
	if _, err := iamtest.STS(cfg).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	// Notes reach the store at most once per second: the next request after that carries them.
	h.Clock.Advance(2 * time.Second)
	after, err := c.GetAccessKeyLastUsed(ctx, &iamsdk.GetAccessKeyLastUsedInput{AccessKeyId: id})
	if err != nil {
		t.Fatal(err)
	}
	u := after.AccessKeyLastUsed
	if u.LastUsedDate == nil || aws.ToString(u.ServiceName) != "sts" || aws.ToString(u.Region) != "eu-west-3" {
		t.Errorf("last used = %v %s %s", u.LastUsedDate, aws.ToString(u.ServiceName), aws.ToString(u.Region))
	}
}
