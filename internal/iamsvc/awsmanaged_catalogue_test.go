package iamsvc_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/store"
)

// listAllPolicies follows ListPolicies' markers to the end.
func listAllPolicies(t *testing.T, c *iamsdk.Client, in *iamsdk.ListPoliciesInput) []types.Policy {
	t.Helper()
	var all []types.Policy
	for p := iamsdk.NewListPoliciesPaginator(c, in); p.HasMorePages(); {
		all = append(all, must(p.NextPage(ctx))(t).Policies...)
	}
	return all
}

func catalogued(t *testing.T, arn string) iam.AWSManagedPolicy {
	t.Helper()
	m, ok := iam.AWSManagedPolicyByARN(arn)
	if !ok {
		t.Fatalf("%s is not in the catalogue", arn)
	}
	return m
}

// TestAWSManagedCatalogueList pages through the AWS managed policies under /job-function/ a few
// at a time, as a client with a small MaxItems does, and checks each against the catalogue.
func TestAWSManagedCatalogueList(t *testing.T) {
	_, c := newClient(t)
	var want []iam.AWSManagedPolicy
	for _, m := range iam.AWSManagedPolicies() {
		if m.Path == "/job-function/" {
			want = append(want, m)
		}
	}
	if len(want) < 5 {
		t.Fatalf("%d job-function policies in the catalogue", len(want))
	}
	in := &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/"), MaxItems: aws.Int32(4)}
	var got []types.Policy
	pages := 0
	for {
		out := must(c.ListPolicies(ctx, in))(t)
		pages++
		got = append(got, out.Policies...)
		if !out.IsTruncated {
			break
		}
		if len(out.Policies) != 4 || aws.ToString(out.Marker) == "" {
			t.Fatalf("truncated page of %d with marker %q", len(out.Policies), aws.ToString(out.Marker))
		}
		in.Marker = out.Marker
	}
	if len(got) != len(want) || pages != (len(want)+3)/4 {
		t.Fatalf("%d policies in %d pages, want %d", len(got), pages, len(want))
	}
	for i, p := range got {
		m := want[i]
		if aws.ToString(p.PolicyName) != m.Name || aws.ToString(p.Path) != "/job-function/" ||
			aws.ToString(p.Arn) != "arn:aws:iam::aws:policy/job-function/"+m.Name || aws.ToString(p.PolicyId) != m.ID ||
			aws.ToString(p.DefaultVersionId) != m.DefaultVersion || !aws.ToTime(p.CreateDate).Equal(m.Created) ||
			!aws.ToTime(p.UpdateDate).Equal(m.Updated) || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Errorf("policy %d = %s %s %s %s created %v updated %v; want %+v", i, aws.ToString(p.Arn), aws.ToString(p.PolicyId),
				aws.ToString(p.DefaultVersionId), aws.ToString(p.Path), aws.ToTime(p.CreateDate), aws.ToTime(p.UpdateDate), m.Policy())
		}
	}

	// Every scope sees the whole catalogue; Local sees none of it.
	all := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAll, MaxItems: aws.Int32(1000)})
	if n := len(iam.AWSManagedPolicies()); len(all) != n {
		t.Errorf("ListPolicies(All) = %d, want the catalogue's %d", len(all), n)
	}
	if local := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))(t); len(local.Policies) != 0 {
		t.Errorf("ListPolicies(Local) = %d", len(local.Policies))
	}
}

