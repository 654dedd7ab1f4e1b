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
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the store-dead-letter function.
type Function struct{ fn.Sink }

// New returns the function; it does no I/O. Its Receive keeps each
// dead-lettered event (fn.Sink).
func New() *Function {
	return &Function{fn.NewSink("store-dead-letter", stack.Postgres, keep)}
}

// keep keeps one dead-lettered event.
func keep(ctx context.Context, s *fn.Deps, e event.Event) error {
	l, err := deadletter.Store{DB: s.DB, Now: s.Now}.Keep(ctx, e)
	if err != nil {
		return err
	}
	log := slog.With("id", l.ID, "event", l.EventID, "type", l.EventType, "sink", l.Sink, "attempts", l.Attempts)
	status := ""
	if l.ErrorCode != nil {
		log = log.With("code", *l.ErrorCode)
		status = strconv.Itoa(*l.ErrorCode)
	}
	s.Observe().DeadLetterKept(l.Sink, status)
	log.WarnContext(ctx, "dead letter kept")
	return nil
}
