package iamsvc_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/store"
)

// userClient creates a user with an inline policy and an access key and returns its client.
func userClient(t *testing.T, h *iamtest.Harness, c *iamsdk.Client, name, doc string) *iamsdk.Client {
	t.Helper()
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
	return iamtest.IAM(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
}

type svcRow struct {
	Namespace, Entity string
	Accessed          bool
	Total             int32
	Actions           []string
}

func report(t *testing.T, c *iamsdk.Client, arn string, granularity iamtypes.AccessAdvisorUsageGranularityType) (string, map[string]svcRow) {
	t.Helper()
	job := aws.ToString(must(c.GenerateServiceLastAccessedDetails(ctx, &iamsdk.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn), Granularity: granularity}))(t).JobId)
	if len(job) != 36 {
		t.Fatalf("JobId = %q", job)
	}
	out := must(c.GetServiceLastAccessedDetails(ctx, &iamsdk.GetServiceLastAccessedDetailsInput{JobId: aws.String(job)}))(t)
	if out.JobStatus != iamtypes.JobStatusTypeCompleted || out.JobCreationDate == nil || out.JobCompletionDate == nil {
		t.Fatalf("job = %s %v %v", out.JobStatus, out.JobCreationDate, out.JobCompletionDate)
	}
	rows := map[string]svcRow{}
	for _, s := range out.ServicesLastAccessed {
		r := svcRow{Namespace: aws.ToString(s.ServiceNamespace), Entity: aws.ToString(s.LastAuthenticatedEntity),
			Accessed: s.LastAuthenticated != nil, Total: aws.ToInt32(s.TotalAuthenticatedEntities)}
		for _, a := range s.TrackedActionsLastAccessed {
			r.Actions = append(r.Actions, aws.ToString(a.ActionName))
		}
		rows[r.Namespace] = r
	}
	return job, rows
}

func TestAccessAdvisor(t *testing.T) {
	h, c := newClient(t)
	acct := h.Node.Account
	alice := userClient(t, h, c, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser","s3:GetObject"],"Resource":"*"}]}`)
	bob := userClient(t, h, c, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("team")}))(t)
	for _, u := range []string{"alice", "bob"} {
		must(c.AddUserToGroup(ctx, &iamsdk.AddUserToGroupInput{GroupName: aws.String("team"), UserName: aws.String(u)}))(t)
	}
	must(c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("team"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))(t)

	must(alice.ListUsers(ctx, &iamsdk.ListUsersInput{}))(t)
	must(alice.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("bob")}))(t)
	// A denied attempt counts too: AWS reports attempts, not only successes.
	h.Clock.Advance(2 * time.Minute)
	_, err := bob.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("x")})
	wantErr(t, err, "AccessDenied", "")

	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	bobARN := "arn:aws:iam::" + acct + ":user/bob"
	t.Run("user", func(t *testing.T) {
		_, rows := report(t, c, aliceARN, "")
		want := map[string]svcRow{
			"iam": {Namespace: "iam", Entity: aliceARN, Accessed: true, Total: 1},
			"s3":  {Namespace: "s3"},
		}
		diffRows(t, rows, want)
	})
	t.Run("user action level", func(t *testing.T) {
		_, rows := report(t, c, aliceARN, iamtypes.AccessAdvisorUsageGranularityTypeActionLevel)
		if got := rows["iam"].Actions; len(got) != 2 || got[0] != "GetUser" || got[1] != "ListUsers" {
			t.Errorf("tracked actions = %v", got)
		}
	})
	t.Run("group", func(t *testing.T) {
		job, rows := report(t, c, "arn:aws:iam::"+acct+":group/team", "")
		// IAMReadOnlyAccess grants iam only; bob's denied CreateUser is the latest iam attempt.
		diffRows(t, rows, map[string]svcRow{"iam": {Namespace: "iam", Entity: bobARN, Accessed: true, Total: 2}})
		ents := must(c.GetServiceLastAccessedDetailsWithEntities(ctx, &iamsdk.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job), ServiceNamespace: aws.String("iam")}))(t)
		if len(ents.EntityDetailsList) != 2 || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Arn) != bobARN ||
			ents.EntityDetailsList[0].EntityInfo.Type != iamtypes.PolicyOwnerEntityTypeUser || ents.EntityDetailsList[1].LastAuthenticated == nil {
			t.Errorf("entities = %+v", ents.EntityDetailsList)
		}
		page := must(c.GetServiceLastAccessedDetailsWithEntities(ctx, &iamsdk.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job),
			ServiceNamespace: aws.String("iam"), MaxItems: aws.Int32(1)}))(t)
		if len(page.EntityDetailsList) != 1 || !page.IsTruncated || page.Marker == nil {
			t.Errorf("page = %d truncated %v", len(page.EntityDetailsList), page.IsTruncated)
		}
	})
	t.Run("policy", func(t *testing.T) {
		_, rows := report(t, c, "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "")
		diffRows(t, rows, map[string]svcRow{"iam": {Namespace: "iam", Entity: bobARN, Accessed: true, Total: 2}})
	})
	t.Run("role session", func(t *testing.T) {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"sts:AssumeRole"}]}`
		must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}))(t)
		must(c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`)}))(t)
		// alice may assume it through the trust policy alone (same account).
		k := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
		creds := must(iamtest.STS(h.Config(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")).AssumeRole(ctx,
			&stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/reader"), RoleSessionName: aws.String("sess")}))(t).Credentials
		role := iamtest.IAM(h.Config(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
		must(role.ListRoles(ctx, &iamsdk.ListRolesInput{}))(t)
		roleARN := "arn:aws:iam::" + acct + ":role/reader"
		_, rows := report(t, c, roleARN, "")
		diffRows(t, rows, map[string]svcRow{"iam": {Namespace: "iam", Entity: roleARN, Accessed: true, Total: 1}})
	})
	for _, bad := range []struct{ name, arn, code string }{
		{"missing user", "arn:aws:iam::" + acct + ":user/nobody", "NoSuchEntity"},
		{"missing policy", "arn:aws:iam::" + acct + ":policy/nope", "NoSuchEntity"},
		{"not IAM", "arn:aws:s3:::some-bucket-name", "InvalidInput"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := c.GenerateServiceLastAccessedDetails(ctx, &iamsdk.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(bad.arn)})
			wantErr(t, err, bad.code, "")
		})
	}
	_, err = c.GetServiceLastAccessedDetails(ctx, &iamsdk.GetServiceLastAccessedDetailsInput{JobId: aws.String("11111111-2222-4333-8444-555555555555")})
	wantErr(t, err, "NoSuchEntity", "")
}

