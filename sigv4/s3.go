package sigv4

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"time"
)

// S3 signs differently from the other services, and VerifyS3 checks that form:
//   - the canonical URI is the path URI-encoded once, never normalized: S3 keys may hold "//",
//     "." and ".." segments, and each is a different object;
//   - the payload is not hashed here: its hash is whatever x-amz-content-sha256 says (the header
//     form must send and sign it), "UNSIGNED-PAYLOAD" in a presigned URL without it; the caller
//     checks a hex hash while the body streams by, or decodes an aws-chunked body with the
//     signing key and the seed signature VerifyS3 returns;
//   - a presigned URL lives exactly X-Amz-Expires seconds (up to seven days), not a skew window.

// Payload hashes S3 accepts besides a hex SHA-256.
const (
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// S3Result describes an S3 request whose signature verified.
type S3Result struct {
	Result
	// PayloadHash is the signed x-amz-content-sha256: a hex SHA-256 of the body, UnsignedPayload,
	// or a STREAMING-… value naming an aws-chunked body.
	PayloadHash string
	// Signature is the request's signature, from which the chunk signatures of an aws-chunked
	// body chain.
	Signature string
	// SigningKey is the derived SigV4 key the request was signed with, for chunk signatures. It
	// is set only when PayloadHash names a signed aws-chunked body.
	SigningKey []byte
	// Scope is "yyyymmdd/region/s3/aws4_request".
	Scope string
	// AmzDate is the signing time as it entered the string to sign.
	AmzDate string
	// Expires is a presigned URL's X-Amz-Expires.
	Expires time.Duration
	// V2 says the request was signed with Signature Version 2 (package sigv2), which S3 still
	// takes: only Credential, Presigned and SignedAt are then set, and PayloadHash is
	// UnsignedPayload (SigV2 signs no payload hash).
	V2 bool
}

// VerifyS3 checks r's signature the way S3 does (see above), without reading its body. Errors
// are *Error, with the codes of the other services; S3's front words them as S3 does. A missing
// or malformed x-amz-content-sha256 in the header form is an *Error with Code
// CodeMissingContentSHA256 or CodeInvalidContentSHA256.
func (v *Verifier) VerifyS3(ctx context.Context, r *http.Request, res *S3Result) error {
	if r.URL == nil {
		return errMissingAuth()
	}
	s := scratchPool.Get().(*scratch)
	defer s.release()
	var perr *Error
	s.params, perr = parseQuery(r.URL.RawQuery, s.params[:0])
	if perr != nil {
		return perr
	}
	var req request
	if perr := gather(&req, r, s.params); perr != nil {
		return perr
	}
	var sc scope
	if perr := parseCredential(req.credential, &sc); perr != nil {
		return perr
	}
	if !v.serviceAllowed(sc.service) {
		return errScope("Credential should be scoped to correct service: 's3'. ")
	}
	if sc.date != req.amzDate[:scopeDateLen] {
		return errScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			sc.date + "' != '" + req.amzDate[:scopeDateLen] + "', from '" + req.amzDate + "'.")
	}
	names := make([]string, 0, 8)
	if perr := checkSignedHeaders(r, &req, names); perr != nil {
		return perr
	}
	if perr := v.checkTimeS3(req.signedAt, req.expires, req.presigned); perr != nil {
		return perr
	}
	hash, perr := payloadHashS3(r, &req, s.params)
	if perr != nil {
		return perr
	}
	b := appendCanonicalS3(s.buf[:0], r, &req, s.params)
	b = append(b, hash...)
	if v.Secret == nil {
		return InvalidClientTokenID()
	}
	res.Credential = Credential{AccessKeyID: sc.accessKeyID, Date: sc.date, Region: sc.region, Service: sc.service, SessionToken: req.token}
	res.Presigned, res.SignedAt, res.SignedHeaders = req.presigned, req.signedAt, req.names
	secret, err := v.Secret(ctx, res.Credential)
	if err != nil {
		return err
	}
	key := v.keys.get(&sc, secret)
	crHash := sha256.Sum256(b)
	b = append(b[:0], algorithm+"\n"...)
	b = append(b, req.amzDate...)
	b = append(b, '\n')
	b = append(b, sc.raw...)
	b = append(b, '\n')
	b = appendHexSum(b, &crHash)
	b, mac := key.mac(s.sha, b, 0)
	s.buf = b
	if !equalHex(mac, req.signature) {
		return errMismatch()
	}
	res.PayloadHash, res.Signature, res.Scope, res.AmzDate, res.Expires = hash, req.signature, sc.raw, req.amzDate, req.expires
	res.SigningKey = nil
	if strings.HasPrefix(hash, "STREAMING-AWS4-HMAC-SHA256-") {
		res.SigningKey = rawSigningKey(secret, sc.date, sc.region, sc.service)
	}
	return nil
}

// Codes of VerifyS3's payload-hash failures.
const (
	CodeMissingContentSHA256 = "MissingContentSHA256"
	CodeInvalidContentSHA256 = "InvalidContentSHA256"
)

