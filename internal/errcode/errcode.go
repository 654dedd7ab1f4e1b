// Package errcode holds dailyfeed's one coded error type. A domain error
// carries a stable machine code and a human message; transports map the code
// once: to an HTTP status (HTTPStatus) and to a CloudEvent result (Retryable).
package errcode

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable machine-readable error code, part of the public API.
type Code string

// Every code of dailyfeed, declared here once with its status (the table
// below): the shared ones, then each domain's. A domain package names its
// codes after these (content.PostNotFound = errcode.PostNotFound) and never
// changes the table; a test checks that every code has a status.
const (
	Internal         Code = "INTERNAL_ERROR"
	Unavailable      Code = "SERVICE_UNAVAILABLE"
	ValidationFailed Code = "VALIDATION_FAILED"
	MalformedJSON    Code = "MALFORMED_JSON"
	PayloadTooLarge  Code = "PAYLOAD_TOO_LARGE"
	UnsupportedMedia Code = "UNSUPPORTED_MEDIA_TYPE"
	NotFound         Code = "NOT_FOUND"
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	Forbidden        Code = "FORBIDDEN"
	Conflict         Code = "CONFLICT"
	RateLimited      Code = "TOO_MANY_REQUESTS"
	// UnknownEntity is an event about a post, comment or member that does
	// not exist: no retry can make it apply (422, dead-lettered at once).
	UnknownEntity Code = "UNKNOWN_ENTITY"

	// Authentication.
	Unauthorized        Code = "UNAUTHORIZED"
	TokenMissing        Code = "TOKEN_MISSING"
	TokenInvalid        Code = "TOKEN_INVALID"
	TokenExpired        Code = "TOKEN_EXPIRED"
	TokenRevoked        Code = "TOKEN_REVOKED"
	UnknownSigningKey   Code = "UNKNOWN_SIGNING_KEY"
	RefreshTokenInvalid Code = "REFRESH_TOKEN_INVALID"
	RefreshTokenReused  Code = "REFRESH_TOKEN_REUSED"
	InvalidCredentials  Code = "INVALID_CREDENTIALS"
	MemberDeactivated   Code = "MEMBER_DEACTIVATED"

	// Members.
	MemberNotFound      Code = "MEMBER_NOT_FOUND"
	MemberAlreadyExists Code = "MEMBER_ALREADY_EXISTS"
	EmailAlreadyExists  Code = "EMAIL_ALREADY_EXISTS"
	HandleAlreadyExists Code = "HANDLE_ALREADY_EXISTS"

	// Content (internal/content).
	PostNotFound       Code = "POST_NOT_FOUND"
	PostForbidden      Code = "POST_FORBIDDEN"
	CommentNotFound    Code = "COMMENT_NOT_FOUND"
	CommentForbidden   Code = "COMMENT_FORBIDDEN"
	AlreadyLiked       Code = "ALREADY_LIKED"
	LikeNotFound       Code = "LIKE_NOT_FOUND"
	ReplyDepthExceeded Code = "REPLY_DEPTH_EXCEEDED"
	ReplyPostMismatch  Code = "REPLY_POST_MISMATCH"
	// AuthorDeactivated refuses a new like, comment or reply on the
	// content of a deactivated member (reading it stays allowed).
	AuthorDeactivated Code = "AUTHOR_DEACTIVATED"

	// Follows (internal/follow).
	AlreadyFollowing    Code = "ALREADY_FOLLOWING"
	FollowNotFound      Code = "FOLLOW_NOT_FOUND"
	CannotFollowSelf    Code = "CANNOT_FOLLOW_SELF"
	FollowLimitExceeded Code = "FOLLOW_LIMIT_EXCEEDED"

	// Images (internal/image).
	ImageNotFound         Code = "IMAGE_NOT_FOUND"
	InvalidImage          Code = "INVALID_IMAGE"
	ImageTooManyPixels    Code = "IMAGE_TOO_LARGE_DIMENSIONS"
	ImageFieldMissing     Code = "IMAGE_FIELD_MISSING"
	InvalidImageID        Code = "INVALID_IMAGE_ID"
	TooManyImageURLs      Code = "TOO_MANY_IMAGE_URLS"
	ImageURLsRequired     Code = "IMAGE_URLS_REQUIRED"
	ImageRemoved          Code = "IMAGE_REMOVED"
	ImageDecoderBusy      Code = "IMAGE_DECODER_BUSY"
	BadBucketNotification Code = "INVALID_BUCKET_NOTIFICATION"

	// MalformedEvent is an event a sink cannot accept (events): unknown
	// type, bad data, missing fields. It maps to 400, so Knative sends the
	// event to the dead-letter sink instead of retrying it.
	MalformedEvent Code = "MALFORMED_EVENT"
)

