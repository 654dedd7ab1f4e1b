// Package relayoutbox is the relay-outbox function, a CloudEvent sink that a
// PingSource triggers every minute: it publishes the outbox's pending
// events (those whose publish after commit failed or never happened),
// oldest first, then deletes sent rows older than TOPIC_RETENTION. Several
// replicas may run at once (FOR UPDATE SKIP LOCKED). The local runner calls
// Run on a timer.
package relayoutbox

import (
	"context"
	"log/slog"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the relay-outbox function.
type Function struct{ fn.Job }

// New returns the function; it does no I/O. Its Receive runs one relay
// pass (Run) for a PingSource event (fn.Job). An error (the database
// failed) makes the event be retried; Kafka being down is not an error:
// the events wait for the next run.
func New() *Function {
	return &Function{fn.NewJob("relay-outbox", stack.Postgres|stack.Kafka, Run)}
}

// Run runs one relay pass over the stack's outbox, whose publisher (its
// connection and circuit breaker) outlives the pass.
func Run(ctx context.Context, s *stack.Stack) error {
	return pass(ctx, s, s.Outbox)
}

// pass relays what is pending, then cleans up old sent rows.
func pass(ctx context.Context, s *stack.Stack, ob *outbox.Outbox) error {
	res, err := ob.Relay(ctx)
	if err != nil {
		return err
	}
	switch {
	case res.Unavailable:
		slog.WarnContext(ctx, "outbox relay: kafka unavailable, events wait", "sent", res.Sent)
	case res.Sent > 0 || res.Failed > 0:
		slog.InfoContext(ctx, "outbox relayed", "sent", res.Sent, "failed", res.Failed, "waiting", res.Blocked)
	}
	n, err := ob.Cleanup(ctx, s.Config.TopicRetention)
	if err != nil {
		slog.WarnContext(ctx, "outbox cleanup failed", "err", err)
	} else if n > 0 {
		slog.InfoContext(ctx, "outbox cleaned up", "deleted", n)
	}
	return nil
}
