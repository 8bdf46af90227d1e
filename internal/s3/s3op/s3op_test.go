package s3op

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

const testDomain = "s3.iamd.test"

type tcase struct {
	method, host, uri string
	header            map[string]string
	name              string   // the operation; "" when an error is wanted
	access            []string // "action resource", in order
	keys              []string // "name=v1,v2" of Access[0]'s keys, in order
	err               string   // the error code wanted
	gateway           bool
}

func request(tc tcase) *http.Request {
	r := httptest.NewRequest(tc.method, "http://x"+tc.uri, nil)
	r.Host = tc.host
	if r.Host == "" {
		r.Host = testDomain
	}
	for k, v := range tc.header {
		r.Header.Set(k, v)
	}
	return r
}

func accessStrings(op *Op) []string {
	var s []string
	for _, a := range op.Access {
		x := a.Action + " " + a.Resource
		if a.PerKey {
			x += " perkey"
		}
		s = append(s, x)
	}
	return s
}

func keyStrings(keys []Key) []string {
	var s []string
	for _, k := range keys {
		s = append(s, k.Name+"="+strings.Join(k.Values, ","))
	}
	return s
}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.host+tc.uri, func(t *testing.T) {
			op, err := Classify(request(tc), testDomain)
			if tc.err != "" {
				if err == nil || err.Code != tc.err {
					t.Fatalf("got %+v, %v; want %s", op, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if op.Name != tc.name {
				t.Errorf("name %s, want %s", op.Name, tc.name)
			}
			if got := accessStrings(op); tc.access != nil && !slices.Equal(got, tc.access) {
				t.Errorf("access\n got %q\nwant %q", got, tc.access)
			}
			if tc.keys != nil {
				var got []string
				if len(op.Access) > 0 {
					got = keyStrings(op.Access[0].Keys)
				}
				if !slices.Equal(got, tc.keys) {
					t.Errorf("keys\n got %q\nwant %q", got, tc.keys)
				}
			}
			if op.Gateway != tc.gateway {
				t.Errorf("gateway %v, want %v", op.Gateway, tc.gateway)
			}
			checkAccess(t, op)
		})
	}
}

const (
	bARN = "arn:aws:s3:::b"
	kARN = "arn:aws:s3:::b/k"
)

