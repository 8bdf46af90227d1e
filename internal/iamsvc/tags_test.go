package iamsvc_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd/iamd/internal/iamtest"
)

// tagPage is one page of any List…Tags answer.
type tagPage struct {
	Tags        []iamtypes.Tag
	IsTruncated bool
	Marker      *string
}

// taggable is how the test reaches one entity kind's Tag, Untag and List…Tags.
type taggable struct {
	name string
	// foldsCase: the kind's tag keys are not case sensitive (users and roles, as the IAM User
	// Guide says); the other kinds' are.
	foldsCase bool
	create    func(t *testing.T, c *iamsdk.Client, name string) (id string)
	// createTagged creates the entity with tags in the Create… call itself.
	createTagged func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (id string, err error)
	missing      string // the id of an entity that does not exist
	wantMsg      string // its NoSuchEntity message
	tag          func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error
	untag        func(c *iamsdk.Client, id string, keys []string) error
	list         func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error)
}

// taggables lists the eight IAM entity kinds that carry tags.
func taggables() []taggable {
	return []taggable{
		{
			name:      "user",
			foldsCase: true,
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}))(t)
				return name
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				_, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Tags: tags})
				return name, err
			},
			missing: "nobody", wantMsg: "The user with name nobody cannot be found.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagUser(ctx, &iamsdk.TagUserInput{UserName: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagUser(ctx, &iamsdk.UntagUserInput{UserName: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListUserTags(ctx, &iamsdk.ListUserTagsInput{UserName: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name:      "role",
			foldsCase: true,
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				must(c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
				return name
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				_, err := c.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustEC2), Tags: tags})
				return name, err
			},
			missing: "nobody", wantMsg: "The role with name nobody cannot be found.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagRole(ctx, &iamsdk.TagRoleInput{RoleName: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagRole(ctx, &iamsdk.UntagRoleInput{RoleName: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListRoleTags(ctx, &iamsdk.ListRoleTagsInput{RoleName: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "managed policy",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				p := must(c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(allowAll)}))(t)
				return aws.ToString(p.Policy.Arn)
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				p, err := c.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(allowAll), Tags: tags})
				if err != nil {
					return "", err
				}
				return aws.ToString(p.Policy.Arn), nil
			},
			missing: "arn:aws:iam::" + iamtest.Account + ":policy/nobody",
			wantMsg: "Policy arn:aws:iam::" + iamtest.Account + ":policy/nobody was not found.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagPolicy(ctx, &iamsdk.UntagPolicyInput{PolicyArn: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "instance profile",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				must(c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String(name)}))(t)
				return name
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				_, err := c.CreateInstanceProfile(ctx, &iamsdk.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Tags: tags})
				return name, err
			},
			missing: "nobody", wantMsg: "Instance Profile nobody cannot be found.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagInstanceProfile(ctx, &iamsdk.TagInstanceProfileInput{InstanceProfileName: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagInstanceProfile(ctx, &iamsdk.UntagInstanceProfileInput{InstanceProfileName: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListInstanceProfileTags(ctx, &iamsdk.ListInstanceProfileTagsInput{InstanceProfileName: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "OIDC provider",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				p := must(c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
					Url: aws.String("https://" + name + ".example.com"), ClientIDList: []string{"app"}}))(t)
				return aws.ToString(p.OpenIDConnectProviderArn)
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				p, err := c.CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{
					Url: aws.String("https://" + name + ".example.com"), ClientIDList: []string{"app"}, Tags: tags})
				if err != nil {
					return "", err
				}
				return aws.ToString(p.OpenIDConnectProviderArn), nil
			},
			missing: "arn:aws:iam::" + iamtest.Account + ":oidc-provider/nobody.example.com",
			wantMsg: "OpenIDConnect Provider not found for arn arn:aws:iam::" + iamtest.Account + ":oidc-provider/nobody.example.com",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagOpenIDConnectProvider(ctx, &iamsdk.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagOpenIDConnectProvider(ctx, &iamsdk.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListOpenIDConnectProviderTags(ctx, &iamsdk.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "SAML provider",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				md, _ := samlFixture(t, "https://"+name+".example.com", "")
				p := must(c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(md)}))(t)
				return aws.ToString(p.SAMLProviderArn)
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				md, _ := samlFixture(t, "https://"+name+".example.com", "")
				p, err := c.CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String(name), SAMLMetadataDocument: aws.String(md), Tags: tags})
				if err != nil {
					return "", err
				}
				return aws.ToString(p.SAMLProviderArn), nil
			},
			missing: "arn:aws:iam::" + iamtest.Account + ":saml-provider/nobody",
			wantMsg: "Manifest not found for arn arn:aws:iam::" + iamtest.Account + ":saml-provider/nobody",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagSAMLProvider(ctx, &iamsdk.TagSAMLProviderInput{SAMLProviderArn: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagSAMLProvider(ctx, &iamsdk.UntagSAMLProviderInput{SAMLProviderArn: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListSAMLProviderTags(ctx, &iamsdk.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "MFA device",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				d := must(c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}))(t)
				return aws.ToString(d.VirtualMFADevice.SerialNumber)
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				d, err := c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name), Tags: tags})
				if err != nil {
					return "", err
				}
				return aws.ToString(d.VirtualMFADevice.SerialNumber), nil
			},
			missing: "arn:aws:iam::" + iamtest.Account + ":mfa/nobody",
			wantMsg: "MFA Device with serial number arn:aws:iam::" + iamtest.Account + ":mfa/nobody does not exist.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagMFADevice(ctx, &iamsdk.TagMFADeviceInput{SerialNumber: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagMFADevice(ctx, &iamsdk.UntagMFADeviceInput{SerialNumber: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListMFADeviceTags(ctx, &iamsdk.ListMFADeviceTagsInput{SerialNumber: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
		{
			name: "server certificate",
			create: func(t *testing.T, c *iamsdk.Client, name string) string {
				key := ecKey(t)
				body := testCert(t, key, name+".example.com", time.Now().Add(-time.Hour))
				der, err := x509.MarshalECPrivateKey(key)
				if err != nil {
					t.Fatal(err)
				}
				keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
				must(c.UploadServerCertificate(ctx, &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
					CertificateBody: aws.String(body), PrivateKey: aws.String(keyPEM)}))(t)
				return name
			},
			createTagged: func(t *testing.T, c *iamsdk.Client, name string, tags []iamtypes.Tag) (string, error) {
				key := ecKey(t)
				body := testCert(t, key, name+".example.com", time.Now().Add(-time.Hour))
				der, err := x509.MarshalECPrivateKey(key)
				if err != nil {
					t.Fatal(err)
				}
				keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
				_, err = c.UploadServerCertificate(ctx, &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
					CertificateBody: aws.String(body), PrivateKey: aws.String(keyPEM), Tags: tags})
				return name, err
			},
			missing: "nobody", wantMsg: "The Server Certificate with name nobody cannot be found.",
			tag: func(c *iamsdk.Client, id string, tags []iamtypes.Tag) error {
				_, err := c.TagServerCertificate(ctx, &iamsdk.TagServerCertificateInput{ServerCertificateName: aws.String(id), Tags: tags})
				return err
			},
			untag: func(c *iamsdk.Client, id string, keys []string) error {
				_, err := c.UntagServerCertificate(ctx, &iamsdk.UntagServerCertificateInput{ServerCertificateName: aws.String(id), TagKeys: keys})
				return err
			},
			list: func(c *iamsdk.Client, id string, marker *string, max *int32) (tagPage, error) {
				o, err := c.ListServerCertificateTags(ctx, &iamsdk.ListServerCertificateTagsInput{ServerCertificateName: aws.String(id), Marker: marker, MaxItems: max})
				if err != nil {
					return tagPage{}, err
				}
				return tagPage{o.Tags, o.IsTruncated, o.Marker}, nil
			},
		},
	}
}

