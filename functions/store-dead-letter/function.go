// Package storedeadletter is the store-dead-letter function, the
// deadLetterSink of every KafkaSource: it keeps each event that could not
// be delivered whole in Postgres, with the sink that refused it and why
// (internal/deadletter), for replay-dead-letters. It refuses nothing; only
// a database failure answers 500, and the event is retried.
package storedeadletter

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/deadletter"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/sink"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the store-dead-letter function.
type Function struct {
	fn.Event
}

// New returns the function; it does no I/O.
func New() *Function {
	f := &Function{}
	f.Event = fn.NewEvent("store-dead-letter", stack.Postgres, sink.Sink(f.Receive))
	return f
}

// Receive keeps one dead-lettered event.
func (f *Function) Receive(ctx context.Context, e event.Event) error {
	ctx, span := sink.Start(ctx, f.Name(), e)
	defer span.End()
	s := f.Stack()
	if s == nil {
		return sink.NotStarted(f.Name())
	}
	l, err := deadletter.Store{DB: s.DB, Now: s.Now}.Keep(ctx, e)
	if err == nil {
		log := slog.With("id", l.ID, "event", l.EventID, "type", l.EventType, "sink", l.Sink, "attempts", l.Attempts)
		status := ""
		if l.ErrorCode != nil {
			log = log.With("code", *l.ErrorCode)
			status = strconv.Itoa(*l.ErrorCode)
		}
		s.Observe().DeadLetterKept(l.Sink, status)
		log.WarnContext(ctx, "dead letter kept")
	}
	return sink.Result(ctx, f.Name(), e, err)
}