// payloadHashS3 is the payload hash of the string to sign: the header form's
// x-amz-content-sha256 (required, and signed), a presigned URL's X-Amz-Content-Sha256 query
// parameter or else UNSIGNED-PAYLOAD.
func payloadHashS3(r *http.Request, req *request, params []param) (string, *Error) {
	if req.presigned {
		if h, ok := lookup(params, "X-Amz-Content-Sha256"); ok {
			return h, checkPayloadHash(h)
		}
		if hs := r.Header["X-Amz-Content-Sha256"]; len(hs) == 1 && hasName(req.names, "x-amz-content-sha256") {
			return hs[0], checkPayloadHash(hs[0])
		}
		return UnsignedPayload, nil
	}
	hs := r.Header["X-Amz-Content-Sha256"]
	if len(hs) != 1 || hs[0] == "" {
		return "", &Error{Code: CodeMissingContentSHA256, Status: http.StatusBadRequest,
			Message: "Missing required header for this request: x-amz-content-sha256"}
	}
	if !hasName(req.names, "x-amz-content-sha256") {
		return "", errIncomplete("'x-amz-content-sha256' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return hs[0], checkPayloadHash(hs[0])
}

func hasName(names []string, h string) bool {
	for _, n := range names {
		if n == h {
			return true
		}
	}
	return false
}

// checkPayloadHash accepts a lower- or upper-case hex SHA-256 and the named forms S3 knows.
func checkPayloadHash(h string) *Error {
	switch h {
	case UnsignedPayload, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		return nil
	}
	if len(h) == 2*sha256.Size {
		ok := true
		for i := 0; i < len(h); i++ {
			c := h[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
	}
	return &Error{Code: CodeInvalidContentSHA256, Status: http.StatusBadRequest,
		Message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."}
}

// Codes of S3's time failures.
const (
	CodeRequestTimeTooSkewed = "RequestTimeTooSkewed"
	CodeRequestExpired       = "RequestExpired"
)

// checkTimeS3 applies S3's rules: a header-form request within the skew window; a presigned
// URL from its X-Amz-Date (a little skew allowed ahead) until X-Amz-Expires has passed, and
// X-Amz-Expires is required.
func (v *Verifier) checkTimeS3(signedAt time.Time, expires time.Duration, presigned bool) *Error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	skew := v.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	d := signedAt.Unix() - now.Unix()
	if presigned {
		if expires <= 0 {
			return errIncomplete("AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters.")
		}
		if d > int64(skew/time.Second) {
			return &Error{Code: CodeRequestExpired, Status: http.StatusForbidden, Message: "Request is not valid yet"}
		}
		if -d > int64(expires/time.Second) {
			return &Error{Code: CodeRequestExpired, Status: http.StatusForbidden, Message: "Request has expired"}
		}
		return nil
	}
	if d > int64(skew/time.Second) || -d > int64(skew/time.Second) {
		return &Error{Code: CodeRequestTimeTooSkewed, Status: http.StatusForbidden,
			Message: "The difference between the request time and the current time is too large."}
	}
	return nil
}

// appendCanonicalS3 is appendCanonicalHead with S3's canonical URI: the path decoded from the
// wire and encoded once, with no dot or slash removal.
func appendCanonicalS3(b []byte, r *http.Request, req *request, params []param) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	p := wirePath(r)
	if dec, ok := unescapePath(p); ok {
		p = dec
	}
	if p == "" {
		p = "/"
	}
	b = appendEncoded(b, p, true)
	return appendCanonicalTail(b, r, req, params)
}

// unescapePath percent-decodes a path; '+' stays a plus sign, as in a path.
func unescapePath(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	return string(out), true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// rawSigningKey is the derived key itself, which aws-chunked chunk signatures are made with.
func rawSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte(terminator))
}

// PostPolicy is the signature material of an S3 browser upload (a POST form with a signed
// policy): the form's x-amz-credential, x-amz-date, x-amz-security-token, the base64 policy
// and its x-amz-signature.
type PostPolicy struct {
	Credential, AmzDate, SessionToken, Policy, Signature string
}

// VerifyPostPolicy checks a browser upload's signature: the policy document, as base64, is the
// string to sign, with the key of the credential's scope. It returns the credential; the
// caller checks the policy's expiration and conditions against the form.
func (v *Verifier) VerifyPostPolicy(ctx context.Context, pp PostPolicy) (Credential, error) {
	var sc scope
	if perr := parseCredential(pp.Credential, &sc); perr != nil {
		return Credential{}, perr
	}
	if !v.serviceAllowed(sc.service) {
		return Credential{}, errScope("Credential should be scoped to correct service: 's3'. ")
	}
	if _, ok := parseAmzDate(pp.AmzDate); !ok {
		return Credential{}, errBadDate(pp.AmzDate)
	}
	if sc.date != pp.AmzDate[:scopeDateLen] {
		return Credential{}, errScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			sc.date + "' != '" + pp.AmzDate[:scopeDateLen] + "', from '" + pp.AmzDate + "'.")
	}
	if v.Secret == nil {
		return Credential{}, InvalidClientTokenID()
	}
	cred := Credential{AccessKeyID: sc.accessKeyID, Date: sc.date, Region: sc.region, Service: sc.service, SessionToken: pp.SessionToken}
	secret, err := v.Secret(ctx, cred)
	if err != nil {
		return Credential{}, err
	}
	key := v.keys.get(&sc, secret)
	s := scratchPool.Get().(*scratch)
	defer s.release()
	b, mac := key.mac(s.sha, append(s.buf[:0], pp.Policy...), 0)
	s.buf = b
	if !equalHex(mac, pp.Signature) {
		return Credential{}, errMismatch()
	}
	return cred, nil
}
