// Package popularposts is the popular-posts function: GET /api/timeline/posts/most-popular.
// Posts by a time-decayed score of likes, comments and views (internal/ranking).
package popularposts

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/ranking"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the popular-posts function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("popular-posts", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Page by page/size.
	q, err := web.PageOf(r, 20)
	if err != nil {
		return nil, err
	}
	// Read the ranking (Redis, or PostgreSQL when empty).
	return s.Rankings().Page(r.Context(), ranking.Popular, p.MemberID, q)
}
