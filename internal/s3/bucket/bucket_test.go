package bucket

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

var bg = context.Background()

func TestCreateListHeadDelete(t *testing.T) {
	e := newEnv(t, "")
	a, b := e.client(acctA, "us-east-1"), e.client(acctB, "us-east-1")
	for _, n := range []string{"charlie", "alpha", "bravo.x"} {
		_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(n)})
		must(t, "CreateBucket "+n, err)
	}
	if got := e.backend.lastCall(); got != "PUT /bravo.x owner="+acctA {
		t.Errorf("backend call %q", got)
	}
	_, err := b.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("delta")})
	must(t, "CreateBucket delta", err)

	// Names are global: another account's name is BucketAlreadyExists; the owner re-creating
	// in us-east-1 gets 200, as S3 answers for legacy compatibility.
	_, err = b.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, "other account's name", err, "BucketAlreadyExists", 409)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	must(t, "owner re-creating in us-east-1", err)

	out, err := a.ListBuckets(bg, &s3.ListBucketsInput{})
	must(t, "ListBuckets", err)
	var names []string
	for _, bk := range out.Buckets {
		names = append(names, *bk.Name)
		if !bk.CreationDate.Equal(t0) || aws.ToString(bk.BucketRegion) != "us-east-1" {
			t.Errorf("bucket %s: %v %v", *bk.Name, bk.CreationDate, aws.ToString(bk.BucketRegion))
		}
	}
	if strings.Join(names, ",") != "alpha,bravo.x,charlie" {
		t.Errorf("ListBuckets = %v", names)
	}
	if aws.ToString(out.Owner.ID) != CanonicalUserID(acctA) || out.ContinuationToken != nil {
		t.Errorf("owner %v token %v", aws.ToString(out.Owner.ID), out.ContinuationToken)
	}
	// Paged with max-buckets and a prefix.
	var paged []string
	in := &s3.ListBucketsInput{MaxBuckets: aws.Int32(2)}
	for {
		out, err := a.ListBuckets(bg, in)
		must(t, "ListBuckets paged", err)
		for _, bk := range out.Buckets {
			paged = append(paged, *bk.Name)
		}
		if out.ContinuationToken == nil {
			break
		}
		in.ContinuationToken = out.ContinuationToken
	}
	if strings.Join(paged, ",") != "alpha,bravo.x,charlie" {
		t.Errorf("paged = %v", paged)
	}
	out, err = a.ListBuckets(bg, &s3.ListBucketsInput{Prefix: aws.String("b")})
	must(t, "ListBuckets prefix", err)
	if len(out.Buckets) != 1 || *out.Buckets[0].Name != "bravo.x" || aws.ToString(out.Prefix) != "b" {
		t.Errorf("prefix listing %+v", out.Buckets)
	}
	out, err = a.ListBuckets(bg, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1")})
	must(t, "ListBuckets region", err)
	if len(out.Buckets) != 0 {
		t.Errorf("eu-west-1 listing %+v", out.Buckets)
	}
	_, err = a.ListBuckets(bg, &s3.ListBucketsInput{MaxBuckets: aws.Int32(0)})
	wantCode(t, "max-buckets 0", err, "InvalidArgument", 400)
	_, err = a.ListBuckets(bg, &s3.ListBucketsInput{ContinuationToken: aws.String("!!")})
	wantCode(t, "bad token", err, "InvalidArgument", 400)

	h, err := a.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	must(t, "HeadBucket", err)
	if aws.ToString(h.BucketRegion) != "us-east-1" {
		t.Errorf("HeadBucket region %v", aws.ToString(h.BucketRegion))
	}
	loc, err := a.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	must(t, "GetBucketLocation", err)
	if loc.LocationConstraint != "" {
		t.Errorf("us-east-1 location %q, want empty", loc.LocationConstraint)
	}

	// DeleteBucket: the backend first (BucketNotEmpty passes through), then the registry.
	e.backend.objects["alpha/k"] = true
	_, err = a.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, "not empty", err, "BucketNotEmpty", 409)
	delete(e.backend.objects, "alpha/k")
	_, err = a.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	must(t, "DeleteBucket", err)
	if e.backend.buckets["alpha"] {
		t.Error("backend still has alpha")
	}
	_, err = a.HeadBucket(bg, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, "HeadBucket deleted", err, "NotFound", 404)
	_, err = a.DeleteBucket(bg, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, "DeleteBucket again", err, "NoSuchBucket", 404)
	// The name is free for any account again.
	_, err = b.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	must(t, "CreateBucket freed name", err)
}