// tagList makes n tags k<from>=v<from> … in order.
func tagList(from, n int) []iamtypes.Tag {
	out := make([]iamtypes.Tag, n)
	for i := range out {
		out[i] = iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", from+i)), Value: aws.String(fmt.Sprintf("v%02d", from+i))}
	}
	return out
}

func tag(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

// tagStrings renders tags as "k=v" for comparison.
func tagStrings(tags []iamtypes.Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = aws.ToString(t.Key) + "=" + aws.ToString(t.Value)
	}
	return out
}

// TestTagOperations runs the same tag scenarios against each of the eight taggable kinds, so
// that the kinds keep answering alike (and each with its own NoSuchEntity wording).
func TestTagOperations(t *testing.T) {
	const limitMsg = "The number of tags has reached the maximum limit."
	scenarios := []struct {
		name string
		run  func(t *testing.T, k taggable, c *iamsdk.Client, id string)
	}{
		{"tag merges; a key differing only in case is the same key for users and roles only", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			if err := k.tag(c, id, []iamtypes.Tag{tag("team", "red"), tag("env", "dev")}); err != nil {
				t.Fatal(err)
			}
			if err := k.tag(c, id, []iamtypes.Tag{tag("TEAM", "blue"), tag("cost", "")}); err != nil {
				t.Fatal(err)
			}
			p, err := k.list(c, id, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"team=red", "env=dev", "TEAM=blue", "cost="}
			if k.foldsCase {
				want = []string{"TEAM=blue", "env=dev", "cost="}
			}
			if diff := cmp.Diff(want, tagStrings(p.Tags)); diff != "" || p.IsTruncated || p.Marker != nil {
				t.Errorf("tags (-want +got):\n%s truncated %v marker %v", diff, p.IsTruncated, p.Marker)
			}
		}},
		{"untag ignores absent keys, and matches keys as the kind compares them", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			if err := k.tag(c, id, []iamtypes.Tag{tag("a", "1"), tag("b", "2"), tag("c", "3")}); err != nil {
				t.Fatal(err)
			}
			if err := k.untag(c, id, []string{"absent"}); err != nil {
				t.Fatalf("untag of an absent key: %v", err)
			}
			if err := k.untag(c, id, []string{"B", "also-absent", "c"}); err != nil {
				t.Fatal(err)
			}
			p, err := k.list(c, id, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"a=1", "b=2"}
			if k.foldsCase {
				want = []string{"a=1"}
			}
			if diff := cmp.Diff(want, tagStrings(p.Tags)); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		}},
		{"list of an untagged entity is empty, not absent", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			p, err := k.list(c, id, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Tags == nil || len(p.Tags) != 0 || p.IsTruncated {
				t.Errorf("page = %+v, want an empty Tags list", p)
			}
		}},
		{"list pages with Marker and MaxItems", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			if err := k.tag(c, id, tagList(0, 5)); err != nil {
				t.Fatal(err)
			}
			var got []string
			var marker *string
			for _, want := range []struct {
				n     int
				trunc bool
			}{{2, true}, {2, true}, {1, false}} {
				p, err := k.list(c, id, marker, aws.Int32(2))
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Tags) != want.n || p.IsTruncated != want.trunc || (p.Marker != nil) != want.trunc {
					t.Fatalf("page = %v truncated %v marker %v, want %d tags truncated %v", tagStrings(p.Tags), p.IsTruncated, p.Marker, want.n, want.trunc)
				}
				got = append(got, tagStrings(p.Tags)...)
				marker = p.Marker
			}
			if diff := cmp.Diff(tagStrings(tagList(0, 5)), got); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		}},
		{"list refuses a foreign marker", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			_, err := k.list(c, id, aws.String("not-a-marker"), nil)
			wantErr(t, err, "InvalidInput", "Invalid Marker.")
		}},
		{"tag up to 50, then one more is over the limit", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			if err := k.tag(c, id, tagList(0, 30)); err != nil {
				t.Fatal(err)
			}
			if err := k.tag(c, id, tagList(30, 20)); err != nil {
				t.Fatalf("tags 31–50: %v", err)
			}
			wantErr(t, k.tag(c, id, tagList(50, 1)), "LimitExceeded", limitMsg)
			// Replacing an existing key does not count as one more.
			if err := k.tag(c, id, []iamtypes.Tag{tag("k00", "new")}); err != nil {
				t.Fatalf("replace at the limit: %v", err)
			}
			p, err := k.list(c, id, nil, aws.Int32(100))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Tags) != 50 || tagStrings(p.Tags)[0] != "k00=new" {
				t.Errorf("after the refused tag: %d tags, first %v", len(p.Tags), tagStrings(p.Tags[:1]))
			}
		}},
		{"more than 50 tags in one request", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			err := k.tag(c, id, tagList(0, 51))
			wantErr(t, err, "ValidationError", "")
			if !strings.Contains(err.Error(), "Member must have length less than or equal to 50") {
				t.Errorf("error = %v", err)
			}
		}},
		{"duplicate keys in one request", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			err := k.tag(c, id, []iamtypes.Tag{tag("dup", "1"), tag("DUP", "2")})
			if k.foldsCase {
				wantErr(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
				return
			}
			if err != nil {
				t.Fatalf("keys differing in case, case-sensitive kind: %v", err)
			}
			wantErr(t, k.tag(c, id, []iamtypes.Tag{tag("same", "1"), tag("same", "2")}), "InvalidInput", "Duplicate tag keys found.")
		}},
		{"key and value lengths", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			if err := k.tag(c, id, []iamtypes.Tag{tag(strings.Repeat("k", 128), strings.Repeat("v", 256))}); err != nil {
				t.Fatalf("longest key and value: %v", err)
			}
			wantErr(t, k.tag(c, id, []iamtypes.Tag{tag(strings.Repeat("k", 129), "v")}), "ValidationError", "")
			wantErr(t, k.tag(c, id, []iamtypes.Tag{tag("k", strings.Repeat("v", 257))}), "ValidationError", "")
			wantErr(t, k.tag(c, id, []iamtypes.Tag{tag("", "v")}), "ValidationError", "")
		}},
		{"keys and values beginning with aws: are refused, in any case", func(t *testing.T, k taggable, c *iamsdk.Client, id string) {
			const rest = "tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use."
			for _, tc := range []struct {
				tags    []iamtypes.Tag
				wantMsg string
			}{
				{[]iamtypes.Tag{tag("aws:team", "red")}, "Tag key 'aws:team' is invalid: " + rest},
				{[]iamtypes.Tag{tag("AWS:team", "red")}, "Tag key 'AWS:team' is invalid: " + rest},
				{[]iamtypes.Tag{tag("team", "Aws:red")}, "Tag value 'Aws:red' of key 'team' is invalid: " + rest},
				// One bad tag fails the whole request: the good one is not added either.
				{[]iamtypes.Tag{tag("good", "1"), tag("aWs:x", "")}, "Tag key 'aWs:x' is invalid: " + rest},
			} {
				wantErr(t, k.tag(c, id, tc.tags), "InvalidInput", tc.wantMsg)
			}
			p, err := k.list(c, id, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Tags) != 0 {
				t.Errorf("tags after refused requests = %v, want none", tagStrings(p.Tags))
			}
			// aws without the colon, and aws: other than at the start, are ordinary text.
			if err := k.tag(c, id, []iamtypes.Tag{tag("aws", "aws"), tag("awsteam", "x:aws:y")}); err != nil {
				t.Errorf("tags that only look reserved: %v", err)
			}
		}},
		{"missing entity", func(t *testing.T, k taggable, c *iamsdk.Client, _ string) {
			wantErr(t, k.tag(c, k.missing, []iamtypes.Tag{tag("a", "1")}), "NoSuchEntity", k.wantMsg)
			wantErr(t, k.untag(c, k.missing, []string{"a"}), "NoSuchEntity", k.wantMsg)
			_, err := k.list(c, k.missing, nil, nil)
			wantErr(t, err, "NoSuchEntity", k.wantMsg)
		}},
	}
	for _, k := range taggables() {
		t.Run(k.name, func(t *testing.T) {
			h, _ := harnessWithKeyring(t)
			c := iamtest.IAM(h.Root())
			for i, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					sc.run(t, k, c, k.create(t, c, fmt.Sprintf("tagged%d", i)))
				})
			}
		})
	}
}

