package iamsvc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iamtest"
)

// bigDoc is a valid identity policy of about n non-whitespace characters.
func bigDoc(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

func TestCreatePolicy(t *testing.T) {
	_, c := newClient(t)
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]\n}"
	p := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("s3"), Path: aws.String("/team/"),
		PolicyDocument: aws.String(doc), Description: aws.String("d")}))(t).Policy
	if aws.ToString(p.Arn) != "arn:aws:iam::"+iamtest.Account+":policy/team/s3" || !strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") ||
		aws.ToString(p.DefaultVersionId) != "v1" || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	got := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: p.Arn}))(t).Policy
	if aws.ToString(got.Description) != "d" || aws.ToString(got.PolicyId) != aws.ToString(p.PolicyId) {
		t.Errorf("GetPolicy = %+v", got)
	}
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v1")}))(t).PolicyVersion
	if decodeDoc(t, v.Document) != doc || !v.IsDefaultVersion {
		t.Errorf("GetPolicyVersion = %q default=%v", aws.ToString(v.Document), v.IsDefaultVersion)
	}
	if strings.ContainsAny(aws.ToString(v.Document), "{\" :") {
		t.Errorf("document not URL-encoded: %q", aws.ToString(v.Document))
	}

	tests := []struct {
		name      string
		in        iamsdk.CreatePolicyInput
		code, msg string
	}{
		{"duplicate", iamsdk.CreatePolicyInput{PolicyName: aws.String("S3"), PolicyDocument: aws.String(allowAll)},
			"EntityAlreadyExists", "A policy called S3 already exists. Duplicate names are not allowed."},
		{"not json", iamsdk.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String("{nope")},
			"MalformedPolicyDocument", "Syntax errors in policy."},
		{"principal in identity policy", iamsdk.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String(trustEC2)},
			"MalformedPolicyDocument", ""},
		{"too large", iamsdk.CreatePolicyInput{PolicyName: aws.String("x"), PolicyDocument: aws.String(bigDoc(6145))},
			"LimitExceeded", "Cannot exceed quota for PolicySize: 6144"},
		{"bad path", iamsdk.CreatePolicyInput{PolicyName: aws.String("x"), Path: aws.String("/a b/"), PolicyDocument: aws.String(allowAll)},
			"ValidationError", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreatePolicy(ctx, &tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	// Whitespace does not count against the size quota.
	spaced := strings.Replace(bigDoc(6144), `"Effect"`, strings.Repeat(" ", 500)+`"Effect"`, 1)
	must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("max"), PolicyDocument: aws.String(spaced)}))(t)

	_, err := c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/x")})
	wantErr(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/x was not found.")
}

func TestPolicyVersions(t *testing.T) {
	_, c := newClient(t)
	arn := createPolicy(t, c, "p", allowAll)
	for i := 2; i <= 5; i++ {
		v := must(c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowAll), SetAsDefault: i == 3}))(t).PolicyVersion
		if aws.ToString(v.VersionId) != fmt.Sprintf("v%d", i) || v.IsDefaultVersion != (i == 3) {
			t.Fatalf("version %d = %+v", i, v)
		}
	}
	_, err := c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	if p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arn}))(t).Policy; aws.ToString(p.DefaultVersionId) != "v3" {
		t.Errorf("default = %s, want v3", aws.ToString(p.DefaultVersionId))
	}
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
	wantErr(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")})
	wantErr(t, err, "NoSuchEntity", "Policy "+aws.ToString(arn)+" version v9 does not exist or is not attachable.")
	_, err = c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String("[]")})
	wantErr(t, err, "MalformedPolicyDocument", "")

	// Paging over versions.
	var ids []string
	in := &iamsdk.ListPolicyVersionsInput{PolicyArn: arn, MaxItems: aws.Int32(2)}
	for {
		out := must(c.ListPolicyVersions(ctx, in))(t)
		for _, v := range out.Versions {
			ids = append(ids, aws.ToString(v.VersionId))
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	if len(ids) != 5 {
		t.Errorf("listed versions %v", ids)
	}

	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn})
	wantErr(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	must(c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v5")}))(t)
	_, err = c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v7")})
	wantErr(t, err, "NoSuchEntity", "")
	for _, v := range []string{"v1", "v2", "v3", "v4"} {
		must(c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(v)}))(t)
	}
	// Version ids are never reused.
	if v := must(c.CreatePolicyVersion(ctx, &iamsdk.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowAll)}))(t).PolicyVersion; aws.ToString(v.VersionId) != "v6" {
		t.Errorf("next version = %s, want v6", aws.ToString(v.VersionId))
	}
	must(c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v6")}))(t)
	must(c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arn}))(t)
	_, err = c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arn})
	wantErr(t, err, "NoSuchEntity", "")
}

