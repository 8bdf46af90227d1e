package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"hash"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/s3/bucket"
	"github.com/iamd/iamd/internal/s3/chunked"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/s3/s3op"
	"github.com/iamd/iamd/sigv4"
)

// The S3 front. S3 is not one more front of the Query pipeline (handle): its bodies are objects,
// streamed and never held whole, and its answers are the backend's, streamed back. The steps are
// the pipeline's all the same, in the same order and through the same parts: classify
// (internal/s3/s3op: the operation, its actions and resources), authenticate (authn, in S3's
// form of SigV4), authorize every access the operation needs (authz, with the bucket's policy as
// the resource policy and its owner as the resource account), invoke (the bucket registry for
// bucket-level calls, the object backend for the rest), and the metrics, audit trail and access
// log of every call.

// S3 is the S3 data plane the server fronts.
type S3 struct {
	// Domain is the base domain of virtual-hosted-style requests (BUCKET.Domain); "" serves
	// path-style requests only.
	Domain string
	// Buckets is the bucket registry: owners, policies and bucket configuration.
	Buckets *bucket.Registry
	// Backend stores objects: internal/s3/local or internal/s3/upstream.
	Backend http.Handler
}

// isS3 tells S3's requests from IAM's and STS's on the one endpoint: by the signature's
// credential scope when it names S3 or one of iamd's own services; otherwise (unsigned, or
// scoped to another service) a Query Action (or a form body, where Query callers put it) means
// IAM or STS, anything else is S3.
func (s *Server) isS3(r *http.Request) bool {
	if s.cfg.S3 == nil {
		return false
	}
	svc, scoped := scopeService(r)
	if s.s3Named(r, svc, scoped) {
		return true
	}
	if scoped {
		switch svc {
		case "iam", "sts", "cloudtrail":
			return false
		}
		// Scoped to a service iamd does not serve: whoever the request's shape is for words
		// the refusal (S3's "incorrect service", or IAM's "scoped to correct service").
	}
	if strings.Contains(r.URL.RawQuery, "Action=") {
		return false
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return false
	}
	return true
}

// signedForS3 reports whether r is signed for S3 (SigV4 scoped to s3, or SigV2) or names a
// bucket by its host: such a request is S3's even where an unsigned one is iamd's.
func (s *Server) signedForS3(r *http.Request) bool {
	if s.cfg.S3 == nil {
		return false
	}
	svc, scoped := scopeService(r)
	return s.s3Named(r, svc, scoped)
}

// s3Named is signedForS3 for a request whose credential scope names svc (scoped false: none).
func (s *Server) s3Named(r *http.Request, svc string, scoped bool) bool {
	if d := s.cfg.S3.Domain; d != "" && strings.HasSuffix(hostOnly(r.Host), "."+d) {
		return true
	}
	if scoped {
		return svc == "s3"
	}
	return strings.HasPrefix(r.Header.Get("Authorization"), "AWS ") // SigV2: only S3 ever took it
}

// hostOnly is a Host header without its port.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

// scopeService reads the service of a SigV4 credential scope, from the Authorization header or
// a presigned URL's X-Amz-Credential, without verifying anything.
func scopeService(r *http.Request) (string, bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return "", false
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	} else {
		return "", false
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return "", false
	}
	return parts[3], true
}

// s3Call is one S3 request in flight.
type s3Call struct {
	call
	op     *s3op.Op
	w      http.ResponseWriter
	r      *http.Request
	hostID string
	owner  *bucket.Bucket // the bucket of the operation, nil when it has none or it does not exist
	// body is the request body as the backend reads it, checked on the way (nil: untouched).
	body *checkedBody
	// extend keeps the connection's deadlines ahead of a transfer (s3Writer.extend).
	extend func()
}

