// Package relayoutbox is the relay-outbox function, a CloudEvent sink that a
// PingSource triggers every minute: it publishes the outbox's pending
// events (those whose publish after commit failed or never happened),
// oldest first, then deletes sent rows older than TOPIC_RETENTION. Several
// replicas may run at once (FOR UPDATE SKIP LOCKED). The local runner calls
// Run on a timer.
package relayoutbox

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Function is the relay-outbox function.
type Function struct {
	fn.Base

	mu    sync.Mutex
	of    *stack.Stack // the stack pub and ob were made for
	pub   *kafka.Publisher
	relay *outbox.Outbox
}

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("relay-outbox", stack.Postgres|stack.Kafka)}
}

// Handle runs one relay pass for a PingSource event. An error (the
// database failed) makes the event be retried; Kafka being down is not an
// error: the events wait for the next run.
func (f *Function) Handle(ctx context.Context, _ event.Event) error {
	s := f.Stack()
	if s == nil {
		return errors.New("relay-outbox: not started")
	}
	return pass(ctx, s, f.outbox(s))
}

// outbox returns the function's outbox over s, made on first use and kept,
// so the publisher's connection and circuit breaker outlive one pass.
func (f *Function) outbox(s *stack.Stack) *outbox.Outbox {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.of != s {
		if f.pub != nil {
			_ = f.pub.Close()
		}
		f.pub = kafka.NewPublisher(kafka.OptionsFrom(s.Config))
		f.relay = outbox.New(s.DB, f.pub, outbox.Options{})
		f.of = s
	}
	return f.relay
}

// Stop closes the publisher, then what Start opened.
func (f *Function) Stop(ctx context.Context) error {
	f.mu.Lock()
	if f.pub != nil {
		_ = f.pub.Close()
	}
	f.pub, f.relay, f.of = nil, nil, nil
	f.mu.Unlock()
	return f.Base.Stop(ctx)
}

// Run runs one relay pass over s with a publisher of its own, closed
// afterwards.
func Run(ctx context.Context, s *stack.Stack) error {
	pub := kafka.NewPublisher(kafka.OptionsFrom(s.Config))
	defer pub.Close()
	return pass(ctx, s, outbox.New(s.DB, pub, outbox.Options{}))
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
