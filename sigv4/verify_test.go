package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

var (
	tNow    = time.Date(2026, 11, 27, 12, 20, 0, 0, time.UTC)
	tCreds  = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	tTemp   = aws.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", SessionToken: "FQoGZXIvYXdzEXAMPLETOKEN"}
	tBody   = []byte("Action=GetCallerIdentity&Version=2011-06-15")
	errDown = errors.New("store unavailable")
)

func testVerifier() *Verifier {
	return &Verifier{
		Services: []string{"iam", "sts"},
		Now:      func() time.Time { return tNow },
		Secret: func(_ context.Context, c Credential) (string, error) {
			switch {
			case c.AccessKeyID == tCreds.AccessKeyID && c.SessionToken == "":
				return tCreds.SecretAccessKey, nil
			case c.AccessKeyID == tTemp.AccessKeyID && c.SessionToken == tTemp.SessionToken:
				return tTemp.SecretAccessKey, nil
			case c.AccessKeyID == "AKIAEXPIREDEXAMPLE00":
				return "", ExpiredToken()
			case c.AccessKeyID == "AKIASTOREDOWNEXAMPLE":
				return "", errDown
			}
			return "", InvalidClientTokenID()
		},
	}
}

func payloadHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func newPost(t *testing.T, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", "https://sts.example.test/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// signed returns a header-signed POST; mod runs before signing.
func signed(t *testing.T, c aws.Credentials, service, region string, at time.Time, body []byte, mod func(*http.Request)) *http.Request {
	t.Helper()
	r := newPost(t, body)
	if mod != nil {
		mod(r)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), c, r, payloadHash(body), service, region, at); err != nil {
		t.Fatal(err)
	}
	return r
}

// overTheWire returns r as a server reads it, with its body.
func overTheWire(t *testing.T, r *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil {
		t.Fatal(err)
	}
	sr, body, ok := readRequest(wire.Bytes())
	if !ok {
		t.Fatalf("cannot read back %q", wire.Bytes())
	}
	return sr, body
}