func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &s3Call{call: call{service: "s3"}, w: w, r: r}
	c.id = c.newID()
	c.hostID = newHostID()
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.id}
	h["X-Amz-Id-2"] = []string{c.hostID}
	sw := &s3Writer{w: w, c: c}
	c.extend = sw.extend
	sw.extend()
	failure := s.handleS3(sw, c)
	if failure != nil && !sw.started {
		sw.discard()
		s3err.Write(w, r, failure, c.id, c.hostID)
		sw.status = failure.Status
	} else {
		sw.finish()
	}
	now := time.Now()
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.Call("s3", c.knownAction(), sw.status, authzDecision(c.trace), now.Sub(start))
	}
	// Bucket-level calls are management events, which CloudTrail records by default; object
	// calls are data events, which it records only when asked to (and neither does iamd).
	if s.cfg.Audit != nil && c.principal != nil && c.op != nil && c.op.Gateway {
		var fe *awserr.Error
		if failure != nil {
			fe = &awserr.Error{Code: failure.Code, Message: failure.Message, Status: failure.Status}
		}
		s.cfg.Audit.Record(c.auditCall(r, start, fe))
	}
	if s.access != nil {
		s.access.writeCall(now, &c.call, sw.status, now.Sub(start))
		return
	}
	attrs := c.attrs(sw.status, now.Sub(start))
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:]...)
}

// newHostID is an x-amz-id-2: S3's second request id, base64 of random bytes.
func newHostID() string {
	var b [24]byte
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

// handleS3 runs one S3 call; it returns the error to answer when nothing has been answered.
func (s *Server) handleS3(w *s3Writer, c *s3Call) (failure *s3err.Error) {
	r := c.r
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.Error("panic", "requestId", c.id, "panic", v)
			failure = s3err.InternalError()
		}
	}()
	op, e := s3op.Classify(r, s.cfg.S3.Domain)
	if e != nil {
		return e
	}
	c.op, c.action, c.known = op, op.Name, true
	s3 := s.cfg.S3
	ctx := r.Context()
	if op.Bucket != "" {
		b, err := s3.Buckets.Get(ctx, op.Bucket)
		if err != nil {
			return s.s3Failure(c, err)
		}
		c.owner = b
	}
	if op.Name == "PreflightRequest" {
		if c.owner == nil {
			return s3err.NoSuchBucket(op.Bucket)
		}
		s3.Buckets.Preflight(w, r, c.owner)
		return nil
	}
	origin := authz.Origin{SourceIP: authz.SourceIP(r.RemoteAddr), Secure: r.TLS != nil, UserAgent: r.UserAgent()}
	ctx, trace := c.rctx.Init(ctx, origin)
	c.trace = trace
	if op.Name == "PostObject" {
		if c.owner == nil {
			return s3err.NoSuchBucket(op.Bucket)
		}
		return s.servePost(ctx, w, c, origin)
	}
	var vres sigv4.S3Result
	vhost := ""
	if op.Style == s3op.VirtualHosted {
		vhost = op.Bucket
	}
	if e := s3CheckAuth(r, s3.Buckets.Region(), s.cfg.Now()); e != nil {
		s.authFailure(&awserr.Error{Code: e.Code, Message: e.Message, Status: e.Status})
		return e
	}
	p, err := s.cfg.Authn.AuthenticateS3(ctx, r, &vres, vhost)
	if err != nil {
		s.authFailure(awsErr(err))
		return s.s3Failure(c, err)
	}
	c.principal = p
	if op.Bucket != "" && c.owner == nil && op.Name != "CreateBucket" {
		return s3err.NoSuchBucket(op.Bucket)
	}
	br, e := s.backendRequest(c, &vres)
	if e != nil {
		return e
	}
	authKeys := s3AuthKeys(r, &vres, p, s.cfg.Now())
	accesses := op.Access
	if op.Name == "CreateBucket" || op.Name == "PutObjectTagging" {
		// Their condition keys come from the body (s3:LocationConstraint, s3:RequestObjectTag/…):
		// it is small, and read (and checked) before the decision.
		if accesses, e = s.bodyKeys(c, br, accesses); e != nil {
			return e
		}
	}
	for _, acc := range accesses {
		if acc.PerKey {
			continue // per object of the body: deleteObjects
		}
		if e := s.authorizeS3(ctx, c, origin, acc, authKeys); e != nil {
			return e
		}
	}
	if e := s.expectedOwners(ctx, c, accesses); e != nil {
		return e
	}
	if c.owner != nil && r.Header.Get("Origin") != "" {
		s3.Buckets.CORSHeaders(w.Header(), r, c.owner)
	}
	switch {
	case op.Gateway:
		s3.Buckets.Serve(w, br, op.Name, p.Account(), op.Bucket, op.Key)
	case op.Name == "DeleteObjects":
		if e := s.deleteObjects(ctx, w, c, br, origin, authKeys); e != nil {
			return e
		}
	default:
		if op.Name == "GetObject" || op.Name == "HeadObject" {
			w.onNotFound = func() *s3err.Error { return s.hideMissing(ctx, c, origin, authKeys) }
		}
		s3.Backend.ServeHTTP(w, br)
	}
	if c.body != nil && c.body.err != nil {
		return c.body.err
	}
	return nil
}