func TestSelection(t *testing.T) {
	g := func(name string, method, uri, action string) tcase {
		return tcase{method: method, uri: uri, name: name, access: []string{action + " " + bARN}, gateway: true}
	}
	bk := func(name string, method, uri, action string) tcase {
		return tcase{method: method, uri: uri, name: name, access: []string{action + " " + bARN}}
	}
	ob := func(name string, method, uri string, access ...string) tcase {
		return tcase{method: method, uri: uri, name: name, access: access}
	}
	run(t, []tcase{
		{method: "GET", uri: "/", name: "ListBuckets", access: []string{"s3:ListAllMyBuckets *"}, gateway: true},
		{method: "OPTIONS", uri: "/b/k", name: "PreflightRequest"},
		{method: "OPTIONS", uri: "/b", name: "PreflightRequest"},
		bk("ListObjectsV2", "GET", "/b?list-type=2", "s3:ListBucket"),
		bk("ListObjects", "GET", "/b", "s3:ListBucket"),
		bk("ListObjects", "GET", "/b/", "s3:ListBucket"),
		bk("ListObjectVersions", "GET", "/b?versions", "s3:ListBucketVersions"),
		bk("ListMultipartUploads", "GET", "/b?uploads", "s3:ListBucketMultipartUploads"),
		g("HeadBucket", "HEAD", "/b", "s3:ListBucket"),
		{method: "PUT", uri: "/bbb", name: "CreateBucket", access: []string{"s3:CreateBucket arn:aws:s3:::bbb"}, gateway: true},
		g("DeleteBucket", "DELETE", "/b", "s3:DeleteBucket"),
		g("GetBucketLocation", "GET", "/b?location", "s3:GetBucketLocation"),
		g("GetBucketPolicy", "GET", "/b?policy", "s3:GetBucketPolicy"),
		g("PutBucketPolicy", "PUT", "/b?policy", "s3:PutBucketPolicy"),
		g("DeleteBucketPolicy", "DELETE", "/b?policy", "s3:DeleteBucketPolicy"),
		g("GetBucketPolicyStatus", "GET", "/b?policyStatus", "s3:GetBucketPolicyStatus"),
		g("GetPublicAccessBlock", "GET", "/b?publicAccessBlock", "s3:GetBucketPublicAccessBlock"),
		g("PutPublicAccessBlock", "PUT", "/b?publicAccessBlock", "s3:PutBucketPublicAccessBlock"),
		g("DeletePublicAccessBlock", "DELETE", "/b?publicAccessBlock", "s3:PutBucketPublicAccessBlock"),
		g("GetBucketOwnershipControls", "GET", "/b?ownershipControls", "s3:GetBucketOwnershipControls"),
		g("PutBucketOwnershipControls", "PUT", "/b?ownershipControls", "s3:PutBucketOwnershipControls"),
		g("DeleteBucketOwnershipControls", "DELETE", "/b?ownershipControls", "s3:PutBucketOwnershipControls"),
		g("GetBucketAcl", "GET", "/b?acl", "s3:GetBucketAcl"),
		g("PutBucketAcl", "PUT", "/b?acl", "s3:PutBucketAcl"),
		g("GetBucketTagging", "GET", "/b?tagging", "s3:GetBucketTagging"),
		g("PutBucketTagging", "PUT", "/b?tagging", "s3:PutBucketTagging"),
		g("DeleteBucketTagging", "DELETE", "/b?tagging", "s3:PutBucketTagging"),
		g("GetBucketCors", "GET", "/b?cors", "s3:GetBucketCORS"),
		g("PutBucketCors", "PUT", "/b?cors", "s3:PutBucketCORS"),
		g("DeleteBucketCors", "DELETE", "/b?cors", "s3:PutBucketCORS"),
		g("GetBucketVersioning", "GET", "/b?versioning", "s3:GetBucketVersioning"),
		g("PutBucketVersioning", "PUT", "/b?versioning", "s3:PutBucketVersioning"),
		g("GetBucketEncryption", "GET", "/b?encryption", "s3:GetEncryptionConfiguration"),
		g("PutBucketEncryption", "PUT", "/b?encryption", "s3:PutEncryptionConfiguration"),
		g("DeleteBucketEncryption", "DELETE", "/b?encryption", "s3:PutEncryptionConfiguration"),
		bk("GetBucketLifecycleConfiguration", "GET", "/b?lifecycle", "s3:GetLifecycleConfiguration"),
		bk("PutBucketLifecycleConfiguration", "PUT", "/b?lifecycle", "s3:PutLifecycleConfiguration"),
		bk("DeleteBucketLifecycle", "DELETE", "/b?lifecycle", "s3:PutLifecycleConfiguration"),
		bk("GetBucketWebsite", "GET", "/b?website", "s3:GetBucketWebsite"),
		bk("PutBucketWebsite", "PUT", "/b?website", "s3:PutBucketWebsite"),
		bk("DeleteBucketWebsite", "DELETE", "/b?website", "s3:DeleteBucketWebsite"),
		bk("GetBucketLogging", "GET", "/b?logging", "s3:GetBucketLogging"),
		bk("PutBucketLogging", "PUT", "/b?logging", "s3:PutBucketLogging"),
		bk("GetBucketNotificationConfiguration", "GET", "/b?notification", "s3:GetBucketNotification"),
		bk("PutBucketNotificationConfiguration", "PUT", "/b?notification", "s3:PutBucketNotification"),
		bk("GetObjectLockConfiguration", "GET", "/b?object-lock", "s3:GetBucketObjectLockConfiguration"),
		bk("PutObjectLockConfiguration", "PUT", "/b?object-lock", "s3:PutBucketObjectLockConfiguration"),
		bk("GetBucketReplication", "GET", "/b?replication", "s3:GetReplicationConfiguration"),
		bk("PutBucketReplication", "PUT", "/b?replication", "s3:PutReplicationConfiguration"),
		bk("DeleteBucketReplication", "DELETE", "/b?replication", "s3:PutReplicationConfiguration"),
		bk("GetBucketRequestPayment", "GET", "/b?requestPayment", "s3:GetBucketRequestPayment"),
		bk("PutBucketRequestPayment", "PUT", "/b?requestPayment", "s3:PutBucketRequestPayment"),
		bk("GetBucketAccelerateConfiguration", "GET", "/b?accelerate", "s3:GetAccelerateConfiguration"),
		bk("PutBucketAccelerateConfiguration", "PUT", "/b?accelerate", "s3:PutAccelerateConfiguration"),
		bk("GetBucketAnalyticsConfiguration", "GET", "/b?analytics&id=x", "s3:GetAnalyticsConfiguration"),
		bk("ListBucketAnalyticsConfigurations", "GET", "/b?analytics", "s3:GetAnalyticsConfiguration"),
		bk("PutBucketAnalyticsConfiguration", "PUT", "/b?analytics&id=x", "s3:PutAnalyticsConfiguration"),
		bk("DeleteBucketAnalyticsConfiguration", "DELETE", "/b?analytics&id=x", "s3:PutAnalyticsConfiguration"),
		bk("GetBucketInventoryConfiguration", "GET", "/b?inventory&id=x", "s3:GetInventoryConfiguration"),
		bk("ListBucketInventoryConfigurations", "GET", "/b?inventory&continuation-token=t", "s3:GetInventoryConfiguration"),
		bk("PutBucketInventoryConfiguration", "PUT", "/b?inventory&id=x", "s3:PutInventoryConfiguration"),
		bk("DeleteBucketInventoryConfiguration", "DELETE", "/b?inventory&id=x", "s3:PutInventoryConfiguration"),
		bk("GetBucketMetricsConfiguration", "GET", "/b?metrics&id=x", "s3:GetMetricsConfiguration"),
		bk("ListBucketMetricsConfigurations", "GET", "/b?metrics", "s3:GetMetricsConfiguration"),
		bk("PutBucketMetricsConfiguration", "PUT", "/b?metrics&id=x", "s3:PutMetricsConfiguration"),
		bk("DeleteBucketMetricsConfiguration", "DELETE", "/b?metrics&id=x", "s3:PutMetricsConfiguration"),
		bk("GetBucketIntelligentTieringConfiguration", "GET", "/b?intelligent-tiering&id=x", "s3:GetIntelligentTieringConfiguration"),
		bk("ListBucketIntelligentTieringConfigurations", "GET", "/b?intelligent-tiering", "s3:GetIntelligentTieringConfiguration"),
		bk("PutBucketIntelligentTieringConfiguration", "PUT", "/b?intelligent-tiering&id=x", "s3:PutIntelligentTieringConfiguration"),
		bk("DeleteBucketIntelligentTieringConfiguration", "DELETE", "/b?intelligent-tiering&id=x", "s3:PutIntelligentTieringConfiguration"),
		bk("GetBucketAbac", "GET", "/b?abac", "s3:GetBucketAbac"),
		bk("PutBucketAbac", "PUT", "/b?abac", "s3:PutBucketAbac"),
		bk("GetBucketMetadataTableConfiguration", "GET", "/b?metadataTable", "s3:GetBucketMetadataTableConfiguration"),
		bk("CreateBucketMetadataTableConfiguration", "POST", "/b?metadataTable", "s3:CreateBucketMetadataTableConfiguration"),
		bk("DeleteBucketMetadataTableConfiguration", "DELETE", "/b?metadataTable", "s3:DeleteBucketMetadataTableConfiguration"),
		bk("GetBucketMetadataConfiguration", "GET", "/b?metadataConfiguration", "s3:GetBucketMetadataTableConfiguration"),
		bk("CreateBucketMetadataConfiguration", "POST", "/b?metadataConfiguration", "s3:CreateBucketMetadataTableConfiguration"),
		bk("DeleteBucketMetadataConfiguration", "DELETE", "/b?metadataConfiguration", "s3:DeleteBucketMetadataTableConfiguration"),
		bk("UpdateBucketMetadataJournalTableConfiguration", "PUT", "/b?metadataJournalTable", "s3:UpdateBucketMetadataJournalTableConfiguration"),
		bk("UpdateBucketMetadataInventoryTableConfiguration", "PUT", "/b?metadataInventoryTable", "s3:UpdateBucketMetadataInventoryTableConfiguration"),
		{method: "POST", uri: "/b?delete", name: "DeleteObjects", access: []string{"s3:DeleteObject " + bARN + " perkey"}},
		{method: "POST", uri: "/b", header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, name: "PostObject", access: []string{"s3:PutObject " + bARN + " perkey"}},

		ob("GetObject", "GET", "/b/k", "s3:GetObject "+kARN),
		ob("HeadObject", "HEAD", "/b/k", "s3:GetObject "+kARN),
		ob("PutObject", "PUT", "/b/k", "s3:PutObject "+kARN),
		ob("DeleteObject", "DELETE", "/b/k", "s3:DeleteObject "+kARN),
		{method: "PUT", uri: "/b/k", header: copyFrom, name: "CopyObject", access: []string{"s3:PutObject " + kARN, "s3:GetObject arn:aws:s3:::src/a/b"}},
		ob("CreateMultipartUpload", "POST", "/b/k?uploads", "s3:PutObject "+kARN),
		ob("UploadPart", "PUT", "/b/k?partNumber=3&uploadId=u", "s3:PutObject "+kARN),
		{method: "PUT", uri: "/b/k?partNumber=3&uploadId=u", header: copyFrom, name: "UploadPartCopy", access: []string{"s3:PutObject " + kARN, "s3:GetObject arn:aws:s3:::src/a/b"}},
		ob("CompleteMultipartUpload", "POST", "/b/k?uploadId=u", "s3:PutObject "+kARN),
		ob("AbortMultipartUpload", "DELETE", "/b/k?uploadId=u", "s3:AbortMultipartUpload "+kARN),
		ob("ListParts", "GET", "/b/k?uploadId=u", "s3:ListMultipartUploadParts "+kARN),
		ob("GetObjectTagging", "GET", "/b/k?tagging", "s3:GetObjectTagging "+kARN),
		ob("PutObjectTagging", "PUT", "/b/k?tagging", "s3:PutObjectTagging "+kARN),
		ob("DeleteObjectTagging", "DELETE", "/b/k?tagging", "s3:DeleteObjectTagging "+kARN),
		ob("GetObjectAttributes", "GET", "/b/k?attributes", "s3:GetObject "+kARN, "s3:GetObjectAttributes "+kARN),
		ob("GetObjectLegalHold", "GET", "/b/k?legal-hold", "s3:GetObjectLegalHold "+kARN),
		ob("PutObjectLegalHold", "PUT", "/b/k?legal-hold", "s3:PutObjectLegalHold "+kARN),
		ob("GetObjectRetention", "GET", "/b/k?retention", "s3:GetObjectRetention "+kARN),
		ob("PutObjectRetention", "PUT", "/b/k?retention", "s3:PutObjectRetention "+kARN),
		ob("GetObjectTorrent", "GET", "/b/k?torrent", "s3:GetObjectTorrent "+kARN),
		ob("RestoreObject", "POST", "/b/k?restore", "s3:RestoreObject "+kARN),
		ob("SelectObjectContent", "POST", "/b/k?select&select-type=2", "s3:GetObject "+kARN),
		ob("UpdateObjectEncryption", "PUT", "/b/k?encryption", "s3:UpdateObjectEncryption "+kARN, "s3:PutObject "+kARN),
		{method: "GET", uri: "/b/k?acl", name: "GetObjectAcl", access: []string{"s3:GetObjectAcl " + kARN}, gateway: true},
		{method: "PUT", uri: "/b/k?acl", name: "PutObjectAcl", access: []string{"s3:PutObjectAcl " + kARN}, gateway: true},
	})
}

