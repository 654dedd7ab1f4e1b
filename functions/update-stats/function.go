// Package updatestats is the update-stats function, a sink behind a
// KafkaSource on the dated activity topics: it counts views (POST_READ by
// another member than the author, exactly once per CloudEvent id) and keeps
// the popular and most-commented rankings in Redis (internal/ranking).
// Likes and comments are counted by the writes themselves, never here.
// A duplicate answers 200; a malformed event 400 (dead-lettered);
// PostgreSQL or Redis down 503 (retried).
package updatestats

import (
	"context"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the update-stats function.
type Function struct{ fn.Sink }

// New returns the function; it does no I/O. Its Receive applies each
// event (Apply) to the counters and rankings (fn.Sink).
func New() *Function {
	return &Function{fn.NewSink("update-stats", stack.Postgres|stack.Redis, Apply)}
}

// Apply parses e and applies it to the counters and rankings of the stack.
func Apply(ctx context.Context, s *fn.Deps, e event.Event) error {
	p, err := events.Parse(e)
	if err != nil {
		return err
	}
	return s.Rankings().Apply(ctx, e.ID(), p)
}