func TestCreateBucketRules(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	for _, n := range []string{"ab", "Upper", "a..b", "-ab", "192.168.5.4", "xn--abc", "abc-s3alias", strings.Repeat("a", 64)} {
		_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String(n)})
		wantCode(t, "name "+n, err, "InvalidBucketName", 400)
	}
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("loc1"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantMessage(t, "eu-west-1 on us-east-1", err, "IllegalLocationConstraintException", "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.")
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("loc2"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	wantCode(t, "explicit us-east-1", err, "InvalidLocationConstraint", 400)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("loc3"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "nowhere"}})
	wantCode(t, "not a region", err, "InvalidLocationConstraint", 400)

	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("acl1"), ACL: types.BucketCannedACLPublicRead})
	wantMessage(t, "public-read with BucketOwnerEnforced", err, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("acl2"), GrantRead: aws.String("id=" + CanonicalUserID(acctB))})
	wantCode(t, "grant with BucketOwnerEnforced", err, "InvalidBucketAclWithObjectOwnership", 400)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("acl3"), ACL: types.BucketCannedACLPrivate})
	must(t, "private ACL", err)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("own1"), ObjectOwnership: "Nobody"})
	wantCode(t, "bad ownership", err, "InvalidArgument", 400)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("own2"), ObjectOwnership: types.ObjectOwnershipObjectWriter})
	must(t, "ObjectWriter", err)
	oc, err := a.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("own2")})
	must(t, "GetBucketOwnershipControls", err)
	if oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Errorf("ownership %v", oc.OwnershipControls.Rules[0].ObjectOwnership)
	}

	// A new bucket's defaults: all of Block Public Access on, ACLs disabled, SSE-S3.
	pab, err := a.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String("acl3")})
	must(t, "GetPublicAccessBlock", err)
	c := pab.PublicAccessBlockConfiguration
	if !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("new bucket's public access block %+v", c)
	}
	oc, err = a.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("acl3")})
	must(t, "GetBucketOwnershipControls", err)
	if oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("default ownership %v", oc.OwnershipControls.Rules[0].ObjectOwnership)
	}
	enc, err := a.GetBucketEncryption(bg, &s3.GetBucketEncryptionInput{Bucket: aws.String("acl3")})
	must(t, "GetBucketEncryption", err)
	if r := enc.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Errorf("encryption %+v", r)
	}
	ver, err := a.GetBucketVersioning(bg, &s3.GetBucketVersioningInput{Bucket: aws.String("acl3")})
	must(t, "GetBucketVersioning", err)
	if ver.Status != "" || ver.MFADelete != "" {
		t.Errorf("versioning %+v", ver)
	}
	_, err = a.PutBucketVersioning(bg, &s3.PutBucketVersioningInput{Bucket: aws.String("acl3"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	wantCode(t, "PutBucketVersioning", err, "NotImplemented", 501)

	// Tags given at creation are validated and kept.
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("tagged"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}}})
	wantCode(t, "aws: tag at creation", err, "InvalidTag", 400)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("tagged"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}})
	must(t, "tags at creation", err)
	tg, err := a.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged")})
	must(t, "GetBucketTagging", err)
	if len(tg.TagSet) != 1 || *tg.TagSet[0].Key != "team" {
		t.Errorf("tags %+v", tg.TagSet)
	}

	// A backend that fails gives the name back.
	e.backend.failNext = true
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("failing")})
	wantCode(t, "backend failure", err, "ServiceUnavailable", 503)
	if b, err := e.reg.Get(bg, "failing"); err != nil || b != nil {
		t.Errorf("registry kept a bucket the backend failed to make: %v %v", b, err)
	}
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("failing")})
	must(t, "CreateBucket after a failure", err)
}