// presigned returns a presigned GET with the given extra query (e.g. X-Amz-Expires).
func presigned(t *testing.T, c aws.Credentials, at time.Time, rawQuery string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", "https://sts.example.test/?"+rawQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), c, r, payloadHash(nil), "sts", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func TestVerify(t *testing.T) {
	at := tNow.Add(-time.Minute)
	const action = "Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name     string
		req      func(t *testing.T) (*http.Request, []byte)
		services []string
		maxAge   time.Duration // the verifier's MaxPresignAge
		code     string        // "" = accepted
		status   int
		msg      string // exact message; "" = not checked
		is       error
	}{
		{name: "header form", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, tCreds, "sts", "us-east-1", at, tBody, nil), tBody
		}},
		{name: "temporary credentials, signed token", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, tTemp, "iam", "eu-central-1", at, tBody, nil), tBody
		}},
		{name: "any region", req: func(t *testing.T) (*http.Request, []byte) {
			return signed(t, tCreds, "iam", "mars-north-7", at, tBody, nil), tBody
		}},
		{name: "presigned", req: func(t *testing.T) (*http.Request, []byte) {
			return presigned(t, tCreds, at, action+"&X-Amz-Expires=900"), nil
		}},
		{name: "presigned with token", req: func(t *testing.T) (*http.Request, []byte) {
			return presigned(t, tTemp, at, action), nil
		}},
		{name: "presigned short expiry still inside skew window", req: func(t *testing.T) (*http.Request, []byte) {
			return presigned(t, tCreds, tNow.Add(-10*time.Minute), action+"&X-Amz-Expires=60"), nil
		}},
		{name: "presigned long expiry beyond skew window", req: func(t *testing.T) (*http.Request, []byte) {
			return presigned(t, tCreds, tNow.Add(-23*time.Hour), action+"&X-Amz-Expires=86400"), nil
		}},
		{name: "Date header instead of X-Amz-Date", req: func(t *testing.T) (*http.Request, []byte) {
			r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
			// Re-sign by hand: the SDK always sends X-Amz-Date, so swap it for Date and recompute.
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", at.Format(http.TimeFormat))
			sig := signByHand(t, r, tBody, tCreds.SecretAccessKey, "sts", "us-east-1", at, "content-length;content-type;date;host")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tCreds.AccessKeyID+"/"+at.Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders=content-length;content-type;date;host, Signature="+sig)
			return r, tBody
		}},

		{name: "no signature", code: "MissingAuthenticationToken", status: 403, msg: "Request is missing Authentication Token",
			req: func(t *testing.T) (*http.Request, []byte) { return newPost(t, tBody), tBody }},
		{name: "header without parts or date", code: "IncompleteSignature", status: 400,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 ",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := newPost(t, tBody)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 ")
				return r, tBody
			}},
		{name: "header without signature", code: "IncompleteSignature", status: 400,
			msg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date")
				return r, tBody
			}},
		{name: "unsupported algorithm", code: "IncompleteSignature", status: 400, msg: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
				return r, tBody
			}},
		{name: "component without equals", code: "IncompleteSignature", status: 400,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", r.Header.Get("Authorization")+", Bogus")
				return r, tBody
			}},
		{name: "credential with four elements", code: "IncompleteSignature", status: 400,
			msg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20261127/sts/aws4_request'",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1", "", 1))
				return r, tBody
			}},
		{name: "wrong terminator", code: "SignatureDoesNotMatch", status: 403,
			msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. ",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request", "aws4_reqest", 1))
				return r, tBody
			}},
		{name: "invalid region", code: "SignatureDoesNotMatch", status: 403, msg: "Credential should be scoped to a valid region. ",
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "US_EAST", at, tBody, nil), tBody
			}},
		{name: "service not allowed", code: "SignatureDoesNotMatch", status: 403, msg: "Credential should be scoped to correct service: 'iam'. ",
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "s3", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "no services configured fails closed", services: []string{}, code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "scope date differs from X-Amz-Date", code: "SignatureDoesNotMatch", status: 403,
			msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261126' != '20261127', from '20261127T121900Z'.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261127/", "/20261126/", 1))
				return r, tBody
			}},
		{name: "malformed X-Amz-Date", code: "IncompleteSignature", status: 400,
			msg: "Date must be in ISO-8601 'basic format'. Got '2026-11-27T12:19:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("X-Amz-Date", "2026-11-27T12:19:00Z")
				return r, tBody
			}},
		{name: "signature expired", code: "SignatureDoesNotMatch", status: 403,
			msg: "Signature expired: 20261127T120000Z is now earlier than 20261127T120500Z (20261127T122000Z - 15 min.)",
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "us-east-1", tNow.Add(-20*time.Minute), tBody, nil), tBody
			}},
		{name: "signature not yet current", code: "SignatureDoesNotMatch", status: 403,
			msg: "Signature not yet current: 20261127T124000Z is still later than 20261127T123500Z (20261127T122000Z + 15 min.)",
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "us-east-1", tNow.Add(20*time.Minute), tBody, nil), tBody
			}},
		{name: "unknown access key", code: "InvalidClientTokenId", status: 403, msg: "The security token included in the request is invalid.",
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, aws.Credentials{AccessKeyID: "AKIAUNKNOWNEXAMPLE00", SecretAccessKey: "x"}, "sts", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "expired temporary credentials", code: "ExpiredToken", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, aws.Credentials{AccessKeyID: "AKIAEXPIREDEXAMPLE00", SecretAccessKey: "x"}, "sts", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "secret lookup error passes through", is: errDown,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, aws.Credentials{AccessKeyID: "AKIASTOREDOWNEXAMPLE", SecretAccessKey: "x"}, "sts", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "wrong secret", code: "SignatureDoesNotMatch", status: 403, msg: msgSignatureDoesNotMatch,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, aws.Credentials{AccessKeyID: tCreds.AccessKeyID, SecretAccessKey: "not-the-secret"}, "sts", "us-east-1", at, tBody, nil), tBody
			}},
		{name: "body changed", code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "us-east-1", at, tBody, nil), []byte("Action=GetCallerIdentity&Version=2011-06-16")
			}},
		{name: "X-Amz-Content-Sha256 UNSIGNED-PAYLOAD is not accepted for a body", code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := newPost(t, tBody)
				r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				if err := v4.NewSigner().SignHTTP(context.Background(), tCreds, r, "UNSIGNED-PAYLOAD", "sts", "us-east-1", at); err != nil {
					t.Fatal(err)
				}
				return r, tBody
			}},
		{name: "host not signed", code: "IncompleteSignature", status: 400,
			msg: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
				return r, tBody
			}},
		{name: "session token header not signed", code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("X-Amz-Security-Token", tTemp.SessionToken)
				return r, tBody
			}},
		{name: "session token swapped", code: "InvalidClientTokenId", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tTemp, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("X-Amz-Security-Token", "another-token")
				return r, tBody
			}},
		{name: "duplicate query parameter", code: "MalformedQueryString", status: 404,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, nil, func(r *http.Request) { r.URL.RawQuery = "Action=A&Action=B" })
				return r, nil
			}},
		{name: "duplicate form parameter", code: "MalformedQueryString", status: 404,
			req: func(t *testing.T) (*http.Request, []byte) {
				b := []byte("Action=GetCallerIdentity&Version=2011-06-15&Action=AssumeRole")
				return signed(t, tCreds, "sts", "us-east-1", at, b, nil), b
			}},
		{name: "malformed query escape", code: "MalformedQueryString", status: 404,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.URL.RawQuery = "a=%zz"
				return r, tBody
			}},
		{name: "header and query signature together", code: "IncompleteSignature", status: 400,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := presigned(t, tCreds, at, action)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
				return r, nil
			}},
		{name: "presigned missing parameters", code: "IncompleteSignature", status: 400,
			msg: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r, _ := http.NewRequest("GET", "https://sts.example.test/?X-Amz-Algorithm=AWS4-HMAC-SHA256&"+action, nil)
				return r, nil
			}},
		{name: "presigned unsupported algorithm", code: "IncompleteSignature", status: 400,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := presigned(t, tCreds, at, action)
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", 1)
				return r, nil
			}},
		{name: "presigned expiry zero", code: "IncompleteSignature", status: 400, msg: "X-Amz-Expires must be greater than 0",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, at, action+"&X-Amz-Expires=0"), nil
			}},
		{name: "presigned expiry negative", code: "IncompleteSignature", status: 400, msg: "X-Amz-Expires must be non-negative",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, at, action+"&X-Amz-Expires=-5"), nil
			}},
		{name: "presigned expiry over a week", code: "IncompleteSignature", status: 400,
			msg: "X-Amz-Expires must be less than a week (in seconds) that is 604800",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, at, action+"&X-Amz-Expires=604801"), nil
			}},
		{name: "presigned expiry not a number", code: "IncompleteSignature", status: 400, msg: "X-Amz-Expires should be a number",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, at, action+"&X-Amz-Expires=1h"), nil
			}},
		{name: "presigned expired", code: "SignatureDoesNotMatch", status: 403,
			msg: "Signature expired: 20261127T102000Z is now earlier than 20261127T112000Z (20261127T122000Z - 60 min.)",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, tNow.Add(-2*time.Hour), action+"&X-Amz-Expires=3600"), nil
			}},
		// AWS's IAM and STS take a presigned request for 15 minutes after X-Amz-Date, whatever
		// X-Amz-Expires says: an identity proof must not be replayable for a week.
		{name: "presigned with the week's expiry, six days old, age bounded", maxAge: 15 * time.Minute,
			code: "SignatureDoesNotMatch", status: 403,
			msg: "Signature expired: 20261121T122000Z is now earlier than 20261127T120500Z (20261127T122000Z - 15 min.)",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, tNow.Add(-6*24*time.Hour), action+"&X-Amz-Expires=604800"), nil
			}},
		{name: "presigned 16 minutes old, age bounded", maxAge: 15 * time.Minute, code: "SignatureDoesNotMatch", status: 403,
			msg: "Signature expired: 20261127T120400Z is now earlier than 20261127T120500Z (20261127T122000Z - 15 min.)",
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, tNow.Add(-16*time.Minute), action+"&X-Amz-Expires=3600"), nil
			}},
		{name: "presigned 16 minutes old without expiry, age bounded", maxAge: 15 * time.Minute, code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, tNow.Add(-16*time.Minute), action), nil
			}},
		{name: "presigned 14 minutes old with the week's expiry, age bounded", maxAge: 15 * time.Minute,
			req: func(t *testing.T) (*http.Request, []byte) {
				return presigned(t, tCreds, tNow.Add(-14*time.Minute), action+"&X-Amz-Expires=604800"), nil
			}},
		{name: "header form unaffected by the presign age bound", maxAge: time.Minute,
			req: func(t *testing.T) (*http.Request, []byte) {
				return signed(t, tCreds, "sts", "us-east-1", tNow.Add(-10*time.Minute), tBody, nil), tBody
			}},
		// The time a signature is checked against must be signed itself.
		{name: "X-Amz-Date header not signed", code: "IncompleteSignature", status: 400,
			msg: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				const sh = "content-length;content-type;host"
				sig := signByHand(t, r, tBody, tCreds.SecretAccessKey, "sts", "us-east-1", at, sh)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tCreds.AccessKeyID+"/"+at.Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders="+sh+", Signature="+sig)
				return overTheWire(t, r)
			}},
		{name: "Date header not signed", code: "IncompleteSignature", status: 400,
			msg: "'Date' must be a 'SignedHeader' in the AWS Authorization.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Del("X-Amz-Date")
				r.Header.Set("Date", at.Format(http.TimeFormat))
				const sh = "content-length;content-type;host"
				sig := signByHand(t, r, tBody, tCreds.SecretAccessKey, "sts", "us-east-1", at, sh)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tCreds.AccessKeyID+"/"+at.Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders="+sh+", Signature="+sig)
				return overTheWire(t, r)
			}},
		{name: "Date header signed but X-Amz-Date used and not signed", code: "IncompleteSignature", status: 400,
			msg: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
			req: func(t *testing.T) (*http.Request, []byte) {
				r := signed(t, tCreds, "sts", "us-east-1", at, tBody, nil)
				r.Header.Set("Date", at.Format(http.TimeFormat))
				const sh = "content-length;content-type;date;host"
				sig := signByHand(t, r, tBody, tCreds.SecretAccessKey, "sts", "us-east-1", at, sh)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tCreds.AccessKeyID+"/"+at.Format("20060102")+"/us-east-1/sts/aws4_request, SignedHeaders="+sh+", Signature="+sig)
				return overTheWire(t, r)
			}},
		{name: "presigned query changed", code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := presigned(t, tCreds, at, action)
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "GetCallerIdentity", "GetSessionToken", 1)
				return r, nil
			}},
		{name: "presigned token added after signing", code: "InvalidClientTokenId", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := presigned(t, tCreds, at, action)
				r.URL.RawQuery += "&X-Amz-Security-Token=t"
				return r, nil
			}},
		{name: "presigned token header differs from query", code: "SignatureDoesNotMatch", status: 403,
			req: func(t *testing.T) (*http.Request, []byte) {
				r := presigned(t, tTemp, at, action)
				r.Header.Set("X-Amz-Security-Token", "other")
				return r, nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := testVerifier()
			if tt.services != nil {
				v.Services = tt.services
			}
			v.MaxPresignAge = tt.maxAge
			r, body := tt.req(t)
			res, err := v.Verify(context.Background(), r, body)
			// VerifyInto decides the same, and overwrites a reused result entirely.
			into := Result{Presigned: true, SignedHeaders: []string{"stale", "names"}}
			ierr := v.VerifyInto(context.Background(), r, body, &into)
			if (err == nil) != (ierr == nil) || err != nil && err.Error() != ierr.Error() {
				t.Errorf("VerifyInto: %v; Verify: %v", ierr, err)
			} else if err == nil {
				if diff := cmp.Diff(*res, into); diff != "" {
					t.Errorf("VerifyInto's result differs from Verify's (-Verify +VerifyInto):\n%s", diff)
				}
			}
			switch {
			case tt.is != nil:
				if !errors.Is(err, tt.is) {
					t.Fatalf("err = %v, want %v", err, tt.is)
				}
				return
			case tt.code == "":
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.Credential.AccessKeyID == "" || res.SignedAt.IsZero() || len(res.SignedHeaders) == 0 {
					t.Fatalf("result = %+v", res)
				}
				if want := signedHeadersOf(r); strings.Join(res.SignedHeaders, ";") != want {
					t.Errorf("SignedHeaders = %q, want the list %q", res.SignedHeaders, want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error %s", err, err, tt.code)
			}
			if res != nil {
				t.Errorf("result %+v returned with an error", res)
			}
			if e.Code != tt.code || e.Status != tt.status {
				t.Errorf("got %s %d (%s), want %s %d", e.Code, e.Status, e.Message, tt.code, tt.status)
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message:\n got %q\nwant %q", e.Message, tt.msg)
			}
		})
	}
}

