// Package sigv2 verifies AWS Signature Version 2 on S3 requests, the form S3 still accepts and
// that clients still make: boto3 and the aws CLI presign S3 URLs for us-east-1 with it unless
// told otherwise, and older tools sign every request with it. Both forms are verified: the
// Authorization header ("AWS AKID:SIGNATURE") and the query string (AWSAccessKeyId, Signature,
// Expires). The string to sign is S3's: the method, Content-MD5, Content-Type, the date (the
// Expires time in the query form), the x-amz-* headers, and the resource with S3's
// sub-resources. Secrets are found through the same function as sigv4's; failures are
// *sigv4.Error with AWS's codes.
package sigv2

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// Verifier checks SigV2 signatures of S3 requests.
type Verifier struct {
	Secret sigv4.SecretFunc
	Now    func() time.Time // nil means time.Now
	Skew   time.Duration    // 0 means sigv4.DefaultSkew
}

// Result describes a request whose signature verified.
type Result struct {
	Credential sigv4.Credential // AccessKeyID and SessionToken; no scope in SigV2
	Presigned  bool
	SignedAt   time.Time // the Date (header form); the query form's is unknown: Expires is kept
	Expires    time.Time // the query form's expiry
}

// Is reports whether r carries SigV2 material: an Authorization header "AWS …" or the query
// form's AWSAccessKeyId.
func Is(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Authorization"), "AWS ") {
		return true
	}
	return r.URL != nil && strings.Contains(r.URL.RawQuery, "AWSAccessKeyId=")
}

// subresources are the query parameters the canonical resource keeps (S3's list).
var subresources = map[string]bool{
	"acl": true, "cors": true, "delete": true, "lifecycle": true, "location": true, "logging": true,
	"notification": true, "partNumber": true, "policy": true, "requestPayment": true, "restore": true,
	"tagging": true, "torrent": true, "uploadId": true, "uploads": true, "versionId": true,
	"versioning": true, "versions": true, "website": true, "replication": true, "accelerate": true,
	"encryption": true, "inventory": true, "metrics": true, "analytics": true, "object-lock": true,
	"legal-hold": true, "retention": true, "publicAccessBlock": true, "policyStatus": true,
	"ownershipControls": true, "intelligent-tiering": true, "select": true, "select-type": true,
	"response-content-type": true, "response-content-language": true, "response-expires": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
}

