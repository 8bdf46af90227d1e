package bucket

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
)

// ---- Block Public Access ----

type publicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// parsePublicAccessBlock reads PutPublicAccessBlock's document; a flag left out is false.
func parsePublicAccessBlock(body []byte) (store.PublicAccessBlock, *s3err.Error) {
	var raw struct {
		XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
		BlockPublicAcls       []string `xml:"BlockPublicAcls"`
		IgnorePublicAcls      []string `xml:"IgnorePublicAcls"`
		BlockPublicPolicy     []string `xml:"BlockPublicPolicy"`
		RestrictPublicBuckets []string `xml:"RestrictPublicBuckets"`
	}
	var p store.PublicAccessBlock
	if e := decodeXML(body, &raw); e != nil {
		return p, e
	}
	for _, f := range []struct {
		vals []string
		dst  *bool
	}{{raw.BlockPublicAcls, &p.BlockPublicAcls}, {raw.IgnorePublicAcls, &p.IgnorePublicAcls},
		{raw.BlockPublicPolicy, &p.BlockPublicPolicy}, {raw.RestrictPublicBuckets, &p.RestrictPublicBuckets}} {
		if len(f.vals) > 1 {
			return p, s3err.MalformedXML()
		}
		if len(f.vals) == 1 {
			v, good := parseBool(f.vals[0])
			if !good {
				return p, s3err.MalformedXML()
			}
			*f.dst = v
		}
	}
	return p, nil
}

func (r *Registry) getPublicAccessBlock(w http.ResponseWriter, req *http.Request, c *call) {
	if !c.b.HasPublicAccessBlock {
		answerErr(w, req, noSuchPublicAccessBlock(c.b.Name))
		return
	}
	p := c.b.PublicAccessBlock
	writeXML(w, http.StatusOK, publicAccessBlockConfiguration{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
		BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets})
}

func (r *Registry) putPublicAccessBlock(w http.ResponseWriter, req *http.Request, c *call) {
	body, err := readConfig(req)
	if err != nil {
		failure(w, req, err)
		return
	}
	p, e := parsePublicAccessBlock(body)
	if e != nil {
		answerErr(w, req, e)
		return
	}
	r.change(w, req, c, http.StatusOK, func(_ store.Tx, b *store.Bucket) error {
		b.PublicAccessBlock = &p
		return nil
	})
}

func (r *Registry) deletePublicAccessBlock(w http.ResponseWriter, req *http.Request, c *call) {
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.PublicAccessBlock = nil
		return nil
	})
}

// ---- Object Ownership ----

type ownershipControls struct {
	XMLName xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ OwnershipControls"`
	Rules   []ownershipRule `xml:"Rule"`
}

type ownershipRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// parseOwnershipControls reads PutBucketOwnershipControls's document: exactly one rule of one of
// the three settings.
func parseOwnershipControls(body []byte) (string, *s3err.Error) {
	var in struct {
		XMLName xml.Name `xml:"OwnershipControls"`
		Rules   []struct {
			ObjectOwnership []string `xml:"ObjectOwnership"`
		} `xml:"Rule"`
	}
	if e := decodeXML(body, &in); e != nil {
		return "", e
	}
	if len(in.Rules) != 1 || len(in.Rules[0].ObjectOwnership) != 1 {
		return "", s3err.MalformedXML()
	}
	switch v := strings.TrimSpace(in.Rules[0].ObjectOwnership[0]); v {
	case OwnerEnforced, OwnerPreferred, ObjectWriter:
		return v, nil
	}
	return "", s3err.MalformedXML()
}

func (r *Registry) getOwnershipControls(w http.ResponseWriter, req *http.Request, c *call) {
	if c.b.ObjectOwnership == "" {
		answerErr(w, req, ownershipControlsNotFound(c.b.Name))
		return
	}
	writeXML(w, http.StatusOK, ownershipControls{Rules: []ownershipRule{{c.b.ObjectOwnership}}})
}

func (r *Registry) putOwnershipControls(w http.ResponseWriter, req *http.Request, c *call) {
	body, err := readConfig(req)
	if err != nil {
		failure(w, req, err)
		return
	}
	v, e := parseOwnershipControls(body)
	if e != nil {
		answerErr(w, req, e)
		return
	}
	r.change(w, req, c, http.StatusOK, func(_ store.Tx, b *store.Bucket) error {
		b.ObjectOwnership = v
		return nil
	})
}

func (r *Registry) deleteOwnershipControls(w http.ResponseWriter, req *http.Request, c *call) {
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.ObjectOwnership = ""
		return nil
	})
}

