package bucket

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
)

// ---- ListBuckets ----

type listAllMyBucketsResult struct {
	XMLName           xml.Name     `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Buckets           []listBucket `xml:"Buckets>Bucket"`
	Owner             owner        `xml:"Owner"`
	ContinuationToken string       `xml:"ContinuationToken,omitempty"`
	Prefix            string       `xml:"Prefix,omitempty"`
}

type listBucket struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// timeFormat is how S3 writes timestamps in XML.
const timeFormat = "2006-01-02T15:04:05.000Z"

// maxBuckets is the most ListBuckets answers in one response (S3's limit on max-buckets).
const maxBuckets = 10000

func (r *Registry) listBuckets(w http.ResponseWriter, req *http.Request, account string) {
	q := req.URL.Query()
	opt := store.BucketListOptions{Prefix: q.Get("prefix"), Region: q.Get("bucket-region"), Limit: maxBuckets + 1}
	if v, ok := q["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxBuckets {
			answerErr(w, req, s3err.InvalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", v[0]))
			return
		}
		opt.Limit = n + 1
	}
	if tok := q.Get("continuation-token"); tok != "" {
		after, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(after) == 0 {
			answerErr(w, req, s3err.InvalidArgument("The continuation token provided is incorrect", "continuation-token", tok))
			return
		}
		opt.After = string(after)
	}
	var list []store.Bucket
	err := r.cfg.Store.Read(req.Context(), func(tx store.Tx) error {
		var err error
		list, err = tx.Buckets(req.Context(), account, opt)
		return err
	})
	if err != nil {
		failure(w, req, err)
		return
	}
	res := listAllMyBucketsResult{Owner: owner{ID: CanonicalUserID(account)}, Prefix: opt.Prefix, Buckets: []listBucket{}}
	if len(list) == opt.Limit {
		list = list[:len(list)-1]
		// Without max-buckets S3 answers every bucket (up to 10,000) and no token.
		if _, paged := q["max-buckets"]; paged {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(list[len(list)-1].Name))
		}
	}
	for _, b := range list {
		res.Buckets = append(res.Buckets, listBucket{Name: b.Name, CreationDate: b.CreateDate.UTC().Format(timeFormat), BucketRegion: b.Region})
	}
	writeXML(w, http.StatusOK, res)
}

// ---- CreateBucket ----

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
	// Location and Bucket configure directory buckets, which iamd does not have.
	Location *struct{} `xml:"Location"`
	Bucket   *struct{} `xml:"Bucket"`
	Tags     *tagSet   `xml:"Tags"`
}

// parseCreateBucketConfiguration reads CreateBucket's optional body.
func parseCreateBucketConfiguration(body []byte) (createBucketConfiguration, *s3err.Error) {
	var c createBucketConfiguration
	if len(bytes.TrimSpace(body)) == 0 {
		return c, nil
	}
	if e := decodeXML(body, &c); e != nil {
		return c, e
	}
	if c.Location != nil || c.Bucket != nil {
		return c, s3err.InvalidArgument("Directory buckets are not supported", "CreateBucketConfiguration", "")
	}
	return c, nil
}

// regionName is the form of an AWS Region's name.
var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// checkLocation applies S3's rule for the LocationConstraint of a request sent to region's
// endpoint: us-east-1 takes none (naming it is InvalidLocationConstraint, as S3 answers), every
// other Region its own name; any other Region's name is IllegalLocationConstraintException.
func checkLocation(constraint, region string) *s3err.Error {
	switch {
	case constraint == region && region != "us-east-1":
		return nil
	case constraint == "" && region == "us-east-1":
		return nil
	case constraint == "us-east-1":
		return invalidLocationConstraint()
	case constraint == "" || constraint == "EU" || regionName.MatchString(constraint):
		return illegalLocationConstraint(constraint)
	}
	return invalidLocationConstraint()
}

// cannedACLs are the canned ACLs a bucket may be created or updated with.
var cannedACLs = map[string]bool{"private": true, "public-read": true, "public-read-write": true, "authenticated-read": true}

var grantHeaders = []string{"X-Amz-Grant-Full-Control", "X-Amz-Grant-Read", "X-Amz-Grant-Read-Acp", "X-Amz-Grant-Write", "X-Amz-Grant-Write-Acp"}

// aclOnlyOwner reports whether the ACL headers of req grant nothing beyond the owner's full
// control (no headers, the private canned ACL, or a full-control grant to the owner alone),
// which a bucket whose ACLs are disabled accepts.
func aclOnlyOwner(req *http.Request, account string, extraCanned string) bool {
	if v := req.Header.Get("X-Amz-Acl"); v != "" && v != "private" && v != extraCanned {
		return false
	}
	for _, h := range grantHeaders {
		v := req.Header.Get(h)
		if v == "" {
			continue
		}
		if h != "X-Amz-Grant-Full-Control" {
			return false
		}
		for _, g := range strings.Split(v, ",") {
			typ, val, _ := strings.Cut(strings.TrimSpace(g), "=")
			val = strings.Trim(val, `"`)
			if !(strings.EqualFold(typ, "id") && val == CanonicalUserID(account)) {
				return false
			}
		}
	}
	return true
}