func TestListPolicies(t *testing.T) {
	_, c := newClient(t)
	for i := range 5 {
		path := "/"
		if i >= 3 {
			path = "/x/"
		}
		must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), Path: aws.String(path), PolicyDocument: aws.String(allowAll)}))(t)
	}
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String("arn:aws:iam::" + iamtest.Account + ":policy/p1")}))(t)
	must(c.PutUserPermissionsBoundary(ctx, &iamsdk.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String("arn:aws:iam::" + iamtest.Account + ":policy/p2")}))(t)
	tests := []struct {
		name string
		in   iamsdk.ListPoliciesInput
		want string
	}{
		{"local", iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}, "p0,p1,p2,p3,p4"},
		{"path prefix", iamsdk.ListPoliciesInput{PathPrefix: aws.String("/x/")}, "p3,p4"},
		{"only attached", iamsdk.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeLocal}, "p1,p2"},
		{"attached as permissions", iamsdk.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}, "p1"},
		{"used as boundary", iamsdk.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, "p2"},
		{"filter without OnlyAttached", iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, "p0,p1,p2,p3,p4"},
		{"paged by 2", iamsdk.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(2)}, "p0,p1,p2,p3,p4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			in := tc.in
			for {
				out := must(c.ListPolicies(ctx, &in))(t)
				for _, p := range out.Policies {
					got = append(got, aws.ToString(p.PolicyName))
				}
				if !out.IsTruncated {
					break
				}
				in.Marker = out.Marker
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("listed %v, want %s", got, tc.want)
			}
		})
	}
}

func TestPolicyTags(t *testing.T) {
	_, c := newClient(t)
	arn := createPolicy(t, c, "p", allowAll)
	must(c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t)
	if tags := must(c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags; len(tags) != 1 {
		t.Fatalf("tags = %+v", tags)
	}
	// A policy's tag keys are case sensitive (users' and roles' are not): K is another key.
	must(c.UntagPolicy(ctx, &iamsdk.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"K"}}))(t)
	if tags := must(c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags; len(tags) != 1 {
		t.Fatalf("tags after untagging K = %+v", tags)
	}
	must(c.UntagPolicy(ctx, &iamsdk.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"k"}}))(t)
	if tags := must(c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags; len(tags) != 0 {
		t.Fatalf("tags after untag = %+v", tags)
	}
}

