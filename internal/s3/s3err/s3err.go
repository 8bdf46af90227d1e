// Package s3err is S3's error answer: the error type every part of iamd's S3 data plane returns
// (the request classifier, the gateway's bucket operations, the local backend), its XML
// rendering, and AWS's codes, statuses and messages for the failures they share. S3 answers in
// its own shape (<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId></Error>, no
// <ErrorResponse> wrapper and no <Type>), so it is a leaf apart from awserr, which speaks the
// Query protocol of IAM and STS.
package s3err

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// Error is one S3 error answer.
type Error struct {
	Status  int    // HTTP status
	Code    string // e.g. "NoSuchKey"
	Message string // AWS's wording
	// Extra are the further elements S3 adds after Message, in order (BucketName, Key,
	// UploadId, Condition, …).
	Extra []Field
	// Header are response headers the answer carries besides the request ids (e.g. Allow on a
	// 405, x-amz-delete-marker).
	Header http.Header
}

// Field is one extra element of an error answer.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// With returns a copy of e with one more extra element.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Extra = append(append([]Field(nil), e.Extra...), Field{name, value})
	return &c
}

// As reports whether err is or wraps an *Error, and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// New returns an error with AWS's code, status and message.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Write answers e: the status, Content-Type application/xml, x-amz-request-id and x-amz-id-2,
// and, unless the request was a HEAD (S3 answers HEAD errors without a body) or the status is
// 304, the XML document.
func Write(w http.ResponseWriter, r *http.Request, e *Error, requestID, hostID string) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	h.Set("X-Amz-Request-Id", requestID)
	h.Set("X-Amz-Id-2", hostID)
	if e.Status == http.StatusNotModified || (r != nil && r.Method == http.MethodHead) {
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.WriteHeader(e.Status)
		return
	}
	body := Marshal(e, requestID, hostID)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}

// Marshal is the XML document of e.
func Marshal(e *Error, requestID, hostID string) []byte {
	b := make([]byte, 0, 256)
	b = append(b, xml.Header...)
	b = append(b, "<Error>"...)
	b = element(b, "Code", e.Code)
	b = element(b, "Message", e.Message)
	for _, f := range e.Extra {
		b = element(b, f.Name, f.Value)
	}
	b = element(b, "RequestId", requestID)
	b = element(b, "HostId", hostID)
	return append(b, "</Error>"...)
}

func element(b []byte, name, value string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, value)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendEscaped(b []byte, s string) []byte {
	var w escWriter
	w.b = b
	xml.EscapeText(&w, []byte(s))
	return w.b
}

type escWriter struct{ b []byte }

func (w *escWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// The errors S3 answers, with AWS's statuses and messages (Amazon S3 API Reference, "Error
// responses"). Those that name a bucket, key or upload take it and add the element S3 adds.

func AccessDenied() *Error { return New(http.StatusForbidden, "AccessDenied", "Access Denied") }

func NoSuchBucket(bucket string) *Error {
	return New(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").With("BucketName", bucket)
}

func NoSuchKey(key string) *Error {
	return New(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").With("Key", key)
}

func NoSuchUpload(uploadID string) *Error {
	return New(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").With("UploadId", uploadID)
}

func BucketAlreadyExists(bucket string) *Error {
	return New(http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").With("BucketName", bucket)
}

func BucketAlreadyOwnedByYou(bucket string) *Error {
	return New(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", bucket)
}

func BucketNotEmpty(bucket string) *Error {
	return New(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty").With("BucketName", bucket)
}

func InvalidBucketName(bucket string) *Error {
	return New(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.").With("BucketName", bucket)
}

func KeyTooLong(size int) *Error {
	return New(http.StatusBadRequest, "KeyTooLongError", "Your key is too long").With("MaxSizeAllowed", "1024").With("Size", strconv.Itoa(size))
}

func InvalidArgument(message, name, value string) *Error {
	return New(http.StatusBadRequest, "InvalidArgument", message).With("ArgumentName", name).With("ArgumentValue", value)
}

// InvalidURI is S3's answer to a request path it cannot decode (a malformed percent escape).
func InvalidURI() *Error {
	return New(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.")
}

func InvalidRequest(message string) *Error {
	return New(http.StatusBadRequest, "InvalidRequest", message)
}

func InvalidRange(requested string, size int64) *Error {
	return New(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable").
		With("RangeRequested", requested).With("ActualObjectSize", strconv.FormatInt(size, 10))
}

func PreconditionFailed(condition string) *Error {
	return New(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold").With("Condition", condition)
}

// NotModified is the 304 of a conditional GET or HEAD; it has no body.
func NotModified() *Error { return New(http.StatusNotModified, "NotModified", "Not Modified") }

func MalformedXML() *Error {
	return New(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

func EntityTooSmall() *Error {
	return New(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
}

func EntityTooLarge() *Error {
	return New(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
}

func InvalidPart() *Error {
	return New(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
}

func InvalidPartOrder() *Error {
	return New(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
}

func BadDigest() *Error {
	return New(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
}

func InvalidDigest() *Error {
	return New(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not valid.")
}

func XAmzContentSHA256Mismatch(client, computed string) *Error {
	return New(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.").
		With("ClientComputedContentSHA256", client).With("S3ComputedContentSHA256", computed)
}

func SignatureDoesNotMatch() *Error {
	return New(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func IncompleteBody() *Error {
	return New(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header")
}

func MissingContentLength() *Error {
	return New(http.StatusLengthRequired, "MissingContentLength", "You must provide the Content-Length HTTP header.")
}

func NotImplemented() *Error {
	return New(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
}

func MethodNotAllowed(method, resourceType string) *Error {
	return New(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", resourceType)
}

func InternalError() *Error {
	return New(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

func ServiceUnavailable() *Error {
	return New(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unable to handle request.")
}

func SlowDown() *Error {
	return New(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
}

func RequestTimeout() *Error {
	return New(http.StatusBadRequest, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

func MalformedPOSTRequest() *Error {
	return New(http.StatusBadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")
}