// ---- ACLs ----
//
// iamd keeps no ACLs: every bucket and object grants its owner FULL_CONTROL and nothing else,
// which is all an ACL may say while ACLs are disabled (BucketOwnerEnforced, the default since
// April 2023). Setting an ACL that says only that succeeds, as S3 lets it; anything else is
// AccessControlListNotSupported on a bucket whose ACLs are disabled, and NotImplemented on one
// whose ACLs are enabled.

type accessControlPolicy struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ AccessControlPolicy"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type grantee struct {
	XSI  string `xml:"xmlns:xsi,attr"`
	Type string `xml:"xsi:type,attr"`
	ID   string `xml:"ID"`
}

func ownerOnlyACL(account string) accessControlPolicy {
	id := CanonicalUserID(account)
	return accessControlPolicy{Owner: owner{ID: id}, Grants: []grant{{
		Grantee:    grantee{XSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: id},
		Permission: "FULL_CONTROL",
	}}}
}

// aclBodyOnlyOwner reports whether an AccessControlPolicy document grants only the owner's
// full control; a document that is not one is MalformedACLError.
func aclBodyOnlyOwner(body []byte, account string) (bool, *s3err.Error) {
	var in struct {
		XMLName xml.Name `xml:"AccessControlPolicy"`
		Grants  []struct {
			Grantee struct {
				Type string `xml:"type,attr"`
				ID   string `xml:"ID"`
				URI  string `xml:"URI"`
				Mail string `xml:"EmailAddress"`
			} `xml:"Grantee"`
			Permission string `xml:"Permission"`
		} `xml:"AccessControlList>Grant"`
	}
	if decodeXML(body, &in) != nil {
		return false, s3err.New(http.StatusBadRequest, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	id := CanonicalUserID(account)
	for _, g := range in.Grants {
		if g.Grantee.Type != "CanonicalUser" || g.Grantee.ID != id || g.Permission != "FULL_CONTROL" {
			return false, nil
		}
	}
	return true, nil
}

func (r *Registry) getBucketACL(w http.ResponseWriter, req *http.Request, c *call) {
	writeXML(w, http.StatusOK, ownerOnlyACL(c.b.Account))
}

func (r *Registry) getObjectACL(w http.ResponseWriter, req *http.Request, c *call) {
	if !r.objectExists(w, req, c) {
		return
	}
	// With ACLs disabled the bucket owner owns every object.
	writeXML(w, http.StatusOK, ownerOnlyACL(c.b.Account))
}

// objectExists asks the backend whether the call's object exists; when it does not (or the
// backend fails) it answers and returns false.
func (r *Registry) objectExists(w http.ResponseWriter, req *http.Request, c *call) bool {
	var query string
	if v := req.URL.Query().Get("versionId"); v != "" {
		query = "versionId=" + url.QueryEscape(v)
	}
	res := r.backend(req.Context(), req, c.b.Account, http.MethodHead, "/"+c.b.Name+"/"+c.key, query, nil)
	switch {
	case res.status/100 == 2:
		return true
	case res.status == http.StatusNotFound:
		answerErr(w, req, s3err.NoSuchKey(c.key))
	case res.status == http.StatusForbidden:
		answerErr(w, req, s3err.AccessDenied())
	default:
		answerErr(w, req, s3err.InternalError())
	}
	return false
}

// setACL applies S3's rule for PutBucketAcl and PutObjectAcl (extraCanned is the further canned
// ACL that grants only the owner: bucket-owner-full-control for objects).
func (r *Registry) setACL(w http.ResponseWriter, req *http.Request, c *call, extraCanned string) bool {
	onlyOwner := aclOnlyOwner(req, c.b.Account, extraCanned)
	if req.Header.Get("X-Amz-Acl") == "" && !hasGrantHeaders(req) {
		body, err := readConfig(req)
		if err != nil {
			failure(w, req, err)
			return false
		}
		var e *s3err.Error
		if onlyOwner, e = aclBodyOnlyOwner(body, c.b.Account); e != nil {
			answerErr(w, req, e)
			return false
		}
	}
	if onlyOwner {
		return true
	}
	if c.b.ACLsDisabled() {
		answerErr(w, req, aclNotSupported())
	} else {
		answerErr(w, req, s3err.NotImplemented())
	}
	return false
}

func hasGrantHeaders(req *http.Request) bool {
	for _, h := range grantHeaders {
		if req.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

func (r *Registry) putBucketACL(w http.ResponseWriter, req *http.Request, c *call) {
	if r.setACL(w, req, c, "") {
		ok(w)
	}
}

func (r *Registry) putObjectACL(w http.ResponseWriter, req *http.Request, c *call) {
	if r.setACL(w, req, c, "bucket-owner-full-control") && r.objectExists(w, req, c) {
		ok(w)
	}
}

// ---- tagging ----

// maxBucketTags is S3's limit on a bucket's tags.
const maxBucketTags = 50

type tagging struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  tagSet   `xml:"TagSet"`
}

type tagSet struct {
	Tags []xmlTag `xml:"Tag"`
}

type xmlTag struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

// parseTagging reads PutBucketTagging's document and validates it (tagSet.validate).
func parseTagging(body []byte) ([]iam.Tag, *s3err.Error) {
	var in struct {
		XMLName xml.Name `xml:"Tagging"`
		TagSet  *tagSet  `xml:"TagSet"`
	}
	if e := decodeXML(body, &in); e != nil {
		return nil, e
	}
	if in.TagSet == nil {
		return nil, s3err.MalformedXML()
	}
	return in.TagSet.validate()
}

// validate applies S3's rules for a bucket's tags: at most 50; keys of 1 to 128 characters and
// values of at most 256, of letters, digits, white space and _ . : / = + - @; no key twice; no
// key in the aws: namespace, which AWS reserves.
func (s *tagSet) validate() ([]iam.Tag, *s3err.Error) {
	if len(s.Tags) > maxBucketTags {
		return nil, invalidTag("Bucket tag count cannot be greater than 50")
	}
	out := make([]iam.Tag, 0, len(s.Tags))
	seen := map[string]bool{}
	for _, t := range s.Tags {
		if t.Key == nil || t.Value == nil {
			return nil, s3err.MalformedXML()
		}
		k, v := *t.Key, *t.Value
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 || !tagChars(k) {
			return nil, invalidTag("The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(v) > 256 || !tagChars(v) {
			return nil, invalidTag("The TagValue you have provided is invalid")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidTag("System tags cannot be added/updated by requester")
		}
		if seen[k] {
			return nil, invalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[k] = true
		out = append(out, iam.Tag{Key: k, Value: v})
	}
	return out, nil
}

func tagChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r)) {
			return false
		}
	}
	return true
}

func (r *Registry) getBucketTagging(w http.ResponseWriter, req *http.Request, c *call) {
	if c.b.Tags == nil {
		answerErr(w, req, noSuchTagSet(c.b.Name))
		return
	}
	out := tagging{TagSet: tagSet{Tags: make([]xmlTag, len(c.b.Tags))}}
	for i, t := range c.b.Tags {
		out.TagSet.Tags[i] = xmlTag{Key: &t.Key, Value: &t.Value}
	}
	writeXML(w, http.StatusOK, out)
}

func (r *Registry) putBucketTagging(w http.ResponseWriter, req *http.Request, c *call) {
	body, err := readConfig(req)
	if err != nil {
		failure(w, req, err)
		return
	}
	tags, e := parseTagging(body)
	if e != nil {
		answerErr(w, req, e)
		return
	}
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.Tags = tags
		return nil
	})
}

