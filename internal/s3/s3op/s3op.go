// Package s3op classifies S3 REST requests and declares how each is authorized: Classify reads
// a request's method, host, path, query subresources and headers, as S3 does, and answers the
// S3 API operation it is (named as the API Reference and the SDKs name it), its bucket and key,
// and the authorizations it needs (Op.Access): the IAM actions of AWS's Service Authorization
// Reference and "Required permissions for Amazon S3 API operations", on the bucket or object
// ARN, with the S3 condition keys the request itself supplies. It does no I/O and reads no body.
//
// One declarative table (table.go) maps every operation to its actions; the selection of the
// operation from the request is a second table (route.go) of query subresources per method.
//
// # Who supplies which condition keys
//
// Classify supplies the keys the request line and headers carry: s3:prefix, s3:delimiter,
// s3:max-keys; s3:x-amz-acl and s3:x-amz-grant-*; s3:x-amz-copy-source and
// s3:x-amz-metadata-directive; s3:x-amz-server-side-encryption,
// s3:x-amz-server-side-encryption-aws-kms-key-id and
// s3:x-amz-server-side-encryption-customer-algorithm; s3:x-amz-storage-class;
// s3:x-amz-content-sha256; s3:versionid; s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys
// from x-amz-tagging; s3:object-lock-mode, s3:object-lock-retain-until-date and
// s3:object-lock-legal-hold from the object-lock headers; s3:x-amz-object-ownership;
// s3:if-match and s3:if-none-match.
//
// The front adds the rest:
//   - from the body, which Classify never reads: the tags of PutObjectTagging (TagKeys), the
//     LocationConstraint of CreateBucket (LocationConstraint), the keys of DeleteObjects and the
//     fields of a browser upload (PostObject), both through Access.PerKey;
//   - from authentication: s3:signatureversion, s3:authType, s3:signatureAge, s3:TlsVersion,
//     and the global aws:* keys;
//   - from stored state: s3:ExistingObjectTag/<key>, aws:ResourceTag/<key>,
//     s3:ResourceAccount, s3:BucketTag/<key>, and s3:object-lock-remaining-retention-days (which
//     needs the clock).
//
// # Bucket names
//
// CreateBucket checks the general-purpose naming rules (ValidBucketName) and answers
// InvalidBucketName. Other operations accept any name S3 ever allowed (the legacy US East rules:
// 1–255 letters of either case, digits, dots, hyphens and underscores), since such a bucket may
// exist and otherwise the answer is NoSuchBucket from the registry; a name outside even those
// rules (a slash, a space, a percent sign…) is InvalidBucketName.
package s3op

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// Op is one S3 REST call as iamd authorizes it.
type Op struct {
	// Name is the S3 API operation, as the API Reference and the SDKs name it: "ListObjectsV2",
	// "PutObject", "CopyObject", "UploadPartCopy", "PutBucketPolicy", "PostObject" (a browser
	// upload), "PreflightRequest" (a CORS preflight), "ListBuckets", …
	Name string
	// Bucket is "" for ListBuckets (and a preflight without one).
	Bucket string
	// Key is "" for bucket-level calls; percent-decoded, never normalized.
	Key string
	// Style says how the request named the bucket (the backend is always sent path-style:
	// BucketPath).
	Style Style
	// Access are the authorizations the call needs, in order; Access[0] is the primary one
	// (its action is the one the audit trail and denials name). A preflight has none: it is
	// answered without authentication.
	Access []Access
	// Gateway is set for the calls iamd's bucket registry answers rather than the object
	// backend: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, the
	// bucket policy, policy status, public access block, ownership controls, ACL, tagging,
	// CORS, versioning and encryption configuration calls, and GetObjectAcl/PutObjectAcl.
	Gateway bool
}

// Style is how a request names its bucket.
type Style uint8

const (
	PathStyle     Style = iota // https://endpoint/bucket/key
	VirtualHosted              // https://bucket.domain/key
)

func (s Style) String() string {
	if s == VirtualHosted {
		return "virtual-hosted"
	}
	return "path"
}

// Access is one authorization a call needs.
type Access struct {
	Action string // "s3:GetObject"
	// Bucket is the bucket whose policy and owner apply ("" with Resource "*").
	Bucket string
	// Resource is "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", or "*".
	Resource string
	// Keys are the S3 condition keys the request supplies for this access.
	Keys []Key
	// PerKey marks an access whose object is named in the body: Resource is then the bucket's
	// ARN as a placeholder, never to be evaluated as is. The front evaluates it once per object
	// with ForKey: for DeleteObjects once per <Object> of the body (every one must be allowed
	// for that key's deletion to proceed; a denied key is an AccessDenied <Error> of the
	// answer), for PostObject once, with the form's key field (and the form's fields through
	// PostObjectAccess).
	PerKey bool
}

// Key is one condition key and its values.
type Key struct {
	Name   string
	Values []string
}

// ForKey returns the access a PerKey access stands for on one object: the object's ARN, and,
// for a key given with a version id, the action's version variant (s3:DeleteObject becomes
// s3:DeleteObjectVersion) with s3:versionid.
func (a Access) ForKey(key, versionID string) Access {
	a.PerKey = false
	a.Resource = ObjectARN(a.Bucket, key)
	a.Keys = append([]Key(nil), a.Keys...)
	if versionID != "" {
		if v, ok := versionAction[a.Action]; ok {
			a.Action = v
		}
		a.Keys = append(a.Keys, Key{"s3:versionid", []string{versionID}})
	}
	return a
}

