// Package followfeed is the follow-feed function: GET /api/timeline/posts/followings.
// Posts of the members the caller follows, newest first (internal/timeline:
// hybrid fan-out over Redis timelines).
package followfeed

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the follow-feed function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("follow-feed", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller: the feed is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 20)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the timeline, merge heavy authors, hydrate.
	out, err := s.Feeds().Following(r.Context(), p.MemberID, q)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