// expectedOwners applies x-amz-expected-bucket-owner and, for a copy,
// x-amz-source-expected-bucket-owner: a request whose bucket belongs to another account than
// the one named is refused with 403 AccessDenied, as S3 refuses it.
func (s *Server) expectedOwners(ctx context.Context, c *s3Call, accesses []s3op.Access) *s3err.Error {
	h := c.r.Header
	if want := h.Get("X-Amz-Expected-Bucket-Owner"); want != "" && c.owner != nil && c.op.Name != "CreateBucket" && want != c.owner.Account {
		return s3err.AccessDenied()
	}
	want := h.Get("X-Amz-Source-Expected-Bucket-Owner")
	if want == "" || (c.op.Name != "CopyObject" && c.op.Name != "UploadPartCopy") {
		return nil
	}
	for _, acc := range accesses {
		if acc.Action != "s3:GetObject" && acc.Action != "s3:GetObjectVersion" {
			continue
		}
		b, err := s.cfg.S3.Buckets.Get(ctx, acc.Bucket)
		if err != nil {
			return s.s3Failure(c, err)
		}
		if b != nil && b.Account != want {
			return s3err.AccessDenied()
		}
	}
	return nil
}

// maxBodyKeys bounds the bodies read for their condition keys (a CreateBucketConfiguration, a
// Tagging): both are a few hundred bytes.
const maxBodyKeys = 1 << 20

// bodyKeys reads the small body of a call whose condition keys it holds, and returns the call's
// accesses with those keys; br's body is then the bytes read.
func (s *Server) bodyKeys(c *s3Call, br *http.Request, accesses []s3op.Access) ([]s3op.Access, *s3err.Error) {
	body, err := io.ReadAll(io.LimitReader(br.Body, maxBodyKeys+1))
	if c.body != nil && c.body.err != nil {
		return nil, c.body.err
	}
	if err != nil {
		return nil, s3err.IncompleteBody()
	}
	if len(body) > maxBodyKeys {
		return nil, s3err.MalformedXML()
	}
	br.Body = io.NopCloser(bytes.NewReader(body))
	var keys []s3op.Key
	switch c.op.Name {
	case "CreateBucket":
		var cfg struct {
			LocationConstraint string
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if xml.Unmarshal(body, &cfg) != nil {
				return nil, s3err.MalformedXML()
			}
		}
		keys = append(keys, s3op.LocationConstraint(cfg.LocationConstraint))
	case "PutObjectTagging":
		var t struct {
			TagSet struct {
				Tag []struct{ Key, Value string }
			}
		}
		if xml.Unmarshal(body, &t) != nil {
			return nil, s3err.MalformedXML()
		}
		tags := url.Values{}
		for _, tag := range t.TagSet.Tag {
			tags.Add(tag.Key, tag.Value)
		}
		keys = s3op.TagKeys(tags)
	}
	out := make([]s3op.Access, len(accesses))
	for i, a := range accesses {
		a.Keys = append(append([]s3op.Key(nil), a.Keys...), keys...)
		out[i] = a
	}
	return out, nil
}

// hideMissing is S3's rule for a missing object: a caller who may not list the bucket learns
// nothing from its absence, and is answered AccessDenied instead of NoSuchKey.
func (s *Server) hideMissing(ctx context.Context, c *s3Call, origin authz.Origin, keys []authz.Key) *s3err.Error {
	acc := s3op.Access{Action: "s3:ListBucket", Bucket: c.op.Bucket, Resource: "arn:aws:s3:::" + c.op.Bucket}
	return s.authorizeS3(ctx, c, origin, acc, keys)
}

// authorizeS3 decides one access of the call; nil when allowed.
func (s *Server) authorizeS3(ctx context.Context, c *s3Call, origin authz.Origin, acc s3op.Access, authKeys []authz.Key) *s3err.Error {
	req := authz.Request{Action: acc.Action, Resource: acc.Resource}
	req.Keys = append(req.Keys, authKeys...)
	for _, k := range acc.Keys {
		req.Keys = append(req.Keys, authz.Key{Name: k.Name, Values: k.Values})
	}
	b := c.owner
	if acc.Bucket != "" && (b == nil || b.Name != acc.Bucket) && acc.Bucket != c.op.Bucket {
		other, err := s.cfg.S3.Buckets.Get(ctx, acc.Bucket)
		if err != nil {
			return s.s3Failure(c, err)
		}
		if other == nil {
			return s3err.NoSuchBucket(acc.Bucket)
		}
		b = other
	}
	// CreateBucket makes a bucket of the caller's account: a namesake's owner and policy are not
	// its business (the registry answers BucketAlreadyExists).
	if acc.Bucket != "" && b != nil && c.op.Name != "CreateBucket" {
		req.ResourceAccount = b.Account
		for _, t := range b.Tags {
			req.Keys = append(req.Keys, authz.Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}})
		}
		if doc := s.cfg.S3.Buckets.EffectivePolicy(b, c.principal.Account(), c.principal.Kind() == authn.Anonymous); doc != "" {
			pol, err := s.cfg.Authz.ResourcePolicy(doc)
			if err != nil {
				s.cfg.Logger.Error("stored bucket policy does not compile", "bucket", b.Name, "err", err)
			} else {
				req.ResourcePolicy = pol
			}
		}
	}
	if existingTagActions[acc.Action] && acc.Bucket != "" && b != nil {
		if key, ok := strings.CutPrefix(acc.Resource, s3op.ObjectARN(acc.Bucket, "")); ok {
			req.LazyKeys = func() []authz.Key { return s.existingTags(ctx, b, key) }
		}
	}
	err := s.cfg.Authz.Authorize(ctx, c.principal, origin, req)
	if err == nil {
		return nil
	}
	e, ok := awserr.As(err)
	if !ok {
		return s.s3Failure(c, err)
	}
	// S3 explains a denial to a caller of the bucket owner's account, in IAM's words with the
	// resource quoted; anyone else learns only that access was denied.
	p := c.principal
	if p.Kind() == authn.Anonymous || req.ResourceAccount != "" && req.ResourceAccount != p.Account() {
		return s3err.AccessDenied()
	}
	msg := strings.Replace(e.Message, " on resource: "+req.Resource, " on resource: \""+req.Resource+"\"", 1)
	return s3err.New(http.StatusForbidden, "AccessDenied", msg)
}

// existingTagActions are the actions whose requests carry s3:ExistingObjectTag/<key>: the
// tags the object has (the Service Authorization Reference's condition keys of S3's actions).
var existingTagActions = map[string]bool{
	"s3:GetObject": true, "s3:GetObjectVersion": true, "s3:GetObjectAcl": true, "s3:GetObjectVersionAcl": true,
	"s3:GetObjectTagging": true, "s3:GetObjectVersionTagging": true, "s3:PutObjectTagging": true,
	"s3:PutObjectVersionTagging": true, "s3:DeleteObjectTagging": true, "s3:DeleteObjectVersionTagging": true,
	"s3:PutObjectAcl": true, "s3:PutObjectVersionAcl": true, "s3:GetObjectAttributes": true,
	"s3:GetObjectVersionAttributes": true,
}

