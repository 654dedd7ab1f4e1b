// Package activityfeed is the activity-feed function: GET /api/activities,
// the notification banner. It lists, newest first, what the members the
// caller follows did: wrote, edited or deleted a post or comment, liked,
// followed (internal/activity says what is left out and why). Each item
// carries the actor's summary and its target (a snippet, or deleted).
// Paged by page/size (default 20) or by the opaque cursor of the previous
// page (nextCursor), which stays stable while new activities arrive.
package activityfeed

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the activity-feed function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("activity-feed", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the banner is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode the page.
	q, err := fn.ActivityQuery(r)
	if err != nil {
		return nil, err
	}
	// Read the page with its actors and targets.
	return activity.Store{DB: s.DB}.Feed(r.Context(), p.MemberID, q)
}
