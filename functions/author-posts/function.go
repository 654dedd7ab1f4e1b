// Package authorposts is the author-posts function: GET /api/timeline/posts/authors/{authorId}.
// A member's posts, newest first.
package authorposts

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Function is the author-posts function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("author-posts", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Which author.
	id, err := web.PathID(r, "authorId")
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
	// Read the author's posts (404 for an unknown author).
	out, err := s.Reads().AuthorPosts(r.Context(), p.MemberID, id, q)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	web.OK(w, out)
}
