package errcode

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestMapping(t *testing.T) {
	tests := []struct {
		err     error
		code    Code
		status  int
		ce      int
		retried bool
		message string
	}{
		{New(ValidationFailed, "content is required"), ValidationFailed, 400, 400, false, "content is required"},
		{fmt.Errorf("create post: %w", New(Forbidden, "not yours")), Forbidden, 403, 403, false, "not yours"},
		{New(NotFound, "no post"), NotFound, 404, 422, false, "no post"},             // Knative retries 404
		{New(Conflict, "already liked"), Conflict, 409, 422, false, "already liked"}, // and 409
		{New(RateLimited, "slow down"), RateLimited, 429, 429, true, "slow down"},
		{Wrap(Unavailable, "database down", errors.New("dial tcp: refused")), Unavailable, 503, 503, true, "database down"},
		{errors.New("pgx: secret detail"), Internal, 500, 500, true, "internal error"},
	}
	for _, tt := range tests {
		if got := Of(tt.err); got != tt.code {
			t.Errorf("Of(%v) = %s, want %s", tt.err, got, tt.code)
		}
		if got := HTTPStatus(tt.err); got != tt.status {
			t.Errorf("HTTPStatus(%v) = %d, want %d", tt.err, got, tt.status)
		}
		if got := CloudEventStatus(tt.err); got != tt.ce {
			t.Errorf("CloudEventStatus(%v) = %d, want %d", tt.err, got, tt.ce)
		}
		if got := Retryable(tt.err); got != tt.retried {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.retried)
		}
		if got := MessageOf(tt.err); got != tt.message {
			t.Errorf("MessageOf(%v) = %q, want %q", tt.err, got, tt.message)
		}
	}
	if got := CloudEventStatus(nil); got != http.StatusAccepted {
		t.Errorf("CloudEventStatus(nil) = %d, want 202", got)
	}
}

func TestEveryCodeHasAStatus(t *testing.T) {
	for c, s := range status {
		if s < 400 || s > 599 {
			t.Errorf("%s maps to %d", c, s)
		}
	}
}

func TestRegisterRejectsAConflictingStatus(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering NOT_FOUND as 400 did not panic")
		}
	}()
	Register(map[Code]int{NotFound: 400})
}