// signByHand signs r with the given signed-header list using this package's own canonical
// form; used only for what the SDK cannot produce (a Date header instead of X-Amz-Date). The
// canonical form itself is checked against AWS's suite and the SDK elsewhere.
func signByHand(t *testing.T, r *http.Request, body []byte, secret, service, region string, at time.Time, signedHeaders string) string {
	t.Helper()
	req := &request{signedHeaders: signedHeaders, names: strings.Split(signedHeaders, ";"), amzDate: at.Format(amzDateLayout)}
	cr := appendCanonical(nil, r, req, nil, body)
	sum := sha256.Sum256(cr)
	key := deriveKey(keyID{secret: secret, date: at.Format("20060102"), region: region, service: service})
	msg := []byte(algorithm + "\n" + req.amzDate + "\n" + at.Format("20060102") + "/" + region + "/" + service + "/aws4_request\n" + hex.EncodeToString(sum[:]))
	_, sig := key.sign(sha256.New(), msg, 0)
	return string(sig)
}

// TestFormChecked: a verifier told that its caller refuses repeated form keys leaves them to
// it, in both paths (the SDKs' POST / and another path); by default it refuses them itself.
func TestFormChecked(t *testing.T) {
	b := []byte("Action=GetCallerIdentity&Version=2011-06-15&Action=AssumeRole")
	at := tNow.Add(-time.Minute)
	for _, path := range []string{"/", "/other"} {
		r, body := overTheWire(t, signed(t, tCreds, "sts", "us-east-1", at, b, func(r *http.Request) { r.URL.Path = path }))
		v := testVerifier()
		var e *Error
		if _, err := v.Verify(context.Background(), r, body); !errors.As(err, &e) || e.Code != "MalformedQueryString" {
			t.Errorf("%s: default verifier: %v, want MalformedQueryString", path, err)
		}
		v.FormChecked = true
		if _, err := v.Verify(context.Background(), r, body); err != nil {
			t.Errorf("%s: FormChecked: %v", path, err)
		}
	}
}

