// Package recordactivity is the record-activity function, the activity
// service's sink: a KafkaSource delivers every member activity event of
// the dated topics, and it stores each once (internal/activity: Redis
// pre-check on the dedup key, unique event id in Postgres). A duplicate
// answers 200, a malformed or unknown event 400 (dead-lettered at once), a
// database failure 500 (retried).
package recordactivity

import (
	"context"
	"log/slog"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the record-activity function.
type Function struct{ fn.Sink }

// New returns the function; it does no I/O. Its Receive records the
// activity of each event (fn.Sink).
func New() *Function {
	return &Function{fn.NewSink("record-activity", stack.Postgres|stack.Redis, record)}
}

// record records the activity of one event.
func record(ctx context.Context, s *fn.Deps, e event.Event) error {
	// Parse, pre-check, upsert, mark: one call into the domain.
	outcome, err := s.Activity().Record(ctx, e)
	if err == nil {
		slog.DebugContext(ctx, "activity", "event", e.ID(), "outcome", outcome.String())
	}
	return err
}
