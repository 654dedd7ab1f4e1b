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
type Function struct{ fn.Base }

// New returns the function; it does no I/O.
func New() *Function {
	return &Function{Base: fn.New("author-posts", stack.Postgres|stack.Redis)}
}

// Handle serves the function's routes (fn.Base matches them and sets path values).
func (f *Function) Handle(w http.ResponseWriter, r *http.Request) { f.Serve(w, r, handle) }

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