// existingTags are the s3:ExistingObjectTag/<key> keys of an object: its tags, asked of the
// backend (only when a policy's condition is evaluated). A missing object has none.
func (s *Server) existingTags(ctx context.Context, b *bucket.Bucket, key string) []authz.Key {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return nil
	}
	path := s3op.BucketPath(b.Name, key)
	req.URL.RawPath = path
	req.URL.Path, _ = unescapeS3Path(path)
	req.URL.RawQuery = "tagging"
	req.Header.Set("X-Iamd-Owner-Id", bucket.CanonicalUserID(b.Account))
	req.Header.Set("X-Iamd-Owner-Name", b.Account)
	rec := &bufferedResponse{header: http.Header{}}
	s.cfg.S3.Backend.ServeHTTP(rec, req)
	if rec.status != http.StatusOK {
		return nil
	}
	var t struct {
		TagSet struct {
			Tag []struct{ Key, Value string }
		}
	}
	if xml.Unmarshal(rec.body.Bytes(), &t) != nil {
		return nil
	}
	keys := make([]authz.Key, 0, len(t.TagSet.Tag))
	for _, tag := range t.TagSet.Tag {
		keys = append(keys, authz.Key{Name: "s3:ExistingObjectTag/" + tag.Key, Values: []string{tag.Value}})
	}
	return keys
}

// s3AuthKeys are the condition keys S3 takes from how the request was authenticated.
func s3AuthKeys(r *http.Request, v *sigv4.S3Result, p *authn.Principal, now time.Time) []authz.Key {
	keys := make([]authz.Key, 0, 6)
	if ref := r.Header.Get("Referer"); ref != "" {
		keys = append(keys, authz.Key{Name: "aws:Referer", Values: []string{ref}})
	}
	if r.TLS != nil {
		v := "TLSv1.2"
		if r.TLS.Version == 0x0304 {
			v = "TLSv1.3"
		}
		keys = append(keys, authz.Key{Name: "s3:TlsVersion", Values: []string{strings.TrimPrefix(v, "TLSv")}})
	}
	if p.Kind() == authn.Anonymous {
		return keys
	}
	authType, version := "REST-HEADER", "AWS4-HMAC-SHA256"
	if v.Presigned {
		authType = "REST-QUERY-STRING"
	}
	if v.V2 {
		version = "AWS"
	}
	age := now.Sub(v.SignedAt).Milliseconds()
	if age < 0 {
		age = 0
	}
	return append(keys,
		authz.Key{Name: "s3:authType", Values: []string{authType}},
		authz.Key{Name: "s3:signatureversion", Values: []string{version}},
		authz.Key{Name: "s3:signatureAge", Values: []string{strconv.FormatInt(age, 10)}},
		authz.Key{Name: "s3:x-amz-content-sha256", Values: []string{v.PayloadHash}})
}

// awsErr is an authentication failure as an *awserr.Error, for the metrics' code label.
func awsErr(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awserr.Error{Code: se.Code, Message: se.Message, Status: se.Status}
	}
	return err
}

// s3Failure words a failure as S3 does: authentication's in S3's codes, S3 errors as they are,
// anything else (the store's) as an InternalError, logged.
func (s *Server) s3Failure(c *s3Call, err error) *s3err.Error {
	if e, ok := s3err.As(err); ok {
		return e
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		return s3AuthError(c.r, se)
	}
	if e, ok := awserr.As(err); ok {
		return s3err.New(e.Status, e.Code, e.Message)
	}
	var unavailable interface{ Unavailable() string }
	if errors.As(err, &unavailable) {
		return s3err.ServiceUnavailable()
	}
	s.cfg.Logger.Error("request failed", "requestId", c.id, "action", c.action, "err", err)
	return s3err.InternalError()
}

