package errcode

import "time"

// RetryAfterError is an error (a rate limit, a busy decoder) that tells
// the client when to retry; HTTP answers it with a Retry-After header.
type RetryAfterError struct {
	Err   *Error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }
