// Package fanoutfeed is the fanout-feed function, a sink behind a
// KafkaSource on the dated activity topics: it keeps the members' Redis
// timelines (internal/timeline): POST_CREATE pushes the post to the
// author's followers, POST_DELETE removes it, MEMBER_FOLLOW merges the
// followee's recent posts, MEMBER_UNFOLLOW removes them. Other events are
// acknowledged and ignored. Every change is idempotent, so a re-delivery
// answers 200; a malformed event 400 (dead-lettered); PostgreSQL or Redis
// down 503 (retried).
package fanoutfeed

import (
	"context"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the fanout-feed function.
type Function struct{ fn.Sink }

// New returns the function; it does no I/O. Its Receive applies each
// event (Apply) to the timelines (fn.Sink).
func New() *Function {
	return &Function{fn.NewSink("fanout-feed", stack.Postgres|stack.Redis, Apply)}
}

// Apply parses e and applies it to the timelines of the stack.
func Apply(ctx context.Context, s *fn.Deps, e event.Event) error {
	p, err := events.Parse(e)
	if err != nil {
		return err
	}
	return s.Feeds().Apply(ctx, p)
}