func TestVerifyIntoReusesResult(t *testing.T) {
	v := testVerifier()
	r := signed(t, tCreds, "sts", "us-east-1", tNow.Add(-time.Minute), tBody, nil)
	var res Result
	ctx := context.Background()
	if err := v.VerifyInto(ctx, r, tBody, &res); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := v.VerifyInto(ctx, r, tBody, &res); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 && !raceEnabled {
		t.Errorf("VerifyInto with a reused Result allocates %v times", allocs)
	}
	if got, want := strings.Join(res.SignedHeaders, ";"), signedHeadersOf(r); got != want {
		t.Errorf("SignedHeaders = %q, want %q", got, want)
	}
}

func TestHasSignature(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		header string
		want   bool
	}{
		{"unsigned", "https://h/?Action=GetCallerIdentity", "", false},
		{"authorization header", "https://h/", "AWS4-HMAC-SHA256 x", true},
		{"presigned", "https://h/?Action=A&X-Amz-Algorithm=AWS4-HMAC-SHA256", "", true},
		{"presigned key percent-encoded", "https://h/?X%2DAmz%2DAlgorithm=x", "", true},
		{"similar name", "https://h/?X-Amz-Algorithms=x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := HasSignature(r); got != tt.want {
				t.Errorf("HasSignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCredentialLogValueRedactsToken(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("auth", "cred", Credential{AccessKeyID: "ASIAEXAMPLE", Date: "20261127", Region: "us-east-1", Service: "sts", SessionToken: "secret-token-value"})
	out := buf.String()
	if strings.Contains(out, "secret-token-value") || !strings.Contains(out, "ASIAEXAMPLE") || !strings.Contains(out, "REDACTED") {
		t.Errorf("log line %q", out)
	}
}

func TestNormalizePath(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"root", "/", "/"},
		{"empty", "", "/"},
		{"plain", "/a/b", "/a/b"},
		{"trailing slash kept", "/a/b/", "/a/b/"},
		{"double slashes", "//a//b//", "/a/b/"},
		{"dot", "/./a/.", "/a/"},
		{"dot dot", "/a/b/../c", "/a/c"},
		{"dot dot past root", "/../../a", "/a"},
		{"trailing dot dot", "/a/b/..", "/a/"},
		{"all gone", "/a/..", "/"},
		{"dots in names kept", "/a.b/...", "/a.b/..."},
		{"not origin-form", "*", "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalizePath(tt.in); got != tt.want {
				t.Errorf("normalizePath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeyCacheBounded(t *testing.T) {
	var c keyCache
	count := func() int {
		n := 0
		for _, l := range c.m {
			n += len(l)
		}
		return n
	}
	for i := range keyCacheSize + 10 {
		c.get(&scope{accessKeyID: "AKIA" + strconv.Itoa(i), date: "20261127", region: "r", service: "sts"}, "s")
		if n := count(); n != c.n || n > keyCacheSize {
			t.Fatalf("after %d keys the cache holds %d (counted %d), bound is %d", i+1, n, c.n, keyCacheSize)
		}
	}
	for i := range 3 * keyVariants {
		c.get(&scope{accessKeyID: "AKIAVARIANTS", date: "20261127", region: "r", service: strconv.Itoa(i)}, "s")
	}
	if n := len(c.m["AKIAVARIANTS"]); n != keyVariants {
		t.Errorf("one access key id holds %d keys, bound is %d", n, keyVariants)
	}
	last := scope{accessKeyID: "AKIAVARIANTS", date: "20261127", region: "r", service: strconv.Itoa(3*keyVariants - 1)}
	want := keyID{accessKeyID: last.accessKeyID, secret: "s", date: last.date, region: last.region, service: last.service}
	if k := c.get(&last, "s"); k != c.get(&last, "s") || k.id != want {
		t.Error("the newest variant is not served from the cache")
	}
	a := c.get(&scope{date: "d"}, "s1")
	b := c.get(&scope{date: "d"}, "s2")
	if bytes.Equal(a.inner, b.inner) {
		t.Error("different secrets share a cached key")
	}
}

// TestVerifyConcurrent shares one Verifier (its key cache, and its cache of Authorization
// headers) between eight goroutines that verify requests of different regions, half of them as
// built in process (the general path) and half as read from the wire (the SDKs' path), so that
// cache misses and hits interleave; run it with -race.
func TestVerifyConcurrent(t *testing.T) {
	v := testVerifier()
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	// Sign up front: t.Fatal must not be called from the worker goroutines.
	reqs := make([]*http.Request, 8*50)
	for i := range reqs {
		reqs[i] = signed(t, tCreds, "iam", regions[i%3], tNow.Add(-time.Duration(i)*time.Second), tBody, nil)
		if i%2 == 1 {
			reqs[i], _ = overTheWire(t, reqs[i])
		}
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for _, r := range reqs[g*50 : (g+1)*50] {
				if _, err := v.Verify(context.Background(), r, tBody); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestSignMatchesHMAC checks the cached-state signing against crypto/hmac over the derived
// key, for messages around the SHA-256 block boundaries and with a prefix left untouched.
func TestSignMatchesHMAC(t *testing.T) {
	id := keyID{secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", date: "20261127", region: "us-east-1", service: "sts"}
	raw := hmacSHA256([]byte("AWS4"+id.secret), []byte(id.date))
	raw = hmacSHA256(raw, []byte(id.region))
	raw = hmacSHA256(raw, []byte(id.service))
	raw = hmacSHA256(raw, []byte(terminator))
	key := deriveKey(id)
	h := sha256.New()
	for _, tc := range []struct {
		name   string
		prefix int
		n      int
	}{
		{"empty", 0, 0}, {"one byte", 0, 1}, {"block minus padding", 0, 55}, {"one block", 0, 64},
		{"string to sign", 0, 151}, {"after a prefix", 7, 151}, {"several blocks", 3, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, tc.prefix+tc.n, tc.prefix+tc.n+8) // small capacity: sign must grow it
			for i := range b {
				b[i] = byte(i * 7)
			}
			want := hex.EncodeToString(hmacSHA256(raw, b[tc.prefix:]))
			msg := bytes.Clone(b)
			all, sig := key.sign(h, b, tc.prefix)
			if string(sig) != want {
				t.Errorf("sign = %s, want %s", sig, want)
			}
			if !bytes.Equal(all[:len(msg)], msg) {
				t.Error("sign changed the message")
			}
		})
	}
}

// signedHeadersOf is the SignedHeaders list r carries, in either form.
func signedHeadersOf(r *http.Request) string {
	if sh := r.URL.Query().Get("X-Amz-SignedHeaders"); sh != "" {
		return sh
	}
	_, after, _ := strings.Cut(r.Header.Get("Authorization"), "SignedHeaders=")
	sh, _, _ := strings.Cut(after, ",")
	return sh
}