func (r *Registry) deleteBucketTagging(w http.ResponseWriter, req *http.Request, c *call) {
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.Tags = nil
		return nil
	})
}

// ---- versioning, encryption, request payment: iamd's fixed answers ----

type versioningConfiguration struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
}

// getBucketVersioning: iamd's buckets are unversioned, which S3 answers with an empty
// configuration.
func (r *Registry) getBucketVersioning(w http.ResponseWriter, req *http.Request, c *call) {
	writeXML(w, http.StatusOK, versioningConfiguration{})
}

type serverSideEncryptionConfiguration struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ServerSideEncryptionConfiguration"`
	Rule    struct {
		Default struct {
			SSEAlgorithm string `xml:"SSEAlgorithm"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
		BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
	} `xml:"Rule"`
}

// getBucketEncryption: every bucket has SSE-S3 (AES256) as its default encryption, as every S3
// bucket has had since January 2023.
func (r *Registry) getBucketEncryption(w http.ResponseWriter, req *http.Request, c *call) {
	var out serverSideEncryptionConfiguration
	out.Rule.Default.SSEAlgorithm = "AES256"
	writeXML(w, http.StatusOK, out)
}

type requestPaymentConfiguration struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ RequestPaymentConfiguration"`
	Payer   string   `xml:"Payer"`
}

func (r *Registry) getBucketRequestPayment(w http.ResponseWriter, req *http.Request, c *call) {
	writeXML(w, http.StatusOK, requestPaymentConfiguration{Payer: "BucketOwner"})
}