func mismatch() error {
	return &sigv4.Error{Code: sigv4.CodeSignatureDoesNotMatch, Status: http.StatusForbidden,
		Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
}

func malformed(msg string) error {
	return &sigv4.Error{Code: sigv4.CodeIncompleteSignature, Status: http.StatusBadRequest, Message: msg}
}

// Verify checks r's SigV2 signature. bucket is the bucket of a virtual-hosted-style request
// ("" for path-style), which the canonical resource names as "/bucket".
func (v *Verifier) Verify(ctx context.Context, r *http.Request, bucket string) (*Result, error) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	skew := v.Skew
	if skew <= 0 {
		skew = sigv4.DefaultSkew
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, malformed("The query string is malformed.")
	}
	res := &Result{}
	var keyID, signature, date string
	if auth := r.Header.Get("Authorization"); auth != "" {
		cred, ok := strings.CutPrefix(auth, "AWS ")
		i := strings.LastIndexByte(cred, ':')
		if !ok || i <= 0 || i == len(cred)-1 {
			return nil, malformed("Authorization header is invalid -- one and only one ' ' (space) required")
		}
		keyID, signature = cred[:i], cred[i+1:]
		res.Credential.SessionToken = r.Header.Get("X-Amz-Security-Token")
		var t time.Time
		if ad := r.Header.Get("X-Amz-Date"); ad != "" {
			t, err = parseDate(ad)
		} else {
			date = r.Header.Get("Date")
			t, err = parseDate(date)
		}
		if err != nil {
			return nil, &sigv4.Error{Code: "AccessDenied", Status: http.StatusForbidden,
				Message: "AWS authentication requires a valid Date or x-amz-date header"}
		}
		if d := t.Sub(now); d > skew || -d > skew {
			return nil, &sigv4.Error{Code: sigv4.CodeRequestTimeTooSkewed, Status: http.StatusForbidden,
				Message: "The difference between the request time and the current time is too large."}
		}
		res.SignedAt = t
	} else {
		res.Presigned = true
		keyID, signature, date = query.Get("AWSAccessKeyId"), query.Get("Signature"), query.Get("Expires")
		if keyID == "" || signature == "" || date == "" {
			return nil, &sigv4.Error{Code: "AccessDenied", Status: http.StatusForbidden,
				Message: "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"}
		}
		exp, err := strconv.ParseInt(date, 10, 64)
		if err != nil {
			return nil, &sigv4.Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Invalid date (should be seconds since epoch): " + date}
		}
		res.Expires = time.Unix(exp, 0).UTC()
		if !now.Before(res.Expires) {
			return nil, &sigv4.Error{Code: sigv4.CodeRequestExpired, Status: http.StatusForbidden, Message: "Request has expired"}
		}
		res.SignedAt = now
		res.Credential.SessionToken = query.Get("x-amz-security-token")
		if res.Credential.SessionToken == "" {
			res.Credential.SessionToken = r.Header.Get("X-Amz-Security-Token")
		}
	}
	res.Credential.AccessKeyID = keyID
	if v.Secret == nil {
		return nil, sigv4.InvalidClientTokenID()
	}
	secret, err := v.Secret(ctx, res.Credential)
	if err != nil {
		return nil, err
	}
	sts := StringToSign(r, query, date, bucket, res.Presigned)
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return nil, mismatch()
	}
	return res, nil
}

// StringToSign is S3's SigV2 string to sign for r: date is the Date header (empty when
// x-amz-date is sent) or, presigned, the Expires value.
func StringToSign(r *http.Request, query url.Values, date, bucket string, presigned bool) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-Md5"))
	b.WriteByte('\n')
	b.WriteString(r.Header.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(date)
	b.WriteByte('\n')
	amz := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") {
			amz[lk] = append(amz[lk], vs...)
		}
	}
	if presigned {
		for k, vs := range query {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-amz-") {
				amz[lk] = append(amz[lk], vs...)
			}
		}
	}
	names := make([]string, 0, len(amz))
	for k := range amz {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vals := amz[k]
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
		b.WriteByte('\n')
	}
	if bucket != "" {
		b.WriteString("/" + bucket)
	}
	b.WriteString(wirePath(r))
	var sub []string
	for k := range query {
		if subresources[k] {
			sub = append(sub, k)
		}
	}
	sort.Strings(sub)
	for i, k := range sub {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := query.Get(k); v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// wirePath is the request's path as the client sent it: the signer signed those bytes.
func wirePath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// parseDate reads an HTTP date, also with a numeric zone (RFC 1123Z), as S3 takes it.
func parseDate(v string) (time.Time, error) {
	if t, err := http.ParseTime(v); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC1123Z, v)
}

// VerifyPost checks the signature of a browser upload signed with SigV2: the form's signature
// field is the base64 HMAC-SHA1 of its base64 policy under the secret of AWSAccessKeyId. The
// caller checks the policy's expiration and conditions.
func (v *Verifier) VerifyPost(ctx context.Context, keyID, sessionToken, policy, signature string) (sigv4.Credential, error) {
	cred := sigv4.Credential{AccessKeyID: keyID, SessionToken: sessionToken}
	if v.Secret == nil || keyID == "" {
		return cred, sigv4.InvalidClientTokenID()
	}
	secret, err := v.Secret(ctx, cred)
	if err != nil {
		return cred, err
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(policy))
	if subtle.ConstantTimeCompare([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), []byte(signature)) != 1 {
		return cred, mismatch()
	}
	return cred, nil
}
