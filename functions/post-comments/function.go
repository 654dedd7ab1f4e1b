// Package postcomments is the post-comments function: GET /api/timeline/posts/{postId}/comments.
// A post's top-level comments, oldest first.
package postcomments

import (
	"net/http"

	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/stack"
)

// Function is the post-comments function.
type Function struct{ fn.HTTP }

// New returns the function; it does no I/O. Its Handle serves handle on
// the function's route (fn.HTTP).
func New() *Function {
	return &Function{fn.NewHTTP("post-comments", stack.Postgres|stack.Redis, handle)}
}

func handle(w http.ResponseWriter, r *http.Request, s *fn.Deps) (any, error) {
	// Authenticate the caller if there is a token (anonymous readers like nothing).
	p, _, err := fn.OptionalAuthenticate(w, r, s.Stack)
	if err != nil {
		return nil, err
	}
	// Which post.
	in := fn.Read(w, r)
	id := in.PathID("postId")
	// Page by page/size or cursor.
	q := in.Timeline(20)
	if err := in.Err(); err != nil {
		return nil, err
	}
	// Read the comments (404 for a missing post).
	return s.Reads().PostComments(r.Context(), p.MemberID, id, q)
}
