package s3op

import (
	"net/http"
	"net/http/httptest"
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
