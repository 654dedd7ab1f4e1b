package errcode

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// unavailableMessage is what a client is told when a backend is down.
const unavailableMessage = "a backend is unavailable, try again"

// Transient reports whether err says a backend (PostgreSQL, Redis, S3,
// Kafka) cannot be reached now, rather than that the request is wrong or
// the code is: a refused or reset connection, a timeout, a connection
// closed under a query, or a PostgreSQL error of the classes that mean
// "not now" (08 connection exception, 57P operator intervention such as a
// shutdown or a server still starting, 53 insufficient resources,
// 40001/40P01 serialization failure and deadlock). Such a failure changed
// nothing the caller may rely on (a transaction not committed rolls back)
// and is worth retrying: it is a 503 to HTTP clients and a retried status
// to the delivery. It needs no driver import: PostgreSQL errors are known
// by their SQLState method (pgconn.PgError has one).
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		s := state.SQLState()
		return strings.HasPrefix(s, "08") || strings.HasPrefix(s, "57P") || strings.HasPrefix(s, "53") ||
			s == "40001" || s == "40P01"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true // dial errors, timeouts, resets: net.OpError and friends
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded)
}