// backendRequest is the request the backend gets: path-style, without the caller's
// credentials, with the body checked as it streams (the payload hash, or the aws-chunked
// framing, signatures and checksums) and decoded.
func (s *Server) backendRequest(c *s3Call, v *sigv4.S3Result) (*http.Request, *s3err.Error) {
	r := c.r
	br := r.Clone(r.Context())
	br.URL.Host, br.URL.Scheme, br.Host = "", "", r.Host
	path := s3op.BucketPath(c.op.Bucket, c.op.Key)
	br.URL.RawPath = path
	br.URL.Path, _ = unescapeS3Path(path)
	br.URL.RawQuery = stripPresign(r.URL.RawQuery)
	br.RequestURI = ""
	h := br.Header
	for k := range h {
		if strings.HasPrefix(k, "X-Iamd-") {
			delete(h, k)
		}
	}
	h.Del("Authorization")
	h.Del("X-Amz-Security-Token")
	h.Del("X-Amz-Date")
	if c.owner != nil {
		h.Set("X-Iamd-Owner-Id", bucket.CanonicalUserID(c.owner.Account))
		h.Set("X-Iamd-Owner-Name", c.owner.Account)
	}
	if e := checkChecksumHeaders(h); e != nil {
		return nil, e
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 && h.Get("X-Amz-Decoded-Content-Length") == "" {
		return br, nil
	}
	cb := &checkedBody{r: r.Body}
	hashHex := v.PayloadHash
	if mode, ok := chunked.ParseMode(hashHex); ok {
		n, err := strconv.ParseInt(h.Get("X-Amz-Decoded-Content-Length"), 10, 64)
		if err != nil || n < 0 {
			return nil, s3err.MissingContentLength()
		}
		var sig *chunked.Signing
		if mode.Signed() {
			sig = &chunked.Signing{Key: v.SigningKey, Date: v.AmzDate, Scope: v.Scope, Seed: v.Signature}
		}
		var trailers []string
		for _, t := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
			if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
				trailers = append(trailers, t)
			}
		}
		cr := chunked.NewReader(r.Body, mode, sig, n, trailers)
		cb.r, cb.chunked = cr, true
		if len(trailers) > 0 {
			// The trailing checksums, once the decoder has checked them, reach the backend as
			// HTTP trailers (net/http's convention: names declared up front, values at EOF), so
			// that it stores them as it stores a checksum given in a header.
			br.Trailer = make(http.Header, len(trailers))
			for _, t := range trailers {
				br.Trailer[http.CanonicalHeaderKey(t)] = nil
			}
			cb.trailers, cb.trailerDst = cr, br.Trailer
		}
		br.ContentLength = n
		h.Set("Content-Length", strconv.FormatInt(n, 10))
		h.Del("X-Amz-Decoded-Content-Length")
		h.Del("X-Amz-Trailer")
		if enc := dropChunkedEncoding(h.Values("Content-Encoding")); enc == "" {
			h.Del("Content-Encoding")
		} else {
			h.Set("Content-Encoding", enc)
		}
	} else if hashHex != sigv4.UnsignedPayload && hashHex != "" {
		cb.want = strings.ToLower(hashHex)
		cb.sha = sha256.New()
	}
	h.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	if r.ContentLength < 0 && !cb.chunked {
		return nil, s3err.MissingContentLength()
	}
	cb.left = br.ContentLength
	cb.extend = c.extend
	c.body = cb
	br.Body = cb
	return br, nil
}

// checkChecksumHeaders applies S3's rules to a request's checksums: one algorithm at most,
// among the x-amz-checksum-* headers and the trailers x-amz-trailer declares, and the one
// x-amz-sdk-checksum-algorithm names when it is given.
func checkChecksumHeaders(h http.Header) *s3err.Error {
	var algos []string
	add := func(name string) {
		a, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(name)), "x-amz-checksum-")
		if !ok || a == "type" || a == "algorithm" || a == "mode" || slices.Contains(algos, a) {
			return
		}
		algos = append(algos, a)
	}
	for k := range h {
		add(k)
	}
	for _, v := range h.Values("X-Amz-Trailer") {
		for t := range strings.SplitSeq(v, ",") {
			add(t)
		}
	}
	if len(algos) > 1 {
		return s3err.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" && len(algos) == 1 && !strings.EqualFold(sdk, algos[0]) {
		return s3err.InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
	}
	return nil
}

// dropChunkedEncoding is a Content-Encoding without aws-chunked.
func dropChunkedEncoding(vals []string) string {
	var out []string
	for _, v := range vals {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
				out = append(out, e)
			}
		}
	}
	return strings.Join(out, ",")
}

// stripPresign removes a presigned URL's signature parameters: the backend is not asked to
// check a signature, and must not see the caller's session token.
func stripPresign(raw string) string {
	if !strings.Contains(raw, "X-Amz-") && !strings.Contains(raw, "AWSAccessKeyId") && !strings.Contains(raw, "x-amz-security-token") {
		return raw
	}
	parts := strings.Split(raw, "&")
	out := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
			"X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
			"AWSAccessKeyId", "Signature", "Expires", "x-amz-security-token":
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "&")
}

