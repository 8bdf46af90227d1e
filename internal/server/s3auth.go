package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/sigv4"
)

// S3 words the failures of a signature's form in its own terms, which are not those of IAM
// and STS (package sigv4 speaks theirs): a malformed Authorization header is
// AuthorizationHeaderMalformed, "The authorization header is malformed; …"; a malformed
// presigned URL AuthorizationQueryParametersError; an Authorization header of another scheme
// InvalidArgument; a request without a usable date AccessDenied. s3CheckAuth checks the form
// of a request's SigV4 material before sigv4.VerifyS3 verifies it, so that S3's callers read
// S3's words; anything it lets through VerifyS3 still checks, and s3AuthError words.

const (
	algHMAC         = "AWS4-HMAC-SHA256"
	amzDateLayout   = "20060102T150405Z"
	maxPresignedAge = 7 * 24 * 3600
)

func authHeaderMalformed(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+msg)
}

func authQueryError(msg string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AuthorizationQueryParametersError", msg)
}

// errNoDate is S3's answer to a request whose date header is missing or unreadable.
func errNoDate() *s3err.Error {
	return s3err.New(http.StatusForbidden, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
}

// s3CheckAuth checks the form of r's SigV4 material (an Authorization header, or a presigned
// URL's X-Amz-* parameters) as S3 does; region is the region requests must be scoped to. It
// answers nil for an unsigned request and for SigV2's well-formed headers.
func s3CheckAuth(r *http.Request, region string, now time.Time) *s3err.Error {
	if auths := r.Header["Authorization"]; len(auths) > 0 {
		if len(auths) > 1 {
			return nil // VerifyS3 refuses it
		}
		return checkAuthHeader(r, auths[0], region)
	}
	raw := r.URL.RawQuery
	if !strings.Contains(raw, "X-Amz-Algorithm") && !strings.Contains(raw, "X-Amz-Credential") && !strings.Contains(raw, "X-Amz-Signature") {
		return nil
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil // VerifyS3 words it
	}
	if !q.Has("X-Amz-Algorithm") && !q.Has("X-Amz-Credential") && !q.Has("X-Amz-Signature") {
		return nil
	}
	return checkPresigned(r, q, region, now)
}

// checkAuthHeader checks "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" and
// the date header the signature's time is read from.
func checkAuthHeader(r *http.Request, h, region string) *s3err.Error {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok {
		return s3err.InvalidArgument("Authorization header is invalid -- one and only one ' ' (space) required.", "Authorization", h)
	}
	switch alg {
	case "AWS":
		// SigV2, "AWS AKID:signature", which package sigv2 verifies.
		if i := strings.LastIndexByte(rest, ':'); i <= 0 || i == len(rest)-1 {
			return s3err.InvalidArgument("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", "Authorization", h)
		}
		return nil
	case algHMAC:
	default:
		return s3err.InvalidArgument("Unsupported Authorization Type", "Authorization", alg)
	}
	var cred, signed string
	var hasCred, hasSigned, hasSig bool
	n := 0
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n++
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return authHeaderMalformed("the authorization component \"" + part + "\" is malformed.")
		}
		switch k {
		case "Credential":
			cred, hasCred = v, true
		case "SignedHeaders":
			signed, hasSigned = v, true
		case "Signature":
			hasSig = true
		}
	}
	switch {
	case n != 3:
		return authHeaderMalformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	case !hasCred:
		return authHeaderMalformed("missing Credential.")
	case !hasSigned:
		return authHeaderMalformed("missing SignedHeaders.")
	case !hasSig:
		return authHeaderMalformed("missing Signature.")
	}
	credDate, e := checkCredential(cred, region, authHeaderMalformed, true)
	if e != nil {
		return e
	}
	var date string
	if ds := r.Header["X-Amz-Date"]; len(ds) > 0 {
		t, err := time.Parse(amzDateLayout, ds[0])
		if err != nil || len(ds[0]) != len(amzDateLayout) {
			return errNoDate()
		}
		date = t.Format("20060102")
	} else if ds := r.Header["Date"]; len(ds) > 0 {
		t, err := http.ParseTime(ds[0])
		if err != nil {
			return errNoDate()
		}
		date = t.UTC().Format("20060102")
	} else {
		return errNoDate()
	}
	if credDate != date {
		return authHeaderMalformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return checkSignedHeaders(r, signed)
}

