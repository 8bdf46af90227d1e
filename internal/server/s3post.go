package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/s3/bucket"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/s3/s3op"
	"github.com/iamd/iamd/sigv4"
)

// Browser uploads (S3's POST Object): an HTML form posts the object with its key and metadata
// as form fields, and a policy the uploader's credentials signed that says what the form may
// hold. iamd checks the signature and every condition of the policy, authorizes s3:PutObject
// for the credentials' principal (s3:authType POST), and hands the file to the backend as a
// PutObject. The file's length is only known at its end, and backends need it up front, so the
// file is spooled to a temporary file first, bounded by the policy's content-length-range.

// Limits of a browser upload form.
const (
	maxPostFields  = 20 << 10 // the form fields before the file (S3's limit)
	maxPostObject  = 5 << 30  // a single PUT's limit
	postPolicyDate = "2006-01-02T15:04:05Z"
)

// postForm is a browser upload's fields by lower-case name, and its file.
type postForm struct {
	fields   map[string]string
	names    map[string]string // lower-case name → name as the form gave it
	filename string
	file     *multipart.Part
}

func (s *Server) servePost(ctx context.Context, w *s3Writer, c *s3Call, origin authz.Origin) *s3err.Error {
	r := c.r
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return s3err.New(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").With("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")
	}
	form, e := readPostForm(multipart.NewReader(r.Body, params["boundary"]))
	if e != nil {
		return e
	}
	f := form.fields
	key := strings.ReplaceAll(f["key"], "${filename}", form.filename)
	if f["key"] == "" {
		return s3err.InvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", "key", "")
	}
	if len(key) > 1024 {
		return s3err.KeyTooLong(len(key))
	}
	c.op.Key = key
	p := authn.AnonymousPrincipal()
	var policyDoc []byte
	v2 := f["awsaccesskeyid"] != ""
	switch {
	case v2:
		for _, need := range []string{"policy", "signature"} {
			if f[need] == "" {
				return s3err.InvalidArgument("Bucket POST must contain a field named '"+need+"'.  If it is specified, please check the order of the fields.", need, "")
			}
		}
		if p, err = s.cfg.Authn.AuthenticatePostV2(ctx, f["awsaccesskeyid"], f["x-amz-security-token"], f["policy"], f["signature"]); err != nil {
			s.authFailure(awsErr(err))
			return s.s3Failure(c, err)
		}
		if policyDoc, err = base64.StdEncoding.DecodeString(f["policy"]); err != nil {
			return invalidPolicyDocument("Invalid Policy: invalid Base64 encoding.")
		}
	case f["policy"] != "" || f["x-amz-signature"] != "":
		if f["x-amz-algorithm"] != "AWS4-HMAC-SHA256" {
			return s3err.InvalidArgument("POST requires exactly one of the following signature versions: AWS4-HMAC-SHA256", "x-amz-algorithm", f["x-amz-algorithm"])
		}
		for _, need := range []string{"policy", "x-amz-signature", "x-amz-credential", "x-amz-date"} {
			if f[need] == "" {
				return s3err.InvalidArgument("Bucket POST must contain a field named '"+need+"'.  If it is specified, please check the order of the fields.", need, "")
			}
		}
		pp := sigv4.PostPolicy{Credential: f["x-amz-credential"], AmzDate: f["x-amz-date"], SessionToken: f["x-amz-security-token"],
			Policy: f["policy"], Signature: f["x-amz-signature"]}
		if p, err = s.cfg.Authn.AuthenticatePost(ctx, pp); err != nil {
			s.authFailure(awsErr(err))
			return s.s3Failure(c, err)
		}
		if policyDoc, err = base64.StdEncoding.DecodeString(f["policy"]); err != nil {
			return invalidPolicyDocument("Invalid Policy: invalid Base64 encoding.")
		}
	}
	c.principal = p
	var lengthRange [2]int64
	lengthRange[1] = maxPostObject
	if policyDoc != nil {
		lr, e := checkPostPolicy(policyDoc, form, c.op.Bucket, key, s.cfg.Now())
		if e != nil {
			return e
		}
		lengthRange = lr
	}
	authKeys := []authz.Key{{Name: "s3:authType", Values: []string{"POST"}}}
	if p.Kind() != authn.Anonymous {
		version := "AWS4-HMAC-SHA256"
		if v2 {
			version = "AWS"
		}
		authKeys = append(authKeys, authz.Key{Name: "s3:signatureversion", Values: []string{version}})
	}
	values := url.Values{}
	for lower, v := range f {
		values.Set(form.names[lower], v)
	}
	accesses, e := s3op.PostObjectAccess(c.op.Bucket, key, values)
	if e != nil {
		return e
	}
	for _, acc := range accesses {
		if e := s.authorizeS3(ctx, c, origin, acc, authKeys); e != nil {
			return e
		}
	}
	if r.Header.Get("Origin") != "" {
		s.cfg.S3.Buckets.CORSHeaders(w.Header(), r, c.owner)
	}
	tmp, err := os.CreateTemp("", "iamd-post-")
	if err != nil {
		return s.s3Failure(c, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(form.file, lengthRange[1]+1))
	if err != nil {
		return s3err.IncompleteBody()
	}
	if n > lengthRange[1] {
		return s3err.New(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size").
			With("ProposedSize", strconv.FormatInt(n, 10)).With("MaxSizeAllowed", strconv.FormatInt(lengthRange[1], 10))
	}
	if n < lengthRange[0] {
		return s3err.New(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size").
			With("ProposedSize", strconv.FormatInt(n, 10)).With("MinSizeAllowed", strconv.FormatInt(lengthRange[0], 10))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return s.s3Failure(c, err)
	}
	put, err := http.NewRequestWithContext(ctx, http.MethodPut, "/", tmp)
	if err != nil {
		return s.s3Failure(c, err)
	}
	path := s3op.BucketPath(c.op.Bucket, key)
	put.URL.RawPath = path
	put.URL.Path, _ = unescapeS3Path(path)
	put.Host = r.Host
	put.ContentLength = n
	for name, v := range f {
		switch {
		case name == "content-type", name == "cache-control", name == "content-disposition", name == "content-encoding", name == "expires",
			name == "content-language", name == "x-amz-website-redirect-location", strings.HasPrefix(name, "x-amz-checksum-"),
			strings.HasPrefix(name, "x-amz-meta-"), name == "x-amz-storage-class", name == "x-amz-server-side-encryption":
			put.Header.Set(name, v)
		}
	}
	if doc, ok := f["tagging"]; ok {
		tags, e := postTagging(doc)
		if e != nil {
			return e
		}
		put.Header.Set("X-Amz-Tagging", tags)
	}
	if c.owner != nil {
		put.Header.Set("X-Iamd-Owner-Id", bucket.CanonicalUserID(c.owner.Account))
		put.Header.Set("X-Iamd-Owner-Name", c.owner.Account)
	}
	rec := &bufferedResponse{header: http.Header{}}
	s.cfg.S3.Backend.ServeHTTP(rec, put)
	if rec.status/100 != 2 {
		// The backend's error, as it answered it.
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return nil
	}
	etag := rec.header.Get("ETag")
	location := clientURL(r) + "/" + c.op.Bucket + "/" + escapeKey(key)
	w.Header().Set("ETag", etag)
	w.Header().Set("Location", location)
	if redirect := f["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", c.op.Bucket)
			q.Set("key", key)
			q.Set("etag", etag)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch f["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		type postResponse struct {
			XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PostResponse"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}
		body, _ := xml.Marshal(postResponse{Location: location, Bucket: c.op.Bucket, Key: key, ETag: etag})
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		w.Write(append([]byte(xml.Header), body...))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// readPostForm reads the form's fields up to its file part, which it leaves unread.
func readPostForm(mr *multipart.Reader) (*postForm, *s3err.Error) {
	form := &postForm{fields: map[string]string{}, names: map[string]string{}}
	size := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, s3err.InvalidArgument("POST requires exactly one file upload per request.", "file", "0")
		}
		if err != nil {
			return nil, s3err.MalformedPOSTRequest()
		}
		name := part.FormName()
		if strings.EqualFold(name, "file") {
			form.file, form.filename = part, part.FileName()
			return form, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, int64(maxPostFields-size+1)))
		if err != nil {
			return nil, s3err.MalformedPOSTRequest()
		}
		size += len(b) + len(name)
		if size > maxPostFields {
			return nil, s3err.New(http.StatusBadRequest, "MaxPostPreDataLengthExceededError", "Your POST request fields preceeding the upload file was too large.")
		}
		lower := strings.ToLower(name)
		if _, dup := form.fields[lower]; dup {
			return nil, s3err.InvalidArgument("Bucket POST must contain at most one field named '"+name+"'.", name, string(b))
		}
		form.fields[lower], form.names[lower] = string(b), name
	}
}

// checkPostPolicy checks a browser upload's policy document against its form: the
// expiration, every condition, and that every field is covered by one. It returns the
// content-length-range, [0, maxPostObject] when the policy sets none.
func checkPostPolicy(doc []byte, form *postForm, bucket, key string, now time.Time) ([2]int64, *s3err.Error) {
	lr := [2]int64{0, maxPostObject}
	var pol struct {
		Expiration string            `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	invalid := func(msg string) ([2]int64, *s3err.Error) {
		return lr, s3err.New(http.StatusForbidden, "AccessDenied", "Invalid according to Policy: "+msg)
	}
	if err := json.Unmarshal(doc, &pol); err != nil {
		return lr, invalidPolicyDocument("Invalid Policy: Invalid JSON.")
	}
	exp, err := time.Parse(time.RFC3339, pol.Expiration)
	if err != nil {
		return lr, invalidPolicyDocument("Invalid Policy: Invalid 'expiration' value: '" + pol.Expiration + "'")
	}
	if !now.Before(exp) {
		return invalid("Policy expired.")
	}
	value := func(field string) (string, bool) {
		field = strings.ToLower(field)
		switch field {
		case "bucket":
			return bucket, true
		case "key":
			return key, true
		}
		v, ok := form.fields[field]
		return v, ok
	}
	// A bucket field, like any other, must be named by a condition (S3: "Extra input fields:
	// bucket"); the bucket of the request path needs none.
	covered := map[string]bool{}
	for _, raw := range pol.Conditions {
		var obj map[string]string
		if json.Unmarshal(raw, &obj) == nil {
			for k, want := range obj {
				k = strings.TrimPrefix(strings.ToLower(k), "$")
				covered[k] = true
				if got, _ := value(k); got != want {
					return invalid(fmt.Sprintf(`Policy Condition failed: ["eq", "$%s", "%s"]`, k, want))
				}
			}
			continue
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil || len(arr) != 3 {
			return lr, invalidPolicyDocument("Invalid Policy: Invalid Condition: " + string(raw))
		}
		var op string
		if json.Unmarshal(arr[0], &op) != nil {
			return lr, invalidPolicyDocument("Invalid Policy: Invalid Condition: " + string(raw))
		}
		switch strings.ToLower(op) {
		case "content-length-range":
			var lo, hi int64
			if json.Unmarshal(arr[1], &lo) != nil || json.Unmarshal(arr[2], &hi) != nil || lo < 0 || hi < lo {
				return lr, invalidPolicyDocument("Invalid Policy: Invalid content-length-range: " + string(raw))
			}
			lr = [2]int64{lo, min(hi, maxPostObject)}
		case "eq", "starts-with":
			var field, want string
			if json.Unmarshal(arr[1], &field) != nil || json.Unmarshal(arr[2], &want) != nil || !strings.HasPrefix(field, "$") {
				return lr, invalidPolicyDocument("Invalid Policy: Invalid Condition: " + string(raw))
			}
			field = strings.ToLower(field[1:])
			covered[field] = true
			got, _ := value(field)
			ok := got == want
			if strings.ToLower(op) == "starts-with" {
				ok = strings.HasPrefix(got, want)
				if field == "content-type" && strings.Contains(got, ",") {
					ok = true
					for _, ct := range strings.Split(got, ",") {
						ok = ok && strings.HasPrefix(strings.TrimSpace(ct), want)
					}
				}
			}
			if !ok {
				return invalid(fmt.Sprintf(`Policy Condition failed: [%q, "$%s", %q]`, op, field, want))
			}
		default:
			return lr, invalidPolicyDocument("Invalid Policy: Invalid Condition: " + string(raw))
		}
	}
	for lower, name := range form.names {
		switch {
		case lower == "policy", lower == "x-amz-signature", lower == "file", strings.HasPrefix(lower, "x-ignore-"), covered[lower],
			lower == "awsaccesskeyid", lower == "signature": // SigV2's, which its policies do not name
			continue
		}
		return invalid("Extra input fields: " + name)
	}
	return lr, nil
}

// bufferedResponse keeps a small backend answer (a PutObject's) for the upload's own answer.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// invalidPolicyDocument is S3's answer to a browser upload's policy it cannot read.
func invalidPolicyDocument(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidPolicyDocument", msg)
}

// postTagging turns a browser upload's tagging field, a <Tagging> document, into the
// x-amz-tagging header of the PutObject it becomes.
func postTagging(doc string) (string, *s3err.Error) {
	var t struct {
		XMLName xml.Name `xml:"Tagging"`
		TagSet  struct {
			Tag []struct{ Key, Value string }
		}
	}
	if xml.Unmarshal([]byte(doc), &t) != nil {
		return "", s3err.MalformedXML()
	}
	q := url.Values{}
	for _, tag := range t.TagSet.Tag {
		q.Add(tag.Key, tag.Value)
	}
	return q.Encode(), nil
}

// clientURL is the scheme and host the client sent r to.
func clientURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// escapeKey percent-encodes each segment of an object key for a URL.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
