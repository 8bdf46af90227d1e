package authz

import (
	"context"
	"testing"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/policy"
)

// TestServicePrincipal checks that a trust policy's Service principal matches only a request
// that carries that service, and that such a request has the service-principal keys.
func TestServicePrincipal(t *testing.T) {
	a := New(Config{})
	trust, err := a.Compile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:PrincipalServiceName":"ec2.amazonaws.com"}}}]}`, policy.KindTrust)
	if err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/web"
	for _, tc := range []struct {
		name, service, action string
		want                  policy.Decision
	}{
		{"ec2", "ec2.amazonaws.com", "sts:AssumeRole", policy.Allowed},
		{"no service", "", "sts:AssumeRole", policy.ImplicitDeny},
		{"other service", "lambda.amazonaws.com", "sts:AssumeRole", policy.ImplicitDeny},
		{"other action", "ec2.amazonaws.com", "sts:TagSession", policy.ImplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := Request{Action: tc.action, Resource: role, ResourcePolicy: trust, ResourceAccount: "123456789012", Service: tc.service}
			res, err := a.Evaluate(context.Background(), authn.AnonymousPrincipal(), Origin{}, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Decision != tc.want {
				t.Errorf("decision %v, want %v", res.Decision, tc.want)
			}
		})
	}
}
