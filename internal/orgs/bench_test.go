package orgs_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
)

// BenchmarkSCPChain measures an authorized call (sts:GetAccessKeyInfo: authorized, no store
// work) of a member account's administrator under a four-level SCP chain (root, two OUs, the
// account; FullAWSAccess and a Deny of another action at each level), against the same call
// of an administrator in an account outside any organization and of the management account's
// (exempt). The difference is what the organization costs a request; each includes the SDK
// client's own work.
//
//	go test ./internal/orgs -run '^$' -bench SCPChain -benchtime 3000x
func BenchmarkSCPChain(b *testing.B) {
	w := newWorld(b)
	w.enable(orgtypes.PolicyTypeServiceControlPolicy)
	acct, admin := w.member("bench")
	outer := w.ou(w.root, "outer")
	inner := w.ou(outer, "inner")
	w.move(acct, w.root, inner)
	deny := w.policy("deny-other", orgtypes.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}`)
	for _, target := range []string{w.root, outer, inner, acct} {
		w.attach(deny, target)
	}
	const other, key, secret = "210987654321", "AKIABENCHBENCHBENCH1", "benchSecretbenchSecretbenchSecret0000000"
	if _, _, _, err := w.h.Node.CreateAccount(ctx, other, key, secret); err != nil {
		b.Fatal(err)
	}
	standalone := user(b, w.h, w.h.Config(key, secret, ""), "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	run := func(b *testing.B, cfg aws.Config) {
		c := iamtest.STS(cfg)
		in := &stssdk.GetAccessKeyInfoInput{AccessKeyId: aws.String(iamtest.RootKeyID)}
		if _, err := c.GetAccessKeyInfo(ctx, in); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			if _, err := c.GetAccessKeyInfo(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("no-organization", func(b *testing.B) { run(b, standalone) })
	b.Run("management-exempt", func(b *testing.B) { run(b, w.admin) })
	b.Run("member-4-levels", func(b *testing.B) { run(b, admin) })
}
