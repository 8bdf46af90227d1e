// Package awserr defines the one error type that reaches the wire: an AWS error with its code,
// message, HTTP status and fault side (Sender or Receiver). Every layer that knows AWS's words for
// a failure (the query codec, the generated validators, the services, authentication) returns an
// *Error; internal/server alone turns it into XML. It is a leaf so that the codec and the
// generated API packages can produce AWS errors without importing the domain.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error as it appears in an <ErrorResponse>.
type Error struct {
	Code    string // e.g. "NoSuchEntity"
	Message string // AWS's wording
	Status  int    // HTTP status
	// Receiver marks a server-side fault (<Type>Receiver</Type>); Sender otherwise.
	Receiver bool
	// Reason is the Reason member some JSON services' errors carry (Organizations'
	// ConstraintViolationException, InvalidInputException, …); "" for none.
	Reason string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Type is the <Type> element: "Sender" or "Receiver".
func (e *Error) Type() string {
	if e.Receiver {
		return "Receiver"
	}
	return "Sender"
}

// New returns a Sender error with the message as given.
func New(status int, code, msg string) *Error {
	return &Error{Code: code, Message: msg, Status: status}
}

// Newf returns a Sender error with a formatted message.
func Newf(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// As reports whether err is (or wraps) an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Constructors for the errors many layers share. Messages are AWS's.

func Validation(msg string) *Error   { return New(http.StatusBadRequest, "ValidationError", msg) }
func InvalidInput(msg string) *Error { return New(http.StatusBadRequest, "InvalidInput", msg) }
func MissingParameter(msg string) *Error {
	return New(http.StatusBadRequest, "MissingParameter", msg)
}
func InvalidAction(action string) *Error {
	return Newf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version NO_VERSION_SPECIFIED", action)
}
func NoSuchEntity(msg string) *Error { return New(http.StatusNotFound, "NoSuchEntity", msg) }
func EntityAlreadyExists(msg string) *Error {
	return New(http.StatusConflict, "EntityAlreadyExists", msg)
}
func DeleteConflict(msg string) *Error { return New(http.StatusConflict, "DeleteConflict", msg) }
func LimitExceeded(msg string) *Error  { return New(http.StatusConflict, "LimitExceeded", msg) }
func MalformedPolicyDocument(msg string) *Error {
	return New(http.StatusBadRequest, "MalformedPolicyDocument", msg)
}
func AccessDenied(msg string) *Error { return New(http.StatusForbidden, "AccessDenied", msg) }

// ServiceFailure is the only answer to an unexpected internal error; details go to the log.
func ServiceFailure() *Error {
	return &Error{Code: "ServiceFailure", Message: "The request processing has failed because of an unknown error, exception or failure.", Status: http.StatusInternalServerError, Receiver: true}
}