var copyFrom = map[string]string{"X-Amz-Copy-Source": "/src/a%2Fb"}

func TestNotImplemented(t *testing.T) {
	for _, name := range notImplemented {
		if _, ok := table[name]; ok {
			t.Errorf("%s is declared and listed as not implemented", name)
		}
	}
	run(t, []tcase{
		{method: "GET", uri: "/b?session", err: "NotImplemented"},
		{method: "PUT", uri: "/b/k?renameObject", err: "NotImplemented"},
		{method: "GET", uri: "/b/k?annotation", err: "NotImplemented"},
		{method: "PATCH", uri: "/b/k", err: "NotImplemented"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "arn:aws:s3:us-east-1:1:accesspoint/ap/object/k"}, err: "NotImplemented"},
	})
}

func TestVersionsAndDependents(t *testing.T) {
	v := []string{"s3:versionid=v1"}
	run(t, []tcase{
		{method: "GET", uri: "/b/k?versionId=v1", name: "GetObject", access: []string{"s3:GetObjectVersion " + kARN}, keys: v},
		{method: "HEAD", uri: "/b/k?versionId=v1", name: "HeadObject", access: []string{"s3:GetObjectVersion " + kARN}, keys: v},
		{method: "DELETE", uri: "/b/k?versionId=v1", name: "DeleteObject", access: []string{"s3:DeleteObjectVersion " + kARN}, keys: v},
		{method: "GET", uri: "/b/k?tagging&versionId=v1", name: "GetObjectTagging", access: []string{"s3:GetObjectVersionTagging " + kARN}},
		{method: "PUT", uri: "/b/k?tagging&versionId=v1", name: "PutObjectTagging", access: []string{"s3:PutObjectVersionTagging " + kARN}},
		{method: "DELETE", uri: "/b/k?tagging&versionId=v1", name: "DeleteObjectTagging", access: []string{"s3:DeleteObjectVersionTagging " + kARN}},
		{method: "GET", uri: "/b/k?acl&versionId=v1", name: "GetObjectAcl", access: []string{"s3:GetObjectVersionAcl " + kARN}, gateway: true},
		{method: "PUT", uri: "/b/k?acl&versionId=v1", header: map[string]string{"X-Amz-Acl": "private"}, name: "PutObjectAcl",
			access: []string{"s3:PutObjectVersionAcl " + kARN}, keys: []string{"s3:x-amz-acl=private", "s3:versionid=v1"}, gateway: true},
		{method: "GET", uri: "/b/k?attributes&versionId=v1", name: "GetObjectAttributes", access: []string{"s3:GetObjectVersion " + kARN, "s3:GetObjectVersionAttributes " + kARN}},
		{method: "PUT", uri: "/b/k?retention&versionId=v1", header: map[string]string{"X-Amz-Bypass-Governance-Retention": "true"}, name: "PutObjectRetention",
			access: []string{"s3:PutObjectRetention " + kARN, "s3:BypassGovernanceRetention " + kARN}, keys: v},
		{method: "DELETE", uri: "/b/k", header: map[string]string{"X-Amz-Bypass-Governance-Retention": "TRUE"}, name: "DeleteObject",
			access: []string{"s3:DeleteObject " + kARN, "s3:BypassGovernanceRetention " + kARN}},
		{method: "POST", uri: "/b?delete", header: map[string]string{"X-Amz-Bypass-Governance-Retention": "true"}, name: "DeleteObjects",
			access: []string{"s3:DeleteObject " + bARN + " perkey", "s3:BypassGovernanceRetention " + bARN + " perkey"}},
		{method: "PUT", uri: "/b/k", header: map[string]string{
			"X-Amz-Tagging": "b=2&a=x%20y", "X-Amz-Acl": "public-read", "X-Amz-Grant-Read": "id=1",
			"X-Amz-Object-Lock-Mode": "GOVERNANCE", "X-Amz-Object-Lock-Retain-Until-Date": "2030-01-01T00:00:00Z", "X-Amz-Object-Lock-Legal-Hold": "ON",
			"X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "key-1",
			"X-Amz-Storage-Class": "STANDARD_IA", "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD", "If-None-Match": "*",
		}, name: "PutObject",
			access: []string{"s3:PutObject " + kARN, "s3:PutObjectTagging " + kARN, "s3:PutObjectAcl " + kARN, "s3:PutObjectRetention " + kARN, "s3:PutObjectLegalHold " + kARN},
			keys: []string{"s3:x-amz-acl=public-read", "s3:x-amz-grant-read=id=1",
				"s3:x-amz-server-side-encryption=aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id=key-1",
				"s3:x-amz-storage-class=STANDARD_IA", "s3:RequestObjectTag/a=x y", "s3:RequestObjectTag/b=2", "s3:RequestObjectTagKeys=a,b",
				"s3:object-lock-mode=GOVERNANCE", "s3:object-lock-retain-until-date=2030-01-01T00:00:00Z", "s3:object-lock-legal-hold=ON",
				"s3:if-none-match=*", "s3:x-amz-content-sha256=UNSIGNED-PAYLOAD"}},
		{method: "POST", uri: "/b/k?uploads", header: map[string]string{"X-Amz-Tagging": "a=1"}, name: "CreateMultipartUpload",
			access: []string{"s3:PutObject " + kARN, "s3:PutObjectTagging " + kARN}},
		// A copy's tags are the source's unless the directive replaces them.
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src/a%2Fb?versionId=v2", "X-Amz-Tagging": "a=1", "X-Amz-Metadata-Directive": "REPLACE"},
			name: "CopyObject", access: []string{"s3:PutObject " + kARN, "s3:GetObjectVersion arn:aws:s3:::src/a/b"},
			keys: []string{"s3:x-amz-copy-source=src/a/b", "s3:x-amz-metadata-directive=REPLACE"}},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "/src/a", "X-Amz-Tagging": "a=1", "X-Amz-Tagging-Directive": "REPLACE"},
			name: "CopyObject", access: []string{"s3:PutObject " + kARN, "s3:PutObjectTagging " + kARN, "s3:GetObject arn:aws:s3:::src/a"}},
		{method: "PUT", uri: "/b/k?partNumber=1&uploadId=u", header: map[string]string{"X-Amz-Copy-Source": "src/a"}, name: "UploadPartCopy",
			keys: []string{"s3:x-amz-copy-source=src/a"}},
		{method: "PUT", uri: "/bbb", header: map[string]string{"X-Amz-Acl": "private", "X-Amz-Object-Ownership": "BucketOwnerEnforced", "X-Amz-Bucket-Object-Lock-Enabled": "true"},
			name: "CreateBucket", gateway: true,
			access: []string{"s3:CreateBucket arn:aws:s3:::bbb", "s3:PutBucketAcl arn:aws:s3:::bbb", "s3:PutBucketOwnershipControls arn:aws:s3:::bbb",
				"s3:PutBucketObjectLockConfiguration arn:aws:s3:::bbb", "s3:PutBucketVersioning arn:aws:s3:::bbb"},
			keys: []string{"s3:x-amz-acl=private", "s3:x-amz-object-ownership=BucketOwnerEnforced"}},
		{method: "GET", uri: "/b?list-type=2&prefix=a%2F&delimiter=%2F&max-keys=10", name: "ListObjectsV2",
			keys: []string{"s3:prefix=a/", "s3:delimiter=/", "s3:max-keys=10"}},
		{method: "GET", uri: "/b?prefix=", name: "ListObjects", keys: []string{"s3:prefix="}},
		{method: "GET", uri: "/b?versions&max-keys=0", name: "ListObjectVersions", keys: []string{"s3:max-keys=0"}},
		{method: "GET", uri: "/b", name: "ListObjects", keys: []string{}},
	})
}