func (r *Registry) createBucket(w http.ResponseWriter, req *http.Request, account, name string) {
	ctx := req.Context()
	if !ValidName(name) {
		answerErr(w, req, s3err.InvalidBucketName(name))
		return
	}
	body, err := readBody(req, maxConfigBody)
	if errors.Is(err, errTooLarge) {
		answerErr(w, req, s3err.MalformedXML())
		return
	} else if err != nil {
		failure(w, req, err)
		return
	}
	conf, e := parseCreateBucketConfiguration(body)
	if e != nil {
		answerErr(w, req, e)
		return
	}
	if e := checkLocation(conf.LocationConstraint, r.cfg.Region); e != nil {
		answerErr(w, req, e)
		return
	}
	var tags []iam.Tag
	if conf.Tags != nil {
		if tags, e = conf.Tags.validate(); e != nil {
			answerErr(w, req, e)
			return
		}
	}
	ownership := OwnerEnforced
	if v := req.Header.Get("X-Amz-Object-Ownership"); v != "" {
		if v != OwnerEnforced && v != OwnerPreferred && v != ObjectWriter {
			answerErr(w, req, s3err.InvalidArgument("Invalid x-amz-object-ownership header: "+v, "x-amz-object-ownership", v))
			return
		}
		ownership = v
	}
	if v := req.Header.Get("X-Amz-Acl"); v != "" && !cannedACLs[v] {
		answerErr(w, req, s3err.InvalidArgument("", "x-amz-acl", v))
		return
	}
	if !aclOnlyOwner(req, account, "") {
		if ownership == OwnerEnforced {
			answerErr(w, req, aclWithOwnership())
			return
		}
		// iamd keeps no ACLs: a bucket is created with ACLs enabled, but only private.
		answerErr(w, req, s3err.NotImplemented())
		return
	}
	if strings.EqualFold(req.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		answerErr(w, req, s3err.NotImplemented())
		return
	}

	// The name is claimed in the registry first, so two creators cannot both reach the backend.
	sb := store.Bucket{
		Name: name, Account: account, Region: r.cfg.Region, CreateDate: r.cfg.Now().UTC(),
		PublicAccessBlock: &store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
		ObjectOwnership:   ownership,
		Tags:              tags,
	}
	var existing store.Bucket
	err = r.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		existing, err = tx.Bucket(ctx, name)
		if err == nil {
			return store.ErrAlreadyExists
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return tx.CreateBucket(ctx, sb)
	})
	if errors.Is(err, store.ErrAlreadyExists) && existing.Name == "" {
		// Another creator committed between the check and the insert: whose is it?
		if rerr := r.cfg.Store.Read(ctx, func(tx store.Tx) error {
			existing, err = tx.Bucket(ctx, name)
			return err
		}); rerr != nil && !errors.Is(rerr, store.ErrNotFound) {
			failure(w, req, rerr)
			return
		}
		err = store.ErrAlreadyExists
	}
	if errors.Is(err, store.ErrAlreadyExists) {
		switch {
		case existing.Account != account:
			answerErr(w, req, s3err.BucketAlreadyExists(name))
		case r.cfg.Region == "us-east-1":
			// S3 answers 200 to the owner re-creating a bucket in us-east-1, for legacy
			// compatibility (and resets its ACLs, which iamd does not keep).
			w.Header().Set("Location", "/"+name)
			ok(w)
		default:
			answerErr(w, req, s3err.BucketAlreadyOwnedByYou(name))
		}
		return
	}
	if err != nil {
		failure(w, req, err)
		return
	}
	var backendBody []byte
	if r.cfg.Region != "us-east-1" {
		backendBody = []byte(`<CreateBucketConfiguration xmlns="` + ns + `"><LocationConstraint>` + r.cfg.Region + `</LocationConstraint></CreateBucketConfiguration>`)
	}
	res := r.backend(ctx, req, account, http.MethodPut, "/"+name, "", backendBody)
	if res.status/100 != 2 && !(res.status == http.StatusConflict && res.code() == "BucketAlreadyOwnedByYou") {
		// The backend could not make the bucket: give the name back.
		if err := r.cfg.Store.Write(ctx, func(tx store.Tx) error {
			err := tx.DeleteBucket(ctx, name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		}); err != nil {
			failure(w, req, err)
			return
		}
		res.relay(w, req, name)
		return
	}
	w.Header().Set("Location", "/"+name)
	ok(w)
}