// TestAWSManagedServiceRolePolicy reads a /service-role/ policy the way Terraform and the
// console do: GetPolicy, then the default version's document.
func TestAWSManagedServiceRolePolicy(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	_, c := newClient(t)
	m := catalogued(t, arn)
	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
	if aws.ToString(p.PolicyName) != "AWSLambdaBasicExecutionRole" || aws.ToString(p.Path) != "/service-role/" ||
		aws.ToString(p.PolicyId) != m.ID || aws.ToString(p.DefaultVersionId) != "v1" ||
		!aws.ToTime(p.CreateDate).Equal(m.Created) || !aws.ToTime(p.UpdateDate).Equal(m.Updated) {
		t.Errorf("GetPolicy = %s %s %s %s %v %v", aws.ToString(p.PolicyName), aws.ToString(p.Path), aws.ToString(p.PolicyId),
			aws.ToString(p.DefaultVersionId), aws.ToTime(p.CreateDate), aws.ToTime(p.UpdateDate))
	}
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: p.DefaultVersionId}))(t).PolicyVersion
	doc := decodeDoc(t, v.Document)
	if doc != m.Document || !v.IsDefaultVersion || aws.ToString(v.VersionId) != "v1" || !aws.ToTime(v.CreateDate).Equal(m.Updated) {
		t.Errorf("GetPolicyVersion = %s default %v created %v: %s", aws.ToString(v.VersionId), v.IsDefaultVersion, aws.ToTime(v.CreateDate), doc)
	}
	for _, action := range []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} {
		if !strings.Contains(doc, `"`+action+`"`) {
			t.Errorf("document lacks %s: %s", action, doc)
		}
	}
	vs := must(c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}))(t).Versions
	if len(vs) != 1 || aws.ToString(vs[0].VersionId) != "v1" || !vs[0].IsDefaultVersion {
		t.Errorf("ListPolicyVersions = %+v", vs)
	}
	_, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	wantErr(t, err, "NoSuchEntity", "")

	// Attachable to a role, as its name says.
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}))(t)
	att := must(c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")}))(t).AttachedPolicies
	if len(att) != 1 || aws.ToString(att[0].PolicyArn) != arn {
		t.Errorf("ListAttachedRolePolicies = %+v", att)
	}
}

// TestViewOnlyAccess attaches the /job-function/ policy ViewOnlyAccess to a user and checks
// that authorization follows its current document: it grants iam:List* and
// iam:GetAccountSummary, and no iam:Get* beyond those, nor any write. It also serves as a
// permissions boundary and through a group.
func TestViewOnlyAccess(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	h, c := newClient(t)
	doc := catalogued(t, arn).Document
	for _, s := range []string{`"iam:List*"`, `"iam:GetAccountSummary"`} {
		if !strings.Contains(doc, s) {
			t.Fatalf("ViewOnlyAccess no longer grants %s: revisit this test", s)
		}
	}
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("viewer")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("viewer"), PolicyArn: aws.String(arn)}))(t)
	k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("viewer")}))(t).AccessKey
	viewer := iamtest.IAM(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	checkViewOnly(t, viewer, "viewer")

	// As a boundary on a user whose own policy allows everything, it limits the user the same way.
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(arn)}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bounded"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))(t)
	k = must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("bounded")}))(t).AccessKey
	checkViewOnly(t, iamtest.IAM(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")), "bounded")

	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("auditors")}))(t)
	must(c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String(arn)}))(t)

	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
	if aws.ToInt32(p.AttachmentCount) != 2 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("GetPolicy: AttachmentCount %d, PermissionsBoundaryUsageCount %d, want 2 and 1",
			aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount))
	}
	attached := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{OnlyAttached: true, PathPrefix: aws.String("/job-function/")})
	if len(attached) != 1 || aws.ToString(attached[0].Arn) != arn || aws.ToInt32(attached[0].AttachmentCount) != 2 {
		t.Errorf("ListPolicies(OnlyAttached, /job-function/) = %+v", attached)
	}
	// Two used policies far apart among 1,600: one call finds both; a client paging one at a time
	// gets each once, whatever empty pages the read bound leaves between them.
	one := must(c.ListPolicies(ctx, &iamsdk.ListPoliciesInput{OnlyAttached: true}))(t)
	if len(one.Policies) != 2 || one.IsTruncated {
		t.Errorf("ListPolicies(OnlyAttached) = %d policies, truncated %v; want both in one page", len(one.Policies), one.IsTruncated)
	}
	paged := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{OnlyAttached: true, MaxItems: aws.Int32(1)})
	if len(paged) != 2 || aws.ToString(paged[0].PolicyName) != "AdministratorAccess" || aws.ToString(paged[1].Arn) != arn {
		t.Errorf("ListPolicies(OnlyAttached, MaxItems 1) = %d policies", len(paged))
	}
	used := listAllPolicies(t, c, &iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true,
		PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	if len(used) != 1 || aws.ToString(used[0].Arn) != arn {
		t.Errorf("ListPolicies(PolicyUsageFilter=PermissionsBoundary) = %d policies", len(used))
	}
}