func TestRouting(t *testing.T) {
	cases := []struct {
		host, uri           string
		style               Style
		bucket, key         string
		name                string
		escapedForBackendAs string
	}{
		{testDomain, "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{testDomain + ":9000", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"bucket.s3.iamd.test", "/k", VirtualHosted, "bucket", "k", "GetObject", "/bucket/k"},
		{"Bucket.S3.IAMD.test:443", "/k", VirtualHosted, "bucket", "k", "GetObject", "/bucket/k"},
		{"my.dotted.bucket.s3.iamd.test", "/", VirtualHosted, "my.dotted.bucket", "", "ListObjects", "/my.dotted.bucket"},
		{"s3.s3.iamd.test", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"s3.us-east-1.s3.iamd.test", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"s3.dualstack.eu-west-3.s3.iamd.test", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"other.example", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"127.0.0.1:8080", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{"[::1]:8080", "/b/k", PathStyle, "b", "k", "GetObject", "/b/k"},
		{testDomain, "/b/a//b", PathStyle, "b", "a//b", "GetObject", "/b/a//b"},
		{testDomain, "/b/./x", PathStyle, "b", "./x", "GetObject", "/b/./x"},
		{testDomain, "/b/../x", PathStyle, "b", "../x", "GetObject", "/b/../x"},
		{testDomain, "/b/a%2Fb", PathStyle, "b", "a/b", "GetObject", "/b/a/b"},
		{testDomain, "/b/a%20b+c%25", PathStyle, "b", "a b+c%", "GetObject", "/b/a%20b%2Bc%25"},
		{testDomain, "/b//", PathStyle, "b", "/", "GetObject", "/b//"},
		{testDomain, "/b/%C3%BC", PathStyle, "b", "ü", "GetObject", "/b/%C3%BC"},
		{"b.s3.iamd.test", "//x/", VirtualHosted, "b", "/x/", "GetObject", "/b//x/"},
		{"b.s3.iamd.test", "/?acl", VirtualHosted, "b", "", "GetBucketAcl", "/b"},
		{testDomain, "/My_Legacy.Bucket/k", PathStyle, "My_Legacy.Bucket", "k", "GetObject", "/My_Legacy.Bucket/k"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "http://x"+tc.uri, nil)
		r.Host = tc.host
		op, err := Classify(r, testDomain)
		if err != nil {
			t.Errorf("%s %s: %v", tc.host, tc.uri, err)
			continue
		}
		if op.Style != tc.style || op.Bucket != tc.bucket || op.Key != tc.key || op.Name != tc.name {
			t.Errorf("%s %s: %v %q %q %s; want %v %q %q %s", tc.host, tc.uri, op.Style, op.Bucket, op.Key, op.Name, tc.style, tc.bucket, tc.key, tc.name)
		}
		if p := BucketPath(op.Bucket, op.Key); p != tc.escapedForBackendAs {
			t.Errorf("%s %s: BucketPath %q, want %q", tc.host, tc.uri, p, tc.escapedForBackendAs)
		}
	}
	// Without a domain every request is path-style.
	r := httptest.NewRequest("GET", "http://x/k", nil)
	r.Host = "bucket.s3.iamd.test"
	if op, err := Classify(r, ""); err != nil || op.Style != PathStyle || op.Bucket != "k" || op.Key != "" {
		t.Errorf("no domain: %+v, %v", op, err)
	}
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("k", 1025)
	run(t, []tcase{
		{method: "PUT", uri: "/ab", err: "InvalidBucketName"},
		{method: "PUT", uri: "/Upper-Case", err: "InvalidBucketName"},
		{method: "PUT", uri: "/192.168.1.1", err: "InvalidBucketName"},
		{method: "PUT", uri: "/xn--abc", err: "InvalidBucketName"},
		{method: "GET", uri: "/bad%20name/k", err: "InvalidBucketName"},
		{method: "GET", uri: "/a%2Fb/k", err: "InvalidBucketName"},
		{method: "GET", uri: "//k", err: "InvalidBucketName"},
		{method: "PUT", uri: "/b/" + long, err: "KeyTooLongError"},
		{method: "POST", uri: "/b/" + long + "?uploads", err: "KeyTooLongError"},
		{method: "GET", uri: "/b/" + long, name: "GetObject"},
		{method: "PUT", uri: "/b/" + strings.Repeat("k", 1024), name: "PutObject"},
		{method: "PUT", uri: "/b/k?partNumber=0&uploadId=u", err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k?partNumber=10001&uploadId=u", err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k?partNumber=x&uploadId=u", err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k?uploadId=u", err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k?partNumber=10000&uploadId=u", name: "UploadPart"},
		{method: "GET", uri: "/b/k?partNumber=0", err: "InvalidArgument"},
		{method: "GET", uri: "/b?list-type=2&max-keys=ten", err: "InvalidArgument"},
		{method: "GET", uri: "/b?max-keys=-1", err: "InvalidArgument"},
		{method: "GET", uri: "/b?max-keys=99999999999", err: "InvalidArgument"},
		{method: "GET", uri: "/b/k?versionId=", err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src/a%zz"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "/src/"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src/a?versionId="}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src/a?other=1"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "bad%20src/a"}, err: "InvalidBucketName"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Copy-Source": "src/a", "X-Amz-Tagging-Directive": "MERGE"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Tagging": "a=1&a=2"}, err: "InvalidArgument"},
		{method: "PUT", uri: "/b/k", header: map[string]string{"X-Amz-Tagging": "a=%zz"}, err: "InvalidArgument"},
		{method: "POST", uri: "/b", header: map[string]string{"Content-Type": "application/xml"}, err: "PreconditionFailed"},
		{method: "POST", uri: "/b/k", err: "MethodNotAllowed"},
		{method: "PUT", uri: "/", err: "MethodNotAllowed"},
		{method: "DELETE", uri: "/b?versioning", err: "MethodNotAllowed"},
		{method: "GET", uri: "/b?delete", err: "MethodNotAllowed"},
	})
}

func TestMalformedEscape(t *testing.T) {
	// net/http refuses such a path; a request built by hand reaches Classify with it.
	r := &http.Request{Method: "GET", Host: testDomain, URL: &url.URL{Path: "/b/%zz", RawPath: "/b/%zz"}}
	if op, err := Classify(r, testDomain); err != nil || op.Key != "%zz" {
		t.Errorf("got %+v, %v", op, err) // EscapedPath re-escapes an invalid RawPath
	}
	if _, err := unescape("%zz"); err == nil || err.Code != "InvalidURI" {
		t.Errorf("unescape: %v", err)
	}
	if _, err := Classify(&http.Request{Method: "GET"}, ""); err == nil {
		t.Error("a request without a URL classified")
	}
}

func TestValidBucketName(t *testing.T) {
	for name, want := range map[string]bool{
		"abc": true, "a.b-c": true, "0bucket9": true, strings.Repeat("a", 63): true, "1.2.3": true, "1.2.3.4.5": true,
		"ab": false, strings.Repeat("a", 64): false, "Abc": false, "a_b": false, "-abc": false, "abc-": false, ".abc": false,
		"a..b": false, "192.168.5.4": false, "xn--abc": false, "sthree-abc": false, "amzn-s3-demo-bucket": false,
		"abc-s3alias": false, "abc--ol-s3": false, "abc.mrap": false, "abc--x-s3": false, "abc--table-s3": false, "a b": false,
	} {
		if got := ValidBucketName(name); got != want {
			t.Errorf("ValidBucketName(%q) = %v", name, got)
		}
	}
}

func TestForKey(t *testing.T) {
	op, err := Classify(request(tcase{method: "POST", uri: "/b?delete", header: map[string]string{"X-Amz-Content-Sha256": "abc"}}), testDomain)
	if err != nil {
		t.Fatal(err)
	}
	a := op.Access[0].ForKey("dir/x", "")
	if a.Action != "s3:DeleteObject" || a.Resource != "arn:aws:s3:::b/dir/x" || a.PerKey || a.Bucket != "b" {
		t.Errorf("ForKey: %+v", a)
	}
	a = op.Access[0].ForKey("x", "v9")
	if a.Action != "s3:DeleteObjectVersion" || !slices.Equal(keyStrings(a.Keys), []string{"s3:x-amz-content-sha256=abc", "s3:versionid=v9"}) {
		t.Errorf("ForKey version: %+v", a)
	}
	if len(op.Access[0].Keys) != 1 {
		t.Errorf("ForKey changed the placeholder's keys: %+v", op.Access[0])
	}
}

func TestPostObjectAccess(t *testing.T) {
	form := url.Values{
		"acl":                          {"public-read"},
		"tagging":                      {"<Tagging><TagSet><Tag><Key>t</Key><Value>v</Value></Tag></TagSet></Tagging>"},
		"X-Amz-Server-Side-Encryption": {"AES256"},
		"success_action_status":        {"201"},
	}
	acc, err := PostObjectAccess("b", "k", form)
	if err != nil {
		t.Fatal(err)
	}
	op := &Op{Name: "PostObject", Access: acc}
	if got, want := accessStrings(op), []string{"s3:PutObject " + kARN, "s3:PutObjectTagging " + kARN, "s3:PutObjectAcl " + kARN}; !slices.Equal(got, want) {
		t.Errorf("access %q, want %q", got, want)
	}
	if got, want := keyStrings(acc[0].Keys), []string{"s3:x-amz-acl=public-read", "s3:x-amz-server-side-encryption=AES256", "s3:RequestObjectTag/t=v", "s3:RequestObjectTagKeys=t"}; !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	if _, err := PostObjectAccess("b", "k", url.Values{"tagging": {"<Tagging"}}); err == nil || err.Code != "MalformedXML" {
		t.Errorf("bad tagging: %v", err)
	}
	if _, err := PostObjectAccess("b", strings.Repeat("k", 1025), nil); err == nil || err.Code != "KeyTooLongError" {
		t.Errorf("long key: %v", err)
	}
}

func TestTagKeysAndLocation(t *testing.T) {
	if got := keyStrings(TagKeys(url.Values{"z": {"1"}, "a": {""}})); !slices.Equal(got, []string{"s3:RequestObjectTag/a=", "s3:RequestObjectTag/z=1", "s3:RequestObjectTagKeys=a,z"}) {
		t.Errorf("TagKeys: %q", got)
	}
	if TagKeys(nil) != nil {
		t.Error("TagKeys(nil) is not nil")
	}
	if k := LocationConstraint("eu-west-1"); k.Name != "s3:LocationConstraint" || k.Values[0] != "eu-west-1" {
		t.Errorf("LocationConstraint: %+v", k)
	}
}
