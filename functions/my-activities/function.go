// Package myactivities is the my-activities function: GET
// /api/activities/me, the caller's own activity log, every type (reads
// and cancellations included: they are the caller's own), newest first,
// in the shape of activity-feed and paged the same way.
package myactivities

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the my-activities function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("my-activities", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the log is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Decode the page.
	q, err := fn.ActivityQuery(r)
	if err != nil {
		return nil, err
	}
	// Read the page.
	return activity.Store{DB: s.DB}.Mine(r.Context(), p.MemberID, q)
}
