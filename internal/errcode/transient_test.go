package errcode_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

func TestBackendsDownAreUnavailable(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	cases := []struct {
		name string
		err  error
		want errcode.Code
	}{
		{"connection refused", fmt.Errorf("create-post: begin: %w", dial), errcode.Unavailable},
		{"server shutting down", fmt.Errorf("begin: %w", &pgconn.PgError{Code: "57P03"}), errcode.Unavailable},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, errcode.Unavailable},
		{"connection exception", &pgconn.PgError{Code: "08006"}, errcode.Unavailable},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, errcode.Unavailable},
		{"connection cut under a query", fmt.Errorf("select: %w", io.ErrUnexpectedEOF), errcode.Unavailable},
		{"unique violation", &pgconn.PgError{Code: "23505"}, errcode.Internal},
		{"a bug", errors.New("nil map"), errcode.Internal},
		{"the caller went away", fmt.Errorf("select: %w", context.Canceled), errcode.Internal},
		{"a coded error keeps its code", errcode.Wrap(errcode.Forbidden, "no", dial), errcode.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errcode.Of(c.err); got != c.want {
				t.Errorf("Of = %s, want %s", got, c.want)
			}
		})
	}
	if got := errcode.HTTPStatus(fmt.Errorf("x: %w", dial)); got != 503 {
		t.Errorf("HTTP status %d, want 503", got)
	}
	if !errcode.Retryable(fmt.Errorf("x: %w", dial)) {
		t.Error("a backend that is down must be retried by the delivery")
	}
	if m := errcode.MessageOf(fmt.Errorf("x: %w", dial)); m == "internal error" || m == dial.Error() {
		t.Errorf("message %q: want a generic unavailable message, never the detail", m)
	}
}
