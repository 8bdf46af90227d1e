package s3op

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// A route is one query subresource and the operation each method makes of it. The first
// route whose subresource the query names decides (S3's subresources are exclusive; the order
// only settles requests naming several). A route with an empty subresource matches every
// request; it ends a list.
type route struct {
	sub string
	ops map[string]string // method → operation
	// pick, when set, decides among operations sharing a subresource by the other parameters
	// and headers (UploadPart or UploadPartCopy; Get… or List…Configurations).
	pick func(method string, q url.Values, h http.Header) string
}

// serviceRoutes are the calls on the endpoint without a bucket.
var serviceRoutes = []route{
	{sub: "", ops: map[string]string{"GET": "ListBuckets", "OPTIONS": "PreflightRequest"}},
}

// byID picks between the Get… (with an id) and List… (without) of a configuration kind.
func byID(get, list string) func(string, url.Values, http.Header) string {
	return func(method string, q url.Values, _ http.Header) string {
		if method != "GET" {
			return ""
		}
		if _, ok := q["id"]; ok {
			return get
		}
		return list
	}
}

// bucketRoutes are the calls on a bucket, from the S3 API Reference's request syntax of each.
var bucketRoutes = []route{
	{sub: "uploads", ops: map[string]string{"GET": "ListMultipartUploads"}},
	{sub: "versions", ops: map[string]string{"GET": "ListObjectVersions"}},
	{sub: "list-type", pick: func(method string, q url.Values, _ http.Header) string {
		switch {
		case method != "GET":
			return ""
		case q.Get("list-type") == "2":
			return "ListObjectsV2"
		}
		return "ListObjects"
	}},
	{sub: "delete", ops: map[string]string{"POST": "DeleteObjects"}},
	{sub: "acl", ops: map[string]string{"GET": "GetBucketAcl", "PUT": "PutBucketAcl"}},
	{sub: "policy", ops: map[string]string{"GET": "GetBucketPolicy", "PUT": "PutBucketPolicy", "DELETE": "DeleteBucketPolicy"}},
	{sub: "policyStatus", ops: map[string]string{"GET": "GetBucketPolicyStatus"}},
	{sub: "publicAccessBlock", ops: map[string]string{"GET": "GetPublicAccessBlock", "PUT": "PutPublicAccessBlock", "DELETE": "DeletePublicAccessBlock"}},
	{sub: "ownershipControls", ops: map[string]string{"GET": "GetBucketOwnershipControls", "PUT": "PutBucketOwnershipControls", "DELETE": "DeleteBucketOwnershipControls"}},
	{sub: "tagging", ops: map[string]string{"GET": "GetBucketTagging", "PUT": "PutBucketTagging", "DELETE": "DeleteBucketTagging"}},
	{sub: "cors", ops: map[string]string{"GET": "GetBucketCors", "PUT": "PutBucketCors", "DELETE": "DeleteBucketCors"}},
	{sub: "versioning", ops: map[string]string{"GET": "GetBucketVersioning", "PUT": "PutBucketVersioning"}},
	{sub: "encryption", ops: map[string]string{"GET": "GetBucketEncryption", "PUT": "PutBucketEncryption", "DELETE": "DeleteBucketEncryption"}},
	{sub: "location", ops: map[string]string{"GET": "GetBucketLocation"}},
	{sub: "lifecycle", ops: map[string]string{"GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration", "DELETE": "DeleteBucketLifecycle"}},
	{sub: "website", ops: map[string]string{"GET": "GetBucketWebsite", "PUT": "PutBucketWebsite", "DELETE": "DeleteBucketWebsite"}},
	{sub: "logging", ops: map[string]string{"GET": "GetBucketLogging", "PUT": "PutBucketLogging"}},
	{sub: "notification", ops: map[string]string{"GET": "GetBucketNotificationConfiguration", "PUT": "PutBucketNotificationConfiguration"}},
	{sub: "object-lock", ops: map[string]string{"GET": "GetObjectLockConfiguration", "PUT": "PutObjectLockConfiguration"}},
	{sub: "replication", ops: map[string]string{"GET": "GetBucketReplication", "PUT": "PutBucketReplication", "DELETE": "DeleteBucketReplication"}},
	{sub: "requestPayment", ops: map[string]string{"GET": "GetBucketRequestPayment", "PUT": "PutBucketRequestPayment"}},
	{sub: "accelerate", ops: map[string]string{"GET": "GetBucketAccelerateConfiguration", "PUT": "PutBucketAccelerateConfiguration"}},
	{sub: "analytics", ops: map[string]string{"PUT": "PutBucketAnalyticsConfiguration", "DELETE": "DeleteBucketAnalyticsConfiguration"},
		pick: byID("GetBucketAnalyticsConfiguration", "ListBucketAnalyticsConfigurations")},
	{sub: "inventory", ops: map[string]string{"PUT": "PutBucketInventoryConfiguration", "DELETE": "DeleteBucketInventoryConfiguration"},
		pick: byID("GetBucketInventoryConfiguration", "ListBucketInventoryConfigurations")},
	{sub: "metrics", ops: map[string]string{"PUT": "PutBucketMetricsConfiguration", "DELETE": "DeleteBucketMetricsConfiguration"},
		pick: byID("GetBucketMetricsConfiguration", "ListBucketMetricsConfigurations")},
	{sub: "intelligent-tiering", ops: map[string]string{"PUT": "PutBucketIntelligentTieringConfiguration", "DELETE": "DeleteBucketIntelligentTieringConfiguration"},
		pick: byID("GetBucketIntelligentTieringConfiguration", "ListBucketIntelligentTieringConfigurations")},
	{sub: "abac", ops: map[string]string{"GET": "GetBucketAbac", "PUT": "PutBucketAbac"}},
	{sub: "metadataTable", ops: map[string]string{"GET": "GetBucketMetadataTableConfiguration", "POST": "CreateBucketMetadataTableConfiguration", "DELETE": "DeleteBucketMetadataTableConfiguration"}},
	{sub: "metadataConfiguration", ops: map[string]string{"GET": "GetBucketMetadataConfiguration", "POST": "CreateBucketMetadataConfiguration", "DELETE": "DeleteBucketMetadataConfiguration"}},
	{sub: "metadataJournalTable", ops: map[string]string{"PUT": "UpdateBucketMetadataJournalTableConfiguration"}},
	{sub: "metadataInventoryTable", ops: map[string]string{"PUT": "UpdateBucketMetadataInventoryTableConfiguration"}},
	{sub: "metadataAnnotationTable", ops: map[string]string{"PUT": "UpdateBucketMetadataAnnotationTableConfiguration"}},
	{sub: "session", ops: map[string]string{"GET": "CreateSession"}},
	{sub: "", ops: map[string]string{"GET": "ListObjects", "HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket", "POST": "PostObject", "OPTIONS": "PreflightRequest"}},
}

