package loadgen

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// formContentType is the Content-Type the AWS SDKs send with Query-protocol calls.
const formContentType = "application/x-www-form-urlencoded; charset=utf-8"

// Credentials sign the load's requests.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// signer computes SigV4 Authorization headers for form POSTs to "/" (sign) and for S3's
// requests (signS3). It is lean on purpose: the load tool shares the machine with the server it
// measures, so every microsecond it spends signing is taken from the server.
// TestSignerMatchesSDK and TestS3SignerMatchesSDK check it against aws-sdk-go-v2's signer. A
// signer is used by one goroutine at a time.
type signer struct {
	creds   Credentials
	region  string
	service string
	host    string

	day string // yyyymmdd of key
	key []byte // signing key for day/region/service
	buf []byte

	// The last signature: SigV4 is deterministic, so the same body in the same second signs
	// the same, and a worker sending one request over and over signs once a second.
	lastSec          int64
	lastBody         []byte
	lastDate, lastAu string

	// The same for S3's requests, which are told apart by method, path and payload hash.
	s3Sec                    int64
	s3Method, s3Path, s3Hash string
	s3Date, s3Au             string
}

func newSigner(c Credentials, region, service, host string) *signer {
	return &signer{creds: c, region: region, service: service, host: host, buf: make([]byte, 0, 512)}
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sign returns the X-Amz-Date and Authorization header values for a POST of body at t.
func (s *signer) sign(body []byte, t time.Time) (amzDate, authorization string) {
	if sec := t.Unix(); sec == s.lastSec && bytes.Equal(body, s.lastBody) && s.lastAu != "" {
		return s.lastDate, s.lastAu
	}
	amzDate, authorization = s.signNow(body, t)
	s.lastSec, s.lastBody, s.lastDate, s.lastAu = t.Unix(), append(s.lastBody[:0], body...), amzDate, authorization
	return amzDate, authorization
}

// signNow computes the signature of body at t.
func (s *signer) signNow(body []byte, t time.Time) (amzDate, authorization string) {
	amzDate = s.date(t)
	// Like the SDK, sign Content-Length when the body is not empty (net/http sends it then).
	signed := "content-type;host;x-amz-date"
	if len(body) > 0 {
		signed = "content-length;" + signed
	}
	if s.creds.SessionToken != "" {
		signed += ";x-amz-security-token"
	}
	bodyHash := sha256.Sum256(body)
	b := append(s.buf[:0], "POST\n/\n\n"...)
	if len(body) > 0 {
		b = append(b, "content-length:"...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, '\n')
	}
	b = append(b, "content-type:"+formContentType+"\nhost:"...)
	b = append(b, s.host...)
	b = append(b, "\nx-amz-date:"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	if s.creds.SessionToken != "" {
		b = append(b, "x-amz-security-token:"...)
		b = append(b, s.creds.SessionToken...)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, signed...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, bodyHash[:])
	return amzDate, s.finish(b, amzDate, signed)
}

// date formats t as X-Amz-Date and derives the signing key of its day, if not done yet.
func (s *signer) date(t time.Time) string {
	amzDate := t.UTC().Format("20060102T150405Z")
	if day := amzDate[:8]; day != s.day {
		k := hmacSHA256([]byte("AWS4"+s.creds.SecretAccessKey), day)
		k = hmacSHA256(k, s.region)
		k = hmacSHA256(k, s.service)
		s.key = hmacSHA256(k, "aws4_request")
		s.day = day
	}
	return amzDate
}

// finish signs the canonical request in b (which it reuses) and returns the Authorization
// header value.
func (s *signer) finish(b []byte, amzDate, signed string) string {
	day := amzDate[:8]
	crHash := sha256.Sum256(b)

	scope := day + "/" + s.region + "/" + s.service + "/aws4_request"
	b = b[:0]
	b = append(b, "AWS4-HMAC-SHA256\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash[:])
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	var sum [sha256.Size]byte
	sig := m.Sum(sum[:0])

	b = b[:0]
	b = append(b, "AWS4-HMAC-SHA256 Credential="...)
	b = append(b, s.creds.AccessKeyID...)
	b = append(b, '/')
	b = append(b, scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, signed...)
	b = append(b, ", Signature="...)
	b = hex.AppendEncode(b, sig)
	s.buf = b
	return string(b)
}

// signS3 returns the X-Amz-Date and Authorization header values for an S3 request at t, in
// S3's form of SigV4: path is the request's path as sent, URI-encoded once (escapePath), and is
// the canonical URI as it is, never normalized; the payload hash is payloadHash, which the
// request sends as x-amz-content-sha256; the signed headers are host, x-amz-content-sha256,
// x-amz-date and, with a session token, x-amz-security-token. The request has no query.
// TestS3SignerMatchesSDK checks it against aws-sdk-go-v2's signer.
func (s *signer) signS3(method, path, payloadHash string, t time.Time) (amzDate, authorization string) {
	if sec := t.Unix(); sec == s.s3Sec && method == s.s3Method && path == s.s3Path && payloadHash == s.s3Hash && s.s3Au != "" {
		return s.s3Date, s.s3Au
	}
	amzDate = s.date(t)
	signed := "host;x-amz-content-sha256;x-amz-date"
	if s.creds.SessionToken != "" {
		signed += ";x-amz-security-token"
	}
	b := append(s.buf[:0], method...)
	b = append(b, '\n')
	b = append(b, path...)
	b = append(b, "\n\nhost:"...)
	b = append(b, s.host...)
	b = append(b, "\nx-amz-content-sha256:"...)
	b = append(b, payloadHash...)
	b = append(b, "\nx-amz-date:"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	if s.creds.SessionToken != "" {
		b = append(b, "x-amz-security-token:"...)
		b = append(b, s.creds.SessionToken...)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, signed...)
	b = append(b, '\n')
	b = append(b, payloadHash...)
	authorization = s.finish(b, amzDate, signed)
	s.s3Sec, s.s3Method, s.s3Path, s.s3Hash, s.s3Date, s.s3Au = t.Unix(), method, path, payloadHash, amzDate, authorization
	return amzDate, authorization
}
