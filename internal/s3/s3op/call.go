package s3op

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// call builds one request's authorizations; the table's rows call its methods.
type call struct {
	op *Op
	q  url.Values
	h  http.Header

	tags   url.Values // x-amz-tagging, parsed by validate
	src    source     // x-amz-copy-source, parsed by validate
	access []Access
}

// source is the object a copy reads.
type source struct{ bucket, key, versionID string }

// add appends one access with the keys every access of the call carries.
func (c *call) add(action, bucket, resource string, keys []Key) {
	all := make([]Key, 0, len(keys)+1)
	all = append(all, keys...)
	all = append(all, c.headerKey("s3:x-amz-content-sha256", "X-Amz-Content-Sha256")...)
	if len(all) == 0 {
		all = nil
	}
	c.access = append(c.access, Access{Action: action, Bucket: bucket, Resource: resource, Keys: all})
}

func (c *call) service(action string, keys ...Key) { c.add(action, "", "*", keys) }

func (c *call) bucket(action string, keys ...Key) {
	c.add(action, c.op.Bucket, BucketARN(c.op.Bucket), keys)
}

// object adds action on the call's object, with s3:versionid when the call names a version.
func (c *call) object(action string, keys ...Key) {
	if v, ok := c.versionID(); ok {
		keys = append(keys, Key{"s3:versionid", []string{v}})
	}
	c.add(action, c.op.Bucket, ObjectARN(c.op.Bucket, c.op.Key), keys)
}

// version adds action on the call's object, or its version variant (s3:GetObjectVersion for
// s3:GetObject) when the call names a version.
func (c *call) version(action string, keys ...Key) {
	if _, ok := c.versionID(); ok {
		if v, ok := versionAction[action]; ok {
			action = v
		}
	}
	c.object(action, keys...)
}

// perKey adds action on the objects the body names (Access.PerKey).
func (c *call) perKey(action string) {
	c.bucket(action)
	c.access[len(c.access)-1].PerKey = true
}