// TestAttachAndInline runs the attach/detach and inline operations for each entity kind.
func TestAttachAndInline(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.CreateGroup(ctx, &iamsdk.CreateGroupInput{GroupName: aws.String("g")}))(t)
	var arns []*string
	for i := range 11 {
		arns = append(arns, createPolicy(t, c, fmt.Sprintf("p%02d", i), allowAll))
	}
	type ops struct {
		attach   func(arn *string) error
		detach   func(arn *string) error
		attached func() ([]types.AttachedPolicy, error)
		put      func(name, doc string) error
		get      func(name string) (string, error)
		list     func() ([]string, error)
		del      func(name string) error
	}
	kinds := []struct {
		name, entity, quota, missing string
		inlineMax                    int
		ops                          ops
	}{
		{"user", "bob", "PoliciesPerUser", "The user with name nobody cannot be found.", 2048, ops{
			attach: func(a *string) error {
				_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: a})
				return err
			},
			detach: func(a *string) error {
				_, err := c.DetachUserPolicy(ctx, &iamsdk.DetachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: a})
				return err
			},
			attached: func() ([]types.AttachedPolicy, error) {
				out, err := c.ListAttachedUserPolicies(ctx, &iamsdk.ListAttachedUserPoliciesInput{UserName: aws.String("bob")})
				if err != nil {
					return nil, err
				}
				return out.AttachedPolicies, nil
			},
			put: func(n, d string) error {
				_, err := c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(n string) (string, error) {
				out, err := c.GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String(n)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyDocument), nil
			},
			list: func() ([]string, error) {
				out, err := c.ListUserPolicies(ctx, &iamsdk.ListUserPoliciesInput{UserName: aws.String("bob")})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n string) error {
				_, err := c.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String(n)})
				return err
			},
		}},
		{"role", "r", "PoliciesPerRole", "The role with name nobody cannot be found.", 10240, ops{
			attach: func(a *string) error {
				_, err := c.AttachRolePolicy(ctx, &iamsdk.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: a})
				return err
			},
			detach: func(a *string) error {
				_, err := c.DetachRolePolicy(ctx, &iamsdk.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: a})
				return err
			},
			attached: func() ([]types.AttachedPolicy, error) {
				out, err := c.ListAttachedRolePolicies(ctx, &iamsdk.ListAttachedRolePoliciesInput{RoleName: aws.String("r")})
				if err != nil {
					return nil, err
				}
				return out.AttachedPolicies, nil
			},
			put: func(n, d string) error {
				_, err := c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(n string) (string, error) {
				out, err := c.GetRolePolicy(ctx, &iamsdk.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyDocument), nil
			},
			list: func() ([]string, error) {
				out, err := c.ListRolePolicies(ctx, &iamsdk.ListRolePoliciesInput{RoleName: aws.String("r")})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n string) error {
				_, err := c.DeleteRolePolicy(ctx, &iamsdk.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n)})
				return err
			},
		}},
		{"group", "g", "PoliciesPerGroup", "The group with name nobody cannot be found.", 5120, ops{
			attach: func(a *string) error {
				_, err := c.AttachGroupPolicy(ctx, &iamsdk.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: a})
				return err
			},
			detach: func(a *string) error {
				_, err := c.DetachGroupPolicy(ctx, &iamsdk.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: a})
				return err
			},
			attached: func() ([]types.AttachedPolicy, error) {
				out, err := c.ListAttachedGroupPolicies(ctx, &iamsdk.ListAttachedGroupPoliciesInput{GroupName: aws.String("g")})
				if err != nil {
					return nil, err
				}
				return out.AttachedPolicies, nil
			},
			put: func(n, d string) error {
				_, err := c.PutGroupPolicy(ctx, &iamsdk.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(n string) (string, error) {
				out, err := c.GetGroupPolicy(ctx, &iamsdk.GetGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String(n)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyDocument), nil
			},
			list: func() ([]string, error) {
				out, err := c.ListGroupPolicies(ctx, &iamsdk.ListGroupPoliciesInput{GroupName: aws.String("g")})
				if err != nil {
					return nil, err
				}
				return out.PolicyNames, nil
			},
			del: func(n string) error {
				_, err := c.DeleteGroupPolicy(ctx, &iamsdk.DeleteGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String(n)})
				return err
			},
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			o := k.ops
			for _, a := range arns[:10] {
				if err := o.attach(a); err != nil {
					t.Fatal(err)
				}
			}
			if err := o.attach(arns[0]); err != nil {
				t.Errorf("re-attaching at the quota: %v", err)
			}
			wantErr(t, o.attach(arns[10]), "LimitExceeded", "Cannot exceed quota for "+k.quota+": 10")
			missing := "arn:aws:iam::" + iamtest.Account + ":policy/none"
			wantErr(t, o.attach(aws.String(missing)), "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.")
			if got, err := o.attached(); err != nil || len(got) != 10 {
				t.Fatalf("attached = %d (%v)", len(got), err)
			}
			if err := o.detach(arns[0]); err != nil {
				t.Fatal(err)
			}
			wantErr(t, o.detach(arns[0]), "NoSuchEntity", "Policy "+aws.ToString(arns[0])+" was not found.")

			// Inline: create, replace, read back (URL-encoded), list, quota, delete.
			if err := o.put("one", allowAll); err != nil {
				t.Fatal(err)
			}
			if err := o.put("one", trustlessDeny); err != nil {
				t.Fatal(err)
			}
			doc, err := o.get("ONE")
			if err != nil {
				t.Fatal(err)
			}
			if d := decodeDoc(t, &doc); d != trustlessDeny {
				t.Errorf("inline document = %q", d)
			}
			wantErr(t, o.put("bad", trustEC2), "MalformedPolicyDocument", "")
			// The aggregate quota counts the other inline policies; replacing "one" does not
			// count it twice.
			wantErr(t, o.put("two", bigDoc(k.inlineMax-len(trustlessDeny)+1)), "LimitExceeded",
				fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", k.inlineMax, k.name, k.entity))
			if err := o.put("one", bigDoc(k.inlineMax)); err != nil {
				t.Errorf("replacing with a document at the quota: %v", err)
			}
			names, err := o.list()
			if err != nil || strings.Join(names, ",") != "one" {
				t.Errorf("inline names = %v (%v)", names, err)
			}
			if err := o.del("one"); err != nil {
				t.Fatal(err)
			}
			wantErr(t, o.del("one"), "NoSuchEntity", "The "+k.name+" policy with name one cannot be found.")
			_, err = o.get("one")
			wantErr(t, err, "NoSuchEntity", "The "+k.name+" policy with name one cannot be found.")
		})
	}
	_, err := c.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: arns[0]})
	wantErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = c.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("nobody"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowAll)})
	wantErr(t, err, "NoSuchEntity", "The role with name nobody cannot be found.")
	// Attachment counts show on the policy, and an attached policy cannot be deleted.
	if p := must(c.GetPolicy(ctx, &iamsdk.GetPolicyInput{PolicyArn: arns[1]}))(t).Policy; aws.ToInt32(p.AttachmentCount) != 3 {
		t.Errorf("AttachmentCount = %d, want 3", aws.ToInt32(p.AttachmentCount))
	}
	_, err = c.DeletePolicy(ctx, &iamsdk.DeletePolicyInput{PolicyArn: arns[1]})
	wantErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
}

const trustlessDeny = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
