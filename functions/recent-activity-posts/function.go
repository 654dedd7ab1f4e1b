// Package recentactivityposts is the recent-activity-posts function: GET /api/timeline/posts/recent-activities.
// Posts by the time of their latest comment or like.
package recentactivityposts

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the recent-activity-posts function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("recent-activity-posts", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 20)
	if err != nil {
		return nil, err
	}
	// Read the posts by activity time.
	return s.Reads().RecentActivity(r.Context(), p.MemberID, q)
}