func TestOtherRegion(t *testing.T) {
	e := newEnv(t, "eu-west-1")
	a := e.client(acctA, "eu-west-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("nolc")})
	wantMessage(t, "no constraint outside us-east-1", err, "IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("eubucket"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	must(t, "CreateBucket eu-west-1", err)
	_, err = a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("eubucket"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantCode(t, "owner re-creating outside us-east-1", err, "BucketAlreadyOwnedByYou", 409)
	loc, err := a.GetBucketLocation(bg, &s3.GetBucketLocationInput{Bucket: aws.String("eubucket")})
	must(t, "GetBucketLocation", err)
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("location %q", loc.LocationConstraint)
	}
}

func TestPublicAccessBlockAndOwnership(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("pab")})
	must(t, "CreateBucket", err)
	_, err = a.PutPublicAccessBlock(bg, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pab"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}})
	must(t, "PutPublicAccessBlock", err)
	got, err := a.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	must(t, "GetPublicAccessBlock", err)
	c := got.PublicAccessBlockConfiguration
	if !aws.ToBool(c.BlockPublicAcls) || aws.ToBool(c.IgnorePublicAcls) || aws.ToBool(c.BlockPublicPolicy) || aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("after Put: %+v", c)
	}
	_, err = a.DeletePublicAccessBlock(bg, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pab")})
	must(t, "DeletePublicAccessBlock", err)
	_, err = a.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	wantMessage(t, "deleted", err, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	res := e.raw("PUT", "/pab?publicAccessBlock", nil, `<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>`)
	if res.StatusCode != 400 {
		t.Errorf("non-boolean flag: %d", res.StatusCode)
	}
	res = e.raw("PUT", "/pab?publicAccessBlock", nil, ``)
	if res.StatusCode != 400 {
		t.Errorf("empty body: %d", res.StatusCode)
	}

	_, err = a.PutBucketOwnershipControls(bg, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("pab"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}})
	must(t, "PutBucketOwnershipControls", err)
	oc, err := a.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("pab")})
	must(t, "GetBucketOwnershipControls", err)
	if oc.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("ownership %v", oc.OwnershipControls.Rules[0].ObjectOwnership)
	}
	_, err = a.PutBucketOwnershipControls(bg, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("pab"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: "Other"}}}})
	wantCode(t, "bad ownership", err, "MalformedXML", 400)
	_, err = a.DeleteBucketOwnershipControls(bg, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("pab")})
	must(t, "DeleteBucketOwnershipControls", err)
	_, err = a.GetBucketOwnershipControls(bg, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("pab")})
	wantMessage(t, "deleted", err, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found")

	_, err = a.GetPublicAccessBlock(bg, &s3.GetPublicAccessBlockInput{Bucket: aws.String("nobucket")})
	wantCode(t, "no bucket", err, "NoSuchBucket", 404)
}

func TestACLs(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("acls")})
	must(t, "CreateBucket", err)
	acl, err := a.GetBucketAcl(bg, &s3.GetBucketAclInput{Bucket: aws.String("acls")})
	must(t, "GetBucketAcl", err)
	id := CanonicalUserID(acctA)
	if aws.ToString(acl.Owner.ID) != id || len(acl.Grants) != 1 || aws.ToString(acl.Grants[0].Grantee.ID) != id ||
		acl.Grants[0].Grantee.Type != types.TypeCanonicalUser || acl.Grants[0].Permission != types.PermissionFullControl {
		t.Errorf("GetBucketAcl = %+v %+v", acl.Owner, acl.Grants)
	}
	_, err = a.PutBucketAcl(bg, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: types.BucketCannedACLPrivate})
	must(t, "PutBucketAcl private", err)
	_, err = a.PutBucketAcl(bg, &s3.PutBucketAclInput{Bucket: aws.String("acls"), ACL: types.BucketCannedACLPublicRead})
	wantMessage(t, "PutBucketAcl public-read", err, "AccessControlListNotSupported", "The bucket does not allow ACLs")
	_, err = a.PutBucketAcl(bg, &s3.PutBucketAclInput{Bucket: aws.String("acls"), AccessControlPolicy: &types.AccessControlPolicy{
		Owner:  &types.Owner{ID: aws.String(id)},
		Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(id)}, Permission: types.PermissionFullControl}}}})
	must(t, "PutBucketAcl owner full control", err)
	_, err = a.PutBucketAcl(bg, &s3.PutBucketAclInput{Bucket: aws.String("acls"), AccessControlPolicy: &types.AccessControlPolicy{
		Owner:  &types.Owner{ID: aws.String(id)},
		Grants: []types.Grant{{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: types.PermissionRead}}}})
	wantCode(t, "PutBucketAcl AllUsers", err, "AccessControlListNotSupported", 400)

	_, err = a.GetObjectAcl(bg, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("dir/missing")})
	wantCode(t, "GetObjectAcl missing", err, "NoSuchKey", 404)
	e.backend.objects["acls/dir/k"] = true
	oacl, err := a.GetObjectAcl(bg, &s3.GetObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("dir/k")})
	must(t, "GetObjectAcl", err)
	if aws.ToString(oacl.Owner.ID) != id || len(oacl.Grants) != 1 {
		t.Errorf("GetObjectAcl = %+v", oacl)
	}
	if got := e.backend.lastCall(); got != "HEAD /acls/dir/k owner="+acctA {
		t.Errorf("backend call %q", got)
	}
	_, err = a.PutObjectAcl(bg, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("dir/k"), ACL: types.ObjectCannedACLBucketOwnerFullControl})
	must(t, "PutObjectAcl bucket-owner-full-control", err)
	_, err = a.PutObjectAcl(bg, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("dir/k"), ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, "PutObjectAcl public-read", err, "AccessControlListNotSupported", 400)
	_, err = a.PutObjectAcl(bg, &s3.PutObjectAclInput{Bucket: aws.String("acls"), Key: aws.String("nope"), ACL: types.ObjectCannedACLPrivate})
	wantCode(t, "PutObjectAcl missing", err, "NoSuchKey", 404)
}