func checkViewOnly(t *testing.T, c *iamsdk.Client, self string) {
	t.Helper()
	allowed := map[string]func() error{
		"ListUsers":         func() error { _, err := c.ListUsers(ctx, &iamsdk.ListUsersInput{}); return err },
		"ListRoles":         func() error { _, err := c.ListRoles(ctx, &iamsdk.ListRolesInput{}); return err },
		"GetAccountSummary": func() error { _, err := c.GetAccountSummary(ctx, &iamsdk.GetAccountSummaryInput{}); return err },
	}
	denied := map[string]func() error{
		"GetUser": func() error { _, err := c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(self)}); return err },
		"CreateUser": func() error {
			_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(self + "-2")})
			return err
		},
		"DeleteUserPermissionsBoundary": func() error {
			_, err := c.DeleteUserPermissionsBoundary(ctx, &iamsdk.DeleteUserPermissionsBoundaryInput{UserName: aws.String(self)})
			return err
		},
	}
	for name, call := range allowed {
		if err := call(); err != nil {
			t.Errorf("%s: %s: %v", self, name, err)
		}
	}
	for name, call := range denied {
		t.Run(self+" denied "+name, func(t *testing.T) { wantErr(t, call(), "AccessDenied", "") })
	}
}

// TestAWSManagedUpgrade starts from a store seeded by an older iamd, whose ReadOnlyAccess was at
// v87 with a smaller document and whose catalogue lacked ViewOnlyAccess, with ReadOnlyAccess
// attached to one user and the boundary of another. Seeding the current catalogue moves
// ReadOnlyAccess to AWS's current version in place: the uses stay, the old version is gone, and
// authorization reads the new document. A further seeding changes nothing.
func TestAWSManagedUpgrade(t *testing.T) {
	const (
		readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		viewOnly = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
		oldDoc   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	)
	h, c := newClient(t)
	st := h.Node.Store
	current := catalogued(t, readOnly)
	err := st.Write(ctx, func(tx store.Tx) error {
		if err := tx.DeleteRecord(ctx, iam.AWSManagedAccount, "aws-managed-catalogue", "version"); err != nil {
			return err
		}
		if err := tx.DeletePolicy(ctx, readOnly); err != nil {
			return err
		}
		if err := tx.DeletePolicy(ctx, viewOnly); err != nil {
			return err
		}
		old := current
		old.DefaultVersion, old.Updated = "v87", current.Created
		return tx.CreatePolicy(ctx, old.Policy(), oldDoc)
	})
	if err != nil {
		t.Fatal(err)
	}
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("reader")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: aws.String(readOnly)}))(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(readOnly)}))(t)
	reader := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("reader")}))(t).User
	simulate := func() types.PolicyEvaluationDecisionType {
		t.Helper()
		out := must(c.SimulatePrincipalPolicy(ctx, &iamsdk.SimulatePrincipalPolicyInput{PolicySourceArn: reader.Arn,
			ActionNames: []string{"s3:GetObject"}}))(t)
		return out.EvaluationResults[0].EvalDecision
	}
	if d := simulate(); d != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Fatalf("before the upgrade, s3:GetObject = %s under the old document", d)
	}

	gen0, _ := st.Generation(ctx)
	if err := iamsvc.New(iamsvc.Config{Store: st}).SeedAWSManagedPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(readOnly)}))(t).Policy
	if aws.ToString(p.DefaultVersionId) != current.DefaultVersion || aws.ToString(p.PolicyId) != current.ID ||
		!aws.ToTime(p.UpdateDate).Equal(current.Updated) || aws.ToInt32(p.AttachmentCount) != 1 ||
		aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 {
		t.Errorf("after the upgrade: version %s id %s updated %v, %d attachments, %d boundaries", aws.ToString(p.DefaultVersionId),
			aws.ToString(p.PolicyId), aws.ToTime(p.UpdateDate), aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount))
	}
	// The versions are the catalogue's (the default stored, the others embedded), and v87 is
	// AWS's v87, not the document the older iamd stored.
	shipped, _ := iam.AWSManagedPolicyVersions(readOnly)
	vs := must(c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(readOnly), MaxItems: aws.Int32(1000)}))(t).Versions
	if len(vs) != len(shipped) || aws.ToString(vs[0].VersionId) != current.DefaultVersion || !vs[0].IsDefaultVersion ||
		!aws.ToTime(vs[0].CreateDate).Equal(current.Updated) || vs[1].IsDefaultVersion {
		t.Errorf("ListPolicyVersions = %d versions, first %s default %v", len(vs), aws.ToString(vs[0].VersionId), vs[0].IsDefaultVersion)
	}
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(readOnly), VersionId: aws.String(current.DefaultVersion)}))(t)
	if decodeDoc(t, v.PolicyVersion.Document) != current.Document {
		t.Error("GetPolicyVersion: not the current document")
	}
	v = must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(readOnly), VersionId: aws.String("v87")}))(t)
	if aws87, _ := iam.AWSManagedPolicyVersion(readOnly, "v87"); decodeDoc(t, v.PolicyVersion.Document) != aws87.Document || v.PolicyVersion.IsDefaultVersion {
		t.Error("GetPolicyVersion v87: not AWS's v87")
	}
	if d := simulate(); d != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("after the upgrade, s3:GetObject = %s, want allowed by the current document", d)
	}
	if u := must(c.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bounded")}))(t).User; u.PermissionsBoundary == nil ||
		aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn) != readOnly {
		t.Errorf("bounded's boundary = %+v", u.PermissionsBoundary)
	}
	must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(viewOnly)}))(t)

	// Seeded now: a restart reads the marker and writes nothing.
	gen1, _ := st.Generation(ctx)
	if err := iamsvc.New(iamsvc.Config{Store: st}).SeedAWSManagedPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	if gen2, _ := st.Generation(ctx); gen1 == gen0 || gen2 != gen1 {
		t.Errorf("generations %d, %d, %d: the upgrade should write once and the next start not at all", gen0, gen1, gen2)
	}
}

