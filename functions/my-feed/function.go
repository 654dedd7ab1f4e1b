// Package myfeed is the my-feed function: GET /api/timeline/posts.
// The caller's own posts, newest first.
package myfeed

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the my-feed function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("my-feed", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller: the feed is theirs.
	p, err := fn.Authenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Page by page/size or cursor.
	q, err := fn.TimelineRequest(r, 10)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Read the caller's posts.
	out, err := s.Reads().AuthorPosts(r.Context(), p.MemberID, p.MemberID, q)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