// unescapeS3Path percent-decodes a path ('+' is itself).
func unescapeS3Path(p string) (string, bool) {
	if !strings.Contains(p, "%") {
		return p, true
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			out = append(out, p[i])
			continue
		}
		if i+2 >= len(p) {
			return p, false
		}
		v, err := strconv.ParseUint(p[i+1:i+3], 16, 8)
		if err != nil {
			return p, false
		}
		out = append(out, byte(v))
		i += 2
	}
	return string(out), true
}

// checkedBody is a request body checked as the backend reads it: its length, and its
// SHA-256 against the signed x-amz-content-sha256 (or, for aws-chunked bodies, the decoder's
// signatures and checksums). Its first failure is kept: it fails the read, so the backend
// stores nothing, and it is what the client is answered.
type checkedBody struct {
	r       io.Reader
	chunked bool
	sha     hash.Hash
	want    string
	left    int64
	err     *s3err.Error
	extend  func() // keeps the connection's deadlines ahead while bytes arrive
	// trailers, when set, are copied into trailerDst at the end of the body.
	trailers   *chunked.Reader
	trailerDst http.Header
}

func (b *checkedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	if b.extend != nil {
		b.extend()
	}
	if n > 0 {
		if b.sha != nil {
			b.sha.Write(p[:n])
		}
		b.left -= int64(n)
		if b.left < 0 && !b.chunked {
			return 0, b.fail(s3err.New(http.StatusBadRequest, "IncompleteBody", "The request body is longer than its Content-Length."))
		}
	}
	if err == io.EOF {
		if b.left > 0 {
			return n, b.fail(s3err.IncompleteBody())
		}
		if b.sha != nil {
			if got := hex.EncodeToString(b.sha.Sum(nil)); got != b.want {
				return 0, b.fail(s3err.XAmzContentSHA256Mismatch(b.want, got))
			}
		}
		if b.trailers != nil {
			for k, v := range b.trailers.Trailers() {
				b.trailerDst.Set(k, v)
			}
		}
		return n, io.EOF
	}
	if err != nil {
		return 0, b.fail(chunkError(err))
	}
	return n, nil
}

func (b *checkedBody) Close() error { return nil }

func (b *checkedBody) fail(e *s3err.Error) error {
	if b.err == nil {
		b.err = e
	}
	return b.err
}

