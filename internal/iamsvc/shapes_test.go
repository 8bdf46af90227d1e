package iamsvc_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
)

// rawIAM calls an IAM action as root and returns the raw XML of the answer: the SDKs read an
// empty list element and an absent one alike, so the shape of an answer is only visible here.
func rawIAM(t *testing.T, h *iamtest.Harness, action string, params url.Values) string {
	t.Helper()
	if params == nil {
		params = url.Values{}
	}
	params.Set("Action", action)
	params.Set("Version", "2010-05-08")
	form := params.Encode()
	req, err := http.NewRequest(http.MethodPost, h.URL+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: iamtest.RootKeyID, SecretAccessKey: iamtest.RootSecret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", iamtest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d\n%s", action, resp.StatusCode, body)
	}
	return string(body)
}

// wantXML checks that body holds every one of want and none of absent.
func wantXML(t *testing.T, what, body string, want, absent []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: want %s in\n%s", what, w, body)
		}
	}
	for _, a := range absent {
		if strings.Contains(body, a) {
			t.Errorf("%s: want no %s in\n%s", what, a, body)
		}
	}
}

// AWS's CreateRole answer is the role as created, without MaxSessionDuration, Description or
// RoleLastUsed (the CLI reference's create-role examples, one of them with
// --max-session-duration; CreateServiceLinkedRole's likewise); UpdateRoleDescription's echoes the description (its example) but not
// the session duration or an empty last use.
func TestRoleAnswersShape(t *testing.T) {
	h, _ := newClient(t)
	body := rawIAM(t, h, "CreateRole", url.Values{"RoleName": {"r"}, "AssumeRolePolicyDocument": {trustEC2},
		"Description": {"first"}, "MaxSessionDuration": {"7200"}})
	wantXML(t, "CreateRole", body, []string{"<RoleName>r</RoleName>", "<CreateDate>"},
		[]string{"MaxSessionDuration", "Description", "RoleLastUsed", "<Tags"})
	body = rawIAM(t, h, "UpdateRoleDescription", url.Values{"RoleName": {"r"}, "Description": {"second"}})
	wantXML(t, "UpdateRoleDescription", body, []string{"<Description>second</Description>"},
		[]string{"MaxSessionDuration", "RoleLastUsed"})
	body = rawIAM(t, h, "CreateServiceLinkedRole", url.Values{"AWSServiceName": {"elasticbeanstalk.amazonaws.com"}, "Description": {"for Beanstalk"}})
	wantXML(t, "CreateServiceLinkedRole", body, []string{"<RoleName>AWSServiceRoleForElasticBeanstalk</RoleName>"},
		[]string{"MaxSessionDuration", "Description", "RoleLastUsed"})
	// GetRole is the full view: the duration, the description and an empty last use.
	body = rawIAM(t, h, "GetRole", url.Values{"RoleName": {"r"}})
	wantXML(t, "GetRole", body, []string{"<MaxSessionDuration>7200</MaxSessionDuration>", "<Description>second</Description>", "<RoleLastUsed></RoleLastUsed>"}, nil)
}

// Only GetPolicy shows a policy's description (CreatePolicy's and ListPolicies' examples in the
// CLI reference leave it out, the first one for a policy created with --description); GetPolicy
// also sends an empty Tags list.
func TestPolicyAnswersShape(t *testing.T) {
	h, _ := newClient(t)
	body := rawIAM(t, h, "CreatePolicy", url.Values{"PolicyName": {"p"}, "PolicyDocument": {allowAll}, "Description": {"about p"}})
	wantXML(t, "CreatePolicy", body, []string{"<PolicyName>p</PolicyName>"}, []string{"Description", "<Tags"})
	body = rawIAM(t, h, "ListPolicies", url.Values{"Scope": {"Local"}})
	wantXML(t, "ListPolicies", body, []string{"<PolicyName>p</PolicyName>"}, []string{"Description", "<Tags"})
	arn := "arn:aws:iam::" + iamtest.Account + ":policy/p"
	body = rawIAM(t, h, "GetPolicy", url.Values{"PolicyArn": {arn}})
	wantXML(t, "GetPolicy", body, []string{"<Description>about p</Description>", "<Tags></Tags>"}, nil)
}