// TestCreateWithReservedTags checks that each kind's Create… call refuses tags beginning with
// aws: as its Tag… call does, and creates nothing when it does.
func TestCreateWithReservedTags(t *testing.T) {
	const rest = "tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use."
	cases := []struct {
		name    string
		tags    []iamtypes.Tag
		wantMsg string
	}{
		{"reserved key", []iamtypes.Tag{tag("team", "red"), tag("aws:cloudformation:stack-name", "s")}, "Tag key 'aws:cloudformation:stack-name' is invalid: " + rest},
		{"reserved key in upper case", []iamtypes.Tag{tag("AWS:team", "red")}, "Tag key 'AWS:team' is invalid: " + rest},
		{"reserved value", []iamtypes.Tag{tag("team", "aws:red")}, "Tag value 'aws:red' of key 'team' is invalid: " + rest},
	}
	for _, k := range taggables() {
		t.Run(k.name, func(t *testing.T) {
			h, _ := harnessWithKeyring(t)
			c := iamtest.IAM(h.Root())
			for i, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					name := fmt.Sprintf("reserved%d", i)
					_, err := k.createTagged(t, c, name, tc.tags)
					wantErr(t, err, "InvalidInput", tc.wantMsg)
					// Nothing was created: the same name is free, and takes good tags.
					id, err := k.createTagged(t, c, name, []iamtypes.Tag{tag("team", "red")})
					if err != nil {
						t.Fatalf("create after the refused one: %v", err)
					}
					p, err := k.list(c, id, nil, nil)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff([]string{"team=red"}, tagStrings(p.Tags)); diff != "" {
						t.Errorf("tags (-want +got):\n%s", diff)
					}
				})
			}
		})
	}
}

// TestAWSManagedPolicyTags checks the one kind whose read and write differ in reach: an AWS
// managed policy's tags can be listed by any account but not changed.
func TestAWSManagedPolicyTags(t *testing.T) {
	_, c := newClient(t)
	const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	p := must(c.ListPolicyTags(ctx, &iamsdk.ListPolicyTagsInput{PolicyArn: aws.String(arn)}))(t)
	if p.Tags == nil || len(p.Tags) != 0 {
		t.Errorf("tags = %v, want an empty list", p.Tags)
	}
	_, err := c.TagPolicy(ctx, &iamsdk.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{tag("k", "v")}})
	wantErr(t, err, "AccessDenied", "You cannot modify an AWS managed policy.")
	_, err = c.UntagPolicy(ctx, &iamsdk.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: []string{"k"}})
	wantErr(t, err, "AccessDenied", "You cannot modify an AWS managed policy.")
}