// TestAWSManagedDowngrade: a catalogue older than a stored policy in use leaves that policy at
// its newer stored version rather than detaching it.
func TestAWSManagedDowngrade(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	h, c := newClient(t)
	st := h.Node.Store
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)}))(t)
	err := st.Write(ctx, func(tx store.Tx) error {
		if err := tx.DeleteRecord(ctx, iam.AWSManagedAccount, "aws-managed-catalogue", "version"); err != nil {
			return err
		}
		_, err := tx.CreatePolicyVersion(ctx, arn, allowAll, true, catalogued(t, arn).Updated)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := iamsvc.New(iamsvc.Config{Store: st}).SeedAWSManagedPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
	if want := "v5"; aws.ToString(p.DefaultVersionId) != want || aws.ToInt32(p.AttachmentCount) != 1 {
		t.Errorf("version %s, %d attachments; want %s kept and attached", aws.ToString(p.DefaultVersionId), aws.ToInt32(p.AttachmentCount), want)
	}
	// The stored versions come first and v5 alone is the default; the catalogue's v4 (stored
	// too) and its earlier versions follow.
	vs := must(c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}))(t).Versions
	var ids []string
	for i, v := range vs {
		ids = append(ids, aws.ToString(v.VersionId))
		if v.IsDefaultVersion != (i == 0) {
			t.Errorf("%s default %v", aws.ToString(v.VersionId), v.IsDefaultVersion)
		}
	}
	if strings.Join(ids, ",") != "v5,v4,v3,v2,v1" {
		t.Errorf("ListPolicyVersions = %v", ids)
	}
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")}))(t).PolicyVersion
	if decodeDoc(t, v.Document) != allowAll || !v.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v5 = default %v %s", v.IsDefaultVersion, decodeDoc(t, v.Document))
	}
	v = must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}))(t).PolicyVersion
	if v1, _ := iam.AWSManagedPolicyVersion(arn, "v1"); decodeDoc(t, v.Document) != v1.Document || v.IsDefaultVersion {
		t.Errorf("GetPolicyVersion v1 = default %v, not the catalogue's v1", v.IsDefaultVersion)
	}
}

// BenchmarkSeedAWSManagedPolicies measures seeding the whole catalogue into a new store (a first
// start) and, separately, a start that finds the catalogue already stored.
func BenchmarkSeedAWSManagedPolicies(b *testing.B) {
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			h := iamtest.New(b)
			st := h.Node.Store
			// Empty the harness's seeded store of AWS managed policies (not timed).
			err := st.Write(ctx, func(tx store.Tx) error {
				if err := tx.DeleteRecord(ctx, iam.AWSManagedAccount, "aws-managed-catalogue", "version"); err != nil {
					return err
				}
				for _, m := range iam.AWSManagedPolicies() {
					if err := tx.DeletePolicy(ctx, m.Policy().Arn); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := iamsvc.New(iamsvc.Config{Store: st}).SeedAWSManagedPolicies(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("again", func(b *testing.B) {
		st := iamtest.New(b).Node.Store
		for b.Loop() {
			if err := iamsvc.New(iamsvc.Config{Store: st}).SeedAWSManagedPolicies(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