// The Get operations of instance profiles, OIDC and SAML providers and server certificates send
// an empty Tags list (and GetSAMLProvider an empty PrivateKeyList) for an entity without any.
func TestEmptyListsPresent(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))(t)
	body := rawIAM(t, h, "GetInstanceProfile", url.Values{"InstanceProfileName": {"ip"}})
	wantXML(t, "GetInstanceProfile", body, []string{"<Tags></Tags>", "<Roles></Roles>"}, nil)

	oidc := must(c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com"),
		ClientIDList: []string{"app"}, ThumbprintList: []string{strings.Repeat("a", 40)}}))(t)
	body = rawIAM(t, h, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {aws.ToString(oidc.OpenIDConnectProviderArn)}})
	wantXML(t, "GetOpenIDConnectProvider", body, []string{"<Tags></Tags>"}, nil)

	md, _ := samlFixture(t, "https://idp.example.com/saml", "")
	saml := must(c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("idp"), SAMLMetadataDocument: aws.String(md)}))(t)
	body = rawIAM(t, h, "GetSAMLProvider", url.Values{"SAMLProviderArn": {aws.ToString(saml.SAMLProviderArn)}})
	wantXML(t, "GetSAMLProvider", body, []string{"<Tags></Tags>", "<PrivateKeyList></PrivateKeyList>"}, nil)

	key := ecKey(t)
	certBody, _ := testLeaf(t, key, time.Now())
	keyDER, _ := x509.MarshalECPrivateKey(key)
	must(c.UploadServerCertificate(ctx, &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String("www"),
		CertificateBody: aws.String(certBody), PrivateKey: aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))}))(t)
	body = rawIAM(t, h, "GetServerCertificate", url.Values{"ServerCertificateName": {"www"}})
	wantXML(t, "GetServerCertificate", body, []string{"<Tags></Tags>"}, nil)
}

// GetAccountAuthorizationDetails lists users' and roles' tags even when empty, beside the empty
// policy and group lists of its CLI example (UserPolicyList, GroupPolicyList, RolePolicyList).
func TestAuthDetailsEmptyLists(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g")}))(t)
	body := rawIAM(t, h, "GetAccountAuthorizationDetails", url.Values{"Filter.member.1": {"User"}})
	wantXML(t, "users", body, []string{"<UserPolicyList></UserPolicyList>", "<GroupList></GroupList>",
		"<AttachedManagedPolicies></AttachedManagedPolicies>", "<Tags></Tags>"}, nil)
	body = rawIAM(t, h, "GetAccountAuthorizationDetails", url.Values{"Filter.member.1": {"Role"}})
	wantXML(t, "roles", body, []string{"<RolePolicyList></RolePolicyList>", "<InstanceProfileList></InstanceProfileList>",
		"<Tags></Tags>", "<RoleLastUsed></RoleLastUsed>"}, nil)
	body = rawIAM(t, h, "GetAccountAuthorizationDetails", url.Values{"Filter.member.1": {"Group"}})
	wantXML(t, "groups", body, []string{"<GroupPolicyList></GroupPolicyList>"}, nil)
}

// A permissions boundary's type reads "Policy": the API reference says the type "can only have a
// value of Policy", although the model's enum names it PermissionsBoundaryPolicy.
func TestPermissionsBoundaryType(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	body := rawIAM(t, h, "GetUser", url.Values{"UserName": {"u"}})
	wantXML(t, "GetUser", body, []string{"<PermissionsBoundaryType>Policy</PermissionsBoundaryType>"}, nil)
}

// The first GenerateCredentialReport answers as AWS's example does: STARTED, "No report exists.
// Starting a new report generation task"; once a report exists, COMPLETE.
func TestGenerateCredentialReportAnswers(t *testing.T) {
	h, _ := newClient(t)
	body := rawIAM(t, h, "GenerateCredentialReport", nil)
	wantXML(t, "first", body, []string{"<State>STARTED</State>", "<Description>No report exists. Starting a new report generation task</Description>"}, nil)
	body = rawIAM(t, h, "GenerateCredentialReport", nil)
	wantXML(t, "second", body, []string{"<State>COMPLETE</State>"}, []string{"Description"})
}

