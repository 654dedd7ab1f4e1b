// Package authorposts is the author-posts function: GET /api/timeline/posts/authors/{authorId}.
// A member's posts, newest first.
package authorposts

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the author-posts function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("author-posts", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which author.
	in := fn.Read(w, r)
	id := in.PathID("authorId")
	// Page by page/size or cursor.
	q := in.Timeline(20)
	if err := in.Err(); err != nil {
		return nil, err
	}
	// Read the author's posts (404 for an unknown author).
	return s.Reads().AuthorPosts(r.Context(), p.MemberID, id, q)
}
