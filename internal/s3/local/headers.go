package local

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/s3/s3err"
)

const maxUserMeta = 2 << 10 // x-amz-meta-* names and values, in bytes

// objectMeta reads the headers an object keeps from a PUT, a CreateMultipartUpload or a
// CopyObject with REPLACE.
func objectMeta(h http.Header) (meta, error) {
	m := meta{
		ContentType:        h.Get("Content-Type"),
		CacheControl:       h.Get("Cache-Control"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentLanguage:    h.Get("Content-Language"),
		Expires:            h.Get("Expires"),
	}
	size := 0
	for k, v := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-meta-") {
			continue
		}
		name := lk[len("x-amz-meta-"):]
		val := strings.Join(v, ",")
		if m.User == nil {
			m.User = map[string]string{}
		}
		m.User[name] = val
		size += len(name) + len(val)
	}
	if size > maxUserMeta {
		return m, s3err.New(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size").With("Size", itoa(size)).With("MaxSizeAllowed", itoa(maxUserMeta))
	}
	return m, nil
}

// setMetaHeaders writes an object's kept headers into an answer, with GET's response-*
// overrides.
func setMetaHeaders(h http.Header, m *meta, q url.Values) {
	set := func(name, v, override string) {
		if o := q.Get(override); o != "" {
			v = o
		}
		if v != "" {
			h.Set(name, v)
		}
	}
	ct := m.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	set("Content-Type", ct, "response-content-type")
	set("Cache-Control", m.CacheControl, "response-cache-control")
	set("Content-Disposition", m.ContentDisposition, "response-content-disposition")
	set("Content-Encoding", m.ContentEncoding, "response-content-encoding")
	set("Content-Language", m.ContentLanguage, "response-content-language")
	set("Expires", m.Expires, "response-expires")
	names := make([]string, 0, len(m.User))
	for k := range m.User {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		h["X-Amz-Meta-"+k] = []string{m.User[k]}
	}
}

var storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE"}

// storageClass reads x-amz-storage-class; STANDARD is kept as "".
func storageClass(h http.Header) (string, error) {
	c := h.Get("X-Amz-Storage-Class")
	if c == "" || c == "STANDARD" {
		return "", nil
	}
	for _, s := range storageClasses {
		if s == c {
			return c, nil
		}
	}
	return "", s3err.New(http.StatusBadRequest, "InvalidStorageClass", "The storage class you specified is not valid").With("StorageClassRequested", c)
}

func classOrStandard(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}

// contentMD5 reads Content-MD5: nil when absent, InvalidDigest when it is no MD5.
func contentMD5(h http.Header) ([]byte, error) {
	v, ok := h["Content-Md5"]
	if !ok {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(strings.Join(v, ""))
	if err != nil || len(sum) != md5.Size {
		return nil, s3err.InvalidDigest()
	}
	return sum, nil
}

// tag is one object tag.
type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

const maxTags = 10

func invalidTag(msg string) *s3err.Error { return s3err.New(http.StatusBadRequest, "InvalidTag", msg) }

// validTagChars: letters, digits and spaces representable in UTF-8, and + - = . _ : / @.
func validTagChars(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.IsSpace(r) || strings.ContainsRune("+-=._:/@", r)) {
			return false
		}
	}
	return true
}