// GetAccountSummary reports whether the root user has a password, as AWS's map does.
func TestAccountSummaryPasswordPresent(t *testing.T) {
	h, _ := newClient(t)
	body := rawIAM(t, h, "GetAccountSummary", nil)
	wantXML(t, "GetAccountSummary", body, []string{"<key>AccountPasswordPresent</key>"}, nil)
}

// The simulator's statements as in the CLI reference's simulate-custom-policy example: the
// positions are those AWS gives for that very document (line 1, columns 38 to 167), the source
// type reads "IAM Policy", Organizations' verdict is present and no empty EvalDecisionDetails.
func TestSimulatorStatementShape(t *testing.T) {
	h, _ := newClient(t)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	body := rawIAM(t, h, "SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {doc}, "ActionNames.member.1": {"dynamodb:CreateBackup"},
		"ContextEntries.member.1.ContextKeyName": {"aws:CurrentTime"}, "ContextEntries.member.1.ContextKeyValues.member.1": {"2019-04-25T11:00:00Z"},
		"ContextEntries.member.1.ContextKeyType": {"date"}})
	wantXML(t, "SimulateCustomPolicy", body, []string{"<EvalDecision>allowed</EvalDecision>", "<SourcePolicyId>PolicyInputList.1</SourcePolicyId>",
		"<SourcePolicyType>IAM Policy</SourcePolicyType>",
		"<StartPosition><Line>1</Line><Column>38</Column></StartPosition>", "<EndPosition><Line>1</Line><Column>167</Column></EndPosition>",
		"<OrganizationsDecisionDetail><AllowedByOrganizations>true</AllowedByOrganizations></OrganizationsDecisionDetail>"},
		[]string{"<EvalDecisionDetails></EvalDecisionDetails>"})
	body = rawIAM(t, h, "SimulateCustomPolicy", url.Values{"PolicyInputList.member.1": {allowAll}, "ActionNames.member.1": {"s3:GetObject"},
		"ResourceArns.member.1": {"arn:aws:s3:::b/k"}})
	wantXML(t, "named resource", body, []string{"<EvalDecision>allowed</EvalDecision>"}, []string{"<EvalDecisionDetails></EvalDecisionDetails>"})
}

// The root user's GetUser has neither Path nor UserName.
func TestRootGetUserShape(t *testing.T) {
	h, _ := newClient(t)
	body := rawIAM(t, h, "GetUser", nil)
	wantXML(t, "GetUser", body, []string{"<UserId>" + iamtest.Account + "</UserId>", "<Arn>arn:aws:iam::" + iamtest.Account + ":root</Arn>"}, []string{"<Path>", "<UserName>"})
	// Whole seconds, as AWS's GetUser example writes CreateDate (2012-09-21T23:03:13Z).
	if !regexp.MustCompile(`<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</CreateDate>`).MatchString(body) {
		t.Errorf("root CreateDate not in whole seconds:\n%s", body)
	}
}

// A last-accessed job's dates carry milliseconds as AWS's example writes them, never finer
// digits; an entity's creation is in whole seconds.
func TestJobDatesInMilliseconds(t *testing.T) {
	h, c := newClient(t)
	u := must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u")}))(t).User
	job := must(c.GenerateServiceLastAccessedDetails(ctx, &iamsdk.GenerateServiceLastAccessedDetailsInput{Arn: u.Arn}))(t)
	body := rawIAM(t, h, "GetServiceLastAccessedDetails", url.Values{"JobId": {aws.ToString(job.JobId)}})
	if !regexp.MustCompile(`<JobCreationDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z</JobCreationDate>`).MatchString(body) {
		t.Errorf("JobCreationDate not to the millisecond:\n%s", body)
	}
	body = rawIAM(t, h, "GetUser", url.Values{"UserName": {"u"}})
	if !regexp.MustCompile(`<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</CreateDate>`).MatchString(body) {
		t.Errorf("CreateDate not in whole seconds:\n%s", body)
	}
}
