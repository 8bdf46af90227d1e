package iamsvc_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/store"
)

func TestAccountAlias(t *testing.T) {
	_, c := newClient(t)
	aliases := func() []string {
		return must(c.ListAccountAliases(ctx, &iamsdk.ListAccountAliasesInput{}))(t).AccountAliases
	}
	if a := aliases(); len(a) != 0 {
		t.Fatalf("aliases = %v", a)
	}
	must(c.CreateAccountAlias(ctx, &iamsdk.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")}))(t)
	must(c.CreateAccountAlias(ctx, &iamsdk.CreateAccountAliasInput{AccountAlias: aws.String("acme-main")}))(t) // replaces
	if a := aliases(); len(a) != 1 || a[0] != "acme-main" {
		t.Fatalf("aliases = %v", a)
	}
	_, err := c.DeleteAccountAlias(ctx, &iamsdk.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
	wantErr(t, err, "NoSuchEntity", "The account alias acme-prod cannot be found.")
	must(c.DeleteAccountAlias(ctx, &iamsdk.DeleteAccountAliasInput{AccountAlias: aws.String("acme-main")}))(t)
	if a := aliases(); len(a) != 0 {
		t.Fatalf("aliases after delete = %v", a)
	}
}

func TestAccountSummary(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("a")}))(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("b")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	pol := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}))(t).Policy
	must(c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(allowAll)}))(t)
	must(c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com")}))(t)
	must(c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("d")}))(t)
	must(c.SetSecurityTokenServicePreferences(ctx, &iamsdk.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: iamtypes.GlobalEndpointTokenVersionV2Token}))(t)
	m := must(c.GetAccountSummary(ctx, &iamsdk.GetAccountSummaryInput{}))(t).SummaryMap
	want := map[string]int32{"Users": 2, "Roles": 1, "Groups": 0, "Policies": 1, "PolicyVersionsInUse": 2, "Providers": 1,
		"MFADevices": 1, "MFADevicesInUse": 0, "AccountAccessKeysPresent": 1, "UsersQuota": 5000, "AccessKeysPerUserQuota": 2,
		"GlobalEndpointTokenVersion": 2, "AssumeRolePolicySizeQuota": 2048, "InstanceProfiles": 0}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
}

func TestListEntitiesForPolicy(t *testing.T) {
	_, c := newClient(t)
	arn := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowAll)}))(t).Policy.Arn
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u1"), Path: aws.String("/eng/")}))(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u2"), PermissionsBoundary: arn}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: arn}))(t)
	must(c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn}))(t)
	must(c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: arn}))(t)
	tests := []struct {
		name                 string
		in                   iamsdk.ListEntitiesForPolicyInput
		users, groups, roles int
	}{
		{"attachments and boundaries", iamsdk.ListEntitiesForPolicyInput{}, 2, 1, 1},
		{"attachments", iamsdk.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy}, 1, 1, 1},
		{"users only", iamsdk.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeUser}, 2, 0, 0},
		{"path prefix", iamsdk.ListEntitiesForPolicyInput{PathPrefix: aws.String("/eng/")}, 1, 0, 0},
		{"boundary", iamsdk.ListEntitiesForPolicyInput{PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, 1, 0, 0},
		{"AWS managed filter", iamsdk.ListEntitiesForPolicyInput{EntityFilter: iamtypes.EntityTypeAWSManagedPolicy}, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.PolicyArn = arn
			out := must(c.ListEntitiesForPolicy(ctx, &in))(t)
			if len(out.PolicyUsers) != tc.users || len(out.PolicyGroups) != tc.groups || len(out.PolicyRoles) != tc.roles {
				t.Errorf("users %v groups %v roles %v", out.PolicyUsers, out.PolicyGroups, out.PolicyRoles)
			}
		})
	}
	// Paging one entity at a time walks all four.
	var seen []string
	in := &iamsdk.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(1)}
	for {
		out := must(c.ListEntitiesForPolicy(ctx, in))(t)
		for _, u := range out.PolicyUsers {
			seen = append(seen, aws.ToString(u.UserName))
		}
		for _, g := range out.PolicyGroups {
			seen = append(seen, aws.ToString(g.GroupName))
		}
		for _, r := range out.PolicyRoles {
			seen = append(seen, aws.ToString(r.RoleName))
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if len(seen) != 4 {
		t.Errorf("paged = %v", seen)
	}
	_, err := c.ListEntitiesForPolicy(ctx, &iamsdk.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + iamtest.Account + ":policy/none")})
	wantErr(t, err, "NoSuchEntity", "")
}

func TestCredentialReport(t *testing.T) {
	h, c := newClient(t)
	_, err := c.GetCredentialReport(ctx, &iamsdk.GetCredentialReportInput{})
	wantErr(t, err, "ReportNotPresent", "")
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.CreateLoginProfile(ctx, &iamsdk.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Valid-pass1")}))(t)
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
	// A recorded use of bob's key fills its last-used columns.
	err = h.Node.Store.Write(ctx, func(tx store.Tx) error {
		return tx.RecordAccessKeyUse(ctx, aws.ToString(key.AccessKeyId), iam.AccessKeyLastUsed{LastUsedDate: time.Now().UTC(), Region: "eu-west-1", ServiceName: "iam"})
	})
	if err != nil {
		t.Fatal(err)
	}

	// bob's signing certificate fills his cert_1 columns.
	must(c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{UserName: aws.String("bob"),
		CertificateBody: aws.String(testCert(t, ecKey(t), "bob", time.Now().Add(-time.Hour)))}))(t)

	// The first request starts a report, as AWS answers it (TestGenerateCredentialReportAnswers).
	gen := must(c.GenerateCredentialReport(ctx, &iamsdk.GenerateCredentialReportInput{}))(t)
	if gen.State != iamtypes.ReportStateTypeStarted {
		t.Errorf("state = %s", gen.State)
	}
	rep := must(c.GetCredentialReport(ctx, &iamsdk.GetCredentialReportInput{}))(t)
	if rep.ReportFormat != iamtypes.ReportFormatTypeTextCsv || rep.GeneratedTime == nil {
		t.Errorf("format %s time %v", rep.ReportFormat, rep.GeneratedTime)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if len(rows[0]) != 22 || rows[1][0] != "<root_account>" || rows[1][col["access_key_1_active"]] != "true" {
		t.Errorf("header %v root %v", rows[0], rows[1])
	}
	b := rows[2]
	checks := map[string]string{"user": "bob", "password_enabled": "true", "password_last_used": "no_information",
		"mfa_active": "false", "access_key_1_active": "true", "access_key_1_last_used_service": "iam", "access_key_2_active": "false",
		"cert_1_active": "true", "cert_2_active": "false", "cert_2_last_rotated": "N/A"}
	for k, v := range checks {
		if b[col[k]] != v {
			t.Errorf("bob %s = %q, want %q", k, b[col[k]], v)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05+00:00", b[col["user_creation_time"]]); err != nil {
		t.Errorf("user_creation_time: %v", err)
	}
	h.Clock.Advance(5 * time.Hour)
	_, err = c.GetCredentialReport(ctx, &iamsdk.GetCredentialReportInput{})
	if err == nil {
		t.Fatal("a five-hour-old report was returned")
	}
}