// checkCredential checks "AKID/yyyyMMdd/region/s3/aws4_request" and returns its date. fail
// words a failure (the header's or the query's way); regionElement adds the <Region> of the
// header form's answer, which SDKs read to retry in the right region.
func checkCredential(cred, region string, fail func(string) *s3err.Error, regionElement bool) (string, *s3err.Error) {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return "", fail("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if parts[4] != "aws4_request" {
		return "", fail("incorrect terminal \"" + parts[4] + "\". This endpoint uses \"aws4_request\".")
	}
	if parts[3] != "s3" {
		return "", fail("incorrect service \"" + parts[3] + "\". This endpoint belongs to \"s3\".")
	}
	if parts[2] != region {
		e := fail("the region '" + parts[2] + "' is wrong; expecting '" + region + "'")
		if regionElement {
			e = e.With("Region", region)
		}
		return "", e
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil || len(parts[1]) != 8 {
		return "", fail("incorrect date format \"" + parts[1] + "\". This date in the credential must be in the format \"yyyyMMdd\".")
	}
	return parts[1], nil
}

// checkSignedHeaders refuses a request with x-amz-* headers its signature does not cover: S3
// requires every one of them to be signed, as they change what the request does.
func checkSignedHeaders(r *http.Request, signed string) *s3err.Error {
	var missing []string
	for k := range r.Header {
		if len(k) < 6 || !strings.EqualFold(k[:6], "X-Amz-") {
			continue
		}
		name := strings.ToLower(k)
		found := false
		for s := range strings.SplitSeq(signed, ";") {
			if s == name {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return s3err.New(http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed").
		With("HeadersNotSigned", strings.Join(missing, ", "))
}

// checkPresigned checks a presigned URL's X-Amz-* parameters.
func checkPresigned(r *http.Request, q url.Values, region string, now time.Time) *s3err.Error {
	switch alg := q.Get("X-Amz-Algorithm"); {
	case alg == "AWS4-ECDSA-P256-SHA256":
		return authQueryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	case alg != "" && alg != algHMAC:
		return authQueryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")
	}
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if q.Get(p) == "" {
			return authQueryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	credDate, e := checkCredential(q.Get("X-Amz-Credential"), region, func(msg string) *s3err.Error {
		return authQueryError("Error parsing the X-Amz-Credential parameter; " + msg)
	}, false)
	if e != nil {
		return e
	}
	amzDate := q.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil || len(amzDate) != len(amzDateLayout) {
		return authQueryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if credDate != amzDate[:8] {
		return authQueryError("Invalid credential date \"" + credDate + "\". This date is not the same as X-Amz-Date: \"" + amzDate[:8] + "\".")
	}
	exp := q.Get("X-Amz-Expires")
	secs, err := strconv.ParseInt(exp, 10, 64)
	switch {
	case err != nil && strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0123456789") != "":
		return authQueryError("X-Amz-Expires should be a number")
	case strings.HasPrefix(exp, "-"):
		return authQueryError("X-Amz-Expires must be non-negative")
	case err != nil || secs > maxPresignedAge:
		return authQueryError("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	if expires := signedAt.Add(time.Duration(secs) * time.Second); now.After(expires) {
		return s3err.New(http.StatusForbidden, "AccessDenied", "Request has expired").
			With("X-Amz-Expires", exp).
			With("Expires", expires.UTC().Format("2006-01-02T15:04:05Z")).
			With("ServerTime", now.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return checkSignedHeaders(r, q.Get("X-Amz-SignedHeaders"))
}

// s3AccessKeyID is the access key id a request is signed with, for InvalidAccessKeyId's
// <AWSAccessKeyId>.
func s3AccessKeyID(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if rest, ok := strings.CutPrefix(h, "AWS "); ok {
			id, _, _ := strings.Cut(rest, ":")
			return id
		}
		if _, cred, ok := strings.Cut(h, "Credential="); ok {
			id, _, _ := strings.Cut(cred, "/")
			return id
		}
		return ""
	}
	q := r.URL.Query()
	if c := q.Get("X-Amz-Credential"); c != "" {
		id, _, _ := strings.Cut(c, "/")
		return id
	}
	return q.Get("AWSAccessKeyId")
}

// hasSessionToken says whether r carries a session token, in a header or its query.
func hasSessionToken(r *http.Request) bool {
	if r.Header.Get("X-Amz-Security-Token") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Get("X-Amz-Security-Token") != "" || q.Get("x-amz-security-token") != ""
}

// s3AuthError is a SigV4 (or SigV2) failure in S3's codes and words; r is the request.
func s3AuthError(r *http.Request, e *sigv4.Error) *s3err.Error {
	switch e.Code {
	case sigv4.CodeInvalidClientTokenID:
		if r != nil && hasSessionToken(r) {
			// A session token that does not open, or comes with a long-term key.
			return s3err.New(http.StatusBadRequest, "InvalidToken", "The provided token is malformed or otherwise invalid.")
		}
		ae := s3err.New(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		if r != nil {
			ae = ae.With("AWSAccessKeyId", s3AccessKeyID(r))
		}
		return ae
	case sigv4.CodeExpiredToken:
		return s3err.New(http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
	case sigv4.CodeSignatureDoesNotMatch:
		if strings.HasPrefix(e.Message, "Credential should be scoped") || strings.HasPrefix(e.Message, "Date in Credential") {
			return s3err.New(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+e.Message)
		}
		return s3err.SignatureDoesNotMatch()
	case sigv4.CodeRequestTimeTooSkewed:
		return s3err.New(http.StatusForbidden, "RequestTimeTooSkewed", e.Message)
	case sigv4.CodeRequestExpired, "AccessDenied":
		return s3err.New(http.StatusForbidden, "AccessDenied", e.Message)
	case sigv4.CodeMissingContentSHA256:
		return s3err.InvalidRequest(e.Message)
	case sigv4.CodeInvalidContentSHA256:
		v := ""
		if r != nil {
			v = r.Header.Get("X-Amz-Content-Sha256")
		}
		return s3err.InvalidArgument(e.Message, "x-amz-content-sha256", v)
	case sigv4.CodeMalformedQueryString:
		return s3err.New(http.StatusBadRequest, "AuthorizationQueryParametersError", e.Message)
	}
	return s3err.New(http.StatusBadRequest, "AuthorizationHeaderMalformed", e.Message)
}