// chunkError is a body read failure in S3's words.
func chunkError(err error) *s3err.Error {
	switch {
	case errors.Is(err, chunked.ErrSignature):
		return s3err.SignatureDoesNotMatch()
	case errors.Is(err, chunked.ErrChecksum):
		var ce *chunked.ChecksumError
		if !errors.As(err, &ce) {
			return s3err.New(http.StatusBadRequest, "BadDigest", "The checksum you specified did not match the calculated checksum.")
		}
		if ce.Invalid {
			return s3err.InvalidRequest("Value for " + ce.Name + " trailing header is invalid.")
		}
		return s3err.New(http.StatusBadRequest, "BadDigest", "The "+ce.Algorithm()+" you specified did not match the calculated checksum.")
	case errors.Is(err, chunked.ErrChunkSize):
		return s3err.New(http.StatusBadRequest, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes")
	case errors.Is(err, chunked.ErrMalformedTrailer):
		return s3err.New(http.StatusBadRequest, "MalformedTrailerError",
			"The request contained trailing data that was not well-formed or did not conform to our published schema.")
	case errors.Is(err, chunked.ErrShort), errors.Is(err, chunked.ErrTooLong):
		// The framing is whole, the length is not x-amz-decoded-content-length's.
		return s3err.IncompleteBody()
	case errors.Is(err, chunked.ErrIncomplete), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, chunked.ErrMalformed):
		// S3 reads a body whose framing breaks off or goes wrong as one that ended early.
		return s3err.New(http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
	case errors.Is(err, chunked.ErrUnsupported):
		return s3err.InvalidRequest("The checksum algorithm of the trailer is not supported.")
	}
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	return s3err.RequestTimeout()
}

// s3Writer stands between the backend and the client. It holds the backend's status until
// the first byte of the answer, so that a body that failed its check (checkedBody) or a
// missing object the caller may not learn of (onNotFound) is answered in S3's words instead;
// after that it streams, extending the connection's deadlines as bytes go by (objects take
// longer than the server's 30-second request bounds).
type s3Writer struct {
	w          http.ResponseWriter
	c          *s3Call
	status     int
	started    bool // the status line went out
	held       bool // WriteHeader was called and is held
	onNotFound func() *s3err.Error
	replaced   bool
	lastExtend time.Time
}

func (sw *s3Writer) Header() http.Header { return sw.w.Header() }

func (sw *s3Writer) WriteHeader(code int) {
	if sw.held || sw.started || sw.replaced {
		return
	}
	sw.status, sw.held = code, true
	if b := sw.c.body; code/100 == 2 && b != nil && b.trailerDst != nil {
		// The checksum a chunked upload sent in its trailer is the object's, and S3 answers
		// with it; a backend given it as an HTTP trailer may not.
		h := sw.w.Header()
		for k, v := range b.trailerDst {
			if strings.HasPrefix(k, "X-Amz-Checksum-") && len(v) > 0 && h.Get(k) == "" {
				h.Set(k, v[0])
			}
		}
	}
	if code == http.StatusNotFound && sw.onNotFound != nil {
		if e := sw.onNotFound(); e != nil {
			sw.replaced = true
			sw.discard()
			s3err.Write(sw.w, sw.c.r, e, sw.c.id, sw.c.hostID)
			sw.status, sw.started = e.Status, true
		}
	}
}

func (sw *s3Writer) Write(p []byte) (int, error) {
	if send, err := sw.begin(); !send {
		if err != nil {
			return 0, err
		}
		return len(p), nil // the answer was replaced: the backend's body goes nowhere
	}
	return sw.w.Write(p)
}

// begin readies the answer for body bytes: it sends the held status (200 when none) and moves
// the deadlines ahead. send is false when the bytes must not go out: the answer was replaced
// (err nil), or the request body failed its check (err).
func (sw *s3Writer) begin() (send bool, err error) {
	if !sw.held && !sw.replaced {
		sw.WriteHeader(http.StatusOK)
	}
	if sw.replaced {
		return false, nil
	}
	if b := sw.c.body; b != nil && b.err != nil {
		return false, b.err
	}
	if !sw.started {
		sw.started = true
		sw.w.WriteHeader(sw.status)
	}
	sw.extend()
	return true, nil
}

// ReadFrom hands a backend's body to the client's connection as a reader (the upstream
// backend's raw GETs give it the backend's socket), so that net/http can splice it rather than
// copy it through iamd. It begins as Write does, once per call: a caller moving a large body
// calls it in steps, so the deadlines keep moving.
func (sw *s3Writer) ReadFrom(src io.Reader) (int64, error) {
	if send, err := sw.begin(); !send {
		if err != nil {
			return 0, err
		}
		return io.Copy(io.Discard, src)
	}
	if rf, ok := sw.w.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{sw.w}, src)
}

// Flush sends what is written so far.
func (sw *s3Writer) Flush() {
	if sw.held && !sw.started && !sw.replaced {
		sw.started = true
		sw.w.WriteHeader(sw.status)
	}
	http.NewResponseController(sw.w).Flush()
}

// extend pushes the connection's read and write deadlines a minute ahead, at most once a
// second: a transfer that keeps moving is never cut, one that stalls is.
func (sw *s3Writer) extend() {
	now := time.Now()
	if now.Sub(sw.lastExtend) < time.Second {
		return
	}
	sw.lastExtend = now
	rc := http.NewResponseController(sw.w)
	rc.SetWriteDeadline(now.Add(time.Minute))
	rc.SetReadDeadline(now.Add(time.Minute))
}

// discard forgets the headers the backend set, but the request ids.
func (sw *s3Writer) discard() {
	h := sw.w.Header()
	id, host := h["X-Amz-Request-Id"], h["X-Amz-Id-2"]
	clear(h)
	h["X-Amz-Request-Id"], h["X-Amz-Id-2"] = id, host
}

// finish sends a held status that no body followed.
func (sw *s3Writer) finish() {
	if sw.held && !sw.started && !sw.replaced {
		sw.started = true
		sw.w.WriteHeader(sw.status)
	}
	if !sw.held && !sw.started {
		sw.status = http.StatusOK
	}
}