// status maps every code to its HTTP status. It is the only such table,
// and nothing changes it.
var status = map[Code]int{
	UnknownEntity:    http.StatusUnprocessableEntity,
	Internal:         http.StatusInternalServerError,
	Unavailable:      http.StatusServiceUnavailable,
	ValidationFailed: http.StatusBadRequest,
	MalformedJSON:    http.StatusBadRequest,
	PayloadTooLarge:  http.StatusRequestEntityTooLarge,
	UnsupportedMedia: http.StatusUnsupportedMediaType,
	NotFound:         http.StatusNotFound,
	MethodNotAllowed: http.StatusMethodNotAllowed,
	Forbidden:        http.StatusForbidden,
	Conflict:         http.StatusConflict,
	RateLimited:      http.StatusTooManyRequests,

	Unauthorized:        http.StatusUnauthorized,
	TokenMissing:        http.StatusUnauthorized,
	TokenInvalid:        http.StatusUnauthorized,
	TokenExpired:        http.StatusUnauthorized,
	TokenRevoked:        http.StatusUnauthorized,
	UnknownSigningKey:   http.StatusUnauthorized,
	RefreshTokenInvalid: http.StatusUnauthorized,
	RefreshTokenReused:  http.StatusUnauthorized,
	InvalidCredentials:  http.StatusUnauthorized,
	MemberDeactivated:   http.StatusForbidden,

	MemberNotFound:      http.StatusNotFound,
	MemberAlreadyExists: http.StatusConflict,
	EmailAlreadyExists:  http.StatusConflict,
	HandleAlreadyExists: http.StatusConflict,

	PostNotFound:       http.StatusNotFound,
	PostForbidden:      http.StatusForbidden,
	CommentNotFound:    http.StatusNotFound,
	CommentForbidden:   http.StatusForbidden,
	AlreadyLiked:       http.StatusConflict,
	LikeNotFound:       http.StatusNotFound,
	ReplyDepthExceeded: http.StatusBadRequest,
	ReplyPostMismatch:  http.StatusBadRequest,
	AuthorDeactivated:  http.StatusConflict,

	AlreadyFollowing:    http.StatusConflict,
	FollowNotFound:      http.StatusNotFound,
	CannotFollowSelf:    http.StatusBadRequest,
	FollowLimitExceeded: http.StatusConflict,

	ImageNotFound:         http.StatusNotFound,
	InvalidImage:          http.StatusBadRequest,
	ImageTooManyPixels:    http.StatusRequestEntityTooLarge,
	ImageFieldMissing:     http.StatusBadRequest,
	InvalidImageID:        http.StatusBadRequest,
	TooManyImageURLs:      http.StatusBadRequest,
	ImageURLsRequired:     http.StatusBadRequest,
	ImageRemoved:          http.StatusGone,
	ImageDecoderBusy:      http.StatusTooManyRequests,
	BadBucketNotification: http.StatusBadRequest,

	MalformedEvent: http.StatusBadRequest,
}

// Error is a domain error with a stable code. Err, when set, is the cause;
// it is logged for internal errors and never shown to users.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a coded error.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Errorf returns a coded error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns a coded error caused by err.
func Wrap(code Code, message string, err error) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Of returns the code of err: the code of the first *Error in its chain;
// else Unavailable when err is a backend that cannot be reached now (see
// Transient), Internal otherwise.
func Of(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if Transient(err) {
		return Unavailable
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	return err != nil && Of(err) == code
}

// MessageOf returns the user-facing message of err. Errors without a code
// are internal and get a generic message, never their detail.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	if Transient(err) {
		return unavailableMessage
	}
	return "internal error"
}

// HTTPStatus maps err to its HTTP status.
func HTTPStatus(err error) int {
	if s, ok := status[Of(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// CloudEventStatus maps err to the HTTP status a CloudEvent sink answers
// with. Knative retries 404, 408, 409, 429 and 5xx and sends any other 4xx
// straight to the dead-letter sink, so a permanent failure must never be one
// of the retried statuses: those codes become 422.
func CloudEventStatus(err error) int {
	if err == nil {
		return http.StatusAccepted
	}
	s := HTTPStatus(err)
	switch {
	case s >= 500 || s == http.StatusTooManyRequests || s == http.StatusRequestTimeout:
		return s
	case s == http.StatusNotFound || s == http.StatusConflict:
		return http.StatusUnprocessableEntity
	default:
		return s
	}
}

// Retryable reports whether a CloudEvent sink failing with err should be
// retried by the delivery layer.
func Retryable(err error) bool {
	s := CloudEventStatus(err)
	return s >= 500 || s == http.StatusTooManyRequests || s == http.StatusRequestTimeout
}