func TestTagging(t *testing.T) {
	e := newEnv(t, "")
	a := e.client(acctA, "us-east-1")
	_, err := a.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("tags")})
	must(t, "CreateBucket", err)
	_, err = a.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	wantMessage(t, "no tags", err, "NoSuchTagSet", "The TagSet does not exist")
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	put := func(tags ...types.Tag) error {
		_, err := a.PutBucketTagging(bg, &s3.PutBucketTaggingInput{Bucket: aws.String("tags"), Tagging: &types.Tagging{TagSet: tags}})
		return err
	}
	must(t, "PutBucketTagging", put(tag("team", "blue"), tag("cost center", "a.b:c/d=e+f-g@h_i"), tag("empty", "")))
	got, err := a.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	must(t, "GetBucketTagging", err)
	if len(got.TagSet) != 3 || *got.TagSet[1].Key != "cost center" || *got.TagSet[2].Value != "" {
		t.Errorf("tags %+v", got.TagSet)
	}
	if b, _ := e.reg.Get(bg, "tags"); b == nil || len(b.Tags) != 3 || b.Tags[0] != (iam.Tag{Key: "team", Value: "blue"}) {
		t.Errorf("registry's tags %+v", b)
	}
	var many []types.Tag
	for i := range 51 {
		many = append(many, tag("k"+strings.Repeat("x", i), "v"))
	}
	for _, tc := range []struct {
		tags []types.Tag
		msg  string
	}{
		{many, "Bucket tag count cannot be greater than 50"},
		{[]types.Tag{tag("a", "1"), tag("a", "2")}, "Cannot provide multiple Tags with the same key"},
		{[]types.Tag{tag("aws:cloudformation:stack", "x")}, "System tags cannot be added/updated by requester"},
		{[]types.Tag{tag(strings.Repeat("k", 129), "x")}, "The TagKey you have provided is invalid"},
		{[]types.Tag{tag("k", strings.Repeat("v", 257))}, "The TagValue you have provided is invalid"},
		{[]types.Tag{tag("bad#key", "x")}, "The TagKey you have provided is invalid"},
	} {
		wantMessage(t, tc.msg, put(tc.tags...), "InvalidTag", tc.msg)
	}
	_, err = a.DeleteBucketTagging(bg, &s3.DeleteBucketTaggingInput{Bucket: aws.String("tags")})
	must(t, "DeleteBucketTagging", err)
	_, err = a.GetBucketTagging(bg, &s3.GetBucketTaggingInput{Bucket: aws.String("tags")})
	wantCode(t, "deleted", err, "NoSuchTagSet", 404)
}

func TestGetBucketRequestIDs(t *testing.T) {
	e := newEnv(t, "")
	res := e.raw("GET", "/nobucket?tagging", nil, "")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 404 || res.Header.Get("X-Amz-Request-Id") != "REQ1" || !strings.Contains(string(body), "<RequestId>REQ1</RequestId><HostId>HOST1</HostId>") ||
		!strings.Contains(string(body), "<BucketName>nobucket</BucketName>") {
		t.Errorf("%d %v %s", res.StatusCode, res.Header, body)
	}
}

// The cache answers from one generation: a write through the registry is seen at once.
func TestGetCachedPerGeneration(t *testing.T) {
	e := newEnv(t, "")
	if b, err := e.reg.Get(bg, "later"); err != nil || b != nil {
		t.Fatalf("Get absent = %v, %v", b, err)
	}
	must(t, "create", e.st.Write(bg, func(tx store.Tx) error {
		return tx.CreateBucket(bg, store.Bucket{Name: "later", Account: acctA, Region: "us-east-1", CreateDate: t0})
	}))
	b, err := e.reg.Get(bg, "later")
	if err != nil || b == nil || b.Account != acctA {
		t.Fatalf("Get after create = %v, %v", b, err)
	}
	if b2, _ := e.reg.Get(bg, "later"); b2 != b {
		t.Error("second Get in one generation read the store again")
	}
	if r := e.raw(http.MethodGet, "/later?location", nil, ""); r.StatusCode != 200 {
		t.Errorf("GetBucketLocation %d", r.StatusCode)
	}
}