// objectRoutes are the calls on an object.
var objectRoutes = []route{
	{sub: "uploadId", ops: map[string]string{"GET": "ListParts", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload"},
		pick: func(method string, _ url.Values, h http.Header) string {
			if method != "PUT" {
				return ""
			}
			if h.Get("X-Amz-Copy-Source") != "" {
				return "UploadPartCopy"
			}
			return "UploadPart"
		}},
	{sub: "uploads", ops: map[string]string{"POST": "CreateMultipartUpload"}},
	{sub: "acl", ops: map[string]string{"GET": "GetObjectAcl", "PUT": "PutObjectAcl"}},
	{sub: "tagging", ops: map[string]string{"GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"}},
	{sub: "attributes", ops: map[string]string{"GET": "GetObjectAttributes"}},
	{sub: "legal-hold", ops: map[string]string{"GET": "GetObjectLegalHold", "PUT": "PutObjectLegalHold"}},
	{sub: "retention", ops: map[string]string{"GET": "GetObjectRetention", "PUT": "PutObjectRetention"}},
	{sub: "torrent", ops: map[string]string{"GET": "GetObjectTorrent"}},
	{sub: "restore", ops: map[string]string{"POST": "RestoreObject"}},
	{sub: "select", ops: map[string]string{"POST": "SelectObjectContent"}},
	{sub: "encryption", ops: map[string]string{"PUT": "UpdateObjectEncryption"}},
	{sub: "renameObject", ops: map[string]string{"PUT": "RenameObject"}},
	{sub: "annotation", ops: map[string]string{"PUT": "PutObjectAnnotation", "DELETE": "DeleteObjectAnnotation"},
		pick: func(method string, q url.Values, _ http.Header) string {
			if method != "GET" {
				return ""
			}
			if _, ok := q["annotationName"]; ok {
				return "GetObjectAnnotation"
			}
			return "ListObjectAnnotations"
		}},
	{sub: "", ops: map[string]string{"GET": "GetObject", "HEAD": "HeadObject", "DELETE": "DeleteObject", "OPTIONS": "PreflightRequest"},
		pick: func(method string, _ url.Values, h http.Header) string {
			if method != "PUT" {
				return ""
			}
			if h.Get("X-Amz-Copy-Source") != "" {
				return "CopyObject"
			}
			return "PutObject"
		}},
}

// knownMethods are the methods S3 serves; others are NotImplemented.
var knownMethods = map[string]bool{"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true}

// selectOp names the operation of a request, or answers it as S3 does when no operation has
// that shape: NotImplemented for a method S3 does not serve, MethodNotAllowed for one the
// resource does not allow.
func selectOp(method, bucket, key string, q url.Values, h http.Header) (string, *s3err.Error) {
	if !knownMethods[method] {
		return "", s3err.NotImplemented()
	}
	routes, kind := serviceRoutes, "SERVICE"
	switch {
	case bucket == "" && key != "":
		return "", s3err.InvalidBucketName(bucket)
	case key != "":
		routes, kind = objectRoutes, "OBJECT"
	case bucket != "":
		routes, kind = bucketRoutes, "BUCKET"
	}
	for _, rt := range routes {
		if rt.sub != "" {
			if _, ok := q[rt.sub]; !ok {
				continue
			}
		}
		name := rt.ops[method]
		if name == "" && rt.pick != nil {
			name = rt.pick(method, q, h)
		}
		if name == "" {
			return "", s3err.MethodNotAllowed(method, kind)
		}
		if name == "PostObject" && !isForm(h.Get("Content-Type")) {
			return "", s3err.PreconditionFailed("Bucket POST must be of the enclosure-type multipart/form-data")
		}
		return name, nil
	}
	return "", s3err.MethodNotAllowed(method, kind)
}

func isForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "multipart/form-data")
}