// checkTags applies S3's limits to an object's tag set.
func checkTags(tags []tag) error {
	if len(tags) > maxTags {
		return s3err.New(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || !utf8.ValidString(t.Key) || !validTagChars(t.Key):
			return invalidTag("The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Key) > 128:
			return invalidTag("The TagKey you have provided is too long, max 128")
		case !utf8.ValidString(t.Value) || !validTagChars(t.Value):
			return invalidTag("The TagValue you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > 256:
			return invalidTag("The TagValue you have provided is too long, max 256")
		case seen[t.Key]:
			return invalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

var badTaggingHeader = s3err.InvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", "")

// parseTagging reads x-amz-tagging (Key1=Value1&Key2=Value2, URL-encoded).
func parseTagging(s string) ([]tag, error) {
	if s == "" {
		return nil, nil
	}
	var tags []tag
	seen := map[string]bool{}
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || seen[key] {
			return nil, badTaggingHeader.With("ArgumentValue", s)
		}
		seen[key] = true
		tags = append(tags, tag{key, val})
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

// encodeTags is the stored form of a tag set: x-amz-tagging's.
func encodeTags(tags []tag) string {
	var b strings.Builder
	for i, t := range tags {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(t.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(t.Value))
	}
	return b.String()
}

func decodeTags(s string) []tag {
	tags, _ := parseTaggingRaw(s)
	return tags
}

func parseTaggingRaw(s string) ([]tag, error) {
	var tags []tag
	for _, pair := range strings.Split(s, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		tags = append(tags, tag{key, val})
	}
	return tags, nil
}

// etagMatch reports whether an If-Match or If-None-Match list names etag (quoted or not).
func etagMatch(list, etag string) bool {
	bare := strings.Trim(etag, `"`)
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		v = strings.TrimPrefix(v, "W/")
		if v == "*" || strings.Trim(v, `"`) == bare {
			return true
		}
	}
	return false
}

// conditionNames are the headers of GET's conditionals or of a copy source's.
type conditionNames struct{ ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string }

var (
	getConditions  = conditionNames{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}
	copyConditions = conditionNames{"X-Amz-Copy-Source-If-Match", "X-Amz-Copy-Source-If-None-Match", "X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-Unmodified-Since"}
)

// checkConditions applies S3's rules: If-Match that holds overrides a failing
// If-Unmodified-Since; If-None-Match that holds overrides a failing If-Modified-Since. A GET
// fails If-None-Match and If-Modified-Since with 304, a copy source with 412. Times compare at
// Last-Modified's precision, the second.
func checkConditions(h http.Header, n conditionNames, etag string, mtime time.Time, copySource bool) error {
	mtime = mtime.Truncate(time.Second)
	since := func(name string) (time.Time, bool) {
		v := h.Get(name)
		if v == "" {
			return time.Time{}, false
		}
		t, err := http.ParseTime(v)
		return t, err == nil
	}
	if v := h.Get(n.ifMatch); v != "" {
		if !etagMatch(v, etag) {
			return s3err.PreconditionFailed(n.ifMatch)
		}
	} else if t, ok := since(n.ifUnmodifiedSince); ok && mtime.After(t) {
		return s3err.PreconditionFailed(n.ifUnmodifiedSince)
	}
	notModified := func(cond string) error {
		if copySource {
			return s3err.PreconditionFailed(cond)
		}
		e := s3err.NotModified()
		e.Header = http.Header{"Etag": {etag}, "Last-Modified": {httpTime(mtime)}}
		return e
	}
	if v := h.Get(n.ifNoneMatch); v != "" {
		if etagMatch(v, etag) {
			return notModified(n.ifNoneMatch)
		}
	} else if t, ok := since(n.ifModifiedSince); ok && !mtime.After(t) {
		return notModified(n.ifModifiedSince)
	}
	return nil
}

// writeConditions checks a PUT's or Complete's If-None-Match: * and If-Match against the
// object the write would replace (nil if none), at commit.
func writeConditions(h http.Header, prev *object, key string) error {
	if v := h.Get("If-None-Match"); v != "" {
		if v != "*" {
			return s3err.NotImplemented()
		}
		if prev != nil {
			return s3err.PreconditionFailed("If-None-Match")
		}
	}
	if v := h.Get("If-Match"); v != "" {
		if prev == nil {
			return s3err.NoSuchKey(key)
		}
		if !etagMatch(v, prev.ETag) {
			return s3err.PreconditionFailed("If-Match")
		}
	}
	return nil
}

func itoa(n int) string { return formatInt(int64(n)) }
