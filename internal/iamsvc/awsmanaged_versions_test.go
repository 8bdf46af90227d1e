package iamsvc_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iam"
)

// TestAWSManagedPolicyVersions lists ReadOnlyAccess's versions as AWS does, every recorded one
// newest first with only the default marked, 50 at a time, and reads an old one.
func TestAWSManagedPolicyVersions(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	_, c := newClient(t)
	m := catalogued(t, arn)
	want, _ := iam.AWSManagedPolicyVersions(arn)
	if len(want) != 151 { // of AWS's 188: the versions the source recorded
		t.Fatalf("%d versions shipped, want 151", len(want))
	}

	in := &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(50)}
	var got []types.PolicyVersion
	var sizes []int
	for {
		out := must(c.ListPolicyVersions(ctx, in))(t)
		got = append(got, out.Versions...)
		sizes = append(sizes, len(out.Versions))
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Errorf("last page has marker %q", aws.ToString(out.Marker))
			}
			break
		}
		in.Marker = out.Marker
	}
	if len(sizes) != 4 || sizes[0] != 50 || sizes[3] != 1 || len(got) != len(want) {
		t.Fatalf("pages of %v versions, want 50, 50, 50, 1", sizes)
	}
	for i, v := range got {
		if aws.ToString(v.VersionId) != want[i].VersionID || v.IsDefaultVersion != (i == 0) ||
			!aws.ToTime(v.CreateDate).Equal(want[i].CreateDate) || v.Document != nil {
			t.Errorf("version %d = %s default %v created %v", i, aws.ToString(v.VersionId), v.IsDefaultVersion, aws.ToTime(v.CreateDate))
		}
	}
	if aws.ToString(got[0].VersionId) != m.DefaultVersion || !aws.ToTime(got[0].CreateDate).Equal(m.Updated) ||
		aws.ToString(got[1].VersionId) != "v187" || aws.ToString(got[150].VersionId) != "v1" {
		t.Errorf("versions %s (created %v), %s … %s", aws.ToString(got[0].VersionId), aws.ToTime(got[0].CreateDate),
			aws.ToString(got[1].VersionId), aws.ToString(got[150].VersionId))
	}
	// The default page size (100) and the paginator see the same list.
	if out := must(c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}))(t); len(out.Versions) != 100 || !out.IsTruncated {
		t.Errorf("first page without MaxItems: %d versions, truncated %v", len(out.Versions), out.IsTruncated)
	}
	n := 0
	for p := iamsdk.NewListPolicyVersionsPaginator(c, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}); p.HasMorePages(); {
		n += len(must(p.NextPage(ctx))(t).Versions)
	}
	if n != 151 {
		t.Errorf("paginator: %d versions", n)
	}

	// v2, of April 2015: a short document of Get/Describe/List actions.
	v := must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")}))(t).PolicyVersion
	doc := decodeDoc(t, v.Document)
	old, _ := iam.AWSManagedPolicyVersion(arn, "v2")
	if aws.ToString(v.VersionId) != "v2" || v.IsDefaultVersion || !aws.ToTime(v.CreateDate).Equal(time.Date(2015, 4, 21, 16, 37, 57, 0, time.UTC)) ||
		doc != old.Document || len(doc) != 1530 || !strings.HasPrefix(doc, `{"Version":"2012-10-17","Statement":[{"Action":["appstream:Get*",`) {
		t.Errorf("GetPolicyVersion v2 = default %v created %v, %d chars: %.100s", v.IsDefaultVersion, aws.ToTime(v.CreateDate), len(doc), doc)
	}
	if strings.Contains(aws.ToString(v.Document), `"`) || strings.Contains(aws.ToString(v.Document), "{") {
		t.Errorf("document not URL-encoded: %.60s", aws.ToString(v.Document))
	}
	v = must(c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(m.DefaultVersion)}))(t).PolicyVersion
	if !v.IsDefaultVersion || decodeDoc(t, v.Document) != m.Document {
		t.Errorf("GetPolicyVersion %s: default %v, not the catalogue's document", m.DefaultVersion, v.IsDefaultVersion)
	}

	// v180 is AWS's but the source did not record it; v189 does not exist yet.
	for _, id := range []string{"v180", "v189"} {
		_, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(id)})
		wantErr(t, err, "NoSuchEntity", "Policy "+arn+" version "+id+" does not exist or is not attachable.")
	}
	// Still AWS's: an account cannot delete or promote its versions.
	_, err := c.DeletePolicyVersion(ctx, &iamsdk.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	wantErr(t, err, "AccessDenied", "")
	_, err = c.SetDefaultPolicyVersion(ctx, &iamsdk.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	wantErr(t, err, "AccessDenied", "")
}

// TestAWSManagedPolicyOneVersion: AdministratorAccess has had one version since 2015.
func TestAWSManagedPolicyOneVersion(t *testing.T) {
	const arn = "arn:aws:iam::aws:policy/AdministratorAccess"
	_, c := newClient(t)
	m := catalogued(t, arn)
	out := must(c.ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(1)}))(t)
	if len(out.Versions) != 1 || out.IsTruncated || aws.ToString(out.Versions[0].VersionId) != "v1" || !out.Versions[0].IsDefaultVersion ||
		!aws.ToTime(out.Versions[0].CreateDate).Equal(m.Updated) {
		t.Errorf("ListPolicyVersions = %+v, truncated %v", out.Versions, out.IsTruncated)
	}
	_, err := c.GetPolicyVersion(ctx, &iamsdk.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
	wantErr(t, err, "NoSuchEntity", "Policy "+arn+" version v2 does not exist or is not attachable.")
}
