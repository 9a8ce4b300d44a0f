// Package apperr is Relais's application error: a code that says what kind of failure it is
// (the server maps codes to HTTP statuses in one table) and a short French message that people
// may read. It owns no behaviour beyond building and inspecting such errors, and the one table
// from codes to HTTP statuses (Status).
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Code is the kind of an application error.
type Code string

// The codes. Every error that is not an *Error counts as Internal.
const (
	Invalid      Code = "invalid"      // the request is malformed or breaks a limit
	NotFound     Code = "not_found"    // the thing does not exist
	Conflict     Code = "conflict"     // the thing is not in a state that allows this
	Unauthorized Code = "unauthorized" // no credentials, or unusable ones
	Forbidden    Code = "forbidden"    // credentials that do not grant this
	TooMany      Code = "too_many"     // a rate limit was hit
	Unavailable  Code = "unavailable"  // a dependency (Redis, the bot) is down
	Internal     Code = "internal"     // a bug or an unexpected failure

	// The desk's codes (docs/desk.md).
	PreconditionRequired Code = "precondition_required" // a write without the record's version (If-Match)
	Duplicate            Code = "duplicate"             // another record already holds a unique value
	DuplicateTag         Code = "duplicate_tag"         // the activity already has this tag
	InvalidIdentity      Code = "invalid_identity"      // a signed customer identity that does not verify
	AlreadyLinked        Code = "already_linked"        // the interaction belongs to another customer

	// The transport's codes.
	UnsupportedMedia Code = "unsupported_media_type" // a body that is not JSON where only JSON is accepted
	RequestTimeout   Code = "request_timeout"        // the request body came too slowly
	KeyReused        Code = "idempotency_key_reused" // an Idempotency-Key sent again with another text

	// The attachments' codes.
	FileTooLarge  Code = "file_too_large"        // an attachment over the size of one file
	FileType      Code = "unsupported_file_type" // an attachment whose content is not an accepted image or PDF
	QuotaExceeded Code = "quota_exceeded"        // the conversation's attachments would pass its quota
)

// statuses is the one table from codes to HTTP statuses; Status reads it.
var statuses = map[Code]int{
	Invalid:      http.StatusBadRequest,
	NotFound:     http.StatusNotFound,
	Conflict:     http.StatusConflict,
	Unauthorized: http.StatusUnauthorized,
	Forbidden:    http.StatusForbidden,
	TooMany:      http.StatusTooManyRequests,
	Unavailable:  http.StatusServiceUnavailable,
	Internal:     http.StatusInternalServerError,

	PreconditionRequired: http.StatusPreconditionRequired,
	Duplicate:            http.StatusConflict,
	DuplicateTag:         http.StatusConflict,
	InvalidIdentity:      http.StatusUnprocessableEntity,
	AlreadyLinked:        http.StatusConflict,

	UnsupportedMedia: http.StatusUnsupportedMediaType,
	RequestTimeout:   http.StatusRequestTimeout,
	KeyReused:        http.StatusUnprocessableEntity,

	FileTooLarge:  http.StatusRequestEntityTooLarge,
	FileType:      http.StatusUnsupportedMediaType,
	QuotaExceeded: http.StatusRequestEntityTooLarge,
}

// Status returns the HTTP status of code: 500 for a code the table does not know (a status
// of 0 would make net/http panic), never 0.
func Status(code Code) int {
	if status, ok := statuses[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// Codes returns every code the table knows, in no particular order.
func Codes() []Code {
	codes := make([]Code, 0, len(statuses))
	for code := range statuses {
		codes = append(codes, code)
	}
	return codes
}

// Error is an application error. Message is French, for the customer or the agent; Err is
// the cause, for the logs only.
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration     // with TooMany, or a Conflict that will pass: when the client may try again
	Fields     map[string]string // with Invalid: a French message per field of the form
	Err        error
}

// Error returns the message and the cause, for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return string(e.Code) + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a French message.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Errorf returns an error with code and a French message built like fmt.Sprintf.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and message whose cause is err.
func Wrap(code Code, message string, err error) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// InvalidFields returns an Invalid error that names each field at fault with its French
// message; the server answers it with 422 and the fields.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "Certains champs sont invalides.", Fields: fields}
}

// Limited returns a TooMany error that tells the client when to retry.
func Limited(message string, retryAfter time.Duration) *Error {
	return &Error{Code: TooMany, Message: message, RetryAfter: retryAfter}
}

// CodeOf returns the code of the first *Error in err's chain, Internal when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// MessageOf returns the French message of err for people: the *Error's message, or a generic
// one for internal errors (their details are for the logs, not for customers).
func MessageOf(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Message != "" {
		return e.Message
	}
	return "Une erreur interne est survenue. Veuillez réessayer dans un instant."
}

// RetryAfterOf returns when the client may try again after err: the RetryAfter of the first
// *Error in err's chain, 0 when there is none.
func RetryAfterOf(err error) time.Duration {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter
	}
	return 0
}