// versionAction maps an object action to the one S3 checks when the request names a version.
var versionAction = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
}

// BucketARN is arn:aws:s3:::bucket.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// ObjectARN is arn:aws:s3:::bucket/key.
func ObjectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// MaxKeyLength is the longest key S3 stores, in bytes of UTF-8.
const MaxKeyLength = 1024

// Classify returns the operation r is, or S3's answer to a request it cannot be. domain is the
// base domain of virtual-hosted requests (BUCKET.domain); "" allows path-style only.
func Classify(r *http.Request, domain string) (*Op, *s3err.Error) {
	if r == nil || r.URL == nil {
		return nil, s3err.InvalidURI()
	}
	op := &Op{}
	escaped := r.URL.EscapedPath()
	if vb := virtualBucket(r.Host, domain); vb != "" {
		op.Style = VirtualHosted
		op.Bucket = vb
		k, err := unescape(strings.TrimPrefix(escaped, "/"))
		if err != nil {
			return nil, err
		}
		op.Key = k
	} else {
		rest := strings.TrimPrefix(escaped, "/")
		b, k, _ := strings.Cut(rest, "/")
		var err *s3err.Error
		if op.Bucket, err = unescape(b); err != nil {
			return nil, err
		}
		if op.Key, err = unescape(k); err != nil {
			return nil, err
		}
	}
	q := query(r.URL.RawQuery)
	c := &call{op: op, q: q, h: r.Header}
	if c.h == nil {
		c.h = http.Header{}
	}
	name, err := selectOp(r.Method, op.Bucket, op.Key, q, c.h)
	if err != nil {
		return nil, err
	}
	op.Name = name
	if op.Bucket != "" {
		if name == "CreateBucket" {
			if !ValidBucketName(op.Bucket) {
				return nil, s3err.InvalidBucketName(op.Bucket)
			}
		} else if !legacyBucketName(op.Bucket) {
			return nil, s3err.InvalidBucketName(op.Bucket)
		}
	}
	d, ok := table[name]
	if !ok {
		return nil, s3err.NotImplemented()
	}
	op.Gateway = d.gateway
	if d.write && len(op.Key) > MaxKeyLength {
		return nil, s3err.KeyTooLong(len(op.Key))
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if d.auth != nil {
		d.auth(c)
	}
	op.Access = c.access
	return op, nil
}

// query parses a raw query as S3 does: every name, with or without "=", is present; a
// malformed escape keeps the raw text rather than failing the request.
func query(raw string) url.Values {
	q := url.Values{}
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		q[k] = append(q[k], v)
	}
	return q
}

func unescape(s string) (string, *s3err.Error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	u, err := url.PathUnescape(s)
	if err != nil {
		return "", s3err.InvalidURI()
	}
	return u, nil
}

// virtualBucket returns the bucket a virtual-hosted request names in its host, or "" for a
// path-style request: one to the domain itself, to s3.domain or s3.REGION.domain (or
// s3.dualstack.REGION.domain), to another host, or with no domain configured.
func virtualBucket(host, domain string) string {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if domain == "" || host == "" {
		return ""
	}
	host = strings.ToLower(stripPort(host))
	host = strings.TrimSuffix(host, ".")
	if !strings.HasSuffix(host, "."+domain) {
		return ""
	}
	prefix := host[:len(host)-len(domain)-1]
	if prefix == "s3" {
		return ""
	}
	if rest, ok := strings.CutPrefix(prefix, "s3."); ok {
		rest = strings.TrimPrefix(rest, "dualstack.")
		if isRegion(rest) {
			return ""
		}
	}
	return prefix
}

func stripPort(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		return host[:i]
	}
	return host
}

// isRegion reports whether s has the shape of an AWS region: us-east-1, ap-southeast-2,
// us-gov-west-1.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		last := i == len(parts)-1
		for _, c := range []byte(p) {
			if last && (c < '0' || c > '9') || !last && (c < 'a' || c > 'z') {
				return false
			}
		}
	}
	return true
}

// BucketPath returns the path-style escaped path "/bucket/escaped-key" for forwarding a call
// to the backend: every byte of the key but the unreserved ones and "/" percent-encoded, as
// SigV4 canonicalizes it, so the backend reads back exactly bucket and key. A bucket-level
// call is "/bucket", ListBuckets "/".
func BucketPath(bucket, key string) string {
	if bucket == "" {
		return "/"
	}
	b := make([]byte, 0, 2+len(bucket)+len(key)*3/2)
	b = append(b, '/')
	b = appendEscaped(b, bucket, false)
	if key != "" {
		b = append(b, '/')
		b = appendEscaped(b, key, true)
	}
	return string(b)
}

const hex = "0123456789ABCDEF"

func appendEscaped(b []byte, s string, slash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || slash && c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

// ValidBucketName reports whether name follows S3's naming rules for general purpose buckets:
// 3–63 characters of lowercase letters, digits, dots and hyphens, beginning and ending with a
// letter or digit, no two adjacent dots, not an IP address, without the reserved prefixes
// xn--, sthree- and amzn-s3-demo- and suffixes -s3alias, --ol-s3, .mrap, --x-s3 and
// --table-s3.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) || strings.Contains(name, "..") {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return !isIPv4(name)
}

func alnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// isIPv4 reports whether s is formatted as an IP address (four dot-separated decimal numbers).
func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return false
		}
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// legacyBucketName reports whether name is one S3 ever allowed (US East's legacy rules).
func legacyBucketName(name string) bool {
	if name == "" || len(name) > 255 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