func diffRows(t *testing.T, got, want map[string]svcRow) {
	t.Helper()
	for ns, w := range want {
		g, ok := got[ns]
		if !ok || g.Namespace != w.Namespace || g.Entity != w.Entity || g.Accessed != w.Accessed || g.Total != w.Total {
			t.Errorf("service %s = %+v (present %v), want %+v", ns, g, ok, w)
		}
	}
	for ns := range got {
		if _, ok := want[ns]; !ok {
			t.Errorf("unexpected service %s in report", ns)
		}
	}
}

// TestAccessTrackerBatches checks that attempts reach the store in batches: not per request,
// but once the flush interval has passed (or when a report is generated).
func TestAccessTrackerBatches(t *testing.T) {
	h, c := newClient(t)
	alice := userClient(t, h, c, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)
	stored := func() int {
		var n int
		err := h.Node.Store.Read(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.CountRecords(ctx, h.Node.Account, "service-access")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	gen := func() uint64 { return must(h.Node.Store.Generation(ctx))(t) }
	g0 := gen()
	for range 20 {
		must(alice.ListUsers(ctx, &iamsdk.ListUsersInput{}))(t)
	}
	if n := stored(); n != 0 || gen() != g0 {
		t.Fatalf("after 20 requests: %d records stored, generation %d→%d; want nothing written yet", n, g0, gen())
	}
	h.Clock.Advance(6 * time.Minute)
	must(alice.GetUser(ctx, &iamsdk.GetUserInput{}))(t)
	if n := stored(); n != 1 || gen() != g0+1 {
		t.Fatalf("after the flush interval: %d records, generation %d→%d; want 1 record in one write", n, g0, gen())
	}
	// The stored use does not keep the user from being deleted.
	for _, k := range must(c.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("alice")}))(t).AccessKeyMetadata {
		must(c.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))(t)
	}
	must(c.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")}))(t)
	must(c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("alice")}))(t)
}

func TestAccessReportsPruned(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("u")}))(t)
	arn := aws.String("arn:aws:iam::" + h.Node.Account + ":user/u")
	var jobs []string
	for range 101 {
		h.Clock.Advance(time.Millisecond) // ids are time-ordered to the millisecond
		jobs = append(jobs, aws.ToString(must(c.GenerateServiceLastAccessedDetails(ctx, &iamsdk.GenerateServiceLastAccessedDetailsInput{Arn: arn}))(t).JobId))
	}
	_, err := c.GetServiceLastAccessedDetails(ctx, &iamsdk.GetServiceLastAccessedDetailsInput{JobId: aws.String(jobs[0])})
	wantErr(t, err, "NoSuchEntity", "")
	for _, j := range []string{jobs[1], jobs[100]} {
		must(c.GetServiceLastAccessedDetails(ctx, &iamsdk.GetServiceLastAccessedDetailsInput{JobId: aws.String(j)}))(t)
	}
}
