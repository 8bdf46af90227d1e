package sigv4

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error is an authentication failure in AWS's words. The server turns it into an <ErrorResponse>
// with Code, Message and Status unchanged.
type Error struct {
	Code    string // e.g. "SignatureDoesNotMatch"
	Message string // AWS's wording
	Status  int    // HTTP status
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AWS error codes produced by this package.
const (
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeExpiredToken               = "ExpiredToken"
	CodeMalformedQueryString       = "MalformedQueryString"
)

const msgSignatureDoesNotMatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// InvalidClientTokenID is the error a SecretFunc returns for an access key id it does not know.
func InvalidClientTokenID() *Error {
	return &Error{Code: CodeInvalidClientTokenID, Message: "The security token included in the request is invalid.", Status: http.StatusForbidden}
}

// ExpiredToken is the error a SecretFunc returns for temporary credentials past their expiry.
func ExpiredToken() *Error {
	return &Error{Code: CodeExpiredToken, Message: "The security token included in the request is expired", Status: http.StatusForbidden}
}

func errMissingAuth() *Error {
	return &Error{Code: CodeMissingAuthenticationToken, Message: "Request is missing Authentication Token", Status: http.StatusForbidden}
}

func errMismatch() *Error {
	return &Error{Code: CodeSignatureDoesNotMatch, Message: msgSignatureDoesNotMatch, Status: http.StatusForbidden}
}

// errScope is a credential scope failure; AWS reports these as signature mismatches.
func errScope(msg string) *Error {
	return &Error{Code: CodeSignatureDoesNotMatch, Message: msg, Status: http.StatusForbidden}
}

func errIncomplete(msg string) *Error {
	return &Error{Code: CodeIncompleteSignature, Message: msg, Status: http.StatusBadRequest}
}

func errMalformedQuery(msg string) *Error {
	// AWS's common-errors table gives MalformedQueryString HTTP 404.
	return &Error{Code: CodeMalformedQueryString, Message: msg, Status: http.StatusNotFound}
}

// errMissingEquals quotes the header only as a digest, as AWS does, so that a credential pasted
// into the wrong place does not come back in the response.
func errMissingEquals(header string) *Error {
	sum := sha256.Sum256([]byte(header))
	return errIncomplete("Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'.")
}

func errBadDate(v string) *Error {
	return errIncomplete("Date must be in ISO-8601 'basic format'. Got '" + v + "'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func errExpired(signedAt, now time.Time, window time.Duration) *Error {
	return errScope(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s)",
		signedAt.Format(amzDateLayout), now.Add(-window).Format(amzDateLayout), now.Format(amzDateLayout), windowText(window)))
}

func errNotYetCurrent(signedAt, now time.Time, window time.Duration) *Error {
	return errScope(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s)",
		signedAt.Format(amzDateLayout), now.Add(window).Format(amzDateLayout), now.Format(amzDateLayout), windowText(window)))
}

// windowText writes a window the way AWS's messages do ("15 min."), falling back to seconds
// for windows that are not whole minutes.
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", int64(d/time.Minute))
	}
	return fmt.Sprintf("%d sec.", int64(d/time.Second))
}

// missingParts lists AWS's complaint for each absent part of an Authorization header, in AWS's order.
func errHeaderMissing(a *authorization, hasDate bool, header string) *Error {
	var b strings.Builder
	if a.credential == "" {
		b.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if a.signature == "" {
		b.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if a.signedHeaders == "" {
		b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if !hasDate {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=")
	b.WriteString(header)
	return errIncomplete(b.String())
}