// ---- DeleteBucket, HeadBucket, GetBucketLocation ----

func (r *Registry) deleteBucket(w http.ResponseWriter, req *http.Request, c *call) {
	ctx := req.Context()
	res := r.backend(ctx, req, c.b.Account, http.MethodDelete, "/"+c.b.Name, "", nil)
	// A backend that has no storage for the bucket has nothing to remove: the registry decides
	// whether the bucket exists.
	if res.status/100 != 2 && !(res.status == http.StatusNotFound && res.code() == "NoSuchBucket") {
		res.relay(w, req, c.b.Name)
		return
	}
	err := r.cfg.Store.Write(ctx, func(tx store.Tx) error { return tx.DeleteBucket(ctx, c.b.Name) })
	if errors.Is(err, store.ErrNotFound) {
		answerErr(w, req, s3err.NoSuchBucket(c.b.Name))
		return
	}
	if err != nil {
		failure(w, req, err)
		return
	}
	noContent(w)
}

func (r *Registry) headBucket(w http.ResponseWriter, req *http.Request, c *call) {
	h := w.Header()
	h.Set("X-Amz-Bucket-Region", c.b.Region)
	h.Set("X-Amz-Access-Point-Alias", "false")
	ok(w)
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

func (r *Registry) getBucketLocation(w http.ResponseWriter, req *http.Request, c *call) {
	// us-east-1 is the empty constraint.
	region := c.b.Region
	if region == "us-east-1" {
		region = ""
	}
	writeXML(w, http.StatusOK, locationConstraint{Region: region})
}

// ---- the backend ----

// backendResult is what the backend answered one of the registry's own requests.
type backendResult struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func (b *backendResult) Header() http.Header { return b.header }
func (b *backendResult) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.body.Len() < 1<<16 { // an error document; anything longer is not read
		b.body.Write(p[:min(len(p), 1<<16-b.body.Len())])
	}
	return len(p), nil
}
func (b *backendResult) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// code is the Code of the backend's S3 error document, "" when it sent none.
func (b *backendResult) code() string {
	var e struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(b.body.Bytes(), &e)
	return e.Code
}

// relay answers the backend's failure as it gave it, with the front's request ids.
func (b *backendResult) relay(w http.ResponseWriter, req *http.Request, bucket string) {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(b.body.Bytes(), &e) != nil || e.Code == "" {
		answerErr(w, req, s3err.InternalError())
		return
	}
	se := s3err.New(b.status, e.Code, e.Message)
	if e.Code == "NoSuchBucket" || strings.HasPrefix(e.Code, "Bucket") {
		se = se.With("BucketName", bucket)
	}
	answerErr(w, req, se)
}

// backend sends the backend one request of the registry's own, path-style, and returns its
// answer. The request carries the client's context and Host; it has passed the front's checks.
// owner is the bucket owner's account.
func (r *Registry) backend(ctx context.Context, orig *http.Request, owner, method, path, query string, body []byte) *backendResult {
	u := &url.URL{Scheme: "http", Host: orig.Host, Path: path, RawQuery: query}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	res := &backendResult{header: http.Header{}}
	if err != nil {
		res.status = http.StatusInternalServerError
		return res
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.RemoteAddr = orig.RemoteAddr
	// As the front marks the requests it forwards: the bucket owner, for the backend's Owner.
	req.Header.Set("X-Iamd-Owner-Id", CanonicalUserID(owner))
	req.Header.Set("X-Iamd-Owner-Name", owner)
	r.cfg.Backend.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	io.Copy(io.Discard, req.Body)
	return res
}
