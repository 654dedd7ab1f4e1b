// Package myfeed is the my-feed function: GET /api/timeline/posts.
// The caller's own posts, newest first.
package myfeed

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the my-feed function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("my-feed", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller: the feed is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 10)
	if err != nil {
		return nil, err
	}
	// Read the caller's posts.
	return s.Reads().AuthorPosts(r.Context(), p.MemberID, p.MemberID, q)
}
