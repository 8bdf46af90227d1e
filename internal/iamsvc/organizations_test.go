package iamsvc_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestOrganizationsOperationsOutsideOrganization(t *testing.T) {
	_, c := newClient(t)
	const code, msg = "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account."
	cases := []struct {
		name string
		call func() error
	}{
		{"ListOrganizationsFeatures", func() error {
			_, err := c.ListOrganizationsFeatures(ctx, &iamsdk.ListOrganizationsFeaturesInput{})
			return err
		}},
		{"EnableOrganizationsRootSessions", func() error {
			_, err := c.EnableOrganizationsRootSessions(ctx, &iamsdk.EnableOrganizationsRootSessionsInput{})
			return err
		}},
		{"EnableOrganizationsRootCredentialsManagement", func() error {
			_, err := c.EnableOrganizationsRootCredentialsManagement(ctx, &iamsdk.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		}},
		{"DisableOrganizationsRootSessions", func() error {
			_, err := c.DisableOrganizationsRootSessions(ctx, &iamsdk.DisableOrganizationsRootSessionsInput{})
			return err
		}},
		{"DisableOrganizationsRootCredentialsManagement", func() error {
			_, err := c.DisableOrganizationsRootCredentialsManagement(ctx, &iamsdk.DisableOrganizationsRootCredentialsManagementInput{})
			return err
		}},
		{"GenerateOrganizationsAccessReport", func() error {
			_, err := c.GenerateOrganizationsAccessReport(ctx, &iamsdk.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0")})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), code, msg) })
	}
	jobID := "11111111-2222-4333-8444-555555555555"
	_, err := c.GetOrganizationsAccessReport(ctx, &iamsdk.GetOrganizationsAccessReportInput{JobId: aws.String(jobID)})
	wantErr(t, err, "NoSuchEntity", "")
}

func TestDelegationRequestsNoneExist(t *testing.T) {
	_, c := newClient(t)
	id := aws.String("abcdefgh12345678")
	notFound := "The delegation request with id abcdefgh12345678 cannot be found."
	cases := []struct {
		name string
		call func() error
	}{
		{"Get", func() error {
			_, err := c.GetDelegationRequest(ctx, &iamsdk.GetDelegationRequestInput{DelegationRequestId: id})
			return err
		}},
		{"Accept", func() error {
			_, err := c.AcceptDelegationRequest(ctx, &iamsdk.AcceptDelegationRequestInput{DelegationRequestId: id})
			return err
		}},
		{"Associate", func() error {
			_, err := c.AssociateDelegationRequest(ctx, &iamsdk.AssociateDelegationRequestInput{DelegationRequestId: id})
			return err
		}},
		{"Reject", func() error {
			_, err := c.RejectDelegationRequest(ctx, &iamsdk.RejectDelegationRequestInput{DelegationRequestId: id})
			return err
		}},
		{"Update", func() error {
			_, err := c.UpdateDelegationRequest(ctx, &iamsdk.UpdateDelegationRequestInput{DelegationRequestId: id})
			return err
		}},
		{"SendToken", func() error {
			_, err := c.SendDelegationToken(ctx, &iamsdk.SendDelegationTokenInput{DelegationRequestId: id})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), "NoSuchEntity", notFound) })
	}
	list := must(c.ListDelegationRequests(ctx, &iamsdk.ListDelegationRequestsInput{}))(t)
	if len(list.DelegationRequests) != 0 || list.IsTruncated {
		t.Errorf("ListDelegationRequests = %+v, want empty", list)
	}
	_, err := c.ListDelegationRequests(ctx, &iamsdk.ListDelegationRequestsInput{Marker: aws.String("forged")})
	wantErr(t, err, "InvalidInput", "Invalid Marker.")
}

func TestGetHumanReadableSummary(t *testing.T) {
	h, c := newClient(t)
	acct := h.Node.Account
	cases := []struct {
		name, arn, code, state string
	}{
		{"delegation request", "arn:aws:iam::" + acct + ":delegation-request/abcdefgh12345678", "NoSuchEntity", ""},
		{"policy of this account", "arn:aws:iam::" + acct + ":policy/p", "", "NOT_SUPPORTED"},
		{"other account", "arn:aws:iam::999999999999:role/r", "NoSuchEntity", ""},
		{"not an IAM ARN", "arn:aws:s3:::bucket-of-things", "InvalidInput", ""},
		{"not an ARN", "role/not-an-arn-at-all", "InvalidInput", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.GetHumanReadableSummary(ctx, &iamsdk.GetHumanReadableSummaryInput{EntityArn: aws.String(tc.arn)})
			if tc.code != "" {
				wantErr(t, err, tc.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out.SummaryState) != tc.state || aws.ToString(out.Locale) != "en" || aws.ToString(out.SummaryContent) != "" {
				t.Errorf("summary = %q %q %q", out.SummaryState, aws.ToString(out.Locale), aws.ToString(out.SummaryContent))
			}
		})
	}
}

func TestOutboundWebIdentityFederation(t *testing.T) {
	_, c := newClient(t)
	_, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iamsdk.GetOutboundWebIdentityFederationInfoInput{})
	wantErr(t, err, "FeatureDisabled", "")
	_, err = c.DisableOutboundWebIdentityFederation(ctx, &iamsdk.DisableOutboundWebIdentityFederationInput{})
	wantErr(t, err, "FeatureDisabled", "")

	issuer := aws.ToString(must(c.EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{}))(t).IssuerIdentifier)
	if !strings.HasPrefix(issuer, "https://iamd.invalid/outbound-federation/") || len(issuer) != len("https://iamd.invalid/outbound-federation/")+36 {
		t.Fatalf("issuer = %q", issuer)
	}
	_, err = c.EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{})
	wantErr(t, err, "FeatureEnabled", "")
	info := must(c.GetOutboundWebIdentityFederationInfo(ctx, &iamsdk.GetOutboundWebIdentityFederationInfoInput{}))(t)
	if aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Fatalf("info = %q %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}

	must(c.DisableOutboundWebIdentityFederation(ctx, &iamsdk.DisableOutboundWebIdentityFederationInput{}))(t)
	info = must(c.GetOutboundWebIdentityFederationInfo(ctx, &iamsdk.GetOutboundWebIdentityFederationInfoInput{}))(t)
	if aws.ToString(info.IssuerIdentifier) != issuer || info.JwtVendingEnabled {
		t.Fatalf("info after disable = %q %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}
	again := aws.ToString(must(c.EnableOutboundWebIdentityFederation(ctx, &iamsdk.EnableOutboundWebIdentityFederationInput{}))(t).IssuerIdentifier)
	if again != issuer {
		t.Errorf("issuer after re-enable = %q, want the same %q", again, issuer)
	}
}
