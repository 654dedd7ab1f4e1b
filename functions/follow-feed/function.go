// Package followfeed is the follow-feed function: GET /api/timeline/posts/followings.
// Posts of the members the caller follows, newest first (internal/timeline:
// hybrid fan-out over Redis timelines).
package followfeed

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the follow-feed function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("follow-feed", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the feed is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 20)
	if err != nil {
		return nil, err
	}
	// Read the timeline, merge heavy authors, hydrate.
	return s.Feeds().Following(r.Context(), p.MemberID, q)
}