func (c *call) versionID() (string, bool) {
	v, ok := c.q["versionId"]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// copySource adds the read of a copy's source: s3:GetObject, or s3:GetObjectVersion for a
// version, on the source object, under its own bucket's policy.
func (c *call) copySource() {
	action := "s3:GetObject"
	var keys []Key
	if c.src.versionID != "" {
		action = "s3:GetObjectVersion"
		keys = []Key{{"s3:versionid", []string{c.src.versionID}}}
	}
	c.add(action, c.src.bucket, ObjectARN(c.src.bucket, c.src.key), keys)
}

// write adds what writing an object with the call's headers needs: s3:PutObject, and
// s3:PutObjectTagging for tags, s3:PutObjectAcl for an ACL, s3:PutObjectRetention and
// s3:PutObjectLegalHold for object-lock settings.
func (c *call) write() {
	keys := c.putKeys()
	c.object("s3:PutObject", keys...)
	if len(c.tags) > 0 {
		c.object("s3:PutObjectTagging", keys...)
	}
	if c.hasACL() {
		c.object("s3:PutObjectAcl", keys...)
	}
	if c.h.Get("X-Amz-Object-Lock-Mode") != "" || c.h.Get("X-Amz-Object-Lock-Retain-Until-Date") != "" {
		c.object("s3:PutObjectRetention", keys...)
	}
	if c.h.Get("X-Amz-Object-Lock-Legal-Hold") != "" {
		c.object("s3:PutObjectLegalHold", keys...)
	}
}

func (c *call) bypassGovernance() bool {
	return eqFold(c.h.Get("X-Amz-Bypass-Governance-Retention"), "true")
}

// headerKey is the condition key name with the values of header, if the request sends it.
func (c *call) headerKey(name, header string) []Key {
	v := c.h.Values(header)
	if len(v) == 0 {
		return nil
	}
	return []Key{{name, slices.Clone(v)}}
}

// queryKey is the condition key name with the value of the query parameter, if present.
func (c *call) queryKey(name, param string) []Key {
	v, ok := c.q[param]
	if !ok {
		return nil
	}
	return []Key{{name, slices.Clone(v)}}
}

// listKeys are a listing's s3:prefix, s3:delimiter and s3:max-keys.
func (c *call) listKeys() []Key {
	var k []Key
	k = append(k, c.queryKey("s3:prefix", "prefix")...)
	k = append(k, c.queryKey("s3:delimiter", "delimiter")...)
	return append(k, c.queryKey("s3:max-keys", "max-keys")...)
}

// aclHeaders are the canned and explicit ACL headers and their condition keys.
var aclHeaders = [][2]string{
	{"s3:x-amz-acl", "X-Amz-Acl"},
	{"s3:x-amz-grant-full-control", "X-Amz-Grant-Full-Control"},
	{"s3:x-amz-grant-read", "X-Amz-Grant-Read"},
	{"s3:x-amz-grant-read-acp", "X-Amz-Grant-Read-Acp"},
	{"s3:x-amz-grant-write", "X-Amz-Grant-Write"},
	{"s3:x-amz-grant-write-acp", "X-Amz-Grant-Write-Acp"},
}

func (c *call) aclKeys() []Key {
	var k []Key
	for _, a := range aclHeaders {
		k = append(k, c.headerKey(a[0], a[1])...)
	}
	return k
}

func (c *call) hasACL() bool {
	for _, a := range aclHeaders {
		if c.h.Get(a[1]) != "" {
			return true
		}
	}
	return false
}

func (c *call) encryptionKeys() []Key {
	var k []Key
	k = append(k, c.headerKey("s3:x-amz-server-side-encryption", "X-Amz-Server-Side-Encryption")...)
	k = append(k, c.headerKey("s3:x-amz-server-side-encryption-aws-kms-key-id", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")...)
	return append(k, c.headerKey("s3:x-amz-server-side-encryption-customer-algorithm", "X-Amz-Server-Side-Encryption-Customer-Algorithm")...)
}

func (c *call) conditionalKeys() []Key {
	k := c.headerKey("s3:if-match", "If-Match")
	return append(k, c.headerKey("s3:if-none-match", "If-None-Match")...)
}

// copyKeys are s3:x-amz-copy-source ("bucket/key", decoded, without the version) and
// s3:x-amz-metadata-directive.
func (c *call) copyKeys() []Key {
	var k []Key
	if c.src.bucket != "" {
		k = append(k, Key{"s3:x-amz-copy-source", []string{c.src.bucket + "/" + c.src.key}})
	}
	return append(k, c.headerKey("s3:x-amz-metadata-directive", "X-Amz-Metadata-Directive")...)
}

// putKeys are the keys of a call writing an object.
func (c *call) putKeys() []Key {
	k := c.aclKeys()
	k = append(k, c.copyKeys()...)
	k = append(k, c.encryptionKeys()...)
	k = append(k, c.headerKey("s3:x-amz-storage-class", "X-Amz-Storage-Class")...)
	k = append(k, TagKeys(c.tags)...)
	k = append(k, c.headerKey("s3:object-lock-mode", "X-Amz-Object-Lock-Mode")...)
	k = append(k, c.headerKey("s3:object-lock-retain-until-date", "X-Amz-Object-Lock-Retain-Until-Date")...)
	k = append(k, c.headerKey("s3:object-lock-legal-hold", "X-Amz-Object-Lock-Legal-Hold")...)
	return append(k, c.conditionalKeys()...)
}

// TagKeys are the condition keys of tags a request sets on an object: s3:RequestObjectTag/KEY
// for each and s3:RequestObjectTagKeys, in the keys' order. Classify adds them for
// x-amz-tagging; the front adds them to Access[0] of PutObjectTagging from its body.
func TagKeys(tagging url.Values) []Key {
	if len(tagging) == 0 {
		return nil
	}
	names := make([]string, 0, len(tagging))
	for k := range tagging {
		names = append(names, k)
	}
	slices.Sort(names)
	keys := make([]Key, 0, len(names)+1)
	for _, n := range names {
		keys = append(keys, Key{"s3:RequestObjectTag/" + n, slices.Clone(tagging[n])})
	}
	return append(keys, Key{"s3:RequestObjectTagKeys", names})
}

// LocationConstraint is the s3:LocationConstraint key of a CreateBucket whose body names
// constraint; the front adds it to Access[0] after reading the body.
func LocationConstraint(constraint string) Key {
	return Key{"s3:LocationConstraint", []string{constraint}}
}

// Messages of S3's InvalidArgument answers.
const (
	msgPartNumber       = "Part number must be an integer between 1 and 10000, inclusive"
	msgMaxKeys          = "Provided max-keys not an integer or within integer range"
	msgMaxKeysRange     = "Argument maxKeys must be an integer between 0 and 2147483647"
	msgEmptyVersion     = "Version id cannot be the empty string"
	msgCopyEncoding     = "Invalid copy source encoding."
	msgCopyShape        = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
	msgCopyVersion      = "Invalid copy source version id."
	msgTagging          = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."
	msgTaggingDirective = "Unknown tagging directive."
)

// validate checks the request as S3 does before anything else, and parses the headers the
// authorizations read.
func (c *call) validate() *s3err.Error {
	name := c.op.Name
	if c.op.Key != "" {
		if v, ok := c.q["versionId"]; ok && (len(v) == 0 || v[0] == "") {
			return s3err.InvalidArgument(msgEmptyVersion, "versionId", "")
		}
	}
	switch name {
	case "UploadPart", "UploadPartCopy":
		if err := partNumber(c.q, true); err != nil {
			return err
		}
	case "GetObject", "HeadObject":
		if err := partNumber(c.q, false); err != nil {
			return err
		}
	case "ListObjects", "ListObjectsV2", "ListObjectVersions":
		if v, ok := c.q["max-keys"]; ok {
			n, err := strconv.ParseInt(v[0], 10, 64)
			if err != nil || n > 1<<31-1 {
				return s3err.InvalidArgument(msgMaxKeys, "max-keys", v[0])
			}
			if n < 0 {
				return s3err.InvalidArgument(msgMaxKeysRange, "maxKeys", v[0])
			}
		}
	}
	switch name {
	case "CopyObject", "UploadPartCopy":
		src, err := parseCopySource(c.h.Get("X-Amz-Copy-Source"))
		if err != nil {
			return err
		}
		c.src = src
	}
	switch name {
	case "CopyObject":
		switch d := c.h.Get("X-Amz-Tagging-Directive"); d {
		case "", "COPY":
			return nil
		case "REPLACE":
		default:
			return s3err.InvalidArgument(msgTaggingDirective, "x-amz-tagging-directive", d)
		}
		fallthrough
	case "PutObject", "CreateMultipartUpload", "PostObject":
		tags, err := parseTagging(c.h.Values("X-Amz-Tagging"))
		if err != nil {
			return err
		}
		c.tags = tags
	}
	return nil
}

func partNumber(q url.Values, required bool) *s3err.Error {
	v, ok := q["partNumber"]
	if !ok {
		if required {
			return s3err.InvalidArgument(msgPartNumber, "partNumber", "")
		}
		return nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > 10000 {
		return s3err.InvalidArgument(msgPartNumber, "partNumber", v[0])
	}
	return nil
}

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=id]", the key
// percent-encoded.
func parseCopySource(v string) (source, *s3err.Error) {
	raw := v
	path, ver, hasVer := strings.Cut(v, "?")
	if hasVer {
		name, id, _ := strings.Cut(ver, "=")
		if name != "versionId" || id == "" {
			return source{}, s3err.InvalidArgument(msgCopyVersion, "x-amz-copy-source", raw)
		}
		var err error
		if ver, err = url.QueryUnescape(id); err != nil || ver == "" {
			return source{}, s3err.InvalidArgument(msgCopyVersion, "x-amz-copy-source", raw)
		}
	}
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return source{}, s3err.InvalidArgument(msgCopyEncoding, "x-amz-copy-source", raw)
	}
	if strings.HasPrefix(path, "arn:") {
		return source{}, s3err.NotImplemented() // access points and Outposts
	}
	b, k, ok := strings.Cut(path, "/")
	if !ok || b == "" || k == "" {
		return source{}, s3err.InvalidArgument(msgCopyShape, "x-amz-copy-source", raw)
	}
	if !legacyBucketName(b) {
		return source{}, s3err.InvalidBucketName(b)
	}
	if len(k) > MaxKeyLength {
		return source{}, s3err.KeyTooLong(len(k))
	}
	return source{bucket: b, key: k, versionID: ver}, nil
}

// parseTagging reads x-amz-tagging: URL query parameters, no key twice.
func parseTagging(values []string) (url.Values, *s3err.Error) {
	if len(values) == 0 || len(values) == 1 && values[0] == "" {
		return nil, nil
	}
	raw := strings.Join(values, "&")
	tags := url.Values{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || uk == "" || tags.Has(uk) {
			return nil, s3err.InvalidArgument(msgTagging, "x-amz-tagging", raw)
		}
		tags[uk] = []string{uv}
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

// PostObjectAccess returns the authorizations of a browser upload (PostObject) once the front
// has read its form: those of a PutObject of the form's key to bucket with the form's fields
// as its headers (acl as x-amz-acl, tagging's XML document as x-amz-tagging, x-amz-* as
// themselves). They replace the PerKey placeholder Classify answers.
func PostObjectAccess(bucket, key string, form url.Values) ([]Access, *s3err.Error) {
	if len(key) > MaxKeyLength {
		return nil, s3err.KeyTooLong(len(key))
	}
	h := http.Header{}
	for name, vs := range form {
		lower := strings.ToLower(name)
		switch {
		case lower == "acl":
			h["X-Amz-Acl"] = vs
		case lower == "tagging":
			if len(vs) == 0 {
				continue
			}
			tags, err := parseTaggingXML(vs[0])
			if err != nil {
				return nil, err
			}
			h.Set("X-Amz-Tagging", tags.Encode())
		case strings.HasPrefix(lower, "x-amz-"):
			h[http.CanonicalHeaderKey(lower)] = vs
		}
	}
	c := &call{op: &Op{Name: "PostObject", Bucket: bucket, Key: key}, q: url.Values{}, h: h}
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.write()
	return c.access, nil
}

// parseTaggingXML reads the <Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>
// document of a form's tagging field.
func parseTaggingXML(doc string) (url.Values, *s3err.Error) {
	var t struct {
		Tags []struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		} `xml:"TagSet>Tag"`
	}
	if err := xml.Unmarshal([]byte(doc), &t); err != nil {
		return nil, s3err.MalformedXML()
	}
	v := url.Values{}
	for _, tag := range t.Tags {
		if v.Has(tag.Key) {
			return nil, s3err.New(http.StatusBadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		v.Set(tag.Key, tag.Value)
	}
	return v, nil
}

func eqFold(a, b string) bool { return strings.EqualFold(strings.TrimSpace(a), b) }
